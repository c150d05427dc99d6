import { z } from "zod";
import { ClusterDriverError } from "./errors";
import { parseBytes, parseCpuMillicores, parseWholeCount, QuantityError } from "./quantity";

/**
 * Rendered Kubernetes manifests as drivers receive them: plain objects, only
 * the fields a driver relies on are checked, everything else passes through
 * untouched (the kubernetes driver applies them as they are).
 */

const stringMap = z.record(z.string(), z.string());

export const manifestMetadataSchema = z.looseObject({
  name: z.string().min(1),
  namespace: z.string().optional(),
  labels: stringMap.optional(),
  annotations: stringMap.optional(),
});

export const kubernetesManifestSchema = z.looseObject({
  apiVersion: z.string().min(1),
  kind: z.string().min(1),
  metadata: manifestMetadataSchema,
});
export type KubernetesManifest = z.infer<typeof kubernetesManifestSchema>;

export const manifestListSchema = z.array(kubernetesManifestSchema);

const quantitySchema = z.union([z.string(), z.number()]);
const resourceListSchema = z.record(z.string(), quantitySchema);

const containerSchema = z.looseObject({
  name: z.string().min(1),
  image: z.string().optional(),
  resources: z
    .looseObject({ requests: resourceListSchema.optional(), limits: resourceListSchema.optional() })
    .optional(),
});

export const podSpecSchema = z.looseObject({
  containers: z.array(containerSchema).min(1),
  initContainers: z.array(containerSchema).optional(),
  nodeSelector: stringMap.optional(),
});
export type PodSpec = z.infer<typeof podSpecSchema>;

export const podTemplateSchema = z.looseObject({
  metadata: z.looseObject({ labels: stringMap.optional(), annotations: stringMap.optional() }).optional(),
  spec: podSpecSchema,
});
export type PodTemplate = z.infer<typeof podTemplateSchema>;

const replicasSchema = z.number().int().nonnegative().optional();

export const deploymentSchema = kubernetesManifestSchema.extend({
  kind: z.literal("Deployment"),
  spec: z.looseObject({
    replicas: replicasSchema,
    template: podTemplateSchema,
    revisionHistoryLimit: z.number().int().nonnegative().optional(),
    progressDeadlineSeconds: z.number().int().positive().optional(),
    paused: z.boolean().optional(),
  }),
});
export type DeploymentManifest = z.infer<typeof deploymentSchema>;

const volumeClaimTemplateSchema = z.looseObject({
  metadata: z.looseObject({ name: z.string().min(1) }),
  spec: z.looseObject({
    resources: z.looseObject({ requests: z.looseObject({ storage: quantitySchema }) }).optional(),
  }),
});

export const statefulSetSchema = kubernetesManifestSchema.extend({
  kind: z.literal("StatefulSet"),
  spec: z.looseObject({
    replicas: replicasSchema,
    template: podTemplateSchema,
    volumeClaimTemplates: z.array(volumeClaimTemplateSchema).optional(),
  }),
});
export type StatefulSetManifest = z.infer<typeof statefulSetSchema>;

export const podManifestSchema = kubernetesManifestSchema.extend({
  kind: z.literal("Pod"),
  spec: podSpecSchema,
});
export type PodManifest = z.infer<typeof podManifestSchema>;

export const persistentVolumeClaimSchema = kubernetesManifestSchema.extend({
  kind: z.literal("PersistentVolumeClaim"),
  spec: z.looseObject({
    resources: z.looseObject({ requests: z.looseObject({ storage: quantitySchema }) }).optional(),
  }),
});

export const GPU_RESOURCE = "nvidia.com/gpu";

/** Kinds the drivers understand as replicated workloads. */
export const SCALABLE_KINDS = ["Deployment", "StatefulSet"] as const;
export const scalableKindSchema = z.enum(SCALABLE_KINDS);
export type ScalableKind = z.infer<typeof scalableKindSchema>;

/** Resource amounts in base units that add up (unlike quantity strings). */
export interface ResourceAmounts {
  cpuMillicores: number;
  memoryBytes: number;
  gpus: number;
  ephemeralStorageBytes: number;
}

export const ZERO_RESOURCES: Readonly<ResourceAmounts> = {
  cpuMillicores: 0,
  memoryBytes: 0,
  gpus: 0,
  ephemeralStorageBytes: 0,
};

/** Limits are per resource and absent when any container leaves that resource unbounded. */
export interface PodResources {
  requests: ResourceAmounts;
  limits: Partial<ResourceAmounts>;
}

type ResourceList = z.infer<typeof resourceListSchema>;

function amountsOf(list: ResourceList | undefined, where: string): Partial<ResourceAmounts> {
  if (!list) return {};
  const amounts: Partial<ResourceAmounts> = {};
  try {
    if (list.cpu !== undefined) amounts.cpuMillicores = parseCpuMillicores(list.cpu);
    if (list.memory !== undefined) amounts.memoryBytes = parseBytes(list.memory);
    if (list["ephemeral-storage"] !== undefined)
      amounts.ephemeralStorageBytes = parseBytes(list["ephemeral-storage"]);
    const gpu = list[GPU_RESOURCE];
    if (gpu !== undefined) amounts.gpus = parseWholeCount(gpu);
  } catch (error) {
    if (error instanceof QuantityError)
      throw new ClusterDriverError("INVALID_MANIFEST", `${where}: ${error.message}`);
    throw error;
  }
  return amounts;
}

