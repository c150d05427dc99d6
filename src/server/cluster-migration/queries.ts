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
import { HIDDEN_CLUSTER_LABEL } from "@/common/migration-status";
import { hiddenTrigger, triggerView, type MigrationTriggerView } from "./trigger";

/**
 * The read side of migrations: the Migrations table (every migration the
 * caller may see) and an instance's migrations (its page's tab).
 *
 * Who sees what:
 * - NEMO admins: every migration.
 * - Service providers: migrations of their own instances.
 * - Infrastructure providers: migrations that leave or reach one of their
 *   clusters (they see workloads arrive on and leave their infrastructure, not
 *   whose they are beyond the instance's release name). Such a row is a
 *   *partial* view: the other end, when it is another provider's cluster, is
 *   null with a `…ClusterHidden` flag, and its name, endpoint and its own
 *   step messages are taken out of the text (reason, steps, backup name), so
 *   one provider learns nothing about another's infrastructure. Searching,
 *   filtering and sorting by cluster only ever match the names the row shows.
 *   Whatever their clusters, the trigger says only "Intent-triggered": the
 *   intent (id, target, values, report) is the tenant's.
 * A user with several roles sees the union; an admin or the instance's owner
 * sees every row in full.
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
  /** The intent that triggered it; null for "Migrate now", and in a partial view (`trigger.detailsHidden`). */
  intentId: string | null;
  /**
   * Why it started: the intent and the target its cluster failed (observed
   * value), or who asked. A partial view says only "Intent-triggered". Null
   * for rows from before that record neither.
   */
  trigger: MigrationTriggerView | null;
  /** Null when it is another provider's cluster the caller may not name (`sourceClusterHidden`). */
  sourceCluster: string | null;
  sourceClusterHidden: boolean;
  /** Null when it is another provider's cluster the caller may not name (`targetClusterHidden`). */
  targetCluster: string | null;
  targetClusterHidden: boolean;
  state: MigrationStateName;
  /** Why it failed or was rolled back. */
  reason: string | null;
  /** Named after the source cluster: null when the source is hidden. */
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

const rowInclude = { instance: { select: { shortId: true, releaseName: true, ownerId: true } } } as const;
type StoredRow = Prisma.MigrationGetPayload<{ include: typeof rowInclude }>;

