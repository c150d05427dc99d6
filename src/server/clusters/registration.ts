import { randomUUID } from "node:crypto";
import type { Prisma } from "@/generated/prisma/client";
import type { Cluster } from "@/generated/prisma/client";
import { enqueueOutbox, messages, type ClusterJoinRequest } from "@/server/bus";
import { hasAnyRole, Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth";
import type { Db } from "@/server/db";
import { DomainError, parseOrThrow } from "@/server/errors";
import { logger } from "@/server/logger";
import { sealSecret } from "@/server/secrets";
import { parseKubeconfig } from "./kubeconfig";
import { networkPolicyFromEnv, serverUrlProblem } from "./network-policy";
import { DEFAULT_REGION, registerClusterInputSchema } from "@/common/cluster-registration";
import { ON_CLUSTER_STATUSES } from "@/common/instance-status";

/**
 * Cluster registration: the console saves the cluster PENDING with its
 * kubeconfig sealed, and in the same transaction queues the `join` request for
 * the Meta-Orchestrator (outbox), which answers with ok / error (join.ts).
 */

export {
  AVAILABILITY_OPTIONS,
  COST_CLASSES,
  GREEN_ENERGY_OPTIONS,
  MAX_KUBECONFIG_BYTES,
  registerClusterInputSchema,
  type RegisterClusterInput,
} from "@/common/cluster-registration";

/** What any API may return about a cluster: never the kubeconfig. */
export interface ClusterSummary {
  id: string;
  shortId: string;
  name: string;
  status: Cluster["status"];
  /** Null when `withheld` (as it is for PENDING and OK clusters). */
  statusReason: string | null;
  /** The cluster's API URL; null when `withheld`. */
  managedApi: string | null;
  driver: Cluster["driver"];
  cpus: number;
  memoryGb: number;
  storageGb: number;
  vramGb: number;
  availabilityPct: number;
  greenEnergyPct: number;
  cost: Cluster["cost"];
  cpuBaseRate: number;
  memoryBaseRate: number;
  kubeconfigContentId: string | null;
  /** Where the cluster is, as its provider registered it ("default" when not given); names its pricing data. */
  region: string;
  /** Grid carbon intensity, gCO2e/kWh (null: not given); `gridIntensityHourly` overrides it per UTC hour. */
  gridIntensity: number | null;
  gridIntensityHourly: number[];
  /** Drained: takes no new placements until uncordoned. */
  cordoned: boolean;
  /** When it was last drained, and by whom (null when never, or after an uncordon). */
  drainStartedAt: Date | null;
  drainedBy: string | null;
  owner: string;
  createdAt: Date;
  /**
   * True when the caller neither owns the cluster nor is an admin (a service
   * provider choosing where to deploy): its status reason, API URL and
   * kubeconfig content id are another provider's business and are null.
   */
  withheld: boolean;
}

export const clusterSummarySelect = {
  id: true,
  name: true,
  status: true,
  statusReason: true,
  managedApi: true,
  driver: true,
  cpus: true,
  memoryGb: true,
  storageGb: true,
  vramGb: true,
  availabilityPct: true,
  greenEnergyPct: true,
  cost: true,
  cpuBaseRate: true,
  memoryBaseRate: true,
  kubeconfigSha256: true,
  region: true,
  gridIntensity: true,
  gridIntensityHourly: true,
  cordoned: true,
  drainStartedAt: true,
  drainedBy: true,
  createdAt: true,
  ownerId: true,
  owner: { select: { username: true } },
} satisfies Prisma.ClusterSelect;

type ClusterSummaryRow = Prisma.ClusterGetPayload<{ select: typeof clusterSummarySelect }>;

/** The full summary: for the cluster's owner and admins (see `clusterSummaryFor`). */
export function toClusterSummary(row: ClusterSummaryRow): ClusterSummary {
  return {
    id: row.id,
    shortId: row.id.replace(/-/g, "").slice(0, 7),
    name: row.name,
    status: row.status,
    statusReason: row.statusReason,
    managedApi: row.managedApi,
    driver: row.driver,
    cpus: row.cpus,
    memoryGb: row.memoryGb,
    storageGb: row.storageGb,
    vramGb: row.vramGb,
    availabilityPct: Number(row.availabilityPct),
    greenEnergyPct: row.greenEnergyPct,
    cost: row.cost,
    cpuBaseRate: row.cpuBaseRate,
    memoryBaseRate: row.memoryBaseRate,
    kubeconfigContentId: row.kubeconfigSha256,
    region: row.region,
    gridIntensity: row.gridIntensity,
    gridIntensityHourly: row.gridIntensityHourly,
    cordoned: row.cordoned,
    drainStartedAt: row.drainStartedAt,
    drainedBy: row.drainedBy,
    owner: row.owner.username,
    createdAt: row.createdAt,
    withheld: false,
  };
}

/** Admins and the cluster's owner see everything about it; anyone else sees it without its private details. */
export function seesClusterDetails(actor: SessionUser, cluster: { ownerId: string }): boolean {
  return hasAnyRole(actor.roles, [Role.NEMO_ADMIN]) || cluster.ownerId === actor.id;
}

/**
 * The summary as `actor` may see it: another provider's cluster comes without
 * its status reason (driver and remote error text), its API URL and its
 * kubeconfig content id. The name, status, capacity and prices stay: service
 * providers choose where to deploy by them.
 */
export function clusterSummaryFor(actor: SessionUser, row: ClusterSummaryRow): ClusterSummary {
  const summary = toClusterSummary(row);
  if (seesClusterDetails(actor, row)) return summary;
  return {
    ...summary,
    statusReason: null,
    managedApi: null,
    kubeconfigContentId: null,
    drainedBy: null,
    withheld: true,
  };
}

function mayManageClusters(actor: SessionUser): boolean {
  return hasAnyRole(actor.roles, [Role.NEMO_ADMIN, Role.INFRASTRUCTURE_PROVIDER]);
}

/** The join request in the reference MO's shape (docs/protocol.md, `mo.join`), built from the stored cluster. */
export function joinRequestFor(
  cluster: Pick<
    Cluster,
    | "name"
    | "managedApi"
    | "cpus"
    | "memoryGb"
    | "storageGb"
    | "vramGb"
    | "availabilityPct"
    | "greenEnergyPct"
    | "cost"
    | "cpuBaseRate"
    | "memoryBaseRate"
  >,
  operationId: string,
  now: Date = new Date(),
): ClusterJoinRequest {
  return {
    id: operationId,
    cluster_name: cluster.name,
    managed_api: cluster.managedApi,
    cpus: cluster.cpus,
    // The reference MO speaks MB for memory and VRAM.
    memory: cluster.memoryGb * 1024,
    storage: cluster.storageGb,
    vram: cluster.vramGb * 1024,
    availability: `${Number(cluster.availabilityPct)}%`,
    green_energy: `${cluster.greenEnergyPct}%`,
    cost: cluster.cost,
    cpu_base_rate: cluster.cpuBaseRate,
    memory_base_rate: cluster.memoryBaseRate,
    timestamp: now.toISOString(),
  };
}

/**
 * Registers a cluster: saved PENDING (kubeconfig sealed, content id recorded)
 * and the join request queued, in one transaction.
 */
export async function registerCluster(db: Db, actor: SessionUser, input: unknown): Promise<ClusterSummary> {
  if (!mayManageClusters(actor)) {
    throw new DomainError(
      "forbidden",
      "Only infrastructure providers and NEMO admins can register clusters.",
    );
  }
  const data = parseOrThrow(registerClusterInputSchema, input);
  const target = parseKubeconfig(data.kubeconfig);
  // What this deployment allows (sim://, http://, internal addresses written as literals); host names are
  // resolved and checked again whenever the driver connects.
  const policy = networkPolicyFromEnv();
  const apiProblem = serverUrlProblem(data.managedApi, policy, { addresses: true });
  if (apiProblem !== null) throw new DomainError("invalid", `Managed API ${apiProblem}.`, "managedApi");
  const serverProblem = serverUrlProblem(target.server, policy, { addresses: true });
  if (serverProblem !== null)
    throw new DomainError(
      "invalid",
      `Cluster Config File: the cluster's server ${serverProblem}.`,
      "kubeconfig",
    );
  const existing = await db.cluster.findUnique({ where: { name: data.name }, select: { id: true } });
  if (existing) {
    throw new DomainError("conflict", `A cluster named "${data.name}" is already registered (409).`, "name");
  }
  const sealed = sealSecret(data.kubeconfig);
  const operationId = randomUUID();
  try {
    const row = await db.$transaction(async (tx) => {
      const cluster = await tx.cluster.create({
        data: {
          name: data.name,
          ownerId: actor.id,
          status: "PENDING",
          driver:
            target.server.startsWith("sim://") || data.managedApi.startsWith("sim://")
              ? "SIMULATED"
              : "KUBERNETES",
          managedApi: data.managedApi,
          kubeconfigCipher: sealed.cipher,
          kubeconfigSha256: sealed.contentId,
          cpus: data.cpus,
          memoryGb: data.memoryGb,
          storageGb: data.storageGb,
          vramGb: data.vramGb,
          availabilityPct: data.availabilityPct,
          greenEnergyPct: data.greenEnergyPct,
          cost: data.cost,
          cpuBaseRate: data.cpuBaseRate,
          memoryBaseRate: data.memoryBaseRate,
          region: data.region ?? DEFAULT_REGION,
          gridIntensity: data.gridIntensity ?? null,
          gridIntensityHourly: data.gridIntensityHourly ?? [],
          joinOperationId: operationId,
        },
        select: clusterSummarySelect,
      });
      await enqueueOutbox(
        tx,
        messages.clusterJoinRequest,
        joinRequestFor({ ...cluster, availabilityPct: cluster.availabilityPct }, operationId),
        {
          messageId: operationId,
        },
      );
      return cluster;
    });
    logger.info(
      { cluster: row.name, operationId, owner: actor.username },
      "cluster registered; join requested",
    );
    return toClusterSummary(row);
  } catch (error) {
    // Two registrations racing for one name: the unique index decides.
    if ((error as { code?: string }).code === "P2002") {
      throw new DomainError(
        "conflict",
        `A cluster named "${data.name}" is already registered (409).`,
        "name",
      );
    }
    throw error;
  }
}

/** Deregisters a cluster the caller manages (admins: any). Instances on it must be moved or deleted first. */
export async function deregisterCluster(
  db: Db,
  actor: SessionUser,
  clusterId: string,
): Promise<ClusterSummary> {
  if (!mayManageClusters(actor)) {
    throw new DomainError(
      "forbidden",
      "Only infrastructure providers and NEMO admins can deregister clusters.",
    );
  }
  const cluster = await db.cluster.findUnique({
    where: { id: clusterId },
    select: { ...clusterSummarySelect, ownerId: true },
  });
  const isAdmin = hasAnyRole(actor.roles, [Role.NEMO_ADMIN]);
  if (!cluster || (!isAdmin && cluster.ownerId !== actor.id)) {
    throw new DomainError("not_found", "No such cluster.");
  }
  const running = await db.workloadInstance.count({
    where: { clusterId, status: { in: [...ON_CLUSTER_STATUSES, "DELETING", "FAILED"] } },
  });
  if (running > 0) {
    throw new DomainError(
      "conflict",
      `Cluster "${cluster.name}" still runs ${running} instance(s); delete or migrate them first.`,
    );
  }
  const row = await db.cluster.update({
    where: { id: clusterId },
    data: {
      status: "DEREGISTERED",
      statusReason: `deregistered by ${actor.username}`,
      kubeconfigCipher: null,
    },
    select: clusterSummarySelect,
  });
  logger.info({ cluster: row.name, by: actor.username }, "cluster deregistered");
  return toClusterSummary(row);
}
