import { enqueueOutbox, ibmcAgentMessage, messages, type IbmcAgentMessage } from "@/server/bus";
import { errorMessage } from "@/server/bus";
import {
  ClusterDriverError,
  driverFor,
  sharedDriverFactory,
  type ClusterDriver,
  type DeploymentTree,
} from "@/server/clusters";
import type { Logger } from "@/server/logger";
import { sleep } from "@/common/sleep";
import { removeInstanceCopy, settleCleanup } from "./cleanup";
import { isActiveState } from "./state-machine";
import {
  advanceMigration,
  compactTimestamp,
  deadlineFrom,
  endMigration,
  findMigrationFor,
  lockMigration,
  migrationMessageId,
  recordStep,
  type MigrationDeps,
  type MigrationRecord,
} from "./store";

/**
 * The IBMC agent of one cluster (queue `mo.agent.<cluster>`, exchange `mo`,
 * routing key = the cluster name).
 *
 * On the source cluster, `backup`: REQUESTED → BACKING_UP, back the
 * instance's namespace up through the driver, then BACKED_UP and the
 * `restore` command to the target's agent in one transaction.
 *
 * On the target cluster, `restore`: BACKED_UP → RESTORING, wait until the
 * backup is visible, restore it into the instance's namespace, → VERIFYING,
 * poll the deployment tree until the workload runs (every pod Running, no
 * degraded resource) or the step deadline passes, then record the
 * verification and enqueue the completion (`nemo.api.workload`, routing keys
 * `update` and `intent-notify`) in one transaction. The orchestrator commits
 * COMPLETED when it consumes it.
 *
 * Backup and restore are long, so this runs as an at-least-once consumer:
 * each state change is its own short conditional transaction, and a
 * redelivered message (after a crash) resumes from the state the migration
 * is in. A cluster failure ends the migration (backup: FAILED; restore,
 * verification: ROLLED_BACK with the partial copy removed). An agent that
 * finds its migration ended meanwhile (watchdog) removes what it restored and
 * stops. Other errors (database) are thrown for the bus to retry.
 */

export interface AgentDeps extends MigrationDeps {
  /** The cluster this agent serves. */
  cluster: string;
  /** Makes a cluster's agent queue exist before a command is published to it (the worker's bus). */
  ensureQueue?: (cluster: string) => Promise<void>;
}

export type AgentOutcome = "backed-up" | "verified" | "failed" | "rolled-back" | "ended" | "ignored";

const DEFAULT_POLL_MS = 200;
/** Health that means the restored workload is not (yet) serving. */
const BAD_HEALTH = new Set(["Degraded", "Missing", "Unknown"]);
/** Pod statuses that count as up (a finished Job's pod included). */
const POD_UP = new Set(["Running", "Succeeded", "Completed"]);
const REPLICATED_KINDS = new Set(["Deployment", "StatefulSet", "ReplicaSet", "DaemonSet"]);

/** A step failed because of the cluster (or its driver): the migration ends, the message is done. */
class StepFailure extends Error {
  override readonly name = "StepFailure";
}

async function clusterDriver(deps: AgentDeps, name: string): Promise<ClusterDriver> {
  const row = await deps.db.cluster.findUnique({ where: { name } });
  if (!row) throw new StepFailure(`cluster ${name} is not registered`);
  try {
    return driverFor(deps.db, row, deps.driverFactory ?? sharedDriverFactory(deps.db));
  } catch (error) {
    throw new StepFailure(`cluster ${name} cannot be reached: ${errorMessage(error)}`);
  }
}

/** A driver call: the cluster failing is a StepFailure; a shutdown or anything else is rethrown for a retry. */
async function onCluster<T>(signal: AbortSignal | undefined, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (signal?.aborted) throw error;
    if (error instanceof ClusterDriverError) throw new StepFailure(error.message);
    throw error;
  }
}

function throwIfStopping(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new Error("agent shutting down: the message goes back to the queue");
}

async function reload(deps: AgentDeps, id: string): Promise<MigrationRecord> {
  return deps.db.migration.findUniqueOrThrow({ where: { id } });
}

async function namespaceOf(deps: AgentDeps, instanceId: string): Promise<string> {
  const instance = await deps.db.workloadInstance.findUniqueOrThrow({
    where: { id: instanceId },
    select: { namespace: true },
  });
  return instance.namespace;
}

