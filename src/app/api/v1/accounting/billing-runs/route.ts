import { billingRunsRest } from "@/server/api/v1/accounting-billing";

/** GET /api/v1/accounting/billing-runs/ — see src/server/api/v1/accounting-billing.ts. */
export const GET = billingRunsRest;
