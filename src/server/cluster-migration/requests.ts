import { z } from "zod";
import type { InstanceStatus } from "@/generated/prisma/enums";
import { hasRole, Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth";
import type { Db } from "@/server/db";
import { DomainError } from "@/server/errors";
import { logger, type Logger } from "@/server/logger";
import { selectionForInstance } from "./inputs";
import { loadMigrationRow, visibleInstance, type MigrationRow } from "./queries";
import type { MigrationStateName } from "./state-machine";
import { startMigration } from "./store";
import type { TargetSelection } from "./target-selection";
import { isUuid } from "@/common/ids";

/**
 * "Migrate now": an admin moves a DEPLOYED instance to a chosen cluster
 * through exactly the path the controller uses (`startMigration`), and the
 * dialog's list of clusters with each one's verdict.
 */

/**
 * "Migrate now"'s input (tRPC `migration.request`; REST takes `targetCluster`
 * as the body and the instance from the path). Any instance id string: the
 * domain answers "not found" for what is not an instance.
 */
export const migrationRequestInput = z.object({
  instanceId: z.string().max(64),
  targetCluster: z.string().trim().min(1).max(253),
});
export type MigrationRequestInput = z.input<typeof migrationRequestInput>;

export interface MigrationRequestDeps {
  db: Db;
  user: SessionUser;
  log?: Logger;
  /** Step timeout of the migration started (default MIGRATION_STEP_TIMEOUT_MS). */
  stepTimeoutMs?: number;
}

export interface MigrationOptions extends TargetSelection {
  instanceId: string;
  status: InstanceStatus;
  currentCluster: string | null;
  activeMigration: { id: string; state: MigrationStateName; targetCluster: string } | null;
  /** Whether the caller can use "Migrate now" on this instance now (admin, DEPLOYED, nothing in flight). */
  canRequest: boolean;
}

function assertAdmin(user: SessionUser): void {
  if (!hasRole(user.roles, Role.NEMO_ADMIN))
    throw new DomainError("forbidden", "Only NEMO admins can migrate instances.");
}

async function activeMigrationOf(db: Db, instanceId: string) {
  return db.migration.findUnique({
    where: { activeInstanceId: instanceId },
    select: { id: true, state: true, targetCluster: true },
  });
}

/** Every cluster with its verdict for this instance (admins, and the instance's owner, read-only). */
export async function migrationOptions(
  deps: Omit<MigrationRequestDeps, "stepTimeoutMs">,
  instanceId: string,
): Promise<MigrationOptions> {
  const { db, user } = deps;
  const instance = await visibleInstance(db, user, instanceId);
  if (!instance.admin && !instance.owner) throw new DomainError("not_found", "No such instance.");
  const currentCluster = instance.cluster?.name ?? null;
  const [selection, active] = await Promise.all([
    selectionForInstance(db, { id: instance.id, placement: instance.placement, currentCluster }),
    activeMigrationOf(db, instance.id),
  ]);
  return {
    ...selection,
    instanceId: instance.id,
    status: instance.status,
    currentCluster,
    activeMigration: active,
    canRequest: instance.admin && instance.status === "DEPLOYED" && active === null,
  };
}

/**
 * Starts a migration of `instanceId` to `targetCluster`: admins only; the
 * instance must be DEPLOYED with no migration in flight (409 otherwise); the
 * target must be registered, OK, not the current cluster, with room, and meet
 * every cluster-property target of the instance's intents (400 on
 * `targetCluster` with the placement's message otherwise).
 */
export async function requestMigration(
  deps: MigrationRequestDeps,
  instanceId: string,
  targetCluster: string,
  intentId?: string,
): Promise<MigrationRow> {
  const { db, user } = deps;
  assertAdmin(user);
  const instance = await visibleInstance(db, user, instanceId);
  const log = (deps.log ?? logger).child({
    instance: instance.id,
    cluster: targetCluster,
    by: user.username,
  });
  if (instance.status !== "DEPLOYED")
    throw new DomainError(
      "conflict",
      `Cannot migrate ${instance.releaseName}: instance is ${instance.status}.`,
    );
  const active = await activeMigrationOf(db, instance.id);
  if (active)
    throw new DomainError(
      "conflict",
      `Cannot migrate ${instance.releaseName}: migration ${active.id} to ${active.targetCluster} is ${active.state}.`,
    );

  const target = targetCluster.trim();
  if (!target) throw new DomainError("invalid", "Choose the cluster to migrate to.", "targetCluster");
  const currentCluster = instance.cluster?.name ?? null;
  const selection = await selectionForInstance(db, {
    id: instance.id,
    placement: instance.placement,
    currentCluster,
  });
  const verdict = selection.evaluations.find((e) => e.cluster === target);
  if (!verdict) throw new DomainError("invalid", `Cluster ${target} is not registered.`, "targetCluster");
  if (verdict.verdict === "current")
    throw new DomainError("invalid", `The instance already runs on ${target}.`, "targetCluster");
  if (verdict.verdict === "rejected" || verdict.verdict === "skipped")
    throw new DomainError("invalid", verdict.message, "targetCluster");

  if (intentId !== undefined) {
    const intent = isUuid(intentId)
      ? await db.intent.findFirst({ where: { id: intentId, instanceId: instance.id }, select: { id: true } })
      : null;
    if (!intent) throw new DomainError("invalid", "No such intent on this instance.", "intentId");
  }

  const started = await db.$transaction((tx) =>
    startMigration(tx, {
      instanceId: instance.id,
      sourceCluster: currentCluster ?? undefined,
      targetCluster: target,
      intentId: intentId ?? null,
      actor: user.username,
      trigger: `requested by ${user.username}`,
      cause: { kind: "request", requestedBy: user.username },
      stepTimeoutMs: deps.stepTimeoutMs,
    }),
  );
  // Another request (or the controller) got there first: the instance row lock decided.
  if (!started.ok)
    throw new DomainError("conflict", `Cannot migrate ${instance.releaseName}: ${started.conflict}.`);
  log.info(
    { migration: started.migration.id, source: started.migration.sourceCluster, target },
    `Migration triggered from ${started.migration.sourceCluster} to ${target} by ${user.username}`,
  );
  return loadMigrationRow(db, started.migration.id);
}
