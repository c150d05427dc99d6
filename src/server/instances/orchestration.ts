import type { Prisma } from "@/generated/prisma/client";
import type { Cluster } from "@/generated/prisma/client";
import type { InstanceStatus } from "@/generated/prisma/enums";
import { enqueueOutbox, messages, type TransactionClient, type WorkloadRunMessage } from "@/server/bus";
import {
  ClusterDriverError,
  describePolicyViolations,
  driverFor,
  INSTANCE_ID_LABEL,
  namespaceGuardrails,
  namespacePolicyViolations,
  usageBoundsOf,
  type DriverFactory,
  type PodSecurityLevel,
} from "@/server/clusters";
import { assertLeaderFence, isDatabaseUnavailable, type Db, type LeaderFence } from "@/server/db";
import { serverEnv } from "@/server/env";
import type { Logger } from "@/server/logger";
import { decidePlacement } from "@/server/placement";
import { recordLifecycleEvent } from "./lifecycle";
import { moveInstance } from "./transitions";
import { clusterCandidates, requestsOf } from "@/server/clusters";
import { intentTargets, parseRenderedManifests, placementRequestFor } from "./placement-input";
import { openManifests } from "./instance-secrets";

/** What placement finding nothing means for the instance; its reason comes from the decision. */
const NO_CLUSTER = "No cluster can take this instance";

/**
 * The Meta-Orchestrator's side of an instance (`nemo.api.workload` / `run`):
 * place it (filter + score over the registered clusters, honouring its
 * intents), apply its manifests through the chosen cluster's driver, or
 * remove it.
 *
 * Cluster I/O never runs inside a database transaction, and every step is
 * resumable from the instance's status alone:
 *
 *   1. record the intent — RENDERED → DEPLOYING with the chosen cluster (so a
 *      partial deploy is cleaned up by a delete), or DELETING (set by the user);
 *   2. act on the cluster (apply, delete the namespace) — idempotent;
 *   3. finish with a conditional update (`where status = DEPLOYING`), so a late
 *      deploy cannot resurrect an instance that moved on meanwhile.
 *
 * A crash between 1 and 3 leaves DEPLOYING or DELETING: the redelivered
 * message, or `redriveStuckInstances`, picks the work up from there. Every
 * status change goes through `moveInstance`, which allows only the legal
 * transitions of `@/common/instance-status`. Failures end FAILED with the
 * reason, except retryable driver errors, which the bus retries first.
 */
export interface OrchestrationDeps {
  db: Db;
  log: Logger;
  attempt: number;
  maxAttempts: number;
  driverFactory?: DriverFactory;
  /** Pod Security Standard for instance namespaces (default: `NEMO_POD_SECURITY_LEVEL`). */
  podSecurity?: PodSecurityLevel;
}

async function fail(
  db: Db,
  instanceId: string,
  from: InstanceStatus,
  reason: string,
  data: { placement?: Prisma.InputJsonObject } = {},
): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const moved = await moveInstance(tx, instanceId, from, "FAILED", { ...data, statusReason: reason });
    if (moved) await recordLifecycleEvent(tx, instanceId, "Failed", reason);
    return moved;
  });
}

function shouldRetry(error: unknown, deps: OrchestrationDeps): boolean {
  // The database failed, not the cluster (a pool timeout under load; the simulated driver keeps its
  // clusters there): never a verdict on the instance. It stays DEPLOYING / DELETING on its recorded
  // cluster; the bus retries, and after the last attempt the reconciler resumes it.
  if (isDatabaseUnavailable(error)) return true;
  return error instanceof ClusterDriverError && error.retryable && deps.attempt < deps.maxAttempts;
}

function describe(error: unknown): string {
  return error instanceof ClusterDriverError
    ? `${error.type}: ${error.message}`
    : String((error as Error).message ?? error);
}

/**
 * Handles one `run` message. `tx` is the consumer's transaction (it records
 * the message as processed); the work itself commits step by step through
 * `deps.db`, so nothing is held open while a cluster answers.
 */
export async function handleInstanceRun(
  tx: TransactionClient,
  message: WorkloadRunMessage,
  deps: OrchestrationDeps,
): Promise<void> {
  const log = deps.log.child({ instance: message.workload_id, action: message.status });
  const instance = await deps.db.workloadInstance.findUnique({ where: { id: message.workload_id } });
  if (!instance) {
    log.warn("run message for an unknown instance: ignored");
    return;
  }
  if (message.status === "deploy") return deploy(instance, deps, log);
  if (message.status === "delete") return remove(instance, deps, log);
  log.warn({ status: message.status }, "run message with an unknown status: ignored");
}

type InstanceRow = NonNullable<Awaited<ReturnType<Db["workloadInstance"]["findUnique"]>>>;

