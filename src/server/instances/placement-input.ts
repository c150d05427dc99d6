import { parseDocument } from "yaml";
import type { Cluster } from "@/generated/prisma/client";
import type { TransactionClient } from "@/server/bus";
import { kubernetesManifestSchema, manifestTotals, type KubernetesManifest } from "@/server/clusters";
import type { ClusterCandidate, IntentTarget, PlacementRequest } from "@/server/placement";
import type { Db } from "@/server/db/client";

/**
 * What the placement engine needs, read from the database: every registered
 * cluster with what the instances on it already request, and an instance's
 * requests (from its rendered manifests) and intent targets.
 */
const GIB = 1024 ** 3;
const ACTIVE_STATUSES = ["DEPLOYING", "DEPLOYED", "MIGRATING"] as const;

export interface StoredRequests {
  cpuMillicores: number;
  memoryBytes: number;
  gpus: number;
}

/** Hooks that `helm install` never runs: they belong to `helm test`. */
const TEST_HOOKS = new Set(["test", "test-success", "test-failure"]);

function isTestHook(manifest: KubernetesManifest): boolean {
  const hook = manifest.metadata.annotations?.["helm.sh/hook"];
  return typeof hook === "string" && hook.split(",").some((event) => TEST_HOOKS.has(event.trim()));
}

/** The objects to apply to a cluster: every rendered document except `helm test` hooks. */
export function parseRenderedManifests(manifests: ReadonlyArray<{ content: string }>): KubernetesManifest[] {
  const objects: KubernetesManifest[] = [];
  for (const manifest of manifests) {
    const value: unknown = parseDocument(manifest.content).toJS();
    const parsed = kubernetesManifestSchema.safeParse(value);
    if (parsed.success && !isTestHook(parsed.data)) objects.push(parsed.data);
  }
  return objects;
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
    where: { status: { in: [...ACTIVE_STATUSES] }, clusterId: { not: null } },
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
    };
  });
}

interface StoredIntentBody {
  intentExpectations?: Array<{
    expectationTargets?: Array<{ targetName?: string; targetCondition?: string; targetValueRange?: unknown }>;
  }>;
}

function normaliseValue(value: unknown): IntentTarget["value"] {
  const asNumber = (v: unknown) =>
    typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v)) ? Number(v) : v;
  if (Array.isArray(value)) {
    const items = value.map(asNumber);
    return items.every((v) => typeof v === "number") ? (items as number[]) : items.map(String);
  }
  const single = asNumber(value);
  return typeof single === "number" ? single : String(single);
}

/** The targets of an instance's active intents, in the placement engine's terms. */
export function intentTargets(intents: ReadonlyArray<{ intentType: string; body: unknown }>): IntentTarget[] {
  const targets: IntentTarget[] = [];
  for (const intent of intents) {
    const body = intent.body as StoredIntentBody;
    for (const expectation of body.intentExpectations ?? []) {
      for (const target of expectation.expectationTargets ?? []) {
        if (!target.targetName || !target.targetCondition) continue;
        targets.push({
          intentType: intent.intentType,
          targetName: target.targetName,
          condition: target.targetCondition as IntentTarget["condition"],
          value: normaliseValue(target.targetValueRange),
        });
      }
    }
  }
  return targets;
}

export function placementRequestFor(
  instance: { id: string; proposedCluster: string | null },
  requests: StoredRequests,
  targets: IntentTarget[],
): PlacementRequest {
  return {
    instanceId: instance.id,
    requests,
    ...(instance.proposedCluster ? { proposedCluster: instance.proposedCluster } : {}),
    targets,
  };
}
