import type { InstanceStatus } from "@/generated/prisma/enums";
import { hasAnyRole, hasRole, Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth";
import {
  clusterIdOrNotFound,
  clusterSummarySelect,
  storedRequests,
  toClusterSummary,
  type ClusterSummary,
} from "@/server/clusters";
import type { Db } from "@/server/db";
import { DomainError } from "@/server/errors";
import { logger, type Logger } from "@/server/logger";
import type { ClusterCandidate } from "@/server/placement";
import { selectionInputs } from "./inputs";
import { HIDDEN_CLUSTER, hiddenTerms, redactor } from "./queries";
import { startMigration } from "./store";
import { selectMigrationTarget } from "./target-selection";

/**
 * Cluster drain: the cluster's infrastructure provider (or an admin) cordons
 * it — placement and migrations put nothing new on it (the placement filter
 * `Cordoned`) — and every DEPLOYED instance on it starts a migration away
 * through `startMigration`, the entry "Migrate now" and the controller use,
 * with the trigger "Cluster <name> drained by <user>". An instance no other
 * cluster can take stays and is reported with the target selection's
 * `reasonIfNone`; draining again retries what is still there. Uncordon lifts
 * the cordon. The drain's progress is read from the database each time
 * (`clusterDrainStatus`): what left the cluster through a completed migration
 * since the drain started, and what is still on it, each with its state.
 */

export interface DrainDeps {
  db: Db;
  user: SessionUser;
  log?: Logger;
  /** Step timeout of the migrations started (default MIGRATION_STEP_TIMEOUT_MS). */
  stepTimeoutMs?: number;
  /** The clock (tests inject one). */
  now?: () => Date;
}

export type DrainInstanceState = "moved" | "migrating" | "stuck" | "waiting" | "running";

export interface DrainInstance {
  id: string;
  shortId: string;
  releaseName: string;
  status: InstanceStatus;
  /**
   * moved: it left through a migration since the drain started; migrating: a
   * migration of it is in flight; stuck: DEPLOYED here and nothing moves it
   * (`reason` says why); waiting: not DEPLOYED (deploying, deleting, failed),
   * so no migration can start; running: the cluster is not being drained.
   */
  state: DrainInstanceState;
  /** Where it went or is going; another provider's cluster reads HIDDEN_CLUSTER. */
  cluster: string | null;
  migrationId: string | null;
  reason: string | null;
}

export interface ClusterDrainStatus {
  clusterId: string;
  cluster: string;
  cordoned: boolean;
  drainStartedAt: Date | null;
  drainedBy: string | null;
  /** Instances the drain concerns: moved + still on the cluster. */
  total: number;
  moved: number;
  /** Still on the cluster (in any state but DELETED). */
  remaining: number;
  /** Cordoned and nothing left on it: it can be deregistered. */
  done: boolean;
  /** Still on the cluster first (in release-name order), then the moved ones. */
  instances: DrainInstance[];
}

const MANAGE_ROLES = [Role.NEMO_ADMIN, Role.INFRASTRUCTURE_PROVIDER];

function clusterNotFound(): DomainError {
  return new DomainError("not_found", "No such cluster.", "id");
}

/** The cluster, if the caller manages it (admins: any); another provider's is "not found". */
async function managedCluster(db: Db, user: SessionUser, id: unknown) {
  if (!hasAnyRole(user.roles, MANAGE_ROLES))
    throw new DomainError("forbidden", "Only infrastructure providers and NEMO admins can drain clusters.");
  const clusterId = clusterIdOrNotFound(id);
  const cluster = await db.cluster.findUnique({ where: { id: clusterId }, select: clusterSummarySelect });
  if (!cluster) throw clusterNotFound();
  if (!hasRole(user.roles, Role.NEMO_ADMIN) && cluster.ownerId !== user.id) throw clusterNotFound();
  return cluster;
}

interface Claim {
  cpuMillicores: number;
  memoryBytes: number;
  gpus: number;
  count: number;
}

/**
 * What migrations in flight will put on their targets: the placement
 * candidates count an instance on its cluster only once it moved, so without
 * these a drain would send every instance to the same roomiest cluster.
 */
async function inFlightClaims(db: Db): Promise<Map<string, Claim>> {
  const active = await db.migration.findMany({
    where: { activeInstanceId: { not: null } },
    select: { targetCluster: true, instance: { select: { placement: true } } },
  });
  const claims = new Map<string, Claim>();
  for (const m of active) addClaim(claims, m.targetCluster, m.instance.placement);
  return claims;
}

function addClaim(claims: Map<string, Claim>, cluster: string, placement: unknown): void {
  const requests = storedRequests(placement);
  const claim = claims.get(cluster) ?? { cpuMillicores: 0, memoryBytes: 0, gpus: 0, count: 0 };
  claim.cpuMillicores += requests.cpuMillicores;
  claim.memoryBytes += requests.memoryBytes;
  claim.gpus += requests.gpus;
  claim.count += 1;
  claims.set(cluster, claim);
}

function withClaims(clusters: readonly ClusterCandidate[], claims: Map<string, Claim>): ClusterCandidate[] {
  return clusters.map((c) => {
    const claim = claims.get(c.name);
    if (!claim) return c;
    return {
      ...c,
      allocated: {
        cpuMillicores: c.allocated.cpuMillicores + claim.cpuMillicores,
        memoryBytes: c.allocated.memoryBytes + claim.memoryBytes,
        gpus: (c.allocated.gpus ?? 0) + claim.gpus,
      },
      instanceCount: c.instanceCount + claim.count,
    };
  });
}

/**
 * Drains a cluster: cordons it (keeping the first drain's start while it stays
 * cordoned) and starts a migration away for every DEPLOYED instance on it that
 * has none in flight. Idempotent: draining again retries what is still there.
 * Returns the drain's progress.
 */
export async function drainCluster(deps: DrainDeps, id: unknown): Promise<ClusterDrainStatus> {
  const { db, user } = deps;
  const now = (deps.now ?? (() => new Date()))();
  const cluster = await managedCluster(db, user, id);
  const log = (deps.log ?? logger).child({ cluster: cluster.name, by: user.username });
  if (cluster.status === "DEREGISTERED")
    throw new DomainError("conflict", `Cluster ${cluster.name} is deregistered: there is nothing to drain.`);

  await db.cluster.update({
    where: { id: cluster.id },
    data: {
      cordoned: true,
      drainStartedAt: cluster.cordoned && cluster.drainStartedAt ? cluster.drainStartedAt : now,
      drainedBy: user.username,
    },
  });
  log.info(`Cluster ${cluster.name} cordoned and drained by ${user.username}`);

  const instances = await db.workloadInstance.findMany({
    where: {
      clusterId: cluster.id,
      status: "DEPLOYED",
      migrations: { none: { activeInstanceId: { not: null } } },
    },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: { id: true, releaseName: true, placement: true },
  });
  const claims = await inFlightClaims(db);
  const trigger = `Cluster ${cluster.name} drained by ${user.username}`;
  for (const instance of instances) {
    const inputs = await selectionInputs(
      db,
      { id: instance.id, placement: instance.placement, currentCluster: cluster.name },
      now,
    );
    const selection = selectMigrationTarget({ ...inputs, clusters: withClaims(inputs.clusters, claims) });
    const target = selection.target;
    if (target === null) {
      log.warn(
        { instance: instance.id, reason: selection.reasonIfNone },
        `Instance ${instance.releaseName} cannot leave ${cluster.name}: ${selection.reasonIfNone ?? "no target"}`,
      );
      continue;
    }
    const started = await db.$transaction((tx) =>
      startMigration(tx, {
        instanceId: instance.id,
        sourceCluster: cluster.name,
        targetCluster: target,
        intentId: null,
        actor: user.username,
        trigger,
        cause: { kind: "request", requestedBy: user.username, drainedCluster: cluster.name },
        stepTimeoutMs: deps.stepTimeoutMs,
      }),
    );
    if (!started.ok) {
      log.info({ instance: instance.id }, `Instance ${instance.releaseName} not moved: ${started.conflict}`);
      continue;
    }
    addClaim(claims, target, instance.placement);
    log.info(
      { instance: instance.id, migration: started.migration.id, target },
      `Migration of ${instance.releaseName} from ${cluster.name} to ${target} started (${trigger})`,
    );
  }
  return drainStatusOf(deps, cluster, now);
}

/** Lifts the cordon: the cluster takes placements again. Migrations in flight carry on. */
export async function uncordonCluster(deps: DrainDeps, id: unknown): Promise<ClusterSummary> {
  const { db, user } = deps;
  const cluster = await managedCluster(db, user, id);
  const row = await db.cluster.update({
    where: { id: cluster.id },
    data: { cordoned: false, drainStartedAt: null, drainedBy: null },
    select: clusterSummarySelect,
  });
  (deps.log ?? logger).info(
    { cluster: cluster.name, by: user.username },
    `Cluster ${cluster.name} uncordoned by ${user.username}`,
  );
  return toClusterSummary(row);
}

/** The drain's progress (admins and the cluster's provider; anyone else: not found). */
export async function clusterDrainStatus(deps: DrainDeps, id: unknown): Promise<ClusterDrainStatus> {
  const cluster = await managedCluster(deps.db, deps.user, id);
  return drainStatusOf(deps, cluster, (deps.now ?? (() => new Date()))());
}

type ManagedCluster = Awaited<ReturnType<typeof managedCluster>>;

const WAITING_REASON: Partial<Record<InstanceStatus, string>> = {
  CREATED: "It is not deployed yet; drain again once it is DEPLOYED.",
  RENDERED: "It is not deployed yet; drain again once it is DEPLOYED.",
  DEPLOYING: "It is still deploying; drain again once it is DEPLOYED.",
  DELETING: "It is being deleted.",
  FAILED: "It is FAILED: delete it, or retry it elsewhere.",
};

async function drainStatusOf(
  deps: DrainDeps,
  cluster: ManagedCluster,
  now: Date,
): Promise<ClusterDrainStatus> {
  const { db, user } = deps;
  const current = await db.cluster.findUniqueOrThrow({
    where: { id: cluster.id },
    select: { cordoned: true, drainStartedAt: true, drainedBy: true, name: true },
  });
  const onCluster = await db.workloadInstance.findMany({
    where: { clusterId: cluster.id, status: { not: "DELETED" } },
    orderBy: [{ releaseName: "asc" }, { id: "asc" }],
    select: { id: true, shortId: true, releaseName: true, status: true, placement: true },
  });
  const since = current.cordoned ? current.drainStartedAt : null;
  const ids = onCluster.map((i) => i.id);
  const [active, ended, completed] = await Promise.all([
    db.migration.findMany({
      where: { activeInstanceId: { in: ids } },
      select: { id: true, instanceId: true, targetCluster: true, state: true },
    }),
    since
      ? db.migration.findMany({
          where: {
            instanceId: { in: ids },
            sourceCluster: current.name,
            state: { in: ["FAILED", "ROLLED_BACK"] },
            createdAt: { gte: since },
          },
          orderBy: { createdAt: "desc" },
          select: { id: true, instanceId: true, targetCluster: true, state: true, reason: true },
        })
      : Promise.resolve([]),
    since
      ? db.migration.findMany({
          where: {
            sourceCluster: current.name,
            state: "COMPLETED",
            createdAt: { gte: since },
            instance: { OR: [{ clusterId: null }, { clusterId: { not: cluster.id } }] },
          },
          orderBy: { createdAt: "asc" },
          select: {
            id: true,
            instance: {
              select: {
                id: true,
                shortId: true,
                releaseName: true,
                status: true,
                cluster: { select: { name: true } },
              },
            },
          },
        })
      : Promise.resolve([]),
  ]);
  const name = await clusterNamer(db, user);
  const activeOf = new Map(active.map((m) => [m.instanceId, m]));
  const lastFailure = new Map<string, (typeof ended)[number]>();
  for (const m of ended) if (!lastFailure.has(m.instanceId)) lastFailure.set(m.instanceId, m);

  const instances: DrainInstance[] = [];
  for (const instance of onCluster) {
    const base = {
      id: instance.id,
      shortId: instance.shortId,
      releaseName: instance.releaseName,
      status: instance.status,
    };
    const migration = activeOf.get(instance.id);
    if (migration) {
      instances.push({
        ...base,
        state: "migrating",
        cluster: name.cluster(migration.targetCluster),
        migrationId: migration.id,
        reason: `Migrating to ${name.cluster(migration.targetCluster)} (${migration.state})`,
      });
    } else if (!current.cordoned) {
      instances.push({ ...base, state: "running", cluster: null, migrationId: null, reason: null });
    } else if (instance.status !== "DEPLOYED") {
      instances.push({
        ...base,
        state: "waiting",
        cluster: null,
        migrationId: null,
        reason: WAITING_REASON[instance.status] ?? `It is ${instance.status}.`,
      });
    } else {
      const failure = lastFailure.get(instance.id);
      let reason: string;
      if (failure) {
        reason = name.text(
          `The migration to ${failure.targetCluster} ended ${failure.state}: ${failure.reason ?? "no reason recorded"}. Drain again to retry.`,
        );
      } else {
        const inputs = await selectionInputs(
          db,
          { id: instance.id, placement: instance.placement, currentCluster: current.name },
          now,
        );
        const selection = selectMigrationTarget(inputs);
        reason =
          selection.target === null
            ? name.text(selection.reasonIfNone ?? "No cluster can take it.")
            : `A cluster can take it now (${name.cluster(selection.target)}): drain again to move it.`;
      }
      instances.push({ ...base, state: "stuck", cluster: null, migrationId: null, reason });
    }
  }
  const seen = new Set<string>();
  const moved: DrainInstance[] = [];
  for (const m of completed) {
    if (seen.has(m.instance.id)) continue;
    seen.add(m.instance.id);
    if (m.instance.status === "DELETED") continue;
    moved.push({
      id: m.instance.id,
      shortId: m.instance.shortId,
      releaseName: m.instance.releaseName,
      status: m.instance.status,
      state: "moved",
      cluster: m.instance.cluster ? name.cluster(m.instance.cluster.name) : null,
      migrationId: m.id,
      reason: null,
    });
  }
  return {
    clusterId: cluster.id,
    cluster: current.name,
    cordoned: current.cordoned,
    drainStartedAt: current.drainStartedAt,
    drainedBy: current.drainedBy,
    total: moved.length + onCluster.length,
    moved: moved.length,
    remaining: onCluster.length,
    done: current.cordoned && onCluster.length === 0,
    instances: [...instances, ...moved],
  };
}

/**
 * How cluster names reach this caller: an admin reads every name; an
 * infrastructure provider only their own, another provider's cluster (its
 * name and endpoint) reads HIDDEN_CLUSTER, in fields and in sentences alike.
 */
async function clusterNamer(
  db: Db,
  user: SessionUser,
): Promise<{ cluster: (name: string) => string; text: (text: string) => string }> {
  if (hasRole(user.roles, Role.NEMO_ADMIN)) return { cluster: (n) => n, text: (t) => t };
  const others = await db.cluster.findMany({
    where: { ownerId: { not: user.id } },
    select: { name: true, managedApi: true },
  });
  const hidden = new Set(others.map((c) => c.name));
  const redact = redactor(others.flatMap((c) => hiddenTerms(c.name, c.managedApi)));
  return { cluster: (n) => (hidden.has(n) ? HIDDEN_CLUSTER : n), text: redact };
}
