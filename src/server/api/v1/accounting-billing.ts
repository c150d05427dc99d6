/**
 * REST Intent-Based API, MOCA billing (/api/v1/accounting/budgets/,
 * /billing-runs/, /idle-capacity/). Thin: the same domain functions as the tRPC accounting
 * router. Budgets are a service provider's own (another's reads as 404;
 * admins see all); billing runs are for admins. Amounts are decimal strings
 * of units (1 token = 10^8 units).
 */
import { Role } from "@/common/roles";
import { created, restHandler } from "@/server/api/rest";
import {
  billingRunsQuerySchema,
  budgetCreateSchema,
  budgetUpdateSchema,
  createBudget,
  deleteBudget,
  getBudget,
  idleCapacity,
  idleCapacityQuerySchema,
  listBillingRuns,
  listBudgets,
  updateBudget,
} from "@/server/accounting";

const budgetRoles = [Role.SERVICE_PROVIDER, Role.NEMO_ADMIN];
const idOf = (params: Record<string, string>) => params.id ?? "";

/** GET /api/v1/accounting/budgets/ — the caller's budgets with the current window's spending. */
export const listBudgetsRest = restHandler({ roles: budgetRoles }, async ({ db, user }) => ({
  items: await listBudgets({ db, user }),
}));

/** POST /api/v1/accounting/budgets/ — `{workloadId?, period: DAY|MONTH, amount}`. */
export const createBudgetRest = restHandler(
  { roles: budgetRoles, body: budgetCreateSchema },
  async ({ db, user, body }) => {
    const budget = await createBudget({ db, user }, body);
    return created(budget, `/api/v1/accounting/budgets/${budget.id}/`);
  },
);

/** GET /api/v1/accounting/budgets/{id}/ */
export const budgetRest = restHandler({ roles: budgetRoles }, ({ db, user, params }) =>
  getBudget({ db, user }, idOf(params)),
);

/** PUT /api/v1/accounting/budgets/{id}/ — `{period?, amount?}`. */
export const updateBudgetRest = restHandler(
  { roles: budgetRoles, body: budgetUpdateSchema },
  ({ db, user, params, body }) => updateBudget({ db, user }, idOf(params), body),
);

/** DELETE /api/v1/accounting/budgets/{id}/ */
export const deleteBudgetRest = restHandler({ roles: budgetRoles }, ({ db, user, params }) =>
  deleteBudget({ db, user }, idOf(params)),
);

/** GET /api/v1/accounting/billing-runs/?limit= — the last runs with the items they could not bill (admin). */
export const billingRunsRest = restHandler(
  { roles: [Role.NEMO_ADMIN], query: billingRunsQuerySchema },
  async ({ db, user, query }) => ({ items: await listBillingRuns({ db, user }, query) }),
);

/**
 * GET /api/v1/accounting/idle-capacity/?periods=&until=&clusterId= — idle capacity by cluster over the
 * last billed periods: an infrastructure provider's own clusters (another's id is 404), admins all.
 */
export const idleCapacityRest = restHandler(
  { roles: [Role.INFRASTRUCTURE_PROVIDER, Role.NEMO_ADMIN], query: idleCapacityQuerySchema },
  ({ db, user, query }) => idleCapacity({ db, user }, query),
);
