import type { Prisma } from "@/generated/prisma/client";
import { systemClock, type Clock } from "@/common/clock";
import { driverFor, type DriverFactory, type KubernetesManifest } from "@/server/clusters";
import type { Db } from "@/server/db";
import { recordLifecycleEvent } from "@/server/instances";
import type { Logger } from "@/server/logger";
import { instanceApplySet } from "./apply-set";
import { comparedManifests, computeDrift, describeDrift, type DriftVerdict } from "./compare";

/**
 * The periodic drift check (the evaluator's leader, every METRICS_PERIOD_MS):
 * for each DEPLOYED instance on an OK cluster, list its live objects through
 * the driver, compare them with its manifests and store the verdict on the
 * instance. Only a change of verdict writes a lifecycle event — `Drifted`
 * when it drifts, `In sync` when a drifted instance matches again — in the
 * same transaction as the new status, guarded by the status it replaced, so
 * two checkers racing record it once. A cluster that cannot be read leaves
 * the verdict as it was (no flapping through "unknown").
 */

export interface DriftCheckDeps {
  db: Db;
  log: Logger;
  driverFactory?: DriverFactory;
  now?: Clock;
}

/** Instances checked per round, least recently checked first: a round's cluster calls stay bounded. */
export const DRIFT_CHECK_BATCH = 200;

export interface DriftCheckResult {
  checked: number;
  drifted: number;
  /** Instances whose verdict changed this round (each wrote one lifecycle event or none). */
  changed: number;
  failed: number;
}

const checkedSelect = {
  id: true,
  releaseName: true,
  workloadId: true,
  namespace: true,
  status: true,
  driftStatus: true,
  manifests: true,
  manifestSecretsCipher: true,
  cluster: true,
} satisfies Prisma.WorkloadInstanceSelect;

type CheckedInstance = Prisma.WorkloadInstanceGetPayload<{ select: typeof checkedSelect }>;

/** Stores a verdict; returns whether the status changed (and so an event was written). */
export async function recordDriftVerdict(
  db: Db,
  instance: Pick<CheckedInstance, "id" | "driftStatus">,
  verdict: DriftVerdict,
  checkedAt: Date,
): Promise<boolean> {
  const next = verdict.drifted ? "drifted" : "in_sync";
  const summary = JSON.parse(JSON.stringify(verdict.summary)) as Prisma.InputJsonObject;
  return db.$transaction(async (tx) => {
    // Guarded by the status read before the check: a concurrent checker that already moved it wins.
    const updated = await tx.workloadInstance.updateMany({
      where: { id: instance.id, driftStatus: instance.driftStatus, status: "DEPLOYED" },
      data: { driftStatus: next, driftCheckedAt: checkedAt, driftSummary: summary },
    });
    if (updated.count === 0 || instance.driftStatus === next) return false;
    const cluster = verdict.summary.cluster;
    if (next === "drifted") {
      const missing = verdict.summary.objects.filter((o) => o.state === "missing").length;
      await recordLifecycleEvent(
        tx,
        instance.id,
        "Drifted",
        `Drifted from its manifests: ${describeDrift(verdict.summary)}`,
        {
          cluster,
          objects: verdict.summary.objects.length + verdict.summary.moreObjects,
          missing,
          changed: verdict.summary.objects.length - missing,
        },
      );
    } else if (instance.driftStatus === "drifted") {
      await recordLifecycleEvent(tx, instance.id, "In sync", "In sync with its manifests again", { cluster });
    }
    return true;
  });
}

async function checkOne(
  deps: DriftCheckDeps,
  instance: CheckedInstance,
  checkedAt: Date,
): Promise<{ verdict: DriftVerdict; changed: boolean }> {
  const cluster = instance.cluster!;
  const { manifests } = await instanceApplySet(deps.db, instance);
  const compared: KubernetesManifest[] = comparedManifests(manifests);
  const kinds = compared.map((m) => ({ apiVersion: m.apiVersion, kind: m.kind }));
  const live = await driverFor(deps.db, cluster, deps.driverFactory).listInstanceObjects(
    instance.namespace,
    instance.id,
    kinds,
  );
  const verdict = computeDrift(cluster.name, compared, live.objects);
  const changed = await recordDriftVerdict(deps.db, instance, verdict, checkedAt);
  return { verdict, changed };
}

/** Checks one instance now (after a re-sync); null when it is not DEPLOYED on a cluster. */
export async function checkInstanceDrift(
  deps: DriftCheckDeps,
  instanceId: string,
): Promise<DriftVerdict | null> {
  const instance = await deps.db.workloadInstance.findFirst({
    where: { id: instanceId, status: "DEPLOYED", clusterId: { not: null } },
    select: checkedSelect,
  });
  if (!instance?.cluster) return null;
  const { verdict } = await checkOne(deps, instance, new Date((deps.now ?? systemClock)()));
  return verdict;
}

/** One round of the periodic check. */
export async function checkDrift(
  deps: DriftCheckDeps,
  options: { batch?: number; signal?: AbortSignal } = {},
): Promise<DriftCheckResult> {
  const now = deps.now ?? systemClock;
  const instances = await deps.db.workloadInstance.findMany({
    where: { status: "DEPLOYED", cluster: { status: "OK" } },
    orderBy: [{ driftCheckedAt: { sort: "asc", nulls: "first" } }, { id: "asc" }],
    take: options.batch ?? DRIFT_CHECK_BATCH,
    select: checkedSelect,
  });
  const result: DriftCheckResult = { checked: 0, drifted: 0, changed: 0, failed: 0 };
  for (const instance of instances) {
    if (options.signal?.aborted) break;
    if (!instance.cluster) continue;
    const log = deps.log.child({ instance: instance.id, cluster: instance.cluster.name });
    try {
      const { verdict, changed } = await checkOne(deps, instance, new Date(now()));
      result.checked += 1;
      if (verdict.drifted) result.drifted += 1;
      if (changed) {
        result.changed += 1;
        if (verdict.drifted)
          log.warn(
            { objects: verdict.summary.objects.map((o) => `${o.kind}/${o.name} ${o.state}`) },
            "instance drifted from its manifests",
          );
        else log.info("instance in sync with its manifests again");
      }
    } catch (error) {
      result.failed += 1;
      log.warn({ err: error }, "drift check: live objects not read; verdict left as it was");
    }
  }
  return result;
}