async function deploy(instance: InstanceRow, deps: OrchestrationDeps, log: Logger): Promise<void> {
  const { db } = deps;
  if (instance.status !== "RENDERED" && !(instance.status === "DEPLOYING" && instance.clusterId)) {
    log.info({ status: instance.status }, "instance is not waiting for deployment: nothing to do");
    return;
  }
  // The one place besides an owner's reveal that opens the sealed Secrets: the cluster needs their values.
  const manifests = parseRenderedManifests(openManifests(instance));
  // The approval is read now, not at creation: an admin may have revoked it since.
  const workload = await db.workload.findUniqueOrThrow({
    where: { id: instance.workloadId },
    select: { clusterScopedApprovedAt: true },
  });
  const allowClusterScoped = workload.clusterScopedApprovedAt !== null;
  const violations = namespacePolicyViolations(manifests, instance.namespace, { allowClusterScoped });
  if (violations.length > 0) {
    const reason = describePolicyViolations(violations);
    await fail(db, instance.id, instance.status, reason);
    log.warn(
      { refused: violations.map((v) => `${v.kind}/${v.name}`) },
      "chart refused by the namespace policy",
    );
    return;
  }
  const intents = await db.intent.findMany({
    where: { instanceId: instance.id, adminState: "ACTIVATED", deletedAt: null },
    select: { intentType: true, body: true },
  });
  const requests = requestsOf(manifests);
  const targets = intentTargets(intents);

  // 1. Choose the cluster and record it before touching it (a resumed deploy keeps its cluster).
  let cluster: Cluster;
  if (instance.status === "DEPLOYING") {
    cluster = await db.cluster.findUniqueOrThrow({ where: { id: instance.clusterId! } });
    log.info({ cluster: cluster.name }, "resuming a deployment");
  } else {
    const decision = decidePlacement(
      await clusterCandidates(db),
      placementRequestFor(instance, requests, targets),
    );
    // The explanation is kept whatever the outcome: "why this cluster?" or "why none?".
    const placement = JSON.parse(JSON.stringify({ requests, decision })) as Prisma.InputJsonObject;
    if (!decision.winner || !decision.winnerId) {
      // The decision's reason is a whole sentence: stored as is, never behind another "no cluster" prefix.
      const reason = decision.reasonIfNone ?? NO_CLUSTER;
      await db.$transaction(async (tx) => {
        // Nothing is recorded for an instance that moved on meanwhile.
        if (!(await moveInstance(tx, instance.id, "RENDERED", "FAILED", { placement, statusReason: reason })))
          return;
        // The reason is told once, by the Failed event; the Placement event only says what happened.
        await recordLifecycleEvent(tx, instance.id, "Placement", NO_CLUSTER, {
          filtered: decision.filtered.length,
        });
        await recordLifecycleEvent(tx, instance.id, "Failed", reason);
      });
      log.warn({ reason }, "placement found no cluster");
      return;
    }
    cluster = await db.cluster.findUniqueOrThrow({ where: { id: decision.winnerId } });
    // A retried instance may have left objects on the cluster of its failed attempt: removed there first.
    const leftovers =
      instance.clusterId && instance.clusterId !== cluster.id
        ? await removeLeftovers(instance, instance.clusterId, deps, log)
        : null;
    const claimed = await db.$transaction(async (tx) => {
      const moved = await moveInstance(tx, instance.id, "RENDERED", "DEPLOYING", {
        clusterId: cluster.id,
        placement,
        statusReason: null,
      });
      if (moved)
        await recordLifecycleEvent(tx, instance.id, "Placement", `Placed on ${cluster.name}`, {
          cluster: cluster.name,
          score: decision.scores[0]?.total ?? null,
          rejected: decision.filtered.length,
          ...(leftovers && { previousCluster: leftovers }),
        });
      return moved;
    });
    if (!claimed) {
      log.info("instance changed while it was being placed: nothing to do");
      return;
    }
  }

  // 2. Act on the cluster, outside any transaction (apply is idempotent).
  let resources: number;
  try {
    const guardrails = namespaceGuardrails({ manifests, requests, usageBounds: usageBoundsOf(targets) });
    const result = await driverFor(db, cluster, deps.driverFactory).apply(
      instance.namespace,
      [...manifests, ...guardrails],
      {
        labels: { [INSTANCE_ID_LABEL]: instance.id, "app.kubernetes.io/instance": instance.releaseName },
        allowClusterScoped,
        podSecurity: deps.podSecurity ?? serverEnv().NEMO_POD_SECURITY_LEVEL,
      },
    );
    resources = result.resources.length;
  } catch (error) {
    if (shouldRetry(error, deps)) throw error;
    // The cluster stays recorded: whatever was applied before the failure is removed with the instance.
    await fail(db, instance.id, "DEPLOYING", `Deployment on ${cluster.name} failed: ${describe(error)}`);
    log.error({ cluster: cluster.name, err: error }, "instance deployment failed");
    return;
  }

  // 3. Finish only if nothing moved the instance meanwhile.
  const finished = await db.$transaction(async (tx) => {
    const moved = await moveInstance(tx, instance.id, "DEPLOYING", "DEPLOYED", { statusReason: null });
    if (moved)
      await recordLifecycleEvent(tx, instance.id, "Deployment", `Deployment on cluster ${cluster.name}`, {
        cluster: cluster.name,
        namespace: instance.namespace,
        resources,
      });
    return moved;
  });
  if (finished) log.info({ cluster: cluster.name, namespace: instance.namespace }, "instance deployed");
  else log.warn({ cluster: cluster.name }, "instance changed while it was being deployed: left as it is");
}

