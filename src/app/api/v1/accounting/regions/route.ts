import { createRegionRest, listRegionsRest } from "@/server/api/v1/accounting-pricing";

/** GET, POST /api/v1/accounting/regions/ — see src/server/api/v1/accounting-pricing.ts. */
export const GET = listRegionsRest;
export const POST = createRegionRest;
