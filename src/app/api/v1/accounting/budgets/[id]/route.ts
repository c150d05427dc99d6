import { budgetRest, deleteBudgetRest, updateBudgetRest } from "@/server/api/v1/accounting-billing";

/** GET, PUT, DELETE /api/v1/accounting/budgets/{id}/ — see src/server/api/v1/accounting-billing.ts. */
export const GET = budgetRest;
export const PUT = updateBudgetRest;
export const DELETE = deleteBudgetRest;
