import { accountingSettingsRest, updateAccountingSettingsRest } from "@/server/api/v1/accounting-pricing";

/** GET, PUT /api/v1/accounting/settings/ — see src/server/api/v1/accounting-pricing.ts. */
export const GET = accountingSettingsRest;
export const PUT = updateAccountingSettingsRest;
