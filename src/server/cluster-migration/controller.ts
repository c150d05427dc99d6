import type { IntentNotifyMessage, TransactionClient } from "@/server/bus";
import { recordReport } from "@/server/intents";
import { storedTargetResults } from "@/server/intents";
import { intentTargets } from "@/server/instances";
import type { ClusterCandidate } from "@/server/placement";
import { selectionInputs } from "./inputs";
import { startMigration, type MigrationDeps } from "./store";
import { selectMigrationTarget } from "./target-selection";
import {
  CONTROLLER_ACTOR,
  INTENT_TRIGGER_ACTIONS,
  violatedTarget,
  type IntentTriggerAction,
  type StoredTrigger,
} from "./trigger";
import { isUuid } from "@/common/ids";

/**
 * The Intent-Based Migration Controller's reaction to the `notify` queue
 * (runs in the idempotent consumer's transaction): a new, changed, started or
 * violated intent of a DEPLOYED instance whose cluster no longer meets every
 * cluster-property target of its intents gets the instance migrated to the
 * best cluster that does (placement engine, current cluster excluded, only
 * OK clusters). Each cluster's verdict is logged in the reference wording;
 * when none qualifies, the intent's report says FULFILMENTFAILED with the
 * reason and nothing moves. Migration completions on the same queue are
 * only acknowledged here: the orchestrator applies them (`update`).
 */

export type ControllerOutcome =
  | { kind: "ignored"; reason: string }
  | { kind: "compliant" }
  | { kind: "no-target"; reason: string }
  | { kind: "busy"; reason: string }
  | { kind: "triggered"; migrationId: string; source: string; target: string };

const TRIGGERING: ReadonlySet<string> = new Set(INTENT_TRIGGER_ACTIONS);
const isTriggering = (action: string): action is IntentTriggerAction => TRIGGERING.has(action);
export { CONTROLLER_ACTOR };

export async function handleIntentNotify(
  tx: TransactionClient,
  message: IntentNotifyMessage,
  deps: Pick<MigrationDeps, "log" | "stepTimeoutMs">,
): Promise<ControllerOutcome> {
  const log = deps.log.child({ component: "ibmc-controller", instance: message.WorkloadID });
  if (message.Type === "migration") {
    log.info(
      { migration: message.MigrationID, source: message.SourceCluster, target: message.TargetCluster },
      `Migration from ${message.SourceCluster} to ${message.TargetCluster} reported complete`,
    );
    return { kind: "ignored", reason: "migration completion (applied by the orchestrator)" };
  }
  const intentLog = log.child({ intent: message.IntentID, action: message.Action });
  const action = message.Action;
  if (!isTriggering(action)) return { kind: "ignored", reason: `intent ${action}` };
  if (!isUuid(message.IntentID) || !isUuid(message.WorkloadID)) {
    intentLog.warn("notification names no known intent or instance: ignored");
    return { kind: "ignored", reason: "unknown intent" };
  }
  const intent = await tx.intent.findUnique({
    where: { id: message.IntentID },
    select: { id: true, instanceId: true, adminState: true, deletedAt: true, intentType: true, body: true },
  });
  if (!intent || intent.instanceId !== message.WorkloadID) {
    intentLog.warn("notification for an unknown intent of this instance: ignored");
    return { kind: "ignored", reason: "unknown intent" };
  }
  if (intent.adminState !== "ACTIVATED" || intent.deletedAt !== null)
    return { kind: "ignored", reason: "intent not in force" };

  const instance = await tx.workloadInstance.findUnique({
    where: { id: message.WorkloadID },
    select: { id: true, status: true, placement: true, cluster: { select: { name: true } } },
  });
  if (!instance) return { kind: "ignored", reason: "unknown instance" };
  if (instance.status !== "DEPLOYED") {
    intentLog.info({ status: instance.status }, `Instance is ${instance.status}: no migration considered`);
    return instance.status === "MIGRATING"
      ? { kind: "busy", reason: "a migration is in flight" }
      : { kind: "ignored", reason: `instance is ${instance.status}` };
  }
  const current = instance.cluster?.name ?? null;
  intentLog.info({ cluster: current }, `Instance deployed on ${current}: checking its intents`);

  const inputs = await selectionInputs(tx, { ...instance, currentCluster: current });
  const selection = selectMigrationTarget(inputs);
  for (const evaluation of selection.evaluations)
    intentLog.info(
      { cluster: evaluation.cluster, verdict: evaluation.verdict, reason: evaluation.reason },
      evaluation.message,
    );
  if (selection.currentMeetsTargets) return { kind: "compliant" };

  if (selection.target === null) {
    const reason = selection.reasonIfNone ?? "No cluster meets every intent requirement";
    const previous = await tx.intentReport.findFirst({
      where: { intentId: intent.id },
      orderBy: { createdAt: "desc" },
      select: { targetResults: true },
    });
    // The intent cannot be fulfilled by moving the instance: its report says so; nothing moves.
    await recordReport(tx, intent.id, {
      fulfilmentStatus: "NOT_FULFILLED",
      notFulfilledState: "FULFILMENTFAILED",
      notFulfilledReasons: [reason],
      feasibility: "INFEASIBLE",
      infeasibilityReason: reason,
      targetResults: storedTargetResults(previous?.targetResults),
    });
    intentLog.warn({ cluster: current, reason }, "No migration target: intent reported FULFILMENTFAILED");
    return { kind: "no-target", reason };
  }

  const started = await startMigration(tx, {
    instanceId: instance.id,
    sourceCluster: current ?? undefined,
    targetCluster: selection.target,
    intentId: intent.id,
    actor: CONTROLLER_ACTOR,
    trigger: `intent ${intent.id} ${action}`,
    cause: await intentTrigger(
      tx,
      intent,
      action,
      inputs.clusters.find((c) => c.name === current),
    ),
    stepTimeoutMs: deps.stepTimeoutMs,
  });
  if (!started.ok) {
    intentLog.info({ conflict: started.conflict }, "migration not started");
    return { kind: "busy", reason: started.conflict };
  }
  const { migration } = started;
  intentLog.info(
    {
      migration: migration.id,
      exchange: "mo",
      routingKey: migration.sourceCluster,
      backup: migration.backupName,
    },
    `Backup requested on exchange mo with routing key ${migration.sourceCluster}`,
  );
  intentLog.info(
    { migration: migration.id, source: migration.sourceCluster, target: migration.targetCluster },
    `Migration triggered from ${migration.sourceCluster} to ${migration.targetCluster}`,
  );
  return {
    kind: "triggered",
    migrationId: migration.id,
    source: migration.sourceCluster,
    target: migration.targetCluster,
  };
}

/**
 * What the migration records as its trigger: this intent, the report the
 * controller reacted to, and which of its targets the current cluster fails
 * (with the value it offers) — what the Orchestration page's Reason says.
 */
async function intentTrigger(
  tx: TransactionClient,
  intent: { id: string; intentType: string; body: unknown },
  action: IntentTriggerAction,
  cluster: ClusterCandidate | undefined,
): Promise<StoredTrigger> {
  const report = await tx.intentReport.findFirst({
    where: { intentId: intent.id },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    select: { id: true },
  });
  return {
    kind: "intent",
    intentId: intent.id,
    intentType: intent.intentType,
    action,
    reportId: report ? String(report.id) : null,
    target: violatedTarget(cluster, intentTargets([intent])),
  };
}
