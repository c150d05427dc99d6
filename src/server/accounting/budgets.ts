import { z } from "zod";
import { type Clock, systemClock } from "@/common/clock";
import { hasRole, Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth";
import { assertLeaderFence, type Db, type LeaderFence } from "@/server/db";
import { DomainError, parseOrThrow } from "@/server/errors";
import type { Logger } from "@/server/logger";
import { notifyBudgetThreshold } from "@/server/notifications";
import { formatTokens } from "./units";

/**
 * Budgets: a service provider's spending limit in units per UTC day or month,
 * for one of their workloads or for all of them. After each billing run the
 * spending of the window holding the billed period is summed from the
 * billing items; crossing 80 % and 100 % writes a `budget_alerts` row (its
 * key is budget, window and threshold, so each is raised once), the owner's
 * notification and a "Budget" lifecycle event on the instances in scope, in
 * one transaction.
 */

export const BUDGET_PERIODS = ["DAY", "MONTH"] as const;
export type BudgetPeriod = (typeof BUDGET_PERIODS)[number];
export const BUDGET_THRESHOLDS = [80, 100] as const;
/** Budgets one owner may hold (one per workload and window, plus the "all" ones). */
export const MAX_BUDGETS_PER_OWNER = 200;
/** Instances that get the lifecycle event of one alert, at most (the notification names the budget). */
const MAX_EVENT_INSTANCES = 50;
const MAX_AMOUNT = 2n ** 63n - 1n;

/** Units as a decimal string (the wire form of every amount). */
export const budgetAmountSchema = z
  .string()
  .regex(/^[1-9][0-9]{0,18}$/, "expected a positive whole number of units (1 token = 10^8 units)")
  .refine((value) => BigInt(value) <= MAX_AMOUNT, "expected an amount that fits a bigint");

/** A new budget as REST and tRPC take it. */
export const budgetCreateSchema = z.strictObject({
  /** A workload of the caller's; null or absent: all their workloads. */
  workloadId: z.number().int().positive().nullish(),
  period: z.enum(BUDGET_PERIODS),
  /** Units per window, as a decimal string. */
  amount: budgetAmountSchema,
});
export const budgetUpdateSchema = z.strictObject({
  period: z.enum(BUDGET_PERIODS).optional(),
  amount: budgetAmountSchema.optional(),
});
const budgetIdSchema = z.uuid("expected a budget id (UUID)");

export interface BudgetDeps {
  db: Db;
  user: SessionUser;
  clock?: Clock;
}

export interface BudgetView {
  id: string;
  ownerId: string;
  workloadId: number | null;
  /** The workload's name, or null for a budget over all the owner's workloads. */
  workloadName: string | null;
  period: BudgetPeriod;
  /** Units, decimal string. */
  amount: string;
  /** Units charged so far in the current window, decimal string. */
  spent: string;
  /** spent / amount in percent (may pass 100). */
  percent: number;
  windowStart: Date;
  windowEnd: Date;
  createdAt: Date;
  updatedAt: Date;
}

/** The UTC day or month holding `at`. */
export function budgetWindow(period: BudgetPeriod, at: Date): { start: Date; end: Date } {
  const y = at.getUTCFullYear();
  const m = at.getUTCMonth();
  if (period === "DAY") {
    const start = new Date(Date.UTC(y, m, at.getUTCDate()));
    return { start, end: new Date(start.getTime() + 86_400_000) };
  }
  return { start: new Date(Date.UTC(y, m, 1)), end: new Date(Date.UTC(y, m + 1, 1)) };
}

function requireServiceProvider(user: SessionUser): void {
  if (!hasRole(user.roles, Role.SERVICE_PROVIDER) && !hasRole(user.roles, Role.NEMO_ADMIN))
    throw new DomainError("forbidden", "Budgets are set by service providers.");
}

type BudgetRow = {
  id: string;
  ownerId: string;
  workloadId: number | null;
  period: string;
  amount: bigint;
  createdAt: Date;
  updatedAt: Date;
  workload: { name: string } | null;
};

async function spentIn(
  db: Pick<Db, "billingItem">,
  budget: { ownerId: string; workloadId: number | null },
  window: { start: Date; end: Date },
): Promise<bigint> {
  const sum = await db.billingItem.aggregate({
    where: {
      ownerId: budget.ownerId,
      ...(budget.workloadId !== null && { workloadId: budget.workloadId }),
      periodStart: { gte: window.start, lt: window.end },
    },
    _sum: { amount: true },
  });
  return sum._sum.amount ?? 0n;
}

const percentOf = (spent: bigint, amount: bigint): number => Number((spent * 10_000n) / amount) / 100;

async function view(db: Db, row: BudgetRow, now: Date): Promise<BudgetView> {
  const period = row.period as BudgetPeriod;
  const window = budgetWindow(period, now);
  const spent = await spentIn(db, row, window);
  return {
    id: row.id,
    ownerId: row.ownerId,
    workloadId: row.workloadId,
    workloadName: row.workload?.name ?? null,
    period,
    amount: row.amount.toString(),
    spent: spent.toString(),
    percent: percentOf(spent, row.amount),
    windowStart: window.start,
    windowEnd: window.end,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

const include = { workload: { select: { name: true } } } as const;

/** The caller's budgets (an admin: everyone's), with the current window's spending. */
export async function listBudgets(deps: BudgetDeps): Promise<BudgetView[]> {
  requireServiceProvider(deps.user);
  const admin = hasRole(deps.user.roles, Role.NEMO_ADMIN);
  const rows = await deps.db.budget.findMany({
    where: admin ? {} : { ownerId: deps.user.id },
    include,
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    take: admin ? 1_000 : MAX_BUDGETS_PER_OWNER,
  });
  const now = new Date((deps.clock ?? systemClock)());
  return Promise.all(rows.map((row) => view(deps.db, row, now)));
}

/** Another owner's budget reads as absent (404), as everywhere else in the console. */
async function ownBudget(deps: BudgetDeps, id: unknown): Promise<BudgetRow> {
  const budgetId = parseOrThrow(budgetIdSchema, id, "id");
  const row = await deps.db.budget.findUnique({ where: { id: budgetId }, include });
  const admin = hasRole(deps.user.roles, Role.NEMO_ADMIN);
  if (!row || (!admin && row.ownerId !== deps.user.id))
    throw new DomainError("not_found", "No such budget.", "id");
  return row;
}

export async function getBudget(deps: BudgetDeps, id: unknown): Promise<BudgetView> {
  requireServiceProvider(deps.user);
  return view(deps.db, await ownBudget(deps, id), new Date((deps.clock ?? systemClock)()));
}

export async function createBudget(deps: BudgetDeps, input: unknown): Promise<BudgetView> {
  requireServiceProvider(deps.user);
  const data = parseOrThrow(budgetCreateSchema, input);
  const workloadId = data.workloadId ?? null;
  if (workloadId !== null) {
    const workload = await deps.db.workload.findUnique({
      where: { id: workloadId },
      select: { ownerId: true },
    });
    if (!workload || workload.ownerId !== deps.user.id)
      throw new DomainError("not_found", "No such workload of yours.", "workloadId");
  }
  const count = await deps.db.budget.count({ where: { ownerId: deps.user.id } });
  if (count >= MAX_BUDGETS_PER_OWNER)
    throw new DomainError("conflict", `At most ${MAX_BUDGETS_PER_OWNER} budgets per service provider.`);
  const clash = await deps.db.budget.findFirst({
    where: { ownerId: deps.user.id, workloadId, period: data.period },
    select: { id: true },
  });
  if (clash)
    throw new DomainError(
      "conflict",
      `A ${data.period === "DAY" ? "daily" : "monthly"} budget for ${workloadId === null ? "all your workloads" : "that workload"} exists already; change it instead.`,
      "period",
    );
  try {
    const row = await deps.db.budget.create({
      data: { ownerId: deps.user.id, workloadId, period: data.period, amount: BigInt(data.amount) },
      include,
    });
    return view(deps.db, row, new Date((deps.clock ?? systemClock)()));
  } catch (error) {
    // The unique indexes decide a race between two identical creations.
    if (error instanceof Error && "code" in error && error.code === "P2002")
      throw new DomainError("conflict", "That budget exists already.", "period");
    throw error;
  }
}

export async function updateBudget(deps: BudgetDeps, id: unknown, input: unknown): Promise<BudgetView> {
  requireServiceProvider(deps.user);
  const row = await ownBudget(deps, id);
  const data = parseOrThrow(budgetUpdateSchema, input);
  try {
    const updated = await deps.db.budget.update({
      where: { id: row.id },
      data: {
        ...(data.period !== undefined && { period: data.period }),
        ...(data.amount !== undefined && { amount: BigInt(data.amount) }),
      },
      include,
    });
    return view(deps.db, updated, new Date((deps.clock ?? systemClock)()));
  } catch (error) {
    if (error instanceof Error && "code" in error && error.code === "P2002")
      throw new DomainError("conflict", "A budget for that scope and window exists already.", "period");
    throw error;
  }
}

export async function deleteBudget(deps: BudgetDeps, id: unknown): Promise<{ id: string; deleted: true }> {
  requireServiceProvider(deps.user);
  const row = await ownBudget(deps, id);
  await deps.db.budget.delete({ where: { id: row.id } });
  return { id: row.id, deleted: true };
}

export interface BudgetEvaluationDeps {
  db: Db;
  log: Logger;
  clock?: Clock;
  fence?: LeaderFence;
}

/**
 * After a billing run: every budget whose window holds `periodStart` is
 * checked against its spending; each threshold crossed for the first time
 * in the window raises its alert. Returns the alerts raised.
 */
export async function evaluateBudgets(deps: BudgetEvaluationDeps, periodStart: Date): Promise<number> {
  const { db } = deps;
  const budgets = await db.budget.findMany({ include, orderBy: { id: "asc" } });
  let raised = 0;
  for (const budget of budgets) {
    const period = budget.period as BudgetPeriod;
    const window = budgetWindow(period, periodStart);
    const spent = await spentIn(db, budget, window);
    const crossed = BUDGET_THRESHOLDS.filter((t) => spent * 100n >= BigInt(t) * budget.amount);
    if (crossed.length === 0) continue;
    const label = `${budget.workload?.name ?? "all workloads"} (${period === "DAY" ? "daily" : "monthly"})`;
    for (const threshold of crossed) {
      const at = new Date((deps.clock ?? systemClock)());
      const wrote = await db.$transaction(async (tx) => {
        await assertLeaderFence(tx, deps.fence);
        const { count } = await tx.budgetAlert.createMany({
          data: [{ budgetId: budget.id, windowStart: window.start, threshold, spent, raisedAt: at }],
          skipDuplicates: true,
        });
        if (count === 0) return false;
        const message = `${formatTokens(spent)} of ${formatTokens(budget.amount)} spent since ${window.start.toISOString()} (${percentOf(spent, budget.amount)} %).`;
        await notifyBudgetThreshold(tx, {
          budgetId: budget.id,
          ownerId: budget.ownerId,
          label,
          threshold,
          windowStart: window.start.toISOString(),
          message,
          at,
        });
        const instances = await tx.workloadInstance.findMany({
          where: {
            ownerId: budget.ownerId,
            status: "DEPLOYED",
            ...(budget.workloadId !== null && { workloadId: budget.workloadId }),
          },
          select: { id: true },
          orderBy: { createdAt: "desc" },
          take: MAX_EVENT_INSTANCES,
        });
        // Written directly (not through instances/, which depends on accounting): the "Budget" type of
        // the timeline's vocabulary, told to nobody as a lifecycle notification (the budget's own is above).
        await tx.lifecycleEvent.createMany({
          data: instances.map((instance) => ({
            instanceId: instance.id,
            type: "Budget",
            message:
              threshold >= 100
                ? `Budget ${label} exhausted: ${message}`
                : `Budget ${label} at ${threshold} %: ${message}`,
            detail: {
              budgetId: budget.id,
              threshold,
              spent: spent.toString(),
              amount: budget.amount.toString(),
              windowStart: window.start.toISOString(),
            },
            occurredAt: at,
          })),
        });
        return true;
      });
      if (wrote) {
        raised += 1;
        deps.log.info(
          {
            budget: budget.id,
            owner: budget.ownerId,
            workload: budget.workload?.name ?? null,
            threshold,
            spent: spent.toString(),
          },
          "budget threshold crossed",
        );
      }
    }
  }
  return raised;
}
