import { type V1Node } from "@kubernetes/client-node";
import {
  GPU_REPLICAS_LABEL,
  type InstancesUsage,
  type PeriodUsage,
  type UnavailableMetric,
  type UsagePeriod,
} from "../driver";
import { MIB, parseBytes, parseQuantity } from "../quantity";
import { type readNodeMetrics } from "./metrics";

/**
 * Usage over a billing period on a real cluster. metrics-server keeps no
 * history (it answers with its last scrape), so the period's means are the
 * sample read right after the period ends (`method: "sampled"`), and the
 * GPUs the instance's running pods request count as allocated over the whole
 * period. What the API server cannot give is listed in `unavailable`:
 * network bytes (metrics-server has none), GPU utilisation (DCGM exporter
 * metrics are not served through the API server) and energy (Kepler's
 * counters are Prometheus metrics, not an API server resource). Billing then
 * charges no network, the allocated GPU time as fully used, and no carbon.
 */

export const KUBERNETES_UNAVAILABLE: readonly UnavailableMetric[] = [
  { metric: "network", reason: "metrics-server measures no network traffic" },
  {
    metric: "gpuUtilization",
    reason: "GPU utilisation (DCGM exporter) is not served by the API server; allocation is charged as used",
  },
  { metric: "energy", reason: "power metrics (Kepler) are not served by the API server" },
];

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * The fraction of a physical GPU one requested `nvidia.com/gpu` is: 1 / the
 * time-slicing replicas the GPU nodes are labelled with. With differently
 * sliced nodes the smallest slicing is taken (the largest fraction), so a
 * slice is never charged less than it may be.
 */
export function gpuFractionPerDevice(nodes: readonly V1Node[]): { fraction: number; shared: boolean } {
  let smallest: number | null = null;
  for (const node of nodes) {
    const raw = node.metadata?.labels?.[GPU_REPLICAS_LABEL];
    const replicas = raw === undefined ? 1 : Number(raw);
    const value = Number.isInteger(replicas) && replicas >= 1 ? replicas : 1;
    const hasGpus = (node.status?.capacity?.["nvidia.com/gpu"] ?? "0") !== "0";
    if (!hasGpus) continue;
    smallest = smallest === null ? value : Math.min(smallest, value);
  }
  const replicas = smallest ?? 1;
  return { fraction: 1 / replicas, shared: replicas > 1 };
}

export function periodUsageOf(input: {
  cluster: string;
  period: UsagePeriod;
  nodes: readonly V1Node[];
  nodeMetrics: Awaited<ReturnType<typeof readNodeMetrics>>;
  current: InstancesUsage;
}): PeriodUsage {
  const duration = input.period.endMs - input.period.startMs;
  let clusterCpu = 0;
  let clusterMemory = 0;
  for (const item of input.nodeMetrics) {
    try {
      clusterCpu += parseQuantity(item.usage.cpu) * 1000;
      clusterMemory += parseBytes(item.usage.memory);
    } catch {
      // never sent by metrics-server; one unreadable node does not void the sample
    }
  }
  const gpu = gpuFractionPerDevice(input.nodes);
  return {
    cluster: input.cluster,
    periodStart: new Date(input.period.startMs).toISOString(),
    periodEnd: new Date(input.period.endMs).toISOString(),
    clusterCpuMillicores: round(clusterCpu, 3),
    clusterMemoryMiB: round(clusterMemory / MIB, 3),
    method: "sampled",
    usages: input.current.usages.map((usage) => {
      const fraction = usage.gpus * gpu.fraction;
      return {
        namespace: usage.namespace,
        cpuMillicores: usage.cpuMillicores,
        memoryMiB: usage.memoryMiB,
        networkBytesReceived: 0,
        networkBytesSent: 0,
        gpu: {
          devices: usage.gpus,
          fraction: round(fraction, 6),
          allocatedMs: Math.round(fraction * duration),
          usageFraction: null,
          shared: usage.gpus > 0 && gpu.shared,
        },
        energyWh: null,
      };
    }),
    failures: input.current.failures,
    unavailable: [...KUBERNETES_UNAVAILABLE],
  };
}
