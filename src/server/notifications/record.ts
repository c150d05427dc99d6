import type { Prisma } from "@/generated/prisma/client";
import { Role } from "@/common/roles";
import { clip, links, MAX_MESSAGE_LENGTH, type NotificationKind, type NotificationSubject } from "./kinds";

/**
 * Writing notifications. Every function here runs inside the transaction of
 * the state change it tells about (a lifecycle event, an intent turning
 * NOT_FULFILLED, a cluster going to ERROR): it commits with that change or
 * not at all, so none is lost and none is told about a change that rolled
 * back. Each row names its source event in `source_key`, unique per user, and
 * is inserted with ON CONFLICT DO NOTHING: writing one event twice (a
 * replayed message, a retried transaction) notifies nobody twice.
 */

/** What the writers need of a transaction (a Prisma transaction client has it). */
export type NotificationWriter = Pick<
  Prisma.TransactionClient,
  "notification" | "workloadInstance" | "cluster" | "user" | "$executeRawUnsafe"
>;

interface Draft {
  kind: NotificationKind;
  title: string;
  message: string;
  subjectType: NotificationSubject;
  subjectId: string;
  link: string;
  sourceKey: string;
  createdAt?: Date;
}

async function insert(tx: NotificationWriter, userIds: Iterable<string>, draft: Draft): Promise<number> {
  const recipients = [...new Set(userIds)];
  if (recipients.length === 0) return 0;
  const { count } = await tx.notification.createMany({
    data: recipients.map((userId) => ({ ...draft, userId, message: clip(draft.message) })),
    skipDuplicates: true,
  });
  return count;
}

// ---------------------------------------------------------------------------
// Lifecycle events (instances/lifecycle.ts calls this for every event it writes)

/** A lifecycle event as written. */
export interface LifecycleEventRow {
  id: bigint;
  instanceId: string;
  type: string;
  message: string;
  detail?: Prisma.InputJsonObject | undefined;
  occurredAt: Date;
}

function migrationState(detail: Prisma.InputJsonObject | undefined): string | null {
  const state = detail?.state;
  return typeof state === "string" ? state : null;
}

/**
 * The kind a lifecycle event is told as, or null for the events nobody is
 * notified of (rendering, placement, deployment, scaling, deletion). A
 * migration's events carry its state in their detail: REQUESTED (started),
 * COMPLETED, FAILED or ROLLED_BACK (failed: the instance stayed on its source).
 */
export function lifecycleNotificationKind(
  type: string,
  detail: Prisma.InputJsonObject | undefined,
): NotificationKind | null {
  switch (type) {
    case "Failed":
      return "INSTANCE_FAILED";
    case "Drifted":
      return "INSTANCE_DRIFTED";
    case "Migration": {
      const state = migrationState(detail);
      if (state === "REQUESTED") return "MIGRATION_STARTED";
      if (state === "COMPLETED") return "MIGRATION_COMPLETED";
      if (state === "FAILED" || state === "ROLLED_BACK") return "MIGRATION_FAILED";
      return null;
    }
    default:
      return null;
  }
}

const LIFECYCLE_TITLES: Record<
  NotificationKind,
  (label: string, detail: Prisma.InputJsonObject | undefined) => string
> = {
  INSTANCE_FAILED: (label) => `Instance ${label} failed`,
  INSTANCE_DRIFTED: (label) => `Instance ${label} drifted from its manifests`,
  MIGRATION_STARTED: (label) => `Migration of ${label} started`,
  MIGRATION_COMPLETED: (label) => `Migration of ${label} completed`,
  MIGRATION_FAILED: (label, detail) =>
    migrationState(detail) === "ROLLED_BACK"
      ? `Migration of ${label} rolled back`
      : `Migration of ${label} failed`,
  INTENT_NOT_FULFILLED: (label) => `An intent of ${label} is not fulfilled`,
  CLUSTER_ERROR: (label) => `Cluster ${label} is in error`,
  BUDGET_THRESHOLD: (label) => `Budget ${label} crossed a threshold`,
};

/**
 * Notifies the instance's owner of a lifecycle event worth telling (see
 * `lifecycleNotificationKind`); the source key is the event's id. Returns
 * how many notifications were written.
 */
export async function notifyLifecycleEvent(
  tx: NotificationWriter,
  event: LifecycleEventRow,
): Promise<number> {
  const kind = lifecycleNotificationKind(event.type, event.detail);
  if (!kind) return 0;
  const instance = await tx.workloadInstance.findUnique({
    where: { id: event.instanceId },
    select: { ownerId: true, namespace: true },
  });
  if (!instance) return 0;
  return insert(tx, [instance.ownerId], {
    kind,
    title: LIFECYCLE_TITLES[kind](instance.namespace, event.detail),
    message: event.message,
    subjectType: "instance",
    subjectId: event.instanceId,
    link: links.instance(event.instanceId),
    sourceKey: `lifecycle:${event.id}`,
    createdAt: event.occurredAt,
  });
}

