import { idleCapacityRest } from "@/server/api/v1/accounting-billing";

/** GET /api/v1/accounting/idle-capacity/ — see src/server/api/v1/accounting-billing.ts. */
export const GET = idleCapacityRest;