/**
 * Deletes the namespace a failed attempt left on `clusterId` (idempotent).
 * A cluster that cannot be reached after the bus's retries does not hold the
 * instance back: it is placed anyway and the leftovers are recorded on the
 * Placement event. Returns what happened there, for that event.
 */
async function removeLeftovers(
  instance: InstanceRow,
  clusterId: string,
  deps: OrchestrationDeps,
  log: Logger,
): Promise<Prisma.InputJsonObject> {
  const old = await deps.db.cluster.findUnique({ where: { id: clusterId } });
  if (!old) return { cluster: null, removed: false };
  try {
    const result = await driverFor(deps.db, old, deps.driverFactory).deleteNamespace(instance.namespace);
    log.info({ cluster: old.name, namespace: instance.namespace }, "leftovers of a failed attempt removed");
    return { cluster: old.name, removed: result.deleted };
  } catch (error) {
    if (shouldRetry(error, deps)) throw error;
    log.warn({ cluster: old.name, err: error }, "leftovers of a failed attempt could not be removed");
    return { cluster: old.name, removed: false, error: describe(error) };
  }
}

async function remove(instance: InstanceRow, deps: OrchestrationDeps, log: Logger): Promise<void> {
  const { db } = deps;
  if (instance.status !== "DELETING") {
    log.info({ status: instance.status }, "instance is not being deleted: nothing to do");
    return;
  }
  const cluster = instance.clusterId
    ? await db.cluster.findUnique({ where: { id: instance.clusterId } })
    : null;
  try {
    // Outside any transaction; deleting a namespace that is already gone is not an error.
    if (cluster) await driverFor(db, cluster, deps.driverFactory).deleteNamespace(instance.namespace);
  } catch (error) {
    if (shouldRetry(error, deps)) throw error;
    await fail(
      db,
      instance.id,
      "DELETING",
      `Deletion from ${cluster?.name ?? "its cluster"} failed: ${describe(error)}`,
    );
    log.error({ cluster: cluster?.name, err: error }, "instance deletion failed");
    return;
  }
  const finished = await db.$transaction(async (tx) => {
    if (!(await moveInstance(tx, instance.id, "DELETING", "DELETED", { statusReason: null }))) return false;
    // Its intents are due now: the evaluator's next tick ends them with a TERMINATED report.
    await tx.intentSchedule.updateMany({
      where: { active: true, intent: { instanceId: instance.id } },
      data: { nextEvaluationAt: new Date() },
    });
    await recordLifecycleEvent(
      tx,
      instance.id,
      "Deletion",
      cluster ? `Deleted from cluster ${cluster.name}` : "Deleted (it was never deployed)",
      cluster ? { cluster: cluster.name } : undefined,
    );
    return true;
  });
  if (finished) log.info({ cluster: cluster?.name }, "instance deleted");
}

/**
 * Instances left RENDERED, DEPLOYING or DELETING longer than this are driven again (their worker died
 * mid-step, or their `run` message was dead-lettered after the database kept refusing connections).
 */
export const STUCK_AFTER_MS = 5 * 60_000;

/**
 * The orchestrator's reconciler: a `run` message again for every instance
 * stuck in RENDERED, DEPLOYING or DELETING (a worker crashed between
 * recording the intent and finishing it, or the `run` message was lost to a
 * dead letter). Handling is idempotent, so an instance that was
 * only slow is not harmed. Returns how many were re-driven.
 */
export async function redriveStuckInstances(
  db: Db,
  options: {
    now?: Date;
    stuckAfterMs?: number;
    limit?: number;
    /** The leader's fencing token: a replica that lost leadership re-drives nothing (StaleLeaderError). */
    fence?: LeaderFence;
  } = {},
): Promise<number> {
  const now = options.now ?? new Date();
  const before = new Date(now.getTime() - (options.stuckAfterMs ?? STUCK_AFTER_MS));
  const stuck = await db.workloadInstance.findMany({
    where: { status: { in: ["RENDERED", "DEPLOYING", "DELETING"] }, updatedAt: { lt: before } },
    select: { id: true, status: true },
    orderBy: { updatedAt: "asc" },
    take: options.limit ?? 100,
  });
  for (const instance of stuck) {
    await db.$transaction(async (tx) => {
      await assertLeaderFence(tx, options.fence);
      await enqueueOutbox(tx, messages.workloadRun, {
        workload_id: instance.id,
        status: instance.status === "DELETING" ? "delete" : "deploy",
      });
      // Touch it, so the next pass waits another period before driving it again.
      await tx.workloadInstance.updateMany({
        where: { id: instance.id, status: instance.status },
        data: { updatedAt: now },
      });
    });
  }
  return stuck.length;
}