// ---------------------------------------------------------------------------
// Intents turning NOT_FULFILLED

/** One intent that an evaluation turned NOT_FULFILLED (from FULFILLED or from never evaluated). */
export interface IntentViolation {
  intentId: string;
  /** Why, as the report says (its first reason); the report has all of them. */
  reason: string;
}

/**
 * One statement for any number of violations, shared by the evaluator's
 * cycle (a pg connection in its COPY transaction) and its single
 * evaluations (a Prisma transaction): the intent's owner is notified, with
 * the instance's name, linked to the intent's report. The source key is the
 * intent and the evaluation's time: the evaluator's compare-and-set on the
 * schedule already lets only one evaluation report a transition.
 */
export const INTENT_VIOLATIONS_SQL = `
  INSERT INTO notifications (user_id, kind, title, message, subject_type, subject_id, link, source_key, created_at)
  SELECT i.owner_id, 'INTENT_NOT_FULFILLED', 'An intent of ' || w.namespace || ' is not fulfilled',
         left(v.reason, ${MAX_MESSAGE_LENGTH}), 'intent', i.id,
         '/intents?instanceId=' || i.instance_id::text || '&report=' || i.id::text,
         'intent-violated:' || i.id::text || ':' || $3::text, $4::timestamptz
  FROM unnest($1::uuid[], $2::text[]) AS v(intent_id, reason)
  JOIN intents i ON i.id = v.intent_id
  JOIN workload_instances w ON w.id = i.instance_id
  ON CONFLICT (user_id, source_key) DO NOTHING`;

/** The parameters of INTENT_VIOLATIONS_SQL. */
export function intentViolationParams(
  violations: readonly IntentViolation[],
  evaluatedAt: Date,
): [string[], string[], string, Date] {
  return [
    violations.map((v) => v.intentId),
    violations.map((v) => v.reason || "The intent is not fulfilled."),
    String(evaluatedAt.getTime()),
    evaluatedAt,
  ];
}

/** The single-evaluation path: inside its Prisma transaction. */
export async function notifyIntentViolations(
  tx: Pick<Prisma.TransactionClient, "$executeRawUnsafe">,
  violations: readonly IntentViolation[],
  evaluatedAt: Date,
): Promise<number> {
  if (violations.length === 0) return 0;
  return tx.$executeRawUnsafe(INTENT_VIOLATIONS_SQL, ...intentViolationParams(violations, evaluatedAt));
}

// ---------------------------------------------------------------------------
// Clusters going to ERROR

export interface ClusterErrorEvent {
  clusterId: string;
  /** The status before: nothing is told when it already was ERROR. */
  previousStatus: string;
  reason: string;
  /** What moved it to ERROR (a join operation's id, …): the source key's last part. */
  cause: string;
  at?: Date;
}

/**
 * The cluster's owner (its infrastructure provider) and every admin learn
 * that a cluster went to ERROR — on the transition only.
 */
export async function notifyClusterError(tx: NotificationWriter, event: ClusterErrorEvent): Promise<number> {
  if (event.previousStatus === "ERROR") return 0;
  const cluster = await tx.cluster.findUnique({
    where: { id: event.clusterId },
    select: { ownerId: true, name: true },
  });
  if (!cluster) return 0;
  const admins = await tx.user.findMany({ where: { roles: { has: Role.NEMO_ADMIN } }, select: { id: true } });
  return insert(tx, [cluster.ownerId, ...admins.map((a) => a.id)], {
    kind: "CLUSTER_ERROR",
    title: LIFECYCLE_TITLES.CLUSTER_ERROR(cluster.name, undefined),
    message: event.reason,
    subjectType: "cluster",
    subjectId: event.clusterId,
    link: links.cluster(event.clusterId),
    sourceKey: `cluster-error:${event.clusterId}:${event.cause}`,
    ...(event.at && { createdAt: event.at }),
  });
}

// ---------------------------------------------------------------------------
// Budgets (src/server/accounting/budgets.ts)

export interface BudgetThresholdEvent {
  budgetId: string;
  ownerId: string;
  /** "shop (daily)", "all workloads (monthly)". */
  label: string;
  threshold: number;
  /** The window's start, ISO 8601: the source key names it, so each threshold is told once per window. */
  windowStart: string;
  message: string;
  at?: Date;
}

/** The budget's owner learns that spending crossed a threshold of it, once per threshold and window. */
export async function notifyBudgetThreshold(
  tx: NotificationWriter,
  event: BudgetThresholdEvent,
): Promise<number> {
  return insert(tx, [event.ownerId], {
    kind: "BUDGET_THRESHOLD",
    title:
      event.threshold >= 100
        ? `Budget ${event.label} is exhausted`
        : `Budget ${event.label} reached ${event.threshold} %`,
    message: event.message,
    subjectType: "budget",
    subjectId: event.budgetId,
    link: links.budget(event.budgetId),
    sourceKey: `budget:${event.budgetId}:${event.windowStart}:${event.threshold}`,
    ...(event.at && { createdAt: event.at }),
  });
}
