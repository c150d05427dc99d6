import { z } from "zod";
import { systemClock, type Clock } from "@/common/clock";
import { CFDRL_DEFAULT_SETTINGS, CFDRL_MAX_REPLICAS, cfdrlBoundsProblem } from "@/common/cfdrl";
import type { SessionUser } from "@/server/auth";
import type { Db } from "@/server/db";
import { DomainError, parseOrThrow } from "@/server/errors";
import { assertServiceUser, loadScoped } from "@/server/instances";
import { logger } from "@/server/logger";

/**
 * An instance's CFDRL settings (issue 15): whether the scaling and the
 * migration agent act on it, and the replica bounds scaling stays within.
 * Off by default (no row = the defaults). The same people who manage the
 * instance read and change them: its owner and admins; another tenant's
 * instance is "not found", an infrastructure provider is refused as for
 * every instance route.
 */
const log = logger.child({ module: "cfdrl-settings" });

export interface CfdrlSettingsDeps {
  db: Db;
  user: SessionUser;
  clock?: Clock;
}

export interface CfdrlSettingsView {
  instanceId: string;
  scalingEnabled: boolean;
  migrationEnabled: boolean;
  minReplicas: number;
  maxReplicas: number;
  /** When and by whom they were last changed; null while the instance has the defaults. */
  updatedAt: Date | null;
  updatedBy: string | null;
  /** The agents act only on a DEPLOYED instance; settings may be set before (or kept while migrating). */
  instanceStatus: string;
}

const replicas = (name: string) =>
  z
    .number({ error: `${name} must be a whole number.` })
    .int({ error: `${name} must be a whole number.` })
    .min(0, { error: `${name} must be at least 0.` })
    .max(CFDRL_MAX_REPLICAS, { error: `${name} must be at most ${CFDRL_MAX_REPLICAS}.` });

/** A change: any of the four fields; the rest keep their current values. Bounds are checked merged. */
export const cfdrlSettingsUpdateSchema = z
  .strictObject({
    scalingEnabled: z.boolean({ error: "scalingEnabled is true or false." }).optional(),
    migrationEnabled: z.boolean({ error: "migrationEnabled is true or false." }).optional(),
    minReplicas: replicas("minReplicas").optional(),
    maxReplicas: replicas("maxReplicas").optional(),
  })
  .describe(
    `Enable switches and replica bounds (0 ≤ minReplicas ≤ maxReplicas ≤ ${CFDRL_MAX_REPLICAS}); ` +
      "fields left out keep their values.",
  );
export type CfdrlSettingsUpdate = z.infer<typeof cfdrlSettingsUpdateSchema>;

/** What a missing settings row stands for. */
function withDefaults(
  instanceId: string,
  instanceStatus: string,
  row: {
    scalingEnabled: boolean;
    migrationEnabled: boolean;
    minReplicas: number;
    maxReplicas: number;
    updatedAt: Date;
    updatedBy: string | null;
  } | null,
): CfdrlSettingsView {
  if (!row)
    return { instanceId, ...CFDRL_DEFAULT_SETTINGS, updatedAt: null, updatedBy: null, instanceStatus };
  return {
    instanceId,
    scalingEnabled: row.scalingEnabled,
    migrationEnabled: row.migrationEnabled,
    minReplicas: row.minReplicas,
    maxReplicas: row.maxReplicas,
    updatedAt: row.updatedAt,
    updatedBy: row.updatedBy,
    instanceStatus,
  };
}

/** The instance's CFDRL settings (the defaults when never set). */
export async function getCfdrlSettings(
  deps: CfdrlSettingsDeps,
  instanceId: string,
): Promise<CfdrlSettingsView> {
  assertServiceUser(deps.user);
  const instance = await loadScoped(deps.db, deps.user, instanceId);
  const row = await deps.db.instanceCfdrlSettings.findUnique({ where: { instanceId: instance.id } });
  return withDefaults(instance.id, instance.status, row);
}

/**
 * Changes the instance's CFDRL settings (its owner or an admin), recorded in
 * the audit log with before and after. A deleted instance keeps what it had:
 * there is nothing left to scale or move.
 */
export async function updateCfdrlSettings(
  deps: CfdrlSettingsDeps,
  instanceId: string,
  input: unknown,
): Promise<CfdrlSettingsView> {
  assertServiceUser(deps.user);
  const instance = await loadScoped(deps.db, deps.user, instanceId);
  const change = parseOrThrow(cfdrlSettingsUpdateSchema, input ?? {});
  if (instance.status === "DELETED" || instance.status === "DELETING")
    throw new DomainError(
      "conflict",
      `Instance ${instance.releaseName} is ${instance.status}; CFDRL cannot act on it any more.`,
    );
  const now = new Date((deps.clock ?? systemClock)());
  const saved = await deps.db.$transaction(async (tx) => {
    // Lock the instance row: two saves at once end with one of them whole, and the audit's "before" is true.
    await tx.$queryRaw`SELECT id FROM workload_instances WHERE id = ${instance.id}::uuid FOR UPDATE`;
    const current = await tx.instanceCfdrlSettings.findUnique({ where: { instanceId: instance.id } });
    const before = withDefaults(instance.id, instance.status, current);
    const after = {
      scalingEnabled: change.scalingEnabled ?? before.scalingEnabled,
      migrationEnabled: change.migrationEnabled ?? before.migrationEnabled,
      minReplicas: change.minReplicas ?? before.minReplicas,
      maxReplicas: change.maxReplicas ?? before.maxReplicas,
    };
    const problem = cfdrlBoundsProblem(after.minReplicas, after.maxReplicas);
    if (problem) throw new DomainError("invalid", problem.message, problem.field);
    const row = await tx.instanceCfdrlSettings.upsert({
      where: { instanceId: instance.id },
      create: { instanceId: instance.id, ...after, updatedBy: deps.user.username, updatedAt: now },
      update: { ...after, updatedBy: deps.user.username, updatedAt: now },
    });
    await tx.auditEvent.create({
      data: {
        actorId: deps.user.id,
        actorName: deps.user.username,
        action: "cfdrl.settings.updated",
        subjectType: "instance",
        subjectId: instance.id,
        detail: {
          before: {
            scalingEnabled: before.scalingEnabled,
            migrationEnabled: before.migrationEnabled,
            minReplicas: before.minReplicas,
            maxReplicas: before.maxReplicas,
          },
          after,
        },
        createdAt: now,
      },
    });
    return row;
  });
  log.info(
    {
      instance: instance.id,
      by: deps.user.username,
      scaling: saved.scalingEnabled,
      migration: saved.migrationEnabled,
      minReplicas: saved.minReplicas,
      maxReplicas: saved.maxReplicas,
    },
    "CFDRL settings changed",
  );
  return withDefaults(instance.id, instance.status, saved);
}
