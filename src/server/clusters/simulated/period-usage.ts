import { GPU_REPLICAS_LABEL, type InstancePeriodUsage, type PeriodUsage, type UsagePeriod } from "../driver";
import { ClusterDriverError } from "../errors";
import { GIB, MIB } from "../quantity";
import { backgroundUsage } from "./load-model";
import { computePodLoads } from "./metrics";
import { type ClusterView, type SimPod } from "./state";

/**
 * Usage over a billing period, from the load model. The model is a function
 * of time, so a period is integrated by sampling it at the midpoints of equal
 * steps (at most `MAX_SAMPLES`, at least one): the same period always reads
 * the same figures, whenever and however often it is read. The pods are the
 * cluster's pods as they are now, each counted from its creation on; a pod
 * deleted before the read is no longer known (the read happens right after
 * the period ends, so this matters only when catching up long-missed periods).
 *
 * The energy model (documented in the accounting README) attributes to an
 * instance what its own usage draws, with coefficients in the range public
 * carbon calculators use for cloud servers (no PUE):
 * - CPU: `CPU_WATTS_PER_CORE` per core in use;
 * - memory: `MEMORY_WATTS_PER_GIB` per GiB in use;
 * - GPU: per physical GPU allocated, `GPU_IDLE_WATTS` plus
 *   `GPU_DYNAMIC_WATTS` × utilisation, times the allocated fraction.
 * A GPU pod's utilisation is modelled as its CPU utilisation against its CPU
 * request (a GPU job feeds its device from its CPU threads), clamped to 0–1.
 */

export const CPU_WATTS_PER_CORE = 3.5;
export const MEMORY_WATTS_PER_GIB = 0.392;
export const GPU_IDLE_WATTS = 50;
export const GPU_DYNAMIC_WATTS = 250;
/** A step of at most 15 s, as a metrics scrape would see it; longer periods get longer steps. */
const SAMPLE_STEP_MS = 15_000;
const MAX_SAMPLES = 240;
/** CPU assumed for a GPU pod that requests none, to read its utilisation against. */
const DEFAULT_CPU_REQUEST_MILLICORES = 100;

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

/** The midpoints the period is sampled at, and the length each one stands for. */
export function samplePoints(period: UsagePeriod): { times: number[]; stepMs: number } {
  const duration = period.endMs - period.startMs;
  const count = Math.min(MAX_SAMPLES, Math.max(1, Math.ceil(duration / SAMPLE_STEP_MS)));
  const stepMs = duration / count;
  return { times: Array.from({ length: count }, (_, i) => period.startMs + (i + 0.5) * stepMs), stepMs };
}

/** Physical GPUs one requested `nvidia.com/gpu` stands for on a node: 1 / the time-slicing replicas. */
function gpuFractionOfNode(view: ClusterView): Map<string, number> {
  const fractions = new Map<string, number>();
  for (const node of view.nodeList()) {
    const replicas = Number(node.labels[GPU_REPLICAS_LABEL] ?? "1");
    fractions.set(node.name, Number.isInteger(replicas) && replicas > 1 ? 1 / replicas : 1);
  }
  return fractions;
}

interface Totals {
  cpuMilliMs: number;
  memoryByteMs: number;
  bytesIn: number;
  bytesOut: number;
  gpuDevices: number;
  gpuFraction: number;
  gpuAllocatedMs: number;
  gpuBusyMs: number;
  shared: boolean;
  energyWs: number;
}

const emptyTotals = (): Totals => ({
  cpuMilliMs: 0,
  memoryByteMs: 0,
  bytesIn: 0,
  bytesOut: 0,
  gpuDevices: 0,
  gpuFraction: 0,
  gpuAllocatedMs: 0,
  gpuBusyMs: 0,
  shared: false,
  energyWs: 0,
});

