import {
  type ClusterUsageSample,
  formatProtocolTimestamp,
  INSTANCE_ID_LABEL,
  type InstanceLoadSample,
  type InstanceUsage,
  type WorkloadUsage,
} from "../driver";
import { MIB, parseBytes } from "../quantity";
import {
  backgroundUsage,
  demandRps,
  nonServingPodLoad,
  POD_EPHEMERAL_BYTES,
  type PodLoad,
  servingPodLoad,
  summarizeServingLoads,
} from "./load-model";
import { uniformFor } from "./prng";
import { type ClusterView, isRecord, resourceKey, type SimNamespace, type SimPod } from "./state";

/**
 * Usage derived from the load model. Per-pod figures are computed for the
 * whole cluster at once because pods on one node compete: when their summed
 * demand exceeds the node's capacity every pod on it gets a proportional
 * share, so no node, and so no cluster, ever reports more than it has.
 */

const round = (value: number, digits: number) => {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};

/** Load of every pod bound to a node, keyed by pod uid. */
export function computePodLoads(view: ClusterView, now: number): Map<string, PodLoad> {
  const loads = new Map<string, PodLoad>();
  const nodes = new Map(view.nodeList().map((node) => [node.name, node]));
  for (const ns of view.namespaceStates()) {
    const byWorkload = new Map<string, SimPod[]>();
    for (const pod of ns.pods.values()) {
      const group = byWorkload.get(pod.workloadKey) ?? [];
      group.push(pod);
      byWorkload.set(pod.workloadKey, group);
    }
    for (const [workloadKey, pods] of byWorkload) {
      const profile = ns.resources.get(workloadKey)?.profile;
      if (!profile) continue;
      const ready = pods.filter((pod) => view.podStatus(pod, now).ready);
      const demand = demandRps(view.seed, profile, now, view.loadFactor(ns.name));
      const share = ready.length > 0 ? demand / ready.length : 0;
      for (const pod of pods) {
        const node = pod.nodeName === null ? undefined : nodes.get(pod.nodeName);
        if (!node) continue;
        loads.set(
          pod.uid,
          ready.includes(pod)
            ? servingPodLoad({
                seed: view.seed,
                profile,
                podKey: `${view.name}/${ns.name}/${pod.name}`,
                requestsPerSecond: share,
                timeMs: now,
                resources: pod.resources,
                nodeAllocatableCpuMillicores: node.allocatable.cpuMillicores,
                nodeAllocatableMemoryBytes: node.allocatable.memoryBytes,
              })
            : nonServingPodLoad(profile),
        );
      }
    }
  }
  clampToNodes(view, loads);
  return loads;
}

function clampToNodes(view: ClusterView, loads: Map<string, PodLoad>): void {
  const perNode = new Map<string, PodLoad[]>();
  for (const ns of view.namespaceStates())
    for (const pod of ns.pods.values()) {
      const load = loads.get(pod.uid);
      if (!load || pod.nodeName === null) continue;
      const list = perNode.get(pod.nodeName) ?? [];
      list.push(load);
      perNode.set(pod.nodeName, list);
    }
  for (const node of view.nodeList()) {
    const list = perNode.get(node.name) ?? [];
    const cpu = list.reduce((sum, load) => sum + load.cpuMillicores, 0);
    const memory = list.reduce((sum, load) => sum + load.memoryBytes, 0);
    const cpuScale = cpu > node.allocatable.cpuMillicores ? node.allocatable.cpuMillicores / cpu : 1;
    const memoryScale = memory > node.allocatable.memoryBytes ? node.allocatable.memoryBytes / memory : 1;
    for (const load of list) {
      load.cpuMillicores *= cpuScale;
      load.memoryBytes *= memoryScale;
    }
  }
}