const RESOURCE_KEYS = ["cpuMillicores", "memoryBytes", "gpus", "ephemeralStorageBytes"] as const;

/**
 * Effective pod requests and limits with the scheduler's rules: a container
 * limit without a request implies the request; the pod needs the larger of
 * its containers' sum and its largest init container (init containers run
 * one at a time before the app containers).
 */
export function podResources(spec: PodSpec, where = "pod"): PodResources {
  const requests: ResourceAmounts = { ...ZERO_RESOURCES };
  const limits: Partial<ResourceAmounts> = {};
  const unbounded = new Set<keyof ResourceAmounts>();
  for (const container of spec.containers) {
    const at = `${where} container ${container.name}`;
    const containerLimits = amountsOf(container.resources?.limits, at);
    const containerRequests = { ...containerLimits, ...amountsOf(container.resources?.requests, at) };
    for (const key of RESOURCE_KEYS) {
      requests[key] += containerRequests[key] ?? 0;
      const limit = containerLimits[key];
      if (limit === undefined) unbounded.add(key);
      else limits[key] = (limits[key] ?? 0) + limit;
    }
  }
  for (const container of spec.initContainers ?? []) {
    const at = `${where} init container ${container.name}`;
    const initLimits = amountsOf(container.resources?.limits, at);
    const initRequests = { ...initLimits, ...amountsOf(container.resources?.requests, at) };
    for (const key of RESOURCE_KEYS) requests[key] = Math.max(requests[key], initRequests[key] ?? 0);
  }
  for (const key of unbounded) delete limits[key];
  // GPUs cannot be overcommitted: an unset GPU limit means "no GPU", not "unbounded".
  if (limits.gpus === undefined && requests.gpus === 0) limits.gpus = 0;
  return { requests, limits };
}

function invalid(manifest: KubernetesManifest, issues: z.core.$ZodIssue[]): ClusterDriverError {
  const details = issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`).join("; ");
  return new ClusterDriverError("INVALID_MANIFEST", `${manifest.kind}/${manifest.metadata.name}: ${details}`);
}

/** Parses with a kind-specific schema, turning zod issues into an INVALID_MANIFEST error. */
export function parseManifestAs<T>(schema: z.ZodType<T>, manifest: KubernetesManifest): T {
  const parsed = schema.safeParse(manifest);
  if (!parsed.success) throw invalid(manifest, parsed.error.issues);
  return parsed.data;
}

/** Validates manifests arriving from outside (a message, a rendered chart). */
export function parseManifests(input: unknown): KubernetesManifest[] {
  const parsed = manifestListSchema.safeParse(input);
  if (!parsed.success) {
    const details = parsed.error.issues
      .map((issue) => `${issue.path.join(".")}: ${issue.message}`)
      .join("; ");
    throw new ClusterDriverError("INVALID_MANIFEST", `invalid manifests: ${details}`);
  }
  return parsed.data;
}

/** Desired replicas as the API server defaults them (absent → 1). */
export function desiredReplicas(manifest: DeploymentManifest | StatefulSetManifest): number {
  return manifest.spec.replicas ?? 1;
}

export function storageRequestBytes(
  spec: { resources?: { requests: { storage: string | number } } | undefined },
  where: string,
): number {
  const storage = spec.resources?.requests.storage;
  if (storage === undefined) return 0;
  try {
    return parseBytes(storage);
  } catch (error) {
    if (error instanceof QuantityError)
      throw new ClusterDriverError("INVALID_MANIFEST", `${where}: ${error.message}`);
    throw error;
  }
}

export interface ManifestTotals extends ResourceAmounts {
  /** Persistent storage asked for by PersistentVolumeClaims and StatefulSet claim templates. */
  storageBytes: number;
  pods: number;
}

/**
 * What a set of manifests will request from a cluster once all replicas run:
 * the figure placement compares against free capacity.
 */
export function manifestTotals(manifests: readonly KubernetesManifest[]): ManifestTotals {
  const totals: ManifestTotals = { ...ZERO_RESOURCES, storageBytes: 0, pods: 0 };
  const addPods = (spec: PodSpec, count: number, where: string) => {
    const { requests } = podResources(spec, where);
    for (const key of RESOURCE_KEYS) totals[key] += requests[key] * count;
    totals.pods += count;
  };
  for (const manifest of manifests) {
    const where = `${manifest.kind}/${manifest.metadata.name}`;
    if (manifest.kind === "Deployment") {
      const deployment = parseManifestAs(deploymentSchema, manifest);
      addPods(deployment.spec.template.spec, desiredReplicas(deployment), where);
    } else if (manifest.kind === "StatefulSet") {
      const statefulSet = parseManifestAs(statefulSetSchema, manifest);
      const replicas = desiredReplicas(statefulSet);
      addPods(statefulSet.spec.template.spec, replicas, where);
      for (const claim of statefulSet.spec.volumeClaimTemplates ?? [])
        totals.storageBytes += storageRequestBytes(claim.spec, where) * replicas;
    } else if (manifest.kind === "Pod") {
      addPods(parseManifestAs(podManifestSchema, manifest).spec, 1, where);
    } else if (manifest.kind === "PersistentVolumeClaim") {
      totals.storageBytes += storageRequestBytes(
        parseManifestAs(persistentVolumeClaimSchema, manifest).spec,
        where,
      );
    }
  }
  return totals;
}
