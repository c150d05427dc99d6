import { BUDGET_PERIODS, budgetWindow, type BudgetPeriod } from "@/server/accounting";
import type { Db } from "@/server/db";

/**
 * Whether the instance's owner has exhausted a budget that covers it (one of
 * the owner's over all workloads, or one of the instance's workload) in its
 * current window: the billing run raised that budget's 100 % alert there
 * (src/server/accounting/budgets.ts). A CFDRL scale-up is then dropped with
 * the reason "budget exhausted"; scaling down and keeping are not.
 */
export async function budgetExhausted(
  db: Db,
  instance: { ownerId: string; workloadId: number },
  now: Date,
): Promise<boolean> {
  const budgets = await db.budget.findMany({
    where: { ownerId: instance.ownerId, OR: [{ workloadId: null }, { workloadId: instance.workloadId }] },
    select: { id: true, period: true },
  });
  const windows = budgets.flatMap((b) =>
    (BUDGET_PERIODS as readonly string[]).includes(b.period)
      ? [{ budgetId: b.id, windowStart: budgetWindow(b.period as BudgetPeriod, now).start }]
      : [],
  );
  if (windows.length === 0) return false;
  const alert = await db.budgetAlert.findFirst({
    where: { threshold: { gte: 100 }, OR: windows },
    select: { budgetId: true },
  });
  return alert !== null;
}