export async function handleAgentMessage(
  deps: AgentDeps,
  message: IbmcAgentMessage,
  signal?: AbortSignal,
): Promise<AgentOutcome> {
  const log = deps.log.child({
    component: "ibmc-agent",
    cluster: deps.cluster,
    instance: message.WorkloadID,
    migration: message.MigrationID,
    action: message.Action,
  });
  const expected = message.Action === "backup" ? message.SourceCluster : message.TargetCluster;
  if (expected !== deps.cluster) {
    log.warn(
      { expected },
      `a ${message.Action} for ${expected} reached the agent of ${deps.cluster}: ignored`,
    );
    return "ignored";
  }
  // An agent acts only for a migration in flight between the message's clusters.
  const migration = await findMigrationFor(deps.db, message, { activeOnly: true });
  if (!migration) {
    log.warn("no such migration: ignored");
    return "ignored";
  }
  // A duplicate delivered while this process works on the same step: the work in progress covers it.
  const key = `${migration.id}:${message.Action}`;
  if (inFlight.has(key)) {
    log.info("already being handled in this process: duplicate acknowledged");
    return "ignored";
  }
  inFlight.add(key);
  try {
    return message.Action === "backup"
      ? await backup(deps, migration, signal, log)
      : await restore(deps, migration, message.BackupName, signal, log);
  } finally {
    inFlight.delete(key);
  }
}

/** Steps this process is working on (migration id and action). */
const inFlight = new Set<string>();

// ---------------------------------------------------------------------------
// Source: backup

async function backup(
  deps: AgentDeps,
  migration: MigrationRecord,
  signal: AbortSignal | undefined,
  log: Logger,
): Promise<AgentOutcome> {
  const { db } = deps;
  let state = migration.state;
  if (state === "REQUESTED") {
    const namespace = await namespaceOf(deps, migration.instanceId);
    const moved = await advanceMigration(db, {
      id: migration.id,
      from: "REQUESTED",
      to: "BACKING_UP",
      message: `Backing up namespace ${namespace} on ${migration.sourceCluster}`,
      cluster: migration.sourceCluster,
      stepDeadline: deadlineFrom(deps),
    });
    if (!moved) state = (await reload(deps, migration.id)).state;
    else state = "BACKING_UP";
  }
  if (state !== "BACKING_UP") {
    // Already backed up (the restore was enqueued with it) or ended: a redelivery has nothing to do.
    log.info({ state }, "backup not needed in this state");
    return isActiveState(state) ? "ignored" : "ended";
  }

  const namespace = await namespaceOf(deps, migration.instanceId);
  const backupName = migration.backupName ?? `${migration.sourceCluster}-${migration.instanceId}`;
  let resources: number;
  try {
    const driver = await clusterDriver(deps, migration.sourceCluster);
    // Idempotent for the same name: a backup resumed after a crash completes the same backup.
    const info = await onCluster(signal, () => driver.backupNamespace(namespace, backupName, { signal }));
    resources = info.resourceCount;
  } catch (error) {
    if (!(error instanceof StepFailure)) throw error;
    const reason = `backup of ${namespace} on ${migration.sourceCluster} failed: ${error.message}`;
    const ended = await endMigration(db, {
      migration,
      from: "BACKING_UP",
      to: "FAILED",
      reason,
      cluster: migration.sourceCluster,
    });
    log.warn({ reason, ended }, "migration failed: the instance stays on its source cluster");
    return ended ? "failed" : "ended";
  }

  // The restore command must be routable even while no agent of the target runs yet.
  await deps.ensureQueue?.(migration.targetCluster);
  const moved = await db.$transaction(async (tx) => {
    const advanced = await advanceMigration(tx, {
      id: migration.id,
      from: "BACKING_UP",
      to: "BACKED_UP",
      message: `Backup ${backupName} completed (${resources} resources)`,
      cluster: migration.sourceCluster,
      backupName,
      stepDeadline: deadlineFrom(deps),
    });
    if (!advanced) return false;
    await enqueueOutbox(
      tx,
      ibmcAgentMessage(migration.targetCluster),
      {
        WorkloadID: migration.instanceId,
        Action: "restore",
        SourceCluster: migration.sourceCluster,
        TargetCluster: migration.targetCluster,
        MigrationID: migration.id,
        BackupName: backupName,
      },
      { messageId: migrationMessageId(migration.id, "restore") },
    );
    return true;
  });
  if (!moved) {
    log.info("the migration moved on while backing up: no restore requested");
    return "ended";
  }
  log.info(
    { backup: backupName, resources, target: migration.targetCluster },
    `backup done; restore requested from ${migration.targetCluster}`,
  );
  return "backed-up";
}

