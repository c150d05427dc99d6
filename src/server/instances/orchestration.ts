import type { Prisma } from "@/generated/prisma/client";
import type { TransactionClient, WorkloadRunMessage } from "@/server/bus";
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
import type { Db } from "@/server/db";
import { serverEnv } from "@/server/env";
import type { Logger } from "@/server/logger";
import { decidePlacement } from "@/server/placement";
import { recordLifecycleEvent } from "./lifecycle";
import { clusterCandidates, requestsOf } from "@/server/clusters";
import { intentTargets, parseRenderedManifests, placementRequestFor } from "./placement-input";

/**
 * The Meta-Orchestrator's side of an instance (`nemo.api.workload` / `run`):
 * place it (filter + score over the registered clusters, honouring its
 * intents), apply its manifests through the chosen cluster's driver, or
 * remove it. Runs in the consumer's transaction, so the status, the placement
 * explanation and the lifecycle events commit together and a redelivered
 * message finds the work done. Failures end FAILED with the reason, except
 * retryable driver errors, which are retried by the bus before that.
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

async function markFailed(tx: TransactionClient, instanceId: string, reason: string): Promise<void> {
  await tx.workloadInstance.update({
    where: { id: instanceId },
    data: { status: "FAILED", statusReason: reason },
  });
  await recordLifecycleEvent(tx, instanceId, "Failed", reason);
}

function shouldRetry(error: unknown, deps: OrchestrationDeps): boolean {
  return error instanceof ClusterDriverError && error.retryable && deps.attempt < deps.maxAttempts;
}

function describe(error: unknown): string {
  return error instanceof ClusterDriverError
    ? `${error.type}: ${error.message}`
    : String((error as Error).message ?? error);
}

export async function handleInstanceRun(
  tx: TransactionClient,
  message: WorkloadRunMessage,
  deps: OrchestrationDeps,
): Promise<void> {
  const log = deps.log.child({ instance: message.workload_id, action: message.status });
  const instance = await tx.workloadInstance.findUnique({ where: { id: message.workload_id } });
  if (!instance) {
    log.warn("run message for an unknown instance: ignored");
    return;
  }
  if (message.status === "deploy") return deploy(tx, instance, deps, log);
  if (message.status === "delete") return remove(tx, instance, deps, log);
  log.warn({ status: message.status }, "run message with an unknown status: ignored");
}

type InstanceRow = NonNullable<Awaited<ReturnType<TransactionClient["workloadInstance"]["findUnique"]>>>;

async function deploy(
  tx: TransactionClient,
  instance: InstanceRow,
  deps: OrchestrationDeps,
  log: Logger,
): Promise<void> {
  if (instance.status !== "RENDERED") {
    log.info({ status: instance.status }, "instance is not waiting for deployment: nothing to do");
    return;
  }
  const manifests = parseRenderedManifests((instance.manifests ?? []) as Array<{ content: string }>);
  // The approval is read now, not at creation: an admin may have revoked it since.
  const workload = await tx.workload.findUniqueOrThrow({
    where: { id: instance.workloadId },
    select: { clusterScopedApprovedAt: true },
  });
  const allowClusterScoped = workload.clusterScopedApprovedAt !== null;
  const violations = namespacePolicyViolations(manifests, instance.namespace, { allowClusterScoped });
  if (violations.length > 0) {
    const reason = describePolicyViolations(violations);
    await recordLifecycleEvent(tx, instance.id, "Deployment", reason, { refused: violations.length });
    await markFailed(tx, instance.id, reason);
    log.warn(
      { refused: violations.map((v) => `${v.kind}/${v.name}`) },
      "chart refused by the namespace policy",
    );
    return;
  }
  const intents = await tx.intent.findMany({
    where: { instanceId: instance.id, adminState: "ACTIVATED", deletedAt: null },
    select: { intentType: true, body: true },
  });
  const requests = requestsOf(manifests);
  const targets = intentTargets(intents);
  const decision = decidePlacement(
    await clusterCandidates(tx),
    placementRequestFor(instance, requests, targets),
  );
  // The explanation is kept whatever the outcome: "why this cluster?" or "why none?".
  const placement = JSON.parse(JSON.stringify({ requests, decision })) as Prisma.InputJsonObject;
  if (!decision.winner || !decision.winnerId) {
    const reason = `No cluster can take this instance: ${decision.reasonIfNone ?? "every cluster was filtered out"}`;
    await tx.workloadInstance.update({ where: { id: instance.id }, data: { placement } });
    await recordLifecycleEvent(tx, instance.id, "Placement", reason, { filtered: decision.filtered.length });
    await markFailed(tx, instance.id, reason);
    log.warn({ reason }, "placement found no cluster");
    return;
  }
  const cluster = await tx.cluster.findUniqueOrThrow({ where: { id: decision.winnerId } });
  await recordLifecycleEvent(tx, instance.id, "Placement", `Placed on ${cluster.name}`, {
    cluster: cluster.name,
    score: decision.scores[0]?.total ?? null,
    rejected: decision.filtered.length,
  });
  try {
    const guardrails = namespaceGuardrails({ manifests, requests, usageBounds: usageBoundsOf(targets) });
    const result = await driverFor(deps.db, cluster, deps.driverFactory).apply(
      instance.namespace,
      [...manifests, ...guardrails],
      {
        labels: { [INSTANCE_ID_LABEL]: instance.id, "app.kubernetes.io/instance": instance.releaseName },
        allowClusterScoped,
        podSecurity: deps.podSecurity ?? serverEnv().NEMO_POD_SECURITY_LEVEL,
      },
    );
    await tx.workloadInstance.update({
      where: { id: instance.id },
      data: { status: "DEPLOYED", statusReason: null, clusterId: cluster.id, placement },
    });
    await recordLifecycleEvent(tx, instance.id, "Deployment", `Deployment on cluster ${cluster.name}`, {
      cluster: cluster.name,
      namespace: instance.namespace,
      resources: result.resources.length,
    });
    log.info({ cluster: cluster.name, namespace: instance.namespace }, "instance deployed");
  } catch (error) {
    if (shouldRetry(error, deps)) throw error;
    await tx.workloadInstance.update({ where: { id: instance.id }, data: { placement } });
    await markFailed(tx, instance.id, `Deployment on ${cluster.name} failed: ${describe(error)}`);
    log.error({ cluster: cluster.name, err: error }, "instance deployment failed");
  }
}

async function remove(
  tx: TransactionClient,
  instance: InstanceRow,
  deps: OrchestrationDeps,
  log: Logger,
): Promise<void> {
  if (instance.status !== "DELETING") {
    log.info({ status: instance.status }, "instance is not being deleted: nothing to do");
    return;
  }
  const cluster = instance.clusterId
    ? await tx.cluster.findUnique({ where: { id: instance.clusterId } })
    : null;
  try {
    if (cluster) await driverFor(deps.db, cluster, deps.driverFactory).deleteNamespace(instance.namespace);
  } catch (error) {
    if (shouldRetry(error, deps)) throw error;
    await markFailed(
      tx,
      instance.id,
      `Deletion from ${cluster?.name ?? "its cluster"} failed: ${describe(error)}`,
    );
    log.error({ cluster: cluster?.name, err: error }, "instance deletion failed");
    return;
  }
  await tx.workloadInstance.update({
    where: { id: instance.id },
    data: { status: "DELETED", statusReason: null },
  });
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
  log.info({ cluster: cluster?.name }, "instance deleted");
}
