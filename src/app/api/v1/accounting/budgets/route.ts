import { createBudgetRest, listBudgetsRest } from "@/server/api/v1/accounting-billing";

/** GET, POST /api/v1/accounting/budgets/ — see src/server/api/v1/accounting-billing.ts. */
export const GET = listBudgetsRest;
export const POST = createBudgetRest;