// ---------------------------------------------------------------------------
// Target: restore and verify

/** The migration ended while this agent worked on it: remove what it may have restored, then stop. */
async function afterEnd(deps: AgentDeps, id: string, log: Logger): Promise<AgentOutcome> {
  const migration = await reload(deps, id);
  if (migration.state === "ROLLED_BACK" || migration.state === "FAILED") {
    // The watchdog may have cleaned up before this agent's restore re-created the namespace.
    if (migration.stepDeadline) await settleCleanup(deps, migration);
    else await removeInstanceCopy(deps, migration, "target");
  }
  log.info({ state: migration.state }, "migration no longer active: stopped");
  return "ended";
}

async function rollBack(
  deps: AgentDeps,
  migration: MigrationRecord,
  from: "RESTORING" | "VERIFYING",
  reason: string,
  log: Logger,
): Promise<AgentOutcome> {
  const ended = await endMigration(deps.db, {
    migration,
    from,
    to: "ROLLED_BACK",
    reason,
    cluster: migration.targetCluster,
  });
  if (!ended) return afterEnd(deps, migration.id, log);
  await settleCleanup(deps, { ...migration, state: "ROLLED_BACK" });
  log.warn({ reason }, "migration rolled back: the instance stays on its source cluster");
  return "rolled-back";
}

async function restore(
  deps: AgentDeps,
  migration: MigrationRecord,
  backupName: string,
  signal: AbortSignal | undefined,
  log: Logger,
): Promise<AgentOutcome> {
  const { db } = deps;
  const target = migration.targetCluster;
  let current = migration;
  if (!isActiveState(current.state)) return afterEnd(deps, current.id, log);
  if (current.state === "REQUESTED" || current.state === "BACKING_UP") {
    log.warn({ state: current.state }, "restore requested before the backup completed: ignored");
    return "ignored";
  }
  const namespace = await namespaceOf(deps, migration.instanceId);

  if (current.state === "BACKED_UP") {
    const moved = await advanceMigration(db, {
      id: current.id,
      from: "BACKED_UP",
      to: "RESTORING",
      message: `Restoring backup ${backupName} into ${namespace} on ${target}`,
      cluster: target,
      stepDeadline: deadlineFrom(deps),
    });
    current = await reload(deps, current.id);
    if (!moved && !isActiveState(current.state)) return afterEnd(deps, current.id, log);
  }

  if (current.state === "RESTORING") {
    let resources: number;
    try {
      const driver = await clusterDriver(deps, target);
      await waitForBackup(deps, driver, current, backupName, signal);
      // Re-running a restore after a crash re-applies the same objects (idempotent).
      const info = await onCluster(signal, () => driver.restoreNamespace(backupName, namespace, { signal }));
      resources = info.resourceCount;
    } catch (error) {
      if (!(error instanceof StepFailure)) throw error;
      return rollBack(deps, current, "RESTORING", `restore on ${target} failed: ${error.message}`, log);
    }
    const moved = await advanceMigration(db, {
      id: current.id,
      from: "RESTORING",
      to: "VERIFYING",
      message: `Restored ${resources} resources into ${namespace} on ${target}`,
      cluster: target,
      stepDeadline: deadlineFrom(deps),
    });
    current = await reload(deps, current.id);
    if (!moved && !isActiveState(current.state)) return afterEnd(deps, current.id, log);
  }

  if (current.state !== "VERIFYING") {
    log.info({ state: current.state }, "nothing to restore in this state");
    return "ignored";
  }
  const verdict = await verify(deps, current, namespace, signal);
  if (verdict.outcome === "ended") return afterEnd(deps, current.id, log);
  if (verdict.outcome === "failed")
    return rollBack(deps, current, "VERIFYING", `verification on ${target} failed: ${verdict.summary}`, log);

  const recorded = await db.$transaction(async (tx) => {
    const locked = await lockMigration(tx, current.id);
    if (!locked || locked.state !== "VERIFYING" || locked.activeInstanceId === null) return "ended" as const;
    const updateId = migrationMessageId(locked.id, "completion-update");
    // Verified before (a redelivery after a crash): the completion is already on its way.
    if (await tx.outboxMessage.findUnique({ where: { id: updateId }, select: { id: true } }))
      return "done" as const;
    await recordStep(tx, {
      id: locked.id,
      state: "VERIFYING",
      message: `Workload running on ${target}: ${verdict.summary}`,
      cluster: target,
      // The orchestrator gets a step of its own to commit the completion.
      stepDeadline: deadlineFrom(deps),
    });
    const completion = {
      Type: "migration" as const,
      WorkloadID: locked.instanceId,
      SourceCluster: locked.sourceCluster,
      TargetCluster: locked.targetCluster,
      Timestamp: compactTimestamp(),
      MigrationID: locked.id,
    };
    await enqueueOutbox(tx, messages.workloadUpdate, completion, { messageId: updateId });
    await enqueueOutbox(tx, messages.intentNotify, completion, {
      messageId: migrationMessageId(locked.id, "completion-notify"),
    });
    return "done" as const;
  });
  if (recorded === "ended") return afterEnd(deps, current.id, log);
  log.info({ summary: verdict.summary }, "restored workload verified; completion announced");
  return "verified";
}

