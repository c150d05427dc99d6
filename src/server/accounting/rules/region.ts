import { RegionDataMissingError } from "./errors";

/**
 * A region's pricing data as the rules read it (the `regions` table). All
 * amounts are uint256 integers; see each rule for the scale it compares or
 * adds them at.
 */
export interface RegionPricing {
  name: string;
  highDemand: boolean;
  /** Added to compute tokens before the final `/ 1000` (so 1000 here = 1 unit charged). */
  highDemandCost: bigint;
  /** Threshold compared with `cpuUsage · 10^3` (millicores · 10^3): at or below it, no CPU charge. */
  regionalCpuCosts: bigint;
  /** Threshold compared with `memoryUsage · 10^3` (MiB · 10^3): at or below it, no memory charge. */
  regionalMemoryCosts: bigint;
  /** Units added to every ML (GPU) charge. */
  regionalGpuCosts: bigint;
}

/** The region's data, or the reference's revert when the region has none. */
export function requireRegion(region: RegionPricing | null | undefined, name: string): RegionPricing {
  if (!region) throw new RegionDataMissingError(name);
  return region;
}
