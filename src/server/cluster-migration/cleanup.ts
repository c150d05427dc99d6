import { driverFor, sharedDriverFactory } from "@/server/clusters";
import { errorMessage } from "@/server/bus";
import { migrationStep } from "./state-machine";
import type { MigrationDeps, MigrationRecord } from "./store";

/**
 * Removing the copy a migration no longer needs: the source namespace after
 * COMPLETED, the partial target namespace after ROLLED_BACK (or FAILED, if an
 * agent restored after the end). Idempotent (deleting a namespace twice is
 * fine) and guarded: a namespace is never removed from the cluster the
 * instance runs on, nor from a cluster another active migration of the same
 * instance is restoring into, so the instance is never on zero clusters.
 */

export type CleanupSide = "source" | "target";
export type CleanupOutcome = "removed" | "kept" | "failed";

/** How long before the watchdog tries a failed cleanup again. */
export const CLEANUP_RETRY_MS = 30_000;

type CleanupMigration = Pick<
  MigrationRecord,
  "id" | "instanceId" | "sourceCluster" | "targetCluster" | "state"
>;

export async function removeInstanceCopy(
  deps: Pick<MigrationDeps, "db" | "log" | "driverFactory">,
  migration: CleanupMigration,
  side: CleanupSide,
): Promise<{ outcome: CleanupOutcome; message: string }> {
  const { db } = deps;
  const clusterName = side === "source" ? migration.sourceCluster : migration.targetCluster;
  const log = deps.log.child({
    migration: migration.id,
    instance: migration.instanceId,
    cluster: clusterName,
  });
  const [instance, cluster] = await Promise.all([
    db.workloadInstance.findUnique({
      where: { id: migration.instanceId },
      select: { clusterId: true, namespace: true },
    }),
    db.cluster.findUnique({ where: { name: clusterName } }),
  ]);
  if (!instance || !cluster) {
    return {
      outcome: "kept",
      message: `Nothing to remove from ${clusterName}: it is not registered any more`,
    };
  }
  if (instance.clusterId === cluster.id) {
    log.warn({ side }, "not removing the namespace: the instance runs on this cluster");
    return {
      outcome: "kept",
      message: `Kept ${instance.namespace} on ${clusterName}: the instance runs there`,
    };
  }
  const other = await db.migration.findFirst({
    where: { activeInstanceId: migration.instanceId, id: { not: migration.id }, targetCluster: clusterName },
    select: { id: true },
  });
  if (other) {
    log.warn({ side, other: other.id }, "not removing the namespace: another migration is restoring into it");
    return {
      outcome: "kept",
      message: `Kept ${instance.namespace} on ${clusterName}: migration ${other.id} uses it`,
    };
  }
  try {
    const result = await driverFor(
      db,
      cluster,
      deps.driverFactory ?? sharedDriverFactory(db),
    ).deleteNamespace(instance.namespace);
    log.info({ side, namespace: instance.namespace, deleted: result.deleted }, `removed the ${side} copy`);
    return {
      outcome: "removed",
      message: result.deleted
        ? `Removed namespace ${instance.namespace} from ${clusterName}`
        : `Namespace ${instance.namespace} was already absent from ${clusterName}`,
    };
  } catch (error) {
    log.warn({ side, err: errorMessage(error) }, `could not remove the ${side} copy; the watchdog retries`);
    return {
      outcome: "failed",
      message: `Removing ${instance.namespace} from ${clusterName} failed: ${errorMessage(error)}`,
    };
  }
}

/**
 * The cleanup a terminal migration owes (COMPLETED: source, ROLLED_BACK /
 * FAILED: target), then its record: done (deadline cleared, step noted) or to
 * be retried (deadline moved on). Only the caller that clears the flag notes
 * the step, so concurrent cleanups note it once.
 */
export async function settleCleanup(
  deps: Pick<MigrationDeps, "db" | "log" | "driverFactory">,
  migration: CleanupMigration,
): Promise<CleanupOutcome> {
  const side: CleanupSide = migration.state === "COMPLETED" ? "source" : "target";
  const { outcome, message } = await removeInstanceCopy(deps, migration, side);
  if (outcome === "failed") {
    await deps.db.migration.updateMany({
      where: { id: migration.id, state: migration.state, stepDeadline: { not: null } },
      data: { stepDeadline: new Date(Date.now() + CLEANUP_RETRY_MS) },
    });
    return outcome;
  }
  const cluster = side === "source" ? migration.sourceCluster : migration.targetCluster;
  const step = JSON.stringify([migrationStep(migration.state, message, { cluster })]);
  await deps.db.$executeRaw`
    UPDATE migrations SET step_deadline = NULL, steps = steps || ${step}::jsonb, updated_at = now()
    WHERE id = ${migration.id}::uuid AND state = ${migration.state}::"MigrationState" AND step_deadline IS NOT NULL`;
  return outcome;
}
