import type { Cluster } from "@/generated/prisma/client";
import { ON_CLUSTER_STATUSES } from "@/common/instance-status";
import type { TransactionClient } from "@/server/bus";
import type { Db } from "@/server/db";
import type { ClusterCandidate } from "@/server/placement";
import { manifestTotals } from "./manifests";
import type { KubernetesManifest } from "./manifests";

/**
 * The clusters placement and the evaluator choose among, as the placement
 * engine sees them: registered capacity, and what the instances already on
 * each cluster request (recorded on each instance when it was placed).
 */

const GIB = 1024 ** 3;

export interface StoredRequests {
  cpuMillicores: number;
  memoryBytes: number;
  gpus: number;
}

export function requestsOf(manifests: readonly KubernetesManifest[]): StoredRequests {
  const totals = manifestTotals(manifests);
  return { cpuMillicores: totals.cpuMillicores, memoryBytes: totals.memoryBytes, gpus: totals.gpus };
}

/** Requests recorded on a placed instance (`placement.requests`). */
export function storedRequests(placement: unknown): StoredRequests {
  const requests = (placement as { requests?: Partial<StoredRequests> } | null)?.requests;
  return {
    cpuMillicores: Number(requests?.cpuMillicores ?? 0),
    memoryBytes: Number(requests?.memoryBytes ?? 0),
    gpus: Number(requests?.gpus ?? 0),
  };
}

export async function clusterCandidates(db: TransactionClient | Db): Promise<ClusterCandidate[]> {
  const clusters: Cluster[] = await db.cluster.findMany({ where: { status: { not: "DEREGISTERED" } } });
  const placed = await db.workloadInstance.findMany({
    where: { status: { in: [...ON_CLUSTER_STATUSES] }, clusterId: { not: null } },
    select: { clusterId: true, placement: true },
  });
  const allocated = new Map<string, { cpu: number; memory: number; gpus: number; count: number }>();
  for (const instance of placed) {
    const requests = storedRequests(instance.placement);
    const sum = allocated.get(instance.clusterId!) ?? { cpu: 0, memory: 0, gpus: 0, count: 0 };
    sum.cpu += requests.cpuMillicores;
    sum.memory += requests.memoryBytes;
    sum.gpus += requests.gpus;
    sum.count += 1;
    allocated.set(instance.clusterId!, sum);
  }
  return clusters.map((cluster) => {
    const used = allocated.get(cluster.id) ?? { cpu: 0, memory: 0, gpus: 0, count: 0 };
    return {
      id: cluster.id,
      name: cluster.name,
      status: cluster.status,
      availabilityPct: Number(cluster.availabilityPct),
      greenEnergyPct: cluster.greenEnergyPct,
      cost: cluster.cost,
      cpuBaseRate: cluster.cpuBaseRate,
      memoryBaseRate: cluster.memoryBaseRate,
      vramGb: cluster.vramGb,
      capacity: {
        cpuMillicores: cluster.cpus * 1000,
        memoryBytes: cluster.memoryGb * GIB,
        gpus: cluster.vramGb > 0 ? 1 : 0,
      },
      allocated: { cpuMillicores: used.cpu, memoryBytes: used.memory, gpus: used.gpus },
      instanceCount: used.count,
      cordoned: cluster.cordoned,
    };
  });
}
