import { createHash, randomUUID } from "node:crypto";
import type { Migration } from "@/generated/prisma/client";
import { enqueueOutbox, ibmcAgentMessage, type TransactionClient } from "@/server/bus";
import type { DriverFactory } from "@/server/clusters";
import { assertLeaderFence, type Db, type LeaderFence } from "@/server/db";
import { serverEnv } from "@/server/env";
import { moveInstance, recordLifecycleEvent } from "@/server/instances";
import { isUuid } from "@/common/ids";
import type { Logger } from "@/server/logger";
import {
  isTerminalState,
  migrationStep,
  transition,
  type ActiveMigrationState,
  type MigrationStateName,
  type TerminalMigrationState,
} from "./state-machine";
import type { StoredTrigger } from "./trigger";

/**
 * The persisted migration (table `migrations`) and the writes every actor
 * (controller, agents, orchestrator, watchdog) shares. Each state change is a
 * short transaction of its own with a conditional update (`WHERE state =
 * <expected> AND active_instance_id IS NOT NULL`), so a redelivered message,
 * a second agent or the watchdog racing an agent changes nothing: exactly one
 * of them makes a given move, the others see zero rows and stand down.
 *
 * `step_deadline` is the current step's deadline while the migration is in
 * flight (the watchdog fails or rolls back what overstays it). On a terminal
 * migration a non-null `step_deadline` means a cleanup is still owed (the
 * source copy after COMPLETED, the partial target copy after ROLLED_BACK),
 * retried by the watchdog from that time on.
 */

export type MigrationRecord = Migration;
type Client = Db | TransactionClient;

/** What every migration actor needs. */
export interface MigrationDeps {
  db: Db;
  log: Logger;
  driverFactory?: DriverFactory;
  /** Longest one step may take (default MIGRATION_STEP_TIMEOUT_MS). */
  stepTimeoutMs?: number;
  /** How often the target agent polls for the backup and for the restored workload (default 200 ms). */
  pollMs?: number;
}

export function stepTimeoutOf(deps: Pick<MigrationDeps, "stepTimeoutMs">): number {
  return deps.stepTimeoutMs ?? serverEnv().MIGRATION_STEP_TIMEOUT_MS;
}

export function deadlineFrom(deps: Pick<MigrationDeps, "stepTimeoutMs">, now = Date.now()): Date {
  return new Date(now + stepTimeoutOf(deps));
}

/** Reference IBMC timestamps: yyyymmddhhmmss (UTC). */
export function compactTimestamp(at: Date = new Date()): string {
  return at.toISOString().replace(/[-:T]/g, "").slice(0, 14);
}

/**
 * `<source>-<instanceId>-<yyyymmddhhmmss>`, the reference naming, made a valid
 * Kubernetes object name (Velero backups are objects): lower case, `-` for
 * anything else.
 */
export function backupNameFor(sourceCluster: string, instanceId: string, at: Date = new Date()): string {
  const source = sourceCluster
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, "-")
    .replace(/^-+|-+$/g, "");
  return `${source || "cluster"}-${instanceId.toLowerCase()}-${compactTimestamp(at)}`.slice(0, 253);
}

export type MigrationMessagePurpose = "backup" | "restore" | "completion-update" | "completion-notify";

/**
 * Deterministic outbox / AMQP message id of one of a migration's messages:
 * enqueueing it twice is visible (same row id) and a re-publish is
 * deduplicated by idempotent consumers.
 */
