import { GPU_RESOURCE, type ResourceAmounts } from "../manifests";
import { type NodeCapacity } from "./cluster-spec";

/**
 * The simulated kube-scheduler: a pure function from a pod's requests and the
 * nodes' free capacity to a node, or to the reason it stays Pending, worded
 * as kube-scheduler words it.
 *
 * 1. Filter: a node passes when its labels satisfy the pod's nodeSelector and
 *    its allocatable minus already requested CPU, memory and GPUs covers the
 *    pod's requests (requests, not usage, as in Kubernetes).
 * 2. Score: LeastAllocated, the default strategy: the mean free fraction of
 *    CPU and memory after placing the pod; the highest score wins.
 * 3. Ties go to the node listed first, which keeps placement deterministic.
 */

export interface RequestedResources {
  cpuMillicores: number;
  memoryBytes: number;
  gpus: number;
}

export interface SchedulableNode {
  name: string;
  labels: Readonly<Record<string, string>>;
  allocatable: NodeCapacity;
  requested: RequestedResources;
}

export interface PodSchedulingRequest {
  requests: ResourceAmounts;
  nodeSelector?: Readonly<Record<string, string>>;
}

export type ScheduleDecision = { nodeName: string; reason: null } | { nodeName: null; reason: string };

const SELECTOR_MISMATCH = "node(s) didn't match Pod's node affinity/selector";

function filterReasons(pod: PodSchedulingRequest, node: SchedulableNode): string[] {
  for (const [key, value] of Object.entries(pod.nodeSelector ?? {})) {
    if (node.labels[key] !== value) return [SELECTOR_MISMATCH];
  }
  const reasons: string[] = [];
  const { requests } = pod;
  if (node.requested.cpuMillicores + requests.cpuMillicores > node.allocatable.cpuMillicores)
    reasons.push("Insufficient cpu");
  if (node.requested.memoryBytes + requests.memoryBytes > node.allocatable.memoryBytes)
    reasons.push("Insufficient memory");
  if (requests.gpus > 0 && node.requested.gpus + requests.gpus > node.allocatable.gpus)
    reasons.push(`Insufficient ${GPU_RESOURCE}`);
  return reasons;
}

function freeFraction(allocatable: number, used: number): number {
  return allocatable <= 0 ? 0 : (allocatable - used) / allocatable;
}

function leastAllocatedScore(pod: PodSchedulingRequest, node: SchedulableNode): number {
  const cpu = freeFraction(
    node.allocatable.cpuMillicores,
    node.requested.cpuMillicores + pod.requests.cpuMillicores,
  );
  const memory = freeFraction(
    node.allocatable.memoryBytes,
    node.requested.memoryBytes + pod.requests.memoryBytes,
  );
  return (cpu + memory) / 2;
}

export function schedulePod(pod: PodSchedulingRequest, nodes: readonly SchedulableNode[]): ScheduleDecision {
  const histogram = new Map<string, number>();
  let best: { node: SchedulableNode; score: number } | null = null;
  for (const node of nodes) {
    const reasons = filterReasons(pod, node);
    if (reasons.length > 0) {
      for (const reason of reasons) histogram.set(reason, (histogram.get(reason) ?? 0) + 1);
      continue;
    }
    const score = leastAllocatedScore(pod, node);
    if (best === null || score > best.score) best = { node, score };
  }
  if (best) return { nodeName: best.node.name, reason: null };
  const summary = [...histogram.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([reason, count]) => `${count} ${reason}`)
    .join(", ");
  return {
    nodeName: null,
    reason: `0/${nodes.length} nodes are available${summary ? `: ${summary}` : ""}.`,
  };
}
