import {
  type V1Deployment,
  type V1Node,
  type V1Pod,
  type V1ReplicaSet,
  type V1StatefulSet,
} from "@kubernetes/client-node";
import { z } from "zod";
import {
  type ClusterUsageSample,
  formatProtocolTimestamp,
  type InstanceLoadMetric,
  type InstanceLoadSample,
  type InstanceUsage,
  type WorkloadUsage,
} from "../driver";
import { ClusterDriverError } from "../errors";
import { podResources } from "../manifests";
import { MIB, parseBytes, parseQuantity } from "../quantity";
import { isApiError, toDriverError } from "./api-errors";
import { type KubernetesApis } from "./client";
import { podSpecOf } from "./objects";
import { holdsResources } from "./server-info";

/**
 * Usage from the resource metrics API (`metrics.k8s.io/v1beta1`, served by
 * metrics-server). It measures CPU and memory only:
 *
 * - disk: metrics-server has no disk figures, so `disk_usage` and `diskMiB`
 *   are 0 (the wire schema wants a number). Read them as "not measured".
 * - traffic: there is no request rate either, so `requestsPerSecond` is 0 and
 *   `latencyMs` null.
 */

const METRICS_GROUP = "metrics.k8s.io";
const METRICS_VERSION = "v1beta1";

const usageSchema = z.looseObject({ cpu: z.string(), memory: z.string() });

const nodeMetricsListSchema = z.looseObject({
  items: z.array(
    z.looseObject({
      metadata: z.looseObject({ name: z.string() }),
      timestamp: z.string().optional(),
      usage: usageSchema,
    }),
  ),
});

const podMetricsListSchema = z.looseObject({
  items: z.array(
    z.looseObject({
      metadata: z.looseObject({ name: z.string() }),
      timestamp: z.string().optional(),
      containers: z.array(z.looseObject({ name: z.string(), usage: usageSchema })),
    }),
  ),
});

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Metrics-server reports CPU in nanocores ("12345678n"); kept fractional, rounded at the end. */
function millicores(cpu: string): number {
  try {
    return parseQuantity(cpu) * 1000;
  } catch {
    return 0; // never sent by metrics-server; not worth failing a whole sample over
  }
}

function bytes(memory: string): number {
  try {
    return parseBytes(memory);
  } catch {
    return 0;
  }
}

/** 404 on the metrics API means its APIService is not registered: metrics-server is not installed. */
function metricsError(error: unknown, cluster: string, operation: string): ClusterDriverError {
  if (isApiError(error, 404))
    return new ClusterDriverError(
      "NOT_FOUND",
      `cluster ${cluster}: ${operation}: the metrics API (${METRICS_GROUP}/${METRICS_VERSION}) is not served: ` +
        `metrics-server is not installed`,
      { cluster, cause: error },
    );
  return toDriverError(error, { cluster, operation });
}

function parseMetrics<T>(schema: z.ZodType<T>, value: unknown, cluster: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new ClusterDriverError("UNKNOWN", `cluster ${cluster}: unexpected answer from the metrics API`, {
    cluster,
  });
}

export async function readNodeMetrics(apis: KubernetesApis, cluster: string) {
  try {
    const list: unknown = await apis.custom.listClusterCustomObject({
      group: METRICS_GROUP,
      version: METRICS_VERSION,
      plural: "nodes",
    });
    return parseMetrics(nodeMetricsListSchema, list, cluster).items;
  } catch (error) {
    throw metricsError(error, cluster, "reading node metrics");
  }
}

export async function readPodMetrics(apis: KubernetesApis, cluster: string, namespace: string) {
  try {
    const list: unknown = await apis.custom.listNamespacedCustomObject({
      group: METRICS_GROUP,
      version: METRICS_VERSION,
      namespace,
      plural: "pods",
    });
    return parseMetrics(podMetricsListSchema, list, cluster).items;
  } catch (error) {
    throw metricsError(error, cluster, `reading pod metrics of namespace ${namespace}`);
  }
}