/** Bytes of persistent volumes in use in a namespace: StatefulSet claims and standalone PVCs. */
function volumeBytesUsed(view: ClusterView, ns: SimNamespace): number {
  let bytes = 0;
  for (const claim of ns.claims.values()) bytes += claim.storageBytes * claim.fillFraction;
  for (const resource of ns.resources.values()) {
    if (resource.kind !== "PersistentVolumeClaim") continue;
    const fill = uniformFor(
      view.seed,
      0.1,
      0.5,
      "fill",
      ns.labels[INSTANCE_ID_LABEL] ?? ns.name,
      resource.name,
    );
    bytes += pvcBytes(resource.live.spec) * fill;
  }
  return bytes;
}

function pvcBytes(spec: unknown): number {
  // Already validated by apply; unparsable values count as empty rather than failing a metrics read.
  if (!isRecord(spec) || !isRecord(spec.resources) || !isRecord(spec.resources.requests)) return 0;
  const storage = spec.resources.requests.storage;
  try {
    return typeof storage === "string" || typeof storage === "number" ? parseBytes(storage) : 0;
  } catch {
    return 0;
  }
}

export function clusterUsage(view: ClusterView, now: number): ClusterUsageSample {
  const loads = computePodLoads(view, now);
  const capacity = view.nodeList().reduce(
    (sum, node) => ({
      cpuMillicores: sum.cpuMillicores + node.capacity.cpuMillicores,
      memoryBytes: sum.memoryBytes + node.capacity.memoryBytes,
    }),
    { cpuMillicores: 0, memoryBytes: 0 },
  );
  const background = backgroundUsage(view.seed, view.name, view.background, capacity, now);
  let cpu = background.cpuMillicores;
  let memory = background.memoryBytes;
  for (const load of loads.values()) {
    cpu += load.cpuMillicores;
    memory += load.memoryBytes;
  }
  let disk = view.storageBytes * view.background.diskFraction;
  for (const ns of view.namespaceStates()) {
    disk += volumeBytesUsed(view, ns);
    for (const pod of ns.pods.values()) if (pod.nodeName !== null) disk += POD_EPHEMERAL_BYTES;
  }
  return {
    cluster: view.name,
    cpu_usage: round(Math.min(cpu, capacity.cpuMillicores), 3),
    memory_usage: round(
      capacity.memoryBytes > 0 ? Math.min(100, (memory / capacity.memoryBytes) * 100) : 0,
      2,
    ),
    disk_usage: round(view.storageBytes > 0 ? Math.min(100, (disk / view.storageBytes) * 100) : 0, 2),
    timestamp: formatProtocolTimestamp(now),
  };
}

function weightedLatency(entries: ReadonlyArray<{ rps: number; latencyMs: number | null }>): number | null {
  let weight = 0;
  let sum = 0;
  for (const { rps, latencyMs } of entries) {
    if (latencyMs === null || rps <= 0) continue;
    weight += rps;
    sum += rps * latencyMs;
  }
  return weight > 0 ? round(sum / weight, 3) : null;
}

/**
 * `loads` lets a caller reading many namespaces at one instant compute the
 * cluster's pod loads once (they cover every pod of the cluster).
 */