export function migrationMessageId(migrationId: string, purpose: MigrationMessagePurpose): string {
  const h = createHash("sha256").update(`nemo:migration:${migrationId}:${purpose}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export async function findMigration(client: Client, id: string): Promise<MigrationRecord | null> {
  return client.migration.findUnique({ where: { id } });
}

/**
 * The migration a protocol message is about: by its MigrationID when it
 * carries one, else (a reference-style message without our id) the
 * instance's newest migration between the message's two clusters — only an
 * active one when `activeOnly`. Null when nothing matches or an id is not a UUID.
 */
export async function findMigrationFor(
  client: Client,
  message: { MigrationID?: string; WorkloadID: string; SourceCluster: string; TargetCluster: string },
  { activeOnly }: { activeOnly: boolean },
): Promise<MigrationRecord | null> {
  if (message.MigrationID !== undefined)
    return isUuid(message.MigrationID) ? findMigration(client, message.MigrationID) : null;
  if (!isUuid(message.WorkloadID)) return null;
  return client.migration.findFirst({
    where: {
      instanceId: message.WorkloadID,
      sourceCluster: message.SourceCluster,
      targetCluster: message.TargetCluster,
      ...(activeOnly && { activeInstanceId: { not: null } }),
    },
    orderBy: { createdAt: "desc" },
  });
}

/** Locks the migration's row until the transaction ends and returns it as it is now. */
export async function lockMigration(tx: TransactionClient, id: string): Promise<MigrationRecord | null> {
  await tx.$queryRaw`SELECT id FROM migrations WHERE id = ${id}::uuid FOR UPDATE`;
  return tx.migration.findUnique({ where: { id } });
}

export interface AdvanceArgs {
  id: string;
  from: ActiveMigrationState;
  to: MigrationStateName;
  message: string;
  /** The cluster the step happened on. */
  cluster?: string;
  /** The next step's deadline; on a terminal state, when a pending cleanup is due (null: none). */
  stepDeadline: Date | null;
  reason?: string;
  backupName?: string;
  /** Only if the current step's deadline has passed by then (the watchdog's condition). */
  expiredBy?: Date;
}

/**
 * Moves the migration from `from` to `to` (a legal move, or it throws) and
 * appends the step, if it is still active in `from`. True when this call made
 * the move; false when someone else already moved it on.
 */
export async function advanceMigration(client: Client, args: AdvanceArgs): Promise<boolean> {
  transition(args.from, args.to);
  const terminal = isTerminalState(args.to);
  const step = JSON.stringify([migrationStep(args.to, args.message, { cluster: args.cluster })]);
  const expiredBy = args.expiredBy ?? null;
  const changed = await client.$executeRaw`
    UPDATE migrations
    SET state = ${args.to}::"MigrationState",
        steps = steps || ${step}::jsonb,
        step_deadline = ${args.stepDeadline}::timestamptz,
        reason = COALESCE(${args.reason ?? null}::text, reason),
        backup_name = COALESCE(${args.backupName ?? null}::text, backup_name),
        active_instance_id = CASE WHEN ${terminal} THEN NULL ELSE active_instance_id END,
        updated_at = now()
    WHERE id = ${args.id}::uuid AND state = ${args.from}::"MigrationState" AND active_instance_id IS NOT NULL
      AND (${expiredBy}::timestamptz IS NULL OR step_deadline <= ${expiredBy}::timestamptz)`;
  return changed === 1;
}

/**
 * Appends a step without changing state (e.g. "verified" while VERIFYING, or
 * a cleanup note on a terminal migration), optionally moving the deadline;
 * only while the migration is still in `state`.
 */
export async function recordStep(
  client: Client,
  args: {
    id: string;
    state: MigrationStateName;
    message: string;
    cluster?: string;
    stepDeadline?: Date | null;
  },
): Promise<boolean> {
  const step = JSON.stringify([migrationStep(args.state, args.message, { cluster: args.cluster })]);
  const moveDeadline = args.stepDeadline !== undefined;
  const changed = await client.$executeRaw`
    UPDATE migrations
    SET steps = steps || ${step}::jsonb,
        step_deadline = CASE WHEN ${moveDeadline} THEN ${args.stepDeadline ?? null}::timestamptz ELSE step_deadline END,
        updated_at = now()
    WHERE id = ${args.id}::uuid AND state = ${args.state}::"MigrationState"`;
  return changed === 1;
}

// ---------------------------------------------------------------------------
// Starting

export interface StartMigrationInput {
  instanceId: string;
  targetCluster: string;
  /** The cluster the caller believed the instance to be on; a mismatch means it moved meanwhile. */
  sourceCluster?: string;
  intentId?: string | null;
  /** Who asked: a user name, or "ibmc-controller". */
  actor: string;
  /** Why, for the timeline: "intent 3b00… violated", "requested by admin". */
  trigger: string;
  /** Why, as data (`migrations.trigger`): the intent and the target it failed, or who asked. */
  cause: StoredTrigger;
  stepTimeoutMs?: number;
}

export type StartMigrationResult = { ok: true; migration: MigrationRecord } | { ok: false; conflict: string };

/**
 * Starts a migration inside the caller's transaction: the migration row
 * (REQUESTED, the instance's one active migration), the instance MIGRATING,
 * the lifecycle event and the backup command to the source cluster's agent,
 * all committing together. The instance row is locked first, so two callers
 * at once serialise and the second finds it MIGRATING.
 */
export async function startMigration(
  tx: TransactionClient,
  input: StartMigrationInput,
): Promise<StartMigrationResult> {
  await tx.$queryRaw`SELECT id FROM workload_instances WHERE id = ${input.instanceId}::uuid FOR UPDATE`;
  const instance = await tx.workloadInstance.findUnique({
    where: { id: input.instanceId },
    select: { id: true, status: true, namespace: true, cluster: { select: { name: true } } },
  });
  if (!instance) return { ok: false, conflict: "instance not found" };
  if (instance.status !== "DEPLOYED") return { ok: false, conflict: `instance is ${instance.status}` };
  const source = instance.cluster?.name;
  if (!source) return { ok: false, conflict: "instance runs on no cluster" };
  if (input.sourceCluster !== undefined && input.sourceCluster !== source)
    return { ok: false, conflict: `instance moved to ${source} meanwhile` };
  if (input.targetCluster === source) return { ok: false, conflict: `instance already runs on ${source}` };
  const active = await tx.migration.findUnique({
    where: { activeInstanceId: instance.id },
    select: { id: true, state: true },
  });
  if (active) return { ok: false, conflict: `migration ${active.id} of this instance is ${active.state}` };

  const now = new Date();
  const id = randomUUID();
  const backupName = backupNameFor(source, instance.id, now);
  const migration = await tx.migration.create({
    data: {
      id,
      instanceId: instance.id,
      intentId: input.intentId ?? null,
      sourceCluster: source,
      targetCluster: input.targetCluster,
      state: "REQUESTED",
      backupName,
      trigger: input.cause,
      activeInstanceId: instance.id,
      stepDeadline: deadlineFrom(input, now.getTime()),
      steps: [
        migrationStep(
          "REQUESTED",
          `Migration from ${source} to ${input.targetCluster} requested (${input.trigger})`,
          {
            cluster: source,
            actor: input.actor,
            at: now,
          },
        ),
      ],
    },
  });
  // Under the row lock taken above, and checked DEPLOYED: the move cannot miss.
  await moveInstance(tx, instance.id, "DEPLOYED", "MIGRATING", {
    statusReason: `Migrating from ${source} to ${input.targetCluster}`,
  });
  await recordLifecycleEvent(
    tx,
    instance.id,
    "Migration",
    `Migration ${source} → ${input.targetCluster} requested (${input.trigger})`,
    {
      migrationId: id,
      sourceCluster: source,
      targetCluster: input.targetCluster,
      intentId: input.intentId ?? null,
      requestedBy: input.actor,
      state: "REQUESTED",
    },
  );
  // Exchange `mo`, routing key = the source cluster: its agent backs the namespace up.
  await enqueueOutbox(
    tx,
    ibmcAgentMessage(source),
    {
      WorkloadID: instance.id,
      Action: "backup",
      SourceCluster: source,
      TargetCluster: input.targetCluster,
      MigrationID: id,
      BackupName: backupName,
    },
    { messageId: migrationMessageId(id, "backup") },
  );
  return { ok: true, migration };
}

// ---------------------------------------------------------------------------
// Ending without completing

export interface EndMigrationArgs {
  migration: Pick<MigrationRecord, "id" | "instanceId" | "sourceCluster" | "targetCluster">;
  from: ActiveMigrationState;
  to: Extract<TerminalMigrationState, "FAILED" | "ROLLED_BACK">;
  reason: string;
  /** The cluster the failure happened on. */
  cluster?: string;
  expiredBy?: Date;
  /** The watchdog's fencing token: a replica that lost leadership cannot end the migration (StaleLeaderError). */
  fence?: LeaderFence;
}

/**
 * FAILED or ROLLED_BACK, in one transaction with the instance back to
 * DEPLOYED on its source (it never left it: make-before-break), the reason on
 * the instance and in its timeline, and its intents due for evaluation. A
 * rollback leaves a cleanup owed (`step_deadline` = now): the partial target
 * copy, removed by the caller right after and by the watchdog if that fails.
 * True when this call ended it.
 */
export async function endMigration(db: Db, args: EndMigrationArgs): Promise<boolean> {
  const { migration, to, reason } = args;
  const verb = to === "FAILED" ? "failed" : "rolled back";
  return db.$transaction(async (tx) => {
    await assertLeaderFence(tx, args.fence);
    const now = new Date();
    const ended = await advanceMigration(tx, {
      id: migration.id,
      from: args.from,
      to,
      message: `Migration ${verb}: ${reason}`,
      cluster: args.cluster,
      reason,
      stepDeadline: to === "ROLLED_BACK" ? now : null,
      expiredBy: args.expiredBy,
    });
    if (!ended) return false;
    await moveInstance(tx, migration.instanceId, "MIGRATING", "DEPLOYED", {
      statusReason: `Migration to ${migration.targetCluster} ${verb}: ${reason}`,
    });
    await recordLifecycleEvent(
      tx,
      migration.instanceId,
      "Migration",
      `Migration ${migration.sourceCluster} → ${migration.targetCluster} ${verb}: ${reason}`,
      {
        migrationId: migration.id,
        sourceCluster: migration.sourceCluster,
        targetCluster: migration.targetCluster,
        state: to,
      },
    );
    await tx.intentSchedule.updateMany({
      where: { active: true, intent: { instanceId: migration.instanceId } },
      data: { nextEvaluationAt: now },
    });
    return true;
  });
}
