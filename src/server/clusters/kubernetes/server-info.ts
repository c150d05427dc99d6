import { type V1Node, type V1Pod } from "@kubernetes/client-node";
import { type NodeInfo, type ServerInfo } from "../driver";
import { GPU_RESOURCE, podResources } from "../manifests";
import { MIB, parseBytes, parseCpuMillicores, parseWholeCount } from "../quantity";
import { podSpecOf } from "./objects";

/**
 * `ServerInfo` from what the API server reports: node capacity and
 * allocatable from node status, requested from the pods bound to each node
 * (as `kubectl describe node` sums them).
 */

/**
 * NVIDIA GPU feature discovery labels GPU nodes with the memory of one GPU in
 * MiB. Without it the API has no notion of VRAM, so it is reported as 0.
 */
export const GPU_MEMORY_LABEL = "nvidia.com/gpu.memory";

type ResourceList = Record<string, string> | undefined;

/** A quantity the API server reported; a value it should never send is counted as 0 rather than failing connect. */
function amount(list: ResourceList, key: string, parse: (value: string) => number): number {
  const value = list?.[key];
  if (value === undefined) return 0;
  try {
    return parse(value);
  } catch {
    return 0;
  }
}

function capacityOf(list: ResourceList, labels: Record<string, string>) {
  const gpus = amount(list, GPU_RESOURCE, parseWholeCount);
  const perGpuMiB = Number(labels[GPU_MEMORY_LABEL] ?? 0);
  return {
    cpuMillicores: amount(list, "cpu", parseCpuMillicores),
    memoryBytes: amount(list, "memory", parseBytes),
    gpus,
    vramBytes: Number.isFinite(perGpuMiB) && perGpuMiB > 0 ? gpus * perGpuMiB * MIB : 0,
  };
}

function isReady(node: V1Node): boolean {
  return node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
}

/** Pods that hold their requests on a node: bound and not finished. */
export function holdsResources(pod: V1Pod): boolean {
  const phase = pod.status?.phase;
  return Boolean(pod.spec?.nodeName) && phase !== "Succeeded" && phase !== "Failed";
}

export function nodeInfos(nodes: readonly V1Node[], pods: readonly V1Pod[]): NodeInfo[] {
  const requested = new Map<
    string,
    { cpuMillicores: number; memoryBytes: number; gpus: number; pods: number }
  >();
  for (const pod of pods) {
    const nodeName = pod.spec?.nodeName;
    if (!nodeName || !holdsResources(pod)) continue;
    const spec = podSpecOf(pod.spec);
    if (!spec) continue;
    let requests;
    try {
      ({ requests } = podResources(spec, `pod ${pod.metadata?.name ?? "?"}`));
    } catch {
      continue; // a quantity the API server accepted but we cannot read must not fail connect
    }
    const sum = requested.get(nodeName) ?? { cpuMillicores: 0, memoryBytes: 0, gpus: 0, pods: 0 };
    sum.cpuMillicores += requests.cpuMillicores;
    sum.memoryBytes += requests.memoryBytes;
    sum.gpus += requests.gpus;
    sum.pods += 1;
    requested.set(nodeName, sum);
  }
  return nodes.map((node) => {
    const name = node.metadata?.name ?? "";
    const labels = node.metadata?.labels ?? {};
    const used = requested.get(name) ?? { cpuMillicores: 0, memoryBytes: 0, gpus: 0, pods: 0 };
    return {
      name,
      ready: isReady(node),
      labels: { ...labels },
      capacity: capacityOf(node.status?.capacity, labels),
      allocatable: capacityOf(node.status?.allocatable, labels),
      requested: { cpuMillicores: used.cpuMillicores, memoryBytes: used.memoryBytes, gpus: used.gpus },
      pods: used.pods,
    };
  });
}

export function serverInfo(input: {
  cluster: string;
  version: string;
  nodes: readonly V1Node[];
  pods: readonly V1Pod[];
}): ServerInfo {
  const nodes = nodeInfos(input.nodes, input.pods);
  const total = <T extends string>(pick: (node: NodeInfo) => Record<T, number>, key: T) =>
    nodes.reduce((sum, node) => sum + pick(node)[key], 0);
  // Node-local disk is what the API reports; persistent volumes live outside the nodes and are not counted.
  const storageBytes = input.nodes.reduce(
    (sum, node) => sum + amount(node.status?.capacity, "ephemeral-storage", parseBytes),
    0,
  );
  return {
    cluster: input.cluster,
    kind: "kubernetes",
    version: input.version,
    nodeCount: nodes.length,
    capacity: {
      cpuMillicores: total((n) => n.capacity, "cpuMillicores"),
      memoryBytes: total((n) => n.capacity, "memoryBytes"),
      gpus: total((n) => n.capacity, "gpus"),
      vramBytes: total((n) => n.capacity, "vramBytes"),
      storageBytes,
    },
    allocatable: {
      cpuMillicores: total((n) => n.allocatable, "cpuMillicores"),
      memoryBytes: total((n) => n.allocatable, "memoryBytes"),
      gpus: total((n) => n.allocatable, "gpus"),
      vramBytes: total((n) => n.allocatable, "vramBytes"),
    },
    requested: {
      cpuMillicores: total((n) => n.requested, "cpuMillicores"),
      memoryBytes: total((n) => n.requested, "memoryBytes"),
      gpus: total((n) => n.requested, "gpus"),
    },
    nodes,
  };
}
