import { z } from "zod";
import { hasRole, Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth";
import type { Db } from "@/server/db";
import { DomainError, parseOrThrow } from "@/server/errors";

/**
 * The admin's view of the billing run: the last runs, newest first, each
 * with its counts and the items it could not bill (the ledger-side error
 * list, e.g. "Data for region must be set").
 */

export const billingRunsQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
/** Failures listed per run at most (the count is complete). */
export const MAX_FAILURES_PER_RUN = 100;

export interface BillingFailureView {
  instanceId: string;
  clusterId: string | null;
  clusterName: string | null;
  rule: string;
  reason: string;
  createdAt: Date;
  /** The cluster could not be read: the item is retried (billing-retry.ts). */
  retryable: boolean;
  /** Attempts made (the run's first included); 1 for an item never retried. */
  attempts: number;
  /** RETRYING (next attempt due at `nextAttemptAt`) or GAVE_UP; null when not retried. */
  retryOutcome: "RETRYING" | "GAVE_UP" | null;
  nextAttemptAt: Date | null;
}

export interface BillingRunView {
  id: string;
  periodStart: Date;
  periodEnd: Date;
  status: string;
  startedAt: Date;
  finishedAt: Date | null;
  instances: number;
  itemsBilled: number;
  itemsFailed: number;
  /** Units charged, decimal string. */
  amount: string;
  gco2e: number;
  worker: string | null;
  failures: BillingFailureView[];
}

export async function listBillingRuns(
  deps: { db: Db; user: SessionUser },
  query: unknown = {},
): Promise<BillingRunView[]> {
  if (!hasRole(deps.user.roles, Role.NEMO_ADMIN))
    throw new DomainError("forbidden", "Billing runs are shown to NEMO admins.");
  const { limit } = parseOrThrow(billingRunsQuerySchema, query);
  const runs = await deps.db.billingRun.findMany({
    orderBy: { periodStart: "desc" },
    take: limit,
    include: { failures: { orderBy: { id: "asc" }, take: MAX_FAILURES_PER_RUN } },
  });
  const clusterIds = [
    ...new Set(runs.flatMap((r) => r.failures.flatMap((f) => (f.clusterId ? [f.clusterId] : [])))),
  ];
  const clusters = await deps.db.cluster.findMany({
    where: { id: { in: clusterIds } },
    select: { id: true, name: true },
  });
  const nameOf = new Map(clusters.map((c) => [c.id, c.name]));
  const retried = runs.flatMap((r) => r.failures.filter((f) => f.retryable));
  const retries =
    retried.length === 0
      ? []
      : await deps.db.billingRetry.findMany({
          where: {
            OR: retried.map((f) => ({ instanceId: f.instanceId, periodStart: f.periodStart })),
          },
        });
  const retryOf = new Map(retries.map((r) => [`${r.instanceId}:${r.periodStart.getTime()}`, r]));
  return runs.map((run) => ({
    id: run.id,
    periodStart: run.periodStart,
    periodEnd: run.periodEnd,
    status: run.status,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    instances: run.instances,
    itemsBilled: run.itemsBilled,
    itemsFailed: run.itemsFailed,
    amount: run.amount.toString(),
    gco2e: run.gco2e,
    worker: run.worker,
    failures: run.failures.map((f) => {
      const retry = retryOf.get(`${f.instanceId}:${f.periodStart.getTime()}`);
      return {
        instanceId: f.instanceId,
        clusterId: f.clusterId,
        clusterName: f.clusterId ? (nameOf.get(f.clusterId) ?? null) : null,
        rule: f.rule,
        reason: f.reason,
        createdAt: f.createdAt,
        retryable: f.retryable,
        attempts: retry?.attempts ?? 1,
        retryOutcome: retry?.outcome === "RETRYING" || retry?.outcome === "GAVE_UP" ? retry.outcome : null,
        nextAttemptAt: retry?.nextAttemptAt ?? null,
      };
    }),
  }));
}