async function waitForBackup(
  deps: AgentDeps,
  driver: ClusterDriver,
  migration: MigrationRecord,
  backupName: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  const deadline = (migration.stepDeadline ?? deadlineFrom(deps)).getTime();
  for (;;) {
    if (await onCluster(signal, () => driver.backupExists(backupName))) return;
    if (Date.now() >= deadline)
      throw new StepFailure(`backup ${backupName} did not become visible to ${driver.cluster} in time`);
    await sleep(deps.pollMs ?? DEFAULT_POLL_MS, signal);
    throwIfStopping(signal);
  }
}

/** Whether the restored namespace serves: reachable, every pod up, nothing degraded. */
export function judgeRestoredTree(tree: DeploymentTree): { ok: boolean; summary: string } {
  if (!tree.reachable) return { ok: false, summary: `cluster ${tree.cluster} is unreachable` };
  if (tree.nodes.length === 0) return { ok: false, summary: `namespace ${tree.namespace} is empty` };
  const pods = tree.nodes.filter((n) => n.kind === "Pod");
  const up = pods.filter((p) => POD_UP.has(p.status)).length;
  const desired = tree.nodes
    .filter((n) => REPLICATED_KINDS.has(n.kind) && n.parentRefs.length === 0)
    .reduce((sum, n) => sum + (n.replicas?.desired ?? 0), 0);
  const bad = tree.nodes.filter((n) => BAD_HEALTH.has(n.health.status));
  const podStatuses = [...new Set(pods.filter((p) => !POD_UP.has(p.status)).map((p) => p.status))];
  const summary =
    `${up}/${pods.length} pods Running` +
    (podStatuses.length > 0 ? ` (others: ${podStatuses.join(", ")})` : "") +
    (bad.length > 0 ? `; ${bad.map((n) => `${n.kind} ${n.name} ${n.health.status}`).join(", ")}` : "");
  const ok = bad.length === 0 && up === pods.length && pods.length >= Math.min(desired, 1);
  return { ok, summary };
}

async function verify(
  deps: AgentDeps,
  migration: MigrationRecord,
  namespace: string,
  signal: AbortSignal | undefined,
): Promise<{ outcome: "verified" | "failed" | "ended"; summary: string }> {
  let summary = "not checked yet";
  let driver: ClusterDriver;
  try {
    driver = await clusterDriver(deps, migration.targetCluster);
  } catch (error) {
    if (!(error instanceof StepFailure)) throw error;
    return { outcome: "failed", summary: error.message };
  }
  for (;;) {
    const row = await deps.db.migration.findUnique({
      where: { id: migration.id },
      select: { state: true, activeInstanceId: true, stepDeadline: true },
    });
    if (!row || row.state !== "VERIFYING" || row.activeInstanceId === null)
      return { outcome: "ended", summary };
    try {
      const judged = judgeRestoredTree(await driver.deploymentTree(namespace));
      if (judged.ok) return { outcome: "verified", summary: judged.summary };
      summary = judged.summary;
    } catch (error) {
      throwIfStopping(signal);
      summary = `deployment tree unreadable: ${errorMessage(error)}`;
    }
    // Until the step's deadline: pods need their start-up time (image pulls on a real cluster).
    if (row.stepDeadline && Date.now() >= row.stepDeadline.getTime()) return { outcome: "failed", summary };
    await sleep(deps.pollMs ?? DEFAULT_POLL_MS, signal);
    throwIfStopping(signal);
  }
}
