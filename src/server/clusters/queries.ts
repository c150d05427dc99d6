import { z } from "zod";
import type { Prisma } from "@/generated/prisma/client";
import { listInputSchema, type ListPage } from "@/common/pagination";
import { asUuid, pageWindow } from "@/server/db";
import { rolesForArea } from "@/common/areas";
import { describeRoles, hasAnyRole, Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth";
import type { ClusterJoinRequest } from "@/server/bus";
import type { Db } from "@/server/db";
import { serverEnv } from "@/server/env";
import { DomainError, parseOrThrow } from "@/server/errors";
import {
  clusterSummaryFor,
  clusterSummarySelect,
  joinRequestFor,
  seesClusterDetails,
  type ClusterSummary,
} from "./registration";

/**
 * The clusters catalogue (read side of registration): what the Resource Provisioning
 * table, the cluster detail and the metrics charts show. tRPC and REST both
 * call these functions, so scoping is decided once: an infrastructure
 * provider sees their own clusters, admins and service providers see every
 * cluster (service providers read-only: they choose where to deploy). Someone
 * else's cluster is "not found", so ids reveal nothing across tenants. Only
 * `clusterSummarySelect` is ever selected: the kubeconfig never leaves the
 * database through here. A cluster the caller sees but does not own (a
 * service provider's view) comes without its status reason, API URL and
 * kubeconfig content id (`clusterSummaryFor`), and neither a search nor the
 * endpoint sort may reach those URLs.
 */

const CLUSTER_ROLES = rolesForArea("clusters");

export const CLUSTER_SORT_FIELDS = [
  "id",
  "name",
  "status",
  "endpoint",
  "cpus",
  "storageGb",
  "memoryGb",
  "vramGb",
  "owner",
  "createdAt",
  "availability",
  "greenEnergy",
  "cost",
  "region",
] as const;
/**
 * `showInactive`: deregistered clusters are left out unless asked for (the
 * table's "Show inactive" switch, REST `?showInactive=true`).
 */
export const clusterListInput = listInputSchema(CLUSTER_SORT_FIELDS, "name").extend({
  showInactive: z.boolean({ error: "showInactive is true or false." }).default(false),
});
export type ClusterListInput = z.input<typeof clusterListInput>;
export type ClusterSortField = (typeof CLUSTER_SORT_FIELDS)[number];

export const clusterIdSchema = z.uuid({ error: "A cluster id is a UUID." });

function assertMaySeeClusters(actor: SessionUser): void {
  if (!hasAnyRole(actor.roles, CLUSTER_ROLES)) {
    throw new DomainError("forbidden", `This needs the ${describeRoles(CLUSTER_ROLES)} role.`);
  }
}

/** Admins and service providers see every cluster; infrastructure providers their own. */
function seesOthersClusters(actor: SessionUser): boolean {
  return hasAnyRole(actor.roles, [Role.NEMO_ADMIN, Role.SERVICE_PROVIDER]);
}

/** The clusters the actor may see (the caller has already passed `assertMaySeeClusters`). */
export function clusterScope(actor: SessionUser): Prisma.ClusterWhereInput {
  return seesOthersClusters(actor) ? {} : { ownerId: actor.id };
}

const SORT_ORDER: Record<
  ClusterSortField,
  (dir: Prisma.SortOrder) => Prisma.ClusterOrderByWithRelationInput
> = {
  id: (dir) => ({ id: dir }),
  name: (dir) => ({ name: dir }),
  status: (dir) => ({ status: dir }),
  endpoint: (dir) => ({ managedApi: dir }),
  cpus: (dir) => ({ cpus: dir }),
  storageGb: (dir) => ({ storageGb: dir }),
  memoryGb: (dir) => ({ memoryGb: dir }),
  vramGb: (dir) => ({ vramGb: dir }),
  owner: (dir) => ({ owner: { username: dir } }),
  createdAt: (dir) => ({ createdAt: dir }),
  availability: (dir) => ({ availabilityPct: dir }),
  greenEnergy: (dir) => ({ greenEnergyPct: dir }),
  cost: (dir) => ({ cost: dir }),
  region: (dir) => ({ region: dir }),
};

/** One page of the clusters the actor may see, searched by name, endpoint, owner or full id. */
export async function listClusters(
  db: Db,
  actor: SessionUser,
  input: unknown,
): Promise<ListPage<ClusterSummary>> {
  assertMaySeeClusters(actor);
  const query = parseOrThrow(clusterListInput, input ?? {});
  const uuid = asUuid(query.search);
  const admin = hasAnyRole(actor.roles, [Role.NEMO_ADMIN]);
  // Another provider's API URL is not the caller's to search (or to learn by elimination).
  const ownEndpoints: Prisma.ClusterWhereInput = admin ? {} : { ownerId: actor.id };
  const where: Prisma.ClusterWhereInput = {
    ...clusterScope(actor),
    ...(query.showInactive ? {} : { status: { not: "DEREGISTERED" } }),
    ...(query.search
      ? {
          OR: [
            { name: { contains: query.search, mode: "insensitive" } },
            { AND: [{ managedApi: { contains: query.search, mode: "insensitive" } }, ownEndpoints] },
            { owner: { username: { contains: query.search, mode: "insensitive" } } },
            { region: { contains: query.search, mode: "insensitive" } },
            ...(uuid ? [{ id: uuid }] : []),
          ],
        }
      : {}),
  };
  const dir = query.direction;
  // The order of URLs the caller may not read would leak them: those who see others' clusters sort by name.
  const sort = query.sort === "endpoint" && !admin && seesOthersClusters(actor) ? "name" : query.sort;
  const [total, rows] = await db.$transaction([
    db.cluster.count({ where }),
    db.cluster.findMany({
      where,
      orderBy: [SORT_ORDER[sort](dir), { id: dir }],
      ...pageWindow(query),
      select: clusterSummarySelect,
    }),
  ]);
  return {
    items: rows.map((row) => clusterSummaryFor(actor, row)),
    total,
    page: query.page,
    pageSize: query.pageSize,
  };
}

function clusterNotFound(): DomainError {
  return new DomainError("not_found", "No such cluster.", "id");
}

/** A cluster id from a URL: a malformed one names no cluster, so it is "not found" like an unknown one. */
export function clusterIdOrNotFound(id: unknown): string {
  const parsed = clusterIdSchema.safeParse(id);
  if (!parsed.success) throw clusterNotFound();
  return parsed.data;
}

async function findVisibleCluster(db: Db, actor: SessionUser, id: unknown) {
  assertMaySeeClusters(actor);
  const row = await db.cluster.findFirst({
    where: { AND: [{ id: clusterIdOrNotFound(id) }, clusterScope(actor)] },
    select: clusterSummarySelect,
  });
  if (!row) throw clusterNotFound();
  return row;
}

export async function getCluster(db: Db, actor: SessionUser, id: unknown): Promise<ClusterSummary> {
  return clusterSummaryFor(actor, await findVisibleCluster(db, actor, id));
}

/** The cluster as the Meta-Orchestrator records it (docs/protocol.md, `mo.join`: memory and VRAM in MB, "99.9%"). */
export type MoClusterRecord = Omit<ClusterJoinRequest, "id" | "timestamp">;

export interface ClusterPropertiesView {
  cluster: ClusterSummary;
  /** `managed_api` is null when the summary is `withheld`. */
  mo: Omit<MoClusterRecord, "managed_api"> & { managed_api: string | null };
  /** Capacity in the units the usage metrics use (CPU in millicores). */
  capacity: { cpuMilli: number; memoryGb: number; storageGb: number };
  /** How often the collector samples usage (the charts' empty state says so). */
  metricsPeriodMs: number;
}

export async function getClusterProperties(
  db: Db,
  actor: SessionUser,
  id: unknown,
): Promise<ClusterPropertiesView> {
  const row = await findVisibleCluster(db, actor, id);
  const cluster = clusterSummaryFor(actor, row);
  const { id: _operation, timestamp: _at, ...mo } = joinRequestFor(row, "");
  return {
    cluster,
    mo: seesClusterDetails(actor, row) ? mo : { ...mo, managed_api: null },
    capacity: { cpuMilli: cluster.cpus * 1000, memoryGb: cluster.memoryGb, storageGb: cluster.storageGb },
    metricsPeriodMs: serverEnv().METRICS_PERIOD_MS,
  };
}

export const METRICS_RANGES = ["live", "hour", "day"] as const;
export type MetricsRange = (typeof METRICS_RANGES)[number];

/** How far back each range looks. */
export const METRICS_WINDOW_MS: Record<MetricsRange, number> = {
  live: 5 * 60_000,
  hour: 60 * 60_000,
  day: 24 * 60 * 60_000,
};

/** A chart has a few hundred points at most: longer windows average samples into buckets. */
export const MAX_METRIC_POINTS = 360;

export const clusterMetricsInput = z.object({
  clusterId: clusterIdSchema,
  range: z.enum(METRICS_RANGES, { error: "Range is live, hour or day." }).default("live"),
});
export type ClusterMetricsInput = z.input<typeof clusterMetricsInput>;

export interface ClusterMetricPoint {
  /** Start of the bucket (the sample's time when a bucket holds one sample). */
  sampledAt: Date;
  cpuUsageMilli: number;
  memoryUsagePct: number;
  diskUsagePct: number;
  /** How many samples were averaged into this point. */
  samples: number;
}

export interface ClusterMetrics {
  clusterId: string;
  range: MetricsRange;
  from: Date;
  to: Date;
  bucketMs: number;
  /** Ordered by time, oldest first. */
  points: ClusterMetricPoint[];
  /** The most recent sample of the cluster, whatever the range (the live values). */
  latest: Omit<ClusterMetricPoint, "samples"> | null;
  capacity: { cpuMilli: number };
  metricsPeriodMs: number;
}

interface BucketRow {
  bucket: Date;
  cpu: number;
  memory: number;
  disk: number;
  samples: bigint;
}

export async function getClusterMetrics(
  db: Db,
  actor: SessionUser,
  input: unknown,
  now: Date = new Date(),
): Promise<ClusterMetrics> {
  const query = parseOrThrow(clusterMetricsInput, input);
  const cluster = await findVisibleCluster(db, actor, query.clusterId);
  const windowMs = METRICS_WINDOW_MS[query.range];
  const from = new Date(now.getTime() - windowMs);
  const bucketMs = Math.ceil(windowMs / MAX_METRIC_POINTS);
  // date_bin aligns buckets to the epoch, so a point keeps its place while the window slides.
  const [buckets, latest] = await Promise.all([
    db.$queryRaw<BucketRow[]>`
      SELECT date_bin(${`${bucketMs} milliseconds`}::interval, sampled_at, TIMESTAMPTZ 'epoch') AS bucket,
             avg(cpu_usage_milli)::float8 AS cpu,
             avg(memory_usage_pct)::float8 AS memory,
             avg(disk_usage_pct)::float8 AS disk,
             count(*) AS samples
        FROM cluster_metric_samples
       WHERE cluster_id = ${cluster.id}::uuid AND sampled_at > ${from} AND sampled_at <= ${now}
       GROUP BY bucket
       ORDER BY bucket`,
    db.clusterMetricSample.findFirst({
      where: { clusterId: cluster.id },
      orderBy: { sampledAt: "desc" },
      select: { sampledAt: true, cpuUsageMilli: true, memoryUsagePct: true, diskUsagePct: true },
    }),
  ]);
  return {
    clusterId: cluster.id,
    range: query.range,
    from,
    to: now,
    bucketMs,
    points: buckets.map((row) => ({
      sampledAt: row.bucket,
      cpuUsageMilli: row.cpu,
      memoryUsagePct: row.memory,
      diskUsagePct: row.disk,
      samples: Number(row.samples),
    })),
    latest,
    capacity: { cpuMilli: cluster.cpus * 1000 },
    metricsPeriodMs: serverEnv().METRICS_PERIOD_MS,
  };
}
