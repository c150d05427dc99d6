import type { MigrationCompletion } from "@/server/bus";
import { moveInstance, recordLifecycleEvent } from "@/server/instances";
import { settleCleanup } from "./cleanup";
import { advanceMigration, findMigrationFor, lockMigration, type MigrationDeps } from "./store";

/**
 * The MO's side of a finished migration (`nemo.api.workload` / `update`,
 * Type "migration"): in one transaction the migration becomes COMPLETED, the
 * instance moves to the target cluster (DEPLOYED), the timeline gets
 * "Migration <source> → <target>" and the instance's intents are due for
 * evaluation now. Then, after that commit, the source namespace is removed
 * through the driver: removing it inside the transaction could leave an
 * instance whose transaction rolled back with no copy anywhere. A failed
 * removal stays owed (`step_deadline`) and the IBMC watchdog retries it.
 *
 * Idempotent: a redelivered completion finds the migration COMPLETED and only
 * retries the cleanup if it is still owed; a completion for a migration that
 * was rolled back meanwhile changes nothing.
 */

export type CompletionOutcome = "completed" | "already-completed" | "ignored";

export async function handleMigrationCompletion(
  deps: MigrationDeps,
  message: MigrationCompletion,
): Promise<CompletionOutcome> {
  const log = deps.log.child({
    component: "migration-completion",
    instance: message.WorkloadID,
    migration: message.MigrationID,
    cluster: message.TargetCluster,
  });
  const found = await findMigrationFor(deps.db, message, { activeOnly: false });
  if (!found) {
    log.warn("completion for an unknown migration: ignored");
    return "ignored";
  }
  const result = await deps.db.$transaction(async (tx) => {
    const migration = await lockMigration(tx, found.id);
    if (!migration) return { outcome: "ignored" as const, migration: found };
    if (migration.state === "COMPLETED") return { outcome: "already-completed" as const, migration };
    if (migration.state !== "VERIFYING" || migration.activeInstanceId === null) {
      log.info({ state: migration.state }, "completion for a migration that is not verifying: ignored");
      return { outcome: "ignored" as const, migration };
    }
    const target = await tx.cluster.findUnique({ where: { name: migration.targetCluster } });
    if (!target || target.status === "DEREGISTERED") {
      log.warn("the target cluster is gone: completion ignored (the watchdog rolls the migration back)");
      return { outcome: "ignored" as const, migration };
    }
    const now = new Date();
    await advanceMigration(tx, {
      id: migration.id,
      from: "VERIFYING",
      to: "COMPLETED",
      message: `Migration ${migration.sourceCluster} → ${migration.targetCluster} completed`,
      cluster: migration.targetCluster,
      // The source copy is owed a removal from now on.
      stepDeadline: now,
    });
    // The migration is locked and VERIFYING, so its instance is MIGRATING; the move says so or fails loudly.
    if (
      !(await moveInstance(tx, migration.instanceId, "MIGRATING", "DEPLOYED", {
        clusterId: target.id,
        statusReason: null,
      }))
    )
      throw new Error(`instance ${migration.instanceId} of migration ${migration.id} is not MIGRATING`);
    await recordLifecycleEvent(
      tx,
      migration.instanceId,
      "Migration",
      `Migration ${migration.sourceCluster} → ${migration.targetCluster}`,
      {
        migrationId: migration.id,
        sourceCluster: migration.sourceCluster,
        targetCluster: migration.targetCluster,
        backupName: migration.backupName,
        intentId: migration.intentId,
        state: "COMPLETED",
      },
    );
    await tx.intentSchedule.updateMany({
      where: { active: true, intent: { instanceId: migration.instanceId } },
      data: { nextEvaluationAt: now },
    });
    return {
      outcome: "completed" as const,
      migration: { ...migration, state: "COMPLETED" as const, stepDeadline: now },
    };
  });
  if (result.outcome === "completed")
    log.info(
      { source: result.migration.sourceCluster, target: result.migration.targetCluster },
      `Migration ${result.migration.sourceCluster} → ${result.migration.targetCluster} completed`,
    );
  if (result.outcome !== "ignored" && result.migration.stepDeadline !== null)
    await settleCleanup(deps, result.migration);
  return result.outcome;
}