export function clusterUsageSample(input: {
  cluster: string;
  nodes: readonly V1Node[];
  metrics: Awaited<ReturnType<typeof readNodeMetrics>>;
  now: number;
}): ClusterUsageSample {
  let cpu = 0;
  let memory = 0;
  let sampledAt = 0;
  for (const item of input.metrics) {
    cpu += millicores(item.usage.cpu);
    memory += bytes(item.usage.memory);
    sampledAt = Math.max(sampledAt, item.timestamp ? Date.parse(item.timestamp) || 0 : 0);
  }
  const capacity = input.nodes.reduce((sum, node) => {
    const value = node.status?.capacity?.memory;
    return sum + (value === undefined ? 0 : bytes(value));
  }, 0);
  return {
    cluster: input.cluster,
    cpu_usage: round(cpu, 3),
    memory_usage: round(capacity > 0 ? Math.min(100, (memory / capacity) * 100) : 0, 2),
    disk_usage: 0, // not measured by metrics-server (see the module comment)
    // When metrics-server sampled, which can be up to its scrape interval before now.
    timestamp: formatProtocolTimestamp(sampledAt > 0 ? sampledAt : input.now),
  };
}

export interface InstanceObjects {
  pods: readonly V1Pod[];
  replicaSets: readonly V1ReplicaSet[];
  deployments: readonly V1Deployment[];
  statefulSets: readonly V1StatefulSet[];
}

function gpuRequests(pod: V1Pod): number {
  const spec = podSpecOf(pod.spec);
  if (!spec) return 0;
  try {
    return podResources(spec).requests.gpus;
  } catch {
    return 0;
  }
}

export function instanceUsageOf(input: {
  cluster: string;
  namespace: string;
  objects: InstanceObjects;
  metrics: Awaited<ReturnType<typeof readPodMetrics>>;
  now: number;
}): InstanceUsage {
  const { objects } = input;
  const perPod = new Map<string, { cpu: number; memory: number }>();
  for (const item of input.metrics) {
    const cpu = item.containers.reduce((sum, c) => sum + millicores(c.usage.cpu), 0);
    const memory = item.containers.reduce((sum, c) => sum + bytes(c.usage.memory), 0);
    perPod.set(item.metadata.name, { cpu, memory });
  }

  // Pod → owning workload, through the ReplicaSet for Deployments.
  const deploymentOfReplicaSet = new Map<string, string>();
  for (const rs of objects.replicaSets) {
    const owner = rs.metadata?.ownerReferences?.find((o) => o.kind === "Deployment");
    if (owner && rs.metadata?.uid) deploymentOfReplicaSet.set(rs.metadata.uid, owner.uid);
  }
  const workloadOfPod = (pod: V1Pod): string | undefined => {
    for (const owner of pod.metadata?.ownerReferences ?? []) {
      if (owner.kind === "StatefulSet") return owner.uid;
      if (owner.kind === "ReplicaSet") return deploymentOfReplicaSet.get(owner.uid);
    }
    return undefined;
  };
  const usageOfWorkload = new Map<string, { cpu: number; memory: number }>();
  for (const pod of objects.pods) {
    const workload = workloadOfPod(pod);
    const usage = perPod.get(pod.metadata?.name ?? "");
    if (!workload || !usage) continue;
    const sum = usageOfWorkload.get(workload) ?? { cpu: 0, memory: 0 };
    sum.cpu += usage.cpu;
    sum.memory += usage.memory;
    usageOfWorkload.set(workload, sum);
  }

  const workloads: WorkloadUsage[] = [
    ...objects.deployments.map((d) => ({ kind: "Deployment" as const, object: d })),
    ...objects.statefulSets.map((s) => ({ kind: "StatefulSet" as const, object: s })),
  ]
    .map(({ kind, object }) => {
      const usage = usageOfWorkload.get(object.metadata?.uid ?? "") ?? { cpu: 0, memory: 0 };
      return {
        kind,
        name: object.metadata?.name ?? "",
        replicas: { desired: object.spec?.replicas ?? 1, ready: object.status?.readyReplicas ?? 0 },
        cpuMillicores: round(usage.cpu, 3),
        memoryMiB: round(usage.memory / MIB, 3),
        requestsPerSecond: 0,
        latencyMs: null,
      };
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.kind < b.kind ? -1 : 1));

  let cpu = 0;
  let memory = 0;
  for (const usage of perPod.values()) {
    cpu += usage.cpu;
    memory += usage.memory;
  }
  return {
    cluster: input.cluster,
    namespace: input.namespace,
    timestamp: new Date(input.now).toISOString(),
    cpuMillicores: round(cpu, 3),
    memoryMiB: round(memory / MIB, 3),
    diskMiB: 0, // not measured by metrics-server (see the module comment)
    // GPUs are allocated whole, so the requests of the running pods are the GPUs in use.
    gpus: objects.pods.filter(holdsResources).reduce((sum, pod) => sum + gpuRequests(pod), 0),
    replicas: {
      desired: workloads.reduce((sum, w) => sum + w.replicas.desired, 0),
      ready: workloads.reduce((sum, w) => sum + w.replicas.ready, 0),
    },
    requestsPerSecond: 0,
    latencyMs: null,
    workloads,
  };
}

