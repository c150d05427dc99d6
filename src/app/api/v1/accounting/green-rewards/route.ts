import { greenRewardsRest, updateGreenRewardsRest } from "@/server/api/v1/accounting-pricing";

/** GET, PUT /api/v1/accounting/green-rewards/ — see src/server/api/v1/accounting-pricing.ts. */
export const GET = greenRewardsRest;
export const PUT = updateGreenRewardsRest;
