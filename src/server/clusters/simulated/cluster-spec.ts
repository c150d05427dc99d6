import { z } from "zod";
import { type ClusterProperties, costClassSchema, GPU_REPLICAS_LABEL, namespaceNameSchema } from "../driver";
import { ClusterDriverError } from "../errors";
import { GIB, MIB } from "../quantity";

/** What a simulated cluster is made from: the registered properties plus the shape of its nodes. */
export const simulatedClusterSpecSchema = z.object({
  name: namespaceNameSchema,
  nodes: z.number().int().positive(),
  cpus: z.number().int().positive(),
  /** GB are treated as GiB, the unit kubectl reports node memory in. */
  memoryGb: z.number().int().positive(),
  storageGb: z.number().int().nonnegative(),
  vramGb: z.number().int().nonnegative().default(0),
  /** GPU devices (`nvidia.com/gpu`); defaults to one when the cluster has VRAM, none otherwise. */
  gpus: z.number().int().nonnegative().optional(),
  /**
   * GPU time-slicing: each physical GPU is advertised as this many
   * `nvidia.com/gpu` (labelled `nvidia.com/gpu.replicas`, as the NVIDIA GPU
   * operator does), so a pod requesting one gets a fraction of a device.
   */
  gpuReplicas: z.number().int().min(1).max(64).default(1),
  availabilityPct: z.number().min(0).max(100),
  greenEnergyPct: z.number().int().min(0).max(100),
  cost: costClassSchema,
  cpuBaseRate: z.number().int().nonnegative(),
  memoryBaseRate: z.number().int().nonnegative(),
  region: z.string().default("eu-west"),
  kubernetesVersion: z.string().default("v1.30.4+sim"),
  /** When set, drivers must present this bearer token (a kubeconfig `user.token`), else UNAUTHORIZED. */
  bearerToken: z.string().optional(),
});
export type SimulatedClusterSpec = z.output<typeof simulatedClusterSpecSchema>;
/** Spec as callers write it, with defaults optional. */
export type SimulatedClusterSpecInput = z.input<typeof simulatedClusterSpecSchema>;

/** Validates a spec and fills its defaults; INVALID_CONFIG names the bad fields. */
export function parseSimulatedClusterSpec(input: SimulatedClusterSpecInput): SimulatedClusterSpec {
  const parsed = simulatedClusterSpecSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ");
  throw new ClusterDriverError("INVALID_CONFIG", `invalid simulated cluster spec: ${details}`);
}

export const SIM_SCHEME = "sim://";

export function simulatedManagedApi(name: string): string {
  return `${SIM_SCHEME}${name}`;
}

/** The cluster name of a `sim://<name>` URL, or null for any other URL. */
export function parseSimulatedApi(url: string): string | null {
  if (!url.startsWith(SIM_SCHEME)) return null;
  const name = url.slice(SIM_SCHEME.length).replace(/\/+$/, "");
  return namespaceNameSchema.safeParse(name).success ? name : null;
}

/** A node per 16 cores (rounded up) when the registration does not say: a typical worker size. */
export function defaultNodeCount(cpus: number): number {
  return Math.max(1, Math.ceil(cpus / 16));
}

/** A spec for a `sim://` cluster registered through the console with only its properties. */
export function specFromProperties(
  name: string,
  properties: Omit<ClusterProperties, "name" | "managedApi">,
): SimulatedClusterSpecInput {
  return { name, nodes: defaultNodeCount(properties.cpus), ...properties };
}

export function propertiesOf(spec: SimulatedClusterSpec): ClusterProperties {
  return {
    name: spec.name,
    managedApi: simulatedManagedApi(spec.name),
    cpus: spec.cpus,
    memoryGb: spec.memoryGb,
    storageGb: spec.storageGb,
    vramGb: spec.vramGb,
    availabilityPct: spec.availabilityPct,
    greenEnergyPct: spec.greenEnergyPct,
    cost: spec.cost,
    cpuBaseRate: spec.cpuBaseRate,
    memoryBaseRate: spec.memoryBaseRate,
  };
}

export interface NodeCapacity {
  cpuMillicores: number;
  memoryBytes: number;
  gpus: number;
  vramBytes: number;
}

export interface NodeLayout {
  name: string;
  labels: Record<string, string>;
  capacity: NodeCapacity;
  allocatable: NodeCapacity;
}

/** kube-reserved per node: 100m CPU and 5 % of memory (at least 256Mi), like common kubelet defaults. */
export const NODE_RESERVED_CPU_MILLICORES = 100;
export const NODE_RESERVED_MEMORY_FRACTION = 0.05;
export const NODE_RESERVED_MEMORY_MIN_BYTES = 256 * MIB;

/** Splits `total` into `parts` whole shares, the remainder going to the first parts. */
function split(total: number, parts: number): number[] {
  const base = Math.floor(total / parts);
  const remainder = total - base * parts;
  return Array.from({ length: parts }, (_, i) => base + (i < remainder ? 1 : 0));
}

/**
 * Nodes `<cluster>-node-1..n` sharing CPU and memory evenly. GPUs go round
 * robin from the last node backwards, so on small GPU clusters one node is
 * "the GPU node" as on the reference test-bed.
 */
export function layoutNodes(spec: SimulatedClusterSpec): NodeLayout[] {
  const gpus = spec.gpus ?? (spec.vramGb > 0 ? 1 : 0);
  const vramPerGpu = gpus > 0 ? Math.floor((spec.vramGb * GIB) / gpus) : 0;
  const cpuShares = split(spec.cpus * 1000, spec.nodes);
  const memoryShares = split(spec.memoryGb * GIB, spec.nodes);
  const gpuShares = Array.from({ length: spec.nodes }, () => 0);
  for (let i = 0; i < gpus; i++) {
    const index = spec.nodes - 1 - (i % spec.nodes);
    gpuShares[index] = (gpuShares[index] ?? 0) + 1;
  }
  return cpuShares.map((cpuMillicores, i) => {
    const name = `${spec.name}-node-${i + 1}`;
    const memoryBytes = memoryShares[i] ?? 0;
    const nodeGpus = gpuShares[i] ?? 0;
    const capacity: NodeCapacity = {
      cpuMillicores,
      memoryBytes,
      gpus: nodeGpus * spec.gpuReplicas,
      vramBytes: nodeGpus * vramPerGpu,
    };
    const reservedMemory = Math.max(
      NODE_RESERVED_MEMORY_MIN_BYTES,
      Math.floor(memoryBytes * NODE_RESERVED_MEMORY_FRACTION),
    );
    const labels: Record<string, string> = {
      "kubernetes.io/hostname": name,
      "kubernetes.io/os": "linux",
      "topology.kubernetes.io/region": spec.region,
      ...(nodeGpus > 0 ? { "nvidia.com/gpu.present": "true" } : {}),
      ...(nodeGpus > 0 && spec.gpuReplicas > 1 ? { [GPU_REPLICAS_LABEL]: String(spec.gpuReplicas) } : {}),
    };
    return {
      name,
      labels,
      capacity,
      allocatable: {
        cpuMillicores: Math.max(0, cpuMillicores - NODE_RESERVED_CPU_MILLICORES),
        memoryBytes: Math.max(0, memoryBytes - reservedMemory),
        gpus: capacity.gpus,
        vramBytes: capacity.vramBytes,
      },
    };
  });
}
