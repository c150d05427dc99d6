/**
 * The two ends of `cfdrl_mo_hs` (docs/protocol.md): the MO applying a CFDRL
 * scaling decision through the cluster driver and replying, and the `cfdrl`
 * worker resolving the decision from the reply. Both run in idempotent
 * consumers (the effect commits with the processed-message mark), and both
 * writes are conditional, so a redelivered message changes nothing twice.
 */
import type { Prisma } from "@/generated/prisma/client";
import { systemClock, type Clock } from "@/common/clock";
import {
  enqueueOutbox,
  messages,
  queues,
  type Bus,
  type CfdrlScalingDecision,
  type CfdrlScalingReply,
  type Consumer,
  type TransactionClient,
} from "@/server/bus";
import { ClusterDriverError, type DriverFactory } from "@/server/clusters";
import type { Db } from "@/server/db";
import { autoscaleInstance } from "@/server/instances";
import type { Logger } from "@/server/logger";

/** How the timeline names the scaler ("Scaled 2 → 3 replicas (CFDRL)"). */
export const CFDRL_SCALER = "CFDRL";

export interface ScalingDecisionDeps {
  db: Db;
  log: Logger;
  driverFactory?: DriverFactory;
  attempt: number;
  maxAttempts: number;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The MO's side: drops a decision whose instance was deleted, is not
 * DEPLOYED (mid-migration) or moved to another cluster; otherwise scales it
 * (`autoscaleInstance`). A cluster that refuses is retried while attempts
 * remain, then answered `failed`. The reply commits with the effect.
 */
export async function handleScalingDecision(
  tx: TransactionClient,
  decision: CfdrlScalingDecision,
  deps: ScalingDecisionDeps,
): Promise<CfdrlScalingReply> {
  const log = deps.log.child({
    instance: decision.workload_id,
    cluster: decision.cluster_name,
    decision: decision.decision_id,
  });
  let reply: CfdrlScalingReply;
  try {
    const outcome = await autoscaleInstance(
      tx,
      { db: deps.db, ...(deps.driverFactory && { driverFactory: deps.driverFactory }) },
      {
        instanceId: decision.workload_id,
        cluster: decision.cluster_name,
        replicas: decision.number_replicas,
        by: CFDRL_SCALER,
        ...(decision.decision_id !== undefined && { detail: { decisionId: decision.decision_id } }),
      },
    );
    if (outcome.status === "dropped") {
      log.info({ reason: outcome.reason }, `CFDRL scaling decision dropped: ${outcome.reason}`);
      reply = {
        cluster_name: decision.cluster_name,
        workload_id: decision.workload_id,
        number_replicas: outcome.replicas,
        status: "dropped",
        reason: outcome.reason,
      };
    } else {
      log.info(
        { from: outcome.previousReplicas, to: outcome.replicas, changed: outcome.changed },
        `instance scaled ${outcome.previousReplicas} → ${outcome.replicas} replicas (CFDRL)`,
      );
      reply = {
        cluster_name: decision.cluster_name,
        workload_id: decision.workload_id,
        number_replicas: outcome.replicas,
        status: "applied",
        previous_replicas: outcome.previousReplicas,
      };
    }
  } catch (error) {
    // The database failing is the consumer's retry; the cluster refusing is retried, then answered.
    if (!(error instanceof ClusterDriverError) || deps.attempt < deps.maxAttempts) throw error;
    const reason = `scaling on ${decision.cluster_name} failed: ${describe(error)}`;
    log.warn({ err: error }, `CFDRL scaling decision failed: ${reason}`);
    reply = {
      cluster_name: decision.cluster_name,
      workload_id: decision.workload_id,
      number_replicas: decision.number_replicas,
      status: "failed",
      reason,
    };
  }
  if (decision.decision_id !== undefined) reply.decision_id = decision.decision_id;
  await enqueueOutbox(tx, messages.cfdrlScalingReply, reply);
  return reply;
}

export interface ScalingReplyDeps {
  log: Logger;
  clock?: Clock;
}

export type ReplyOutcome = "resolved" | "already-resolved" | "unknown-decision";

/**
 * The `cfdrl` worker's side: the pending decision becomes applied, dropped
 * or failed (with the MO's reason) and stops being in flight. Only a
 * pending decision changes: a redelivered or late reply (after the decision
 * timed out) is logged and ignored.
 */
export async function handleScalingReply(
  tx: TransactionClient,
  reply: CfdrlScalingReply,
  deps: ScalingReplyDeps,
): Promise<ReplyOutcome> {
  const log = deps.log.child({ instance: reply.workload_id, cluster: reply.cluster_name });
  if (reply.decision_id === undefined) {
    log.warn("CFDRL scaling reply without a decision id: nothing to resolve");
    return "unknown-decision";
  }
  const id = BigInt(reply.decision_id);
  const status = reply.status ?? "applied";
  const data: Prisma.CfdrlDecisionUpdateManyMutationInput = {
    outcome: status,
    outcomeReason: reply.reason ?? null,
    inFlightInstanceId: null,
    resolvedAt: new Date((deps.clock ?? systemClock)()),
  };
  const { count } = await tx.cfdrlDecision.updateMany({ where: { id, outcome: "pending" }, data });
  if (count === 1) {
    log.info(
      { decision: reply.decision_id, status, reason: reply.reason, replicas: reply.number_replicas },
      `CFDRL decision ${reply.decision_id} ${status}${reply.reason ? `: ${reply.reason}` : ""}`,
    );
    return "resolved";
  }
  const exists = await tx.cfdrlDecision.findUnique({ where: { id }, select: { outcome: true } });
  if (!exists) {
    // Its instance was removed with its decisions (cascade).
    log.info({ decision: reply.decision_id }, "CFDRL reply for a decision that no longer exists");
    return "unknown-decision";
  }
  log.info(
    { decision: reply.decision_id, outcome: exists.outcome, status },
    "CFDRL reply for a decision already resolved: ignored",
  );
  return "already-resolved";
}

/** The orchestrator's `cfdrl_mo_hs` consumer. */
export function consumeScalingDecisions(deps: {
  db: Db;
  bus: Bus;
  log: Logger;
  driverFactory?: DriverFactory;
}): Promise<Consumer> {
  return deps.bus.consume({
    queue: queues.cfdrlScaling,
    consumerName: "orchestrator.cfdrl-scaling",
    handler: async ({ tx, payload, messageId, attempt, maxAttempts }) => {
      await handleScalingDecision(tx, payload, {
        db: deps.db,
        log: deps.log.child({ messageId }),
        attempt,
        maxAttempts,
        ...(deps.driverFactory && { driverFactory: deps.driverFactory }),
      });
    },
  });
}

/** The `cfdrl` worker's `cfdrl_mo_hs.reply` consumer. */
export function consumeScalingReplies(deps: { bus: Bus; log: Logger; clock?: Clock }): Promise<Consumer> {
  return deps.bus.consume({
    queue: queues.cfdrlScalingReply,
    consumerName: "cfdrl.scaling-reply",
    handler: async ({ tx, payload, messageId }) => {
      await handleScalingReply(tx, payload, {
        log: deps.log.child({ messageId }),
        ...(deps.clock && { clock: deps.clock }),
      });
    },
  });
}
