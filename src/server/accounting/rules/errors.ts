/**
 * An instance whose cluster's region has no row in the region table cannot be
 * priced: the compute and ML rules read the region's costs. The reference
 * contract reverted with this exact message; billing records it as a failure
 * of that item only and goes on.
 */
export const REGION_DATA_MISSING_MESSAGE = "Data for region must be set";

export class RegionDataMissingError extends Error {
  override readonly name = "RegionDataMissingError";
  constructor(readonly region: string) {
    super(REGION_DATA_MISSING_MESSAGE);
  }
}