export function periodUsage(
  view: ClusterView,
  namespaces: readonly string[],
  period: UsagePeriod,
): PeriodUsage {
  if (!(Number.isFinite(period.startMs) && Number.isFinite(period.endMs) && period.endMs > period.startMs))
    throw new ClusterDriverError("INVALID_ARGUMENT", "a usage period must end after it starts", {
      cluster: view.name,
    });
  const wanted = [...new Set(namespaces)];
  const totals = new Map<string, Totals>(wanted.map((ns) => [ns, emptyTotals()]));
  const gpuFraction = gpuFractionOfNode(view);
  const capacity = view.nodeList().reduce(
    (sum, node) => ({
      cpuMillicores: sum.cpuMillicores + node.capacity.cpuMillicores,
      memoryBytes: sum.memoryBytes + node.capacity.memoryBytes,
    }),
    { cpuMillicores: 0, memoryBytes: 0 },
  );
  const { times, stepMs } = samplePoints(period);
  const stepS = stepMs / 1000;
  let clusterCpuMilliMs = 0;
  let clusterMemoryByteMs = 0;
  const gpuNamespaces = new Set<string>();

  for (const t of times) {
    const loads = computePodLoads(view, t);
    const background = backgroundUsage(view.seed, view.name, view.background, capacity, t);
    let clusterCpu = background.cpuMillicores;
    let clusterMemory = background.memoryBytes;
    for (const ns of view.namespaceStates()) {
      const sum = totals.get(ns.name);
      for (const pod of ns.pods.values()) {
        const load = loads.get(pod.uid);
        if (!load || pod.createdAt > t) continue;
        clusterCpu += load.cpuMillicores;
        clusterMemory += load.memoryBytes;
        if (!sum) continue;
        sum.cpuMilliMs += load.cpuMillicores * stepMs;
        sum.memoryByteMs += load.memoryBytes * stepMs;
        sum.bytesIn += load.bytesIn * stepS;
        sum.bytesOut += load.bytesOut * stepS;
        let watts =
          (load.cpuMillicores / 1000) * CPU_WATTS_PER_CORE + (load.memoryBytes / GIB) * MEMORY_WATTS_PER_GIB;
        const devices = pod.resources.requests.gpus;
        if (devices > 0) {
          const fraction = devices * (gpuFraction.get(pod.nodeName ?? "") ?? 1);
          const utilization = gpuUtilization(pod, load.cpuMillicores);
          sum.gpuAllocatedMs += fraction * stepMs;
          sum.gpuBusyMs += fraction * stepMs * utilization;
          if (fraction < devices) sum.shared = true;
          watts += fraction * (GPU_IDLE_WATTS + GPU_DYNAMIC_WATTS * utilization);
          gpuNamespaces.add(ns.name);
        }
        sum.energyWs += watts * stepS;
      }
    }
    clusterCpuMilliMs += Math.min(clusterCpu, capacity.cpuMillicores) * stepMs;
    clusterMemoryByteMs += Math.min(clusterMemory, capacity.memoryBytes) * stepMs;
  }

  const duration = period.endMs - period.startMs;
  const usages: InstancePeriodUsage[] = [];
  const failures: PeriodUsage["failures"] = [];
  for (const namespace of wanted) {
    const ns = view.namespaceState(namespace);
    const sum = totals.get(namespace) ?? emptyTotals();
    if (!ns) {
      failures.push({
        namespace,
        error: new ClusterDriverError("NOT_FOUND", `namespace ${namespace} not found`, {
          cluster: view.name,
        }).toData(),
      });
      continue;
    }
    // The GPUs requested now: the allocation the billing run names beside the time allocated.
    for (const pod of ns.pods.values()) {
      if (pod.nodeName === null || pod.resources.requests.gpus === 0) continue;
      sum.gpuDevices += pod.resources.requests.gpus;
      sum.gpuFraction += pod.resources.requests.gpus * (gpuFraction.get(pod.nodeName) ?? 1);
    }
    usages.push({
      namespace,
      cpuMillicores: round(sum.cpuMilliMs / duration, 3),
      memoryMiB: round(sum.memoryByteMs / duration / MIB, 3),
      networkBytesReceived: Math.round(sum.bytesIn),
      networkBytesSent: Math.round(sum.bytesOut),
      gpu: {
        devices: sum.gpuDevices,
        fraction: round(sum.gpuFraction, 6),
        allocatedMs: Math.round(sum.gpuAllocatedMs),
        usageFraction:
          sum.gpuAllocatedMs > 0
            ? round(sum.gpuBusyMs / sum.gpuAllocatedMs, 6)
            : gpuNamespaces.has(namespace)
              ? 0
              : null,
        shared: sum.shared,
      },
      energyWh: round(sum.energyWs / 3600, 6),
    });
  }
  return {
    cluster: view.name,
    periodStart: new Date(period.startMs).toISOString(),
    periodEnd: new Date(period.endMs).toISOString(),
    clusterCpuMillicores: round(clusterCpuMilliMs / duration, 3),
    clusterMemoryMiB: round(clusterMemoryByteMs / duration / MIB, 3),
    method: "modelled",
    usages,
    failures,
    unavailable: [],
  };
}

function gpuUtilization(pod: SimPod, cpuMillicores: number): number {
  const request = pod.resources.requests.cpuMillicores || DEFAULT_CPU_REQUEST_MILLICORES;
  return Math.max(0, Math.min(1, cpuMillicores / request));
}
