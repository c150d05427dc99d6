import { systemClock } from "@/common/clock";
import { assertLeaderFence } from "@/server/db";
import { type BillingDeps, runBillingPeriod } from "./billing";

/**
 * Retries of items a billing run could not bill because their cluster could
 * not be read (a `billing_failures` row with `retryable`). A cluster that is
 * down for a period is usually back for the next one, and the simulated and
 * Kubernetes drivers both read a past period again (the simulated continuum
 * integrates its model over it; metrics-server samples now, which the item's
 * inputs say). Other failures ("Data for region must be set", a deleted
 * instance) would fail the same way again and are not retried.
 *
 * After each billing tick the leader:
 * 1. enrols each new retryable failure as one `billing_retries` row per
 *    (instance, period), attempt 1 (the run's own), next attempt one period
 *    after it failed — failures from the last 16 periods only, so older ones
 *    (from before retries existed) are not reopened;
 * 2. for every row due, oldest period first: deletes the instance's failure
 *    rows for the period, counts the attempt and bills just those instances
 *    again (`runBillingPeriod` with `onlyInstanceIds`, which bills them in
 *    the completed period without reopening it, so the catch-up never sees
 *    an old period RUNNING; exactly once holds as for any run — the unique
 *    charge keys). A crash in between leaves the retry due, and the next tick
 *    bills it;
 * 3. records the outcome: BILLED, or still failing → the next attempt after
 *    `periodMs · 2^(attempts−1)` (1, 2, 4 periods), or GAVE_UP once
 *    `MAX_BILLING_ATTEMPTS` were made — the failure rows then stay, visible
 *    to admins with their attempts (billing-runs.ts).
 */

/** Attempts per item, the run's first included. */
export const MAX_BILLING_ATTEMPTS = 4;
/** Items retried per call at most (the rest wait for the next tick). */
const MAX_RETRIES_PER_CALL = 2_000;

export function billingRetryDelayMs(attempts: number, periodMs: number): number {
  return periodMs * 2 ** Math.max(0, attempts - 1);
}

export interface BillingRetrySummary {
  periodStart: Date;
  retried: number;
  billed: number;
  stillFailing: number;
  gaveUp: number;
}

export async function retryBillingFailures(
  deps: BillingDeps,
  periodMs: number,
): Promise<BillingRetrySummary[]> {
  const { db } = deps;
  const clock = deps.clock ?? systemClock;
  const now = new Date(clock());
  await db.$executeRaw`
    INSERT INTO billing_retries
      (instance_id, period_start, cluster_id, attempts, next_attempt_at, outcome, last_reason, updated_at)
    SELECT DISTINCT ON (instance_id, period_start)
           instance_id, period_start, cluster_id, 1,
           created_at + ${periodMs} * interval '1 millisecond', 'RETRYING', reason, ${now}
      FROM billing_failures
     WHERE retryable
       AND created_at <= ${now}
       AND created_at > ${new Date(now.getTime() - billingRetryDelayMs(MAX_BILLING_ATTEMPTS + 1, periodMs))}
     ORDER BY instance_id, period_start, id
    ON CONFLICT DO NOTHING`;
  const due = await db.billingRetry.findMany({
    where: { outcome: "RETRYING", nextAttemptAt: { lte: now } },
    orderBy: [{ periodStart: "asc" }, { instanceId: "asc" }],
    take: MAX_RETRIES_PER_CALL,
  });
  const byPeriod = new Map<number, typeof due>();
  for (const row of due) {
    const list = byPeriod.get(row.periodStart.getTime()) ?? [];
    list.push(row);
    byPeriod.set(row.periodStart.getTime(), list);
  }
  const log = deps.log.child({ task: "billing-retry" });
  const summaries: BillingRetrySummary[] = [];
  for (const [startMs, rows] of [...byPeriod].sort((a, b) => a[0] - b[0])) {
    const periodStart = new Date(startMs);
    const ids = rows.map((r) => r.instanceId);
    const run = await db.billingRun.findUnique({ where: { periodStart } });
    if (!run) continue;
    const previous = await db.$transaction(async (tx) => {
      await assertLeaderFence(tx, deps.fence);
      const failures = await tx.billingFailure.findMany({
        where: { periodStart, instanceId: { in: ids } },
      });
      await tx.billingFailure.deleteMany({ where: { periodStart, instanceId: { in: ids } } });
      await tx.billingRetry.updateMany({
        where: { periodStart, instanceId: { in: ids } },
        data: { attempts: { increment: 1 }, updatedAt: now },
      });
      return failures;
    });
    await runBillingPeriod({ ...deps, onlyInstanceIds: new Set(ids) }, periodStart, run.periodEnd);

    const [billed, failed, retries] = await Promise.all([
      db.billingItem.findMany({
        where: { periodStart, instanceId: { in: ids }, rule: "compute" },
        select: { instanceId: true },
      }),
      db.billingFailure.findMany({ where: { periodStart, instanceId: { in: ids } } }),
      db.billingRetry.findMany({ where: { periodStart, instanceId: { in: ids } } }),
    ]);
    const billedIds = new Set(billed.map((b) => b.instanceId));
    const reasonOf = new Map(failed.map((f) => [f.instanceId, f.reason]));
    const summary: BillingRetrySummary = {
      periodStart,
      retried: ids.length,
      billed: 0,
      stillFailing: 0,
      gaveUp: 0,
    };
    await db.$transaction(async (tx) => {
      await assertLeaderFence(tx, deps.fence);
      const vanished: typeof previous = [];
      for (const retry of retries) {
        const where = { instanceId_periodStart: { instanceId: retry.instanceId, periodStart } };
        if (billedIds.has(retry.instanceId)) {
          summary.billed += 1;
          await tx.billingRetry.update({
            where,
            data: { outcome: "BILLED", nextAttemptAt: null, updatedAt: now },
          });
          continue;
        }
        const reason = reasonOf.get(retry.instanceId);
        if (reason === undefined) {
          // Neither billed nor failed: the instance is no longer billable (its status changed since).
          // Its earlier failure rows come back so the item stays visible, and it is not tried again.
          vanished.push(...previous.filter((f) => f.instanceId === retry.instanceId));
          summary.gaveUp += 1;
          await tx.billingRetry.update({
            where,
            data: {
              outcome: "GAVE_UP",
              nextAttemptAt: null,
              lastReason: "no longer billable when retried",
              updatedAt: now,
            },
          });
          continue;
        }
        const exhausted = retry.attempts >= MAX_BILLING_ATTEMPTS;
        if (exhausted) summary.gaveUp += 1;
        else summary.stillFailing += 1;
        await tx.billingRetry.update({
          where,
          data: {
            outcome: exhausted ? "GAVE_UP" : "RETRYING",
            nextAttemptAt: exhausted
              ? null
              : new Date(now.getTime() + billingRetryDelayMs(retry.attempts, periodMs)),
            lastReason: reason,
            updatedAt: now,
          },
        });
      }
      if (vanished.length > 0) {
        await tx.billingFailure.createMany({
          data: vanished.map(({ id: _id, ...row }) => ({ ...row, retryable: false })),
          skipDuplicates: true,
        });
        await tx.billingRun.update({
          where: { id: run.id },
          data: { itemsFailed: await tx.billingFailure.count({ where: { periodStart } }) },
        });
      }
    });
    log.info({ ...summary, periodStart: periodStart.toISOString(), instances: ids }, "billing items retried");
    summaries.push(summary);
  }
  return summaries;
}