export function instanceUsage(
  view: ClusterView,
  namespace: string,
  now: number,
  loads: ReadonlyMap<string, PodLoad> = computePodLoads(view, now),
): InstanceUsage {
  const ns = view.namespaceState(namespace);
  const workloads: WorkloadUsage[] = [];
  const totals = { cpu: 0, memory: 0, rps: 0, gpus: 0, pods: 0, desired: 0, ready: 0 };
  const latencies: Array<{ rps: number; latencyMs: number | null }> = [];

  const resources = ns
    ? [...ns.resources.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    : [];
  for (const resource of resources) {
    if (resource.kind !== "Deployment" && resource.kind !== "StatefulSet") continue;
    const key = resourceKey(resource.kind, resource.name);
    const pods = [...(ns?.pods.values() ?? [])].filter((pod) => pod.workloadKey === key);
    const replicas = isRecord(resource.live.spec) ? resource.live.spec.replicas : undefined;
    const entry = {
      cpu: 0,
      memory: 0,
      rps: 0,
      ready: 0,
      latencies: [] as Array<{ rps: number; latencyMs: number | null }>,
    };
    for (const pod of pods) {
      if (view.podStatus(pod, now).ready) entry.ready += 1;
      const load = loads.get(pod.uid);
      if (!load) continue;
      entry.cpu += load.cpuMillicores;
      entry.memory += load.memoryBytes;
      entry.rps += load.requestsPerSecond;
      entry.latencies.push({ rps: load.requestsPerSecond, latencyMs: load.latencyMs });
    }
    const desired = typeof replicas === "number" ? replicas : 1;
    workloads.push({
      kind: resource.kind,
      name: resource.name,
      replicas: { desired, ready: entry.ready },
      cpuMillicores: round(entry.cpu, 3),
      memoryMiB: round(entry.memory / MIB, 3),
      requestsPerSecond: round(entry.rps, 3),
      latencyMs: weightedLatency(entry.latencies),
    });
    totals.desired += desired;
    totals.ready += entry.ready;
  }

  let diskBytes = ns ? volumeBytesUsed(view, ns) : 0;
  for (const pod of ns?.pods.values() ?? []) {
    const load = loads.get(pod.uid);
    if (!load) continue;
    totals.cpu += load.cpuMillicores;
    totals.memory += load.memoryBytes;
    totals.rps += load.requestsPerSecond;
    totals.gpus += pod.resources.requests.gpus;
    diskBytes += POD_EPHEMERAL_BYTES;
    latencies.push({ rps: load.requestsPerSecond, latencyMs: load.latencyMs });
  }

  return {
    cluster: view.name,
    namespace,
    timestamp: new Date(now).toISOString(),
    cpuMillicores: round(totals.cpu, 3),
    memoryMiB: round(totals.memory / MIB, 3),
    diskMiB: round(diskBytes / MIB, 3),
    gpus: totals.gpus,
    replicas: { desired: totals.desired, ready: totals.ready },
    requestsPerSecond: round(totals.rps, 3),
    latencyMs: weightedLatency(latencies),
    workloads,
  };
}

/**
 * The CFDRL scaling agent's sample of an instance: desired and ready replicas
 * of its Deployments and StatefulSets, per-pod CPU and memory over the ready
 * pods, the demand offered to it (requests it receives, served or not) and the
 * p95 latency of what its ready pods serve. Scaling a workload changes the
 * share each ready pod serves, and so its CPU, memory and latency.
 */
export function instanceLoad(
  view: ClusterView,
  namespace: string,
  now: number,
  loads: ReadonlyMap<string, PodLoad> = computePodLoads(view, now),
): InstanceLoadSample {
  const ns = view.namespaceState(namespace);
  let replicas = 0;
  let readyReplicas = 0;
  let offered = 0;
  const serving: PodLoad[] = [];
  for (const resource of ns?.resources.values() ?? []) {
    if (resource.kind !== "Deployment" && resource.kind !== "StatefulSet") continue;
    const desired = isRecord(resource.live.spec) ? resource.live.spec.replicas : undefined;
    replicas += typeof desired === "number" ? desired : 1;
    if (resource.profile) offered += demandRps(view.seed, resource.profile, now, view.loadFactor(namespace));
    const key = resourceKey(resource.kind, resource.name);
    for (const pod of ns?.pods.values() ?? []) {
      if (pod.workloadKey !== key || !view.podStatus(pod, now).ready) continue;
      readyReplicas += 1;
      const load = loads.get(pod.uid);
      if (load) serving.push(load);
    }
  }
  const summary = summarizeServingLoads(serving);
  return {
    at: new Date(now),
    replicas,
    readyReplicas,
    cpuMillicoresPerPod: summary.cpuMillicoresPerPod === null ? null : round(summary.cpuMillicoresPerPod, 3),
    memoryMiBPerPod: summary.memoryBytesPerPod === null ? null : round(summary.memoryBytesPerPod / MIB, 3),
    requestRate: round(offered, 3),
    latencyP95Ms: summary.latencyP95Ms === null ? null : round(summary.latencyP95Ms, 3),
    unavailable: [],
  };
}
