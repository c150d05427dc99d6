import { deleteRegionRest, regionRest, updateRegionRest } from "@/server/api/v1/accounting-pricing";

/** GET, PUT, DELETE /api/v1/accounting/regions/{name}/ — see src/server/api/v1/accounting-pricing.ts. */
export const GET = regionRest;
export const PUT = updateRegionRest;
export const DELETE = deleteRegionRest;
