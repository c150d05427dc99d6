import { z } from "zod";
import type { Prisma } from "@/generated/prisma/client";
import { listInputSchema, type ListPage, queryPageFields } from "@/common/pagination";
import { asUuid, pageWindow } from "@/server/db";
import { hasAnyRole, hasRole, Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth";
import type { Db } from "@/server/db";
import { DomainError, parseOrThrow } from "@/server/errors";
import {
  isActiveState,
  migrationStateSchema,
  parseSteps,
  type MigrationStateName,
  type MigrationStep,
} from "./state-machine";
import { isUuid } from "@/common/ids";

/**
 * The read side of migrations: the Migrations table (every migration the
 * caller may see) and an instance's migrations (its page's tab).
 *
 * Who sees what:
 * - NEMO admins: every migration.
 * - Service providers: migrations of their own instances.
 * - Infrastructure providers: migrations that leave or reach one of their
 *   clusters (they see workloads arrive on and leave their infrastructure, not
 *   whose they are beyond the instance's release name).
 * A user with several roles sees the union.
 */

export interface MigrationQueryDeps {
  db: Db;
  user: SessionUser;
}

export interface MigrationRow {
  id: string;
  instanceId: string;
  instanceShortId: string;
  releaseName: string;
  intentId: string | null;
  sourceCluster: string;
  targetCluster: string;
  state: MigrationStateName;
  /** Why it failed or was rolled back. */
  reason: string | null;
  backupName: string | null;
  /** The migration's own timeline, oldest first, every step timestamped. */
  steps: MigrationStep[];
  createdAt: Date;
  updatedAt: Date;
  /** Who asked: a user name, or "ibmc-controller" for an intent; null for rows without a REQUESTED step. */
  requestedBy: string | null;
  /** Still in flight (the instance is MIGRATING). */
  active: boolean;
  /** When the current step times out (in flight only). */
  stepDeadline: Date | null;
}

const rowInclude = { instance: { select: { shortId: true, releaseName: true } } } as const;
type StoredRow = Prisma.MigrationGetPayload<{ include: typeof rowInclude }>;

export function migrationRow(row: StoredRow): MigrationRow {
  const steps = parseSteps(row.steps);
  return {
    id: row.id,
    instanceId: row.instanceId,
    instanceShortId: row.instance.shortId,
    releaseName: row.instance.releaseName,
    intentId: row.intentId,
    sourceCluster: row.sourceCluster,
    targetCluster: row.targetCluster,
    state: row.state,
    reason: row.reason,
    backupName: row.backupName,
    steps,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    requestedBy: steps.find((s) => s.state === "REQUESTED")?.actor ?? null,
    active: row.activeInstanceId !== null && isActiveState(row.state),
    stepDeadline: row.activeInstanceId !== null ? row.stepDeadline : null,
  };
}

export async function loadMigrationRow(db: Db, id: string): Promise<MigrationRow> {
  return migrationRow(await db.migration.findUniqueOrThrow({ where: { id }, include: rowInclude }));
}

const MIGRATION_ROLES = [Role.NEMO_ADMIN, Role.SERVICE_PROVIDER, Role.INFRASTRUCTURE_PROVIDER];

/** The migrations `user` may see, as a where clause; forbidden for a user without a console role. */
export async function migrationScope(db: Db, user: SessionUser): Promise<Prisma.MigrationWhereInput> {
  if (!hasAnyRole(user.roles, MIGRATION_ROLES))
    throw new DomainError(
      "forbidden",
      "Only NEMO admins, service and infrastructure providers can see migrations.",
    );
  if (hasRole(user.roles, Role.NEMO_ADMIN)) return {};
  const or: Prisma.MigrationWhereInput[] = [];
  if (hasRole(user.roles, Role.SERVICE_PROVIDER)) or.push({ instance: { ownerId: user.id } });
  if (hasRole(user.roles, Role.INFRASTRUCTURE_PROVIDER)) {
    const owned = (await db.cluster.findMany({ where: { ownerId: user.id }, select: { name: true } })).map(
      (c) => c.name,
    );
    if (owned.length > 0) or.push({ sourceCluster: { in: owned } }, { targetCluster: { in: owned } });
  }
  // Nothing matches an empty OR in Prisma; say so explicitly.
  return or.length > 0 ? { OR: or } : { id: { in: [] } };
}

// ---------------------------------------------------------------------------
// The Migrations table

const MIGRATION_SORTS = [
  "createdAt",
  "updatedAt",
  "state",
  "sourceCluster",
  "targetCluster",
  "releaseName",
] as const;
type MigrationSort = (typeof MIGRATION_SORTS)[number];

function orderOf(sort: MigrationSort, direction: "asc" | "desc"): Prisma.MigrationOrderByWithRelationInput {
  switch (sort) {
    case "releaseName":
      return { instance: { releaseName: direction } };
    case "createdAt":
      return { createdAt: direction };
    case "updatedAt":
      return { updatedAt: direction };
    case "state":
      return { state: direction };
    case "sourceCluster":
      return { sourceCluster: direction };
    case "targetCluster":
      return { targetCluster: direction };
  }
}

export const migrationListInput = listInputSchema(MIGRATION_SORTS, "createdAt", "desc").extend({
  state: migrationStateSchema.optional(),
  /** Migrations leaving or reaching this cluster. */
  cluster: z.string().trim().min(1).max(200).optional(),
  instanceId: z.uuid({ error: "instanceId must be a workload instance id (a UUID)." }).optional(),
});
export type MigrationListInput = z.input<typeof migrationListInput>;

/** The same list from a URL query string: numbers arrive as text. */
export const migrationListQuery = migrationListInput.extend({
  ...queryPageFields,
});

function searchWhere(search: string | undefined): Prisma.MigrationWhereInput {
  if (!search) return {};
  const id = asUuid(search);
  const text = { contains: search, mode: "insensitive" as const };
  return {
    OR: [
      ...(id ? [{ id }, { instanceId: id }, { intentId: id }] : []),
      { instance: { releaseName: text } },
      { instance: { shortId: { startsWith: search.toLowerCase() } } },
      { sourceCluster: text },
      { targetCluster: text },
      { backupName: text },
      { reason: text },
    ],
  };
}

export async function listMigrations(
  deps: MigrationQueryDeps,
  input: MigrationListInput,
): Promise<ListPage<MigrationRow>> {
  const { db, user } = deps;
  const scope = await migrationScope(db, user);
  const query = parseOrThrow(migrationListInput, input);
  const where: Prisma.MigrationWhereInput = {
    AND: [
      scope,
      query.state ? { state: query.state } : {},
      query.cluster ? { OR: [{ sourceCluster: query.cluster }, { targetCluster: query.cluster }] } : {},
      query.instanceId ? { instanceId: query.instanceId } : {},
      searchWhere(query.search),
    ],
  };
  const [total, rows] = await Promise.all([
    db.migration.count({ where }),
    db.migration.findMany({
      where,
      include: rowInclude,
      orderBy: [orderOf(query.sort, query.direction), { createdAt: "desc" }, { id: "asc" }],
      ...pageWindow(query),
    }),
  ]);
  return { items: rows.map(migrationRow), total, page: query.page, pageSize: query.pageSize };
}

export const instanceNotFound = () => new DomainError("not_found", "No such instance.");

/**
 * An instance the caller may see migrations of: admins any, service
 * providers their own; infrastructure providers any instance (the rows are
 * then narrowed to their clusters by the scope).
 */
export async function visibleInstance(db: Db, user: SessionUser, instanceId: string) {
  if (!isUuid(instanceId)) throw instanceNotFound();
  const instance = await db.workloadInstance.findUnique({
    where: { id: instanceId },
    select: {
      id: true,
      ownerId: true,
      status: true,
      placement: true,
      releaseName: true,
      cluster: { select: { name: true } },
    },
  });
  if (!instance) throw instanceNotFound();
  const admin = hasRole(user.roles, Role.NEMO_ADMIN);
  const owner = hasRole(user.roles, Role.SERVICE_PROVIDER) && instance.ownerId === user.id;
  const infra = hasRole(user.roles, Role.INFRASTRUCTURE_PROVIDER);
  if (!admin && !owner && !infra) throw instanceNotFound();
  return { ...instance, admin, owner };
}

/** An instance's migrations, newest first (the instance page's Migrations tab). */
export async function instanceMigrations(
  deps: MigrationQueryDeps,
  instanceId: string,
): Promise<MigrationRow[]> {
  const { db, user } = deps;
  const scope = await migrationScope(db, user);
  const instance = await visibleInstance(db, user, instanceId);
  const rows = await db.migration.findMany({
    where: instance.admin || instance.owner ? { instanceId } : { AND: [scope, { instanceId }] },
    include: rowInclude,
    orderBy: [{ createdAt: "desc" }, { id: "asc" }],
  });
  return rows.map(migrationRow);
}