/** The full row (admins, the instance's owner). */
export function migrationRow(row: StoredRow): MigrationRow {
  const steps = parseSteps(row.steps);
  return {
    id: row.id,
    instanceId: row.instanceId,
    instanceShortId: row.instance.shortId,
    releaseName: row.instance.releaseName,
    intentId: row.intentId,
    trigger: triggerView(row.trigger, { intentId: row.intentId, steps }),
    sourceCluster: row.sourceCluster,
    sourceClusterHidden: false,
    targetCluster: row.targetCluster,
    targetClusterHidden: false,
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

/** What is said instead of another provider's cluster (its name, endpoint or host). */
export const HIDDEN_CLUSTER = HIDDEN_CLUSTER_LABEL;

/** Who is looking: what they may see in full and which cluster names they may read. */
export interface MigrationViewer {
  user: SessionUser;
  admin: boolean;
  /** Sees their own instances' migrations in full. */
  serviceProvider: boolean;
  /** The names of the caller's own clusters (infrastructure providers). */
  ownedClusters: ReadonlySet<string>;
  /** The rows the caller may see, as a where clause. */
  scope: Prisma.MigrationWhereInput;
}

/** The caller as a migration viewer; forbidden for a user without a console role. */
export async function migrationViewer(db: Db, user: SessionUser): Promise<MigrationViewer> {
  if (!hasAnyRole(user.roles, MIGRATION_ROLES))
    throw new DomainError(
      "forbidden",
      "Only NEMO admins, service and infrastructure providers can see migrations.",
    );
  const admin = hasRole(user.roles, Role.NEMO_ADMIN);
  const serviceProvider = hasRole(user.roles, Role.SERVICE_PROVIDER);
  const owned =
    !admin && hasRole(user.roles, Role.INFRASTRUCTURE_PROVIDER)
      ? (await db.cluster.findMany({ where: { ownerId: user.id }, select: { name: true } })).map(
          (c) => c.name,
        )
      : [];
  const or: Prisma.MigrationWhereInput[] = [];
  if (serviceProvider) or.push({ instance: { ownerId: user.id } });
  if (owned.length > 0) or.push({ sourceCluster: { in: owned } }, { targetCluster: { in: owned } });
  // Nothing matches an empty OR in Prisma; say so explicitly.
  const scope: Prisma.MigrationWhereInput = admin ? {} : or.length > 0 ? { OR: or } : { id: { in: [] } };
  return { user, admin, serviceProvider, ownedClusters: new Set(owned), scope };
}

/** The migrations `user` may see, as a where clause; forbidden for a user without a console role. */
export async function migrationScope(db: Db, user: SessionUser): Promise<Prisma.MigrationWhereInput> {
  return (await migrationViewer(db, user)).scope;
}

/** The caller sees the row in full: an admin, or the instance's owner (a service provider). */
function seesInFull(viewer: MigrationViewer, row: StoredRow): boolean {
  return viewer.admin || (viewer.serviceProvider && row.instance.ownerId === viewer.user.id);
}

/**
 * Where `field` (a cluster name column) may be matched for this caller: any
 * row they see in full, otherwise only when it names one of their clusters.
 * Keeps a search, filter or sort from probing another provider's names.
 */
function nameReadable(
  viewer: MigrationViewer,
  field: "sourceCluster" | "targetCluster",
): Prisma.MigrationWhereInput {
  if (viewer.admin) return {};
  const or: Prisma.MigrationWhereInput[] = [{ [field]: { in: [...viewer.ownedClusters] } }];
  if (viewer.serviceProvider) or.push({ instance: { ownerId: viewer.user.id } });
  return { OR: or };
}

/** A cluster name as it may appear in text: as written, and as a backup name spells it. */
function slug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, "-")
    .replace(/^-+|-+$/g, "");
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Replaces each term where it stands alone (not inside a longer name) with HIDDEN_CLUSTER. */
export function redactor(terms: readonly string[]): (text: string) => string {
  const unique = [...new Set(terms.filter((t) => t.length > 0))].sort((a, b) => b.length - a.length);
  if (unique.length === 0) return (text) => text;
  const pattern = new RegExp(
    `(?<![A-Za-z0-9_.-])(?:${unique.map(escapeRegExp).join("|")})(?![A-Za-z0-9_-]|\\.[A-Za-z0-9])`,
    "gi",
  );
  return (text) => text.replace(pattern, HIDDEN_CLUSTER);
}

/** How a hidden cluster can show up in a message: name, backup-name spelling, endpoint and its host. */
export function hiddenTerms(name: string, endpoint: string | undefined): string[] {
  const terms = [name, slug(name)];
  if (endpoint) {
    terms.push(endpoint);
    try {
      const url = new URL(endpoint);
      terms.push(url.host, url.hostname);
    } catch {
      // Not a URL: the text itself is the only form.
    }
  }
  return terms;
}

/**
 * The row as `viewer` may see it. A partial view (an infrastructure provider
 * looking at another tenant's instance) names only the caller's own clusters;
 * the other end is null + flag, steps that happened there say only what
 * happened, and every other text has that cluster's name and endpoint
 * replaced.
 */
function viewedRow(
  viewer: MigrationViewer,
  endpoints: ReadonlyMap<string, string>,
  row: StoredRow,
): MigrationRow {
  const whole = migrationRow(row);
  if (seesInFull(viewer, row)) return whole;
  // Another tenant's intents (their targets, values, ids) are theirs: the provider learns only that one triggered it.
  const full = withoutIntent(whole);
  const sourceHidden = !viewer.ownedClusters.has(row.sourceCluster);
  const targetHidden = !viewer.ownedClusters.has(row.targetCluster);
  if (!sourceHidden && !targetHidden) return full;
  const hidden = [...(sourceHidden ? [row.sourceCluster] : []), ...(targetHidden ? [row.targetCluster] : [])];
  const redact = redactor([
    ...hidden.flatMap((name) => hiddenTerms(name, endpoints.get(name))),
    // The backup is named after the source: its name would spell the hidden source out.
    ...(sourceHidden && full.backupName ? [full.backupName] : []),
  ]);
  const hiddenSet = new Set(hidden);
  return {
    ...full,
    sourceCluster: sourceHidden ? null : row.sourceCluster,
    sourceClusterHidden: sourceHidden,
    targetCluster: targetHidden ? null : row.targetCluster,
    targetClusterHidden: targetHidden,
    reason: full.reason === null ? null : redact(full.reason),
    // A drain's trigger names the drained (source) cluster.
    trigger: full.trigger === null ? null : { ...full.trigger, summary: redact(full.trigger.summary) },
    backupName: sourceHidden ? null : full.backupName,
    steps: full.steps.map((step) => {
      if (step.cluster === undefined || !hiddenSet.has(step.cluster))
        return { ...step, message: redact(step.message) };
      // What happened over there is that provider's business: the state says enough.
      const { cluster: _hidden, ...rest } = step;
      return { ...rest, message: `${step.state} on ${HIDDEN_CLUSTER}` };
    }),
  };
}

/** The row without its intent's details: no id (not in the step texts either), no target, no report. */
function withoutIntent(row: MigrationRow): MigrationRow {
  const id = row.intentId;
  const unnamed = (text: string) => (id === null ? text : text.split(`intent ${id}`).join("an intent"));
  return {
    ...row,
    intentId: null,
    trigger: hiddenTrigger(row.trigger),
    steps: row.steps.map((step) => ({ ...step, message: unnamed(step.message) })),
  };
}

/** The rows as `viewer` may see them (the endpoints of hidden clusters are loaded to take them out of the text). */
async function viewedRows(db: Db, viewer: MigrationViewer, rows: StoredRow[]): Promise<MigrationRow[]> {
  const hidden = new Set<string>();
  for (const row of rows) {
    if (seesInFull(viewer, row)) continue;
    for (const name of [row.sourceCluster, row.targetCluster])
      if (!viewer.ownedClusters.has(name)) hidden.add(name);
  }
  const endpoints = new Map<string, string>();
  if (hidden.size > 0) {
    const clusters = await db.cluster.findMany({
      where: { name: { in: [...hidden] } },
      select: { name: true, managedApi: true },
    });
    for (const c of clusters) endpoints.set(c.name, c.managedApi);
  }
  return rows.map((row) => viewedRow(viewer, endpoints, row));
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

function searchWhere(viewer: MigrationViewer, search: string | undefined): Prisma.MigrationWhereInput {
  if (!search) return {};
  const id = asUuid(search);
  const text = { contains: search, mode: "insensitive" as const };
  const source = nameReadable(viewer, "sourceCluster");
  const target = nameReadable(viewer, "targetCluster");
  return {
    OR: [
      ...(id ? [{ id }, { instanceId: id }, { intentId: id }] : []),
      { instance: { releaseName: text } },
      { instance: { shortId: { startsWith: search.toLowerCase() } } },
      // Text that may name a hidden cluster matches only where the row shows it.
      { AND: [{ sourceCluster: text }, source] },
      { AND: [{ targetCluster: text }, target] },
      { AND: [{ backupName: text }, source] },
      { AND: [{ reason: text }, source, target] },
    ],
  };
}

/** Migrations leaving or reaching `cluster`, where the row may name it. */
function clusterWhere(viewer: MigrationViewer, cluster: string | undefined): Prisma.MigrationWhereInput {
  if (!cluster) return {};
  return {
    OR: [
      { AND: [{ sourceCluster: cluster }, nameReadable(viewer, "sourceCluster")] },
      { AND: [{ targetCluster: cluster }, nameReadable(viewer, "targetCluster")] },
    ],
  };
}

export async function listMigrations(
  deps: MigrationQueryDeps,
  input: MigrationListInput,
): Promise<ListPage<MigrationRow>> {
  const { db, user } = deps;
  const viewer = await migrationViewer(db, user);
  const query = parseOrThrow(migrationListInput, input);
  const where: Prisma.MigrationWhereInput = {
    AND: [
      viewer.scope,
      query.state ? { state: query.state } : {},
      clusterWhere(viewer, query.cluster),
      query.instanceId ? { instanceId: query.instanceId } : {},
      searchWhere(viewer, query.search),
    ],
  };
  // The order of hidden names would leak them: a caller who may get partial rows sorts those columns by date.
  const partial = !viewer.admin && viewer.ownedClusters.size > 0;
  const sort =
    partial && (query.sort === "sourceCluster" || query.sort === "targetCluster") ? "createdAt" : query.sort;
  const [total, rows] = await Promise.all([
    db.migration.count({ where }),
    db.migration.findMany({
      where,
      include: rowInclude,
      orderBy: [orderOf(sort, query.direction), { createdAt: "desc" }, { id: "asc" }],
      ...pageWindow(query),
    }),
  ]);
  return { items: await viewedRows(db, viewer, rows), total, page: query.page, pageSize: query.pageSize };
}

export const instanceNotFound = () => new DomainError("not_found", "No such instance.");

/**
 * An instance the caller may act on or judge as an admin or its owner (a
 * service provider); anyone else gets "not found", like an unknown id.
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
  if (!admin && !owner) throw instanceNotFound();
  return { ...instance, admin, owner };
}

/**
 * An instance's migrations, newest first (the instance page's Migrations
 * tab). Admins and the owner see them all; an infrastructure provider sees
 * the instance when it runs on one of their clusters or a migration of it
 * touches one, and then only those migrations; for anyone else it is "not
 * found" (as an unknown id), never an empty list that would confirm it exists.
 */
export async function instanceMigrations(
  deps: MigrationQueryDeps,
  instanceId: string,
): Promise<MigrationRow[]> {
  const { db, user } = deps;
  const viewer = await migrationViewer(db, user);
  if (!isUuid(instanceId)) throw instanceNotFound();
  const instance = await db.workloadInstance.findUnique({
    where: { id: instanceId },
    select: { ownerId: true, cluster: { select: { name: true } } },
  });
  if (!instance) throw instanceNotFound();
  const full = viewer.admin || (viewer.serviceProvider && instance.ownerId === user.id);
  const hosted = instance.cluster !== null && viewer.ownedClusters.has(instance.cluster.name);
  const rows = await db.migration.findMany({
    where: full ? { instanceId } : { AND: [viewer.scope, { instanceId }] },
    include: rowInclude,
    orderBy: [{ createdAt: "desc" }, { id: "asc" }],
  });
  if (!full && !hosted && rows.length === 0) throw instanceNotFound();
  return viewedRows(db, viewer, rows);
}

/**
 * Cluster names for the Orchestration page's filter: every registered cluster
 * for admins and service providers (who see them all on Resource
 * Provisioning), an infrastructure provider's own otherwise.
 */
export async function migrationClusterNames(deps: MigrationQueryDeps): Promise<string[]> {
  const { db, user } = deps;
  const viewer = await migrationViewer(db, user);
  const everyCluster = viewer.admin || viewer.serviceProvider;
  const rows = await db.cluster.findMany({
    where: { status: { not: "DEREGISTERED" }, ...(everyCluster ? {} : { ownerId: user.id }) },
    orderBy: { name: "asc" },
    select: { name: true },
  });
  return rows.map((c) => c.name);
}