/**
 * The CFDRL scaling agent's sample of an instance on a real cluster. Per-pod
 * CPU and memory are means over the ready pods of the instance's Deployments
 * and StatefulSets that metrics-server has a sample for (null until it has
 * one); replicas come from the workloads' spec and status. metrics-server has
 * no request rate or latency, so those are null and listed as unavailable;
 * without metrics-server (`metrics` null) CPU and memory are too.
 */
export function instanceLoadOf(input: {
  objects: InstanceObjects;
  metrics: Awaited<ReturnType<typeof readPodMetrics>> | null;
  now: number;
}): InstanceLoadSample {
  const { objects } = input;
  const workloadUids = new Set<string>();
  let replicas = 0;
  let readyReplicas = 0;
  for (const workload of [...objects.deployments, ...objects.statefulSets]) {
    if (workload.metadata?.uid) workloadUids.add(workload.metadata.uid);
    replicas += workload.spec?.replicas ?? 1;
    readyReplicas += workload.status?.readyReplicas ?? 0;
  }
  const deploymentOfReplicaSet = new Map<string, string>();
  for (const rs of objects.replicaSets) {
    const owner = rs.metadata?.ownerReferences?.find((o) => o.kind === "Deployment");
    if (owner && rs.metadata?.uid) deploymentOfReplicaSet.set(rs.metadata.uid, owner.uid);
  }
  const servesWorkload = (pod: V1Pod): boolean =>
    (pod.metadata?.ownerReferences ?? []).some((owner) =>
      owner.kind === "StatefulSet"
        ? workloadUids.has(owner.uid)
        : owner.kind === "ReplicaSet" && workloadUids.has(deploymentOfReplicaSet.get(owner.uid) ?? ""),
    );
  const isReady = (pod: V1Pod): boolean =>
    pod.status?.phase === "Running" &&
    (pod.status.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");

  const unavailable: InstanceLoadMetric[] = ["requestRate", "latencyP95"];
  let cpuMillicoresPerPod: number | null = null;
  let memoryMiBPerPod: number | null = null;
  if (input.metrics === null) unavailable.unshift("cpu", "memory");
  else {
    const byPod = new Map(input.metrics.map((item) => [item.metadata.name, item]));
    let cpu = 0;
    let memory = 0;
    let sampled = 0;
    for (const pod of objects.pods) {
      const item = byPod.get(pod.metadata?.name ?? "");
      if (!item || !servesWorkload(pod) || !isReady(pod)) continue;
      cpu += item.containers.reduce((sum, c) => sum + millicores(c.usage.cpu), 0);
      memory += item.containers.reduce((sum, c) => sum + bytes(c.usage.memory), 0);
      sampled += 1;
    }
    if (sampled > 0) {
      cpuMillicoresPerPod = round(cpu / sampled, 3);
      memoryMiBPerPod = round(memory / sampled / MIB, 3);
    }
  }
  return {
    at: new Date(input.now),
    replicas,
    readyReplicas,
    cpuMillicoresPerPod,
    memoryMiBPerPod,
    requestRate: null,
    latencyP95Ms: null,
    unavailable,
  };
}
