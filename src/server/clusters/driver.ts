import { z } from "zod";
import { clusterErrorSchema } from "./errors";
import { healthSchema } from "./health";
import { type KubernetesManifest, type ScalableKind, scalableKindSchema } from "./manifests";

/**
 * The one interface every cluster driver implements. The orchestrator, the
 * migration agents, the metrics collector and the RL environment talk to a
 * cluster only through it, so the simulated continuum and a real Kubernetes
 * cluster are interchangeable.
 *
 * Outputs that cross a process boundary (bus messages, tRPC) have zod schemas
 * here; their TypeScript types are inferred from those schemas.
 */

export const clusterDriverKinds = ["simulated", "kubernetes"] as const;
export const clusterDriverKindSchema = z.enum(clusterDriverKinds);
export type ClusterDriverKind = z.infer<typeof clusterDriverKindSchema>;

/** Label put on every resource of an instance, so its resources can be found, pruned and backed up together. */
export const INSTANCE_ID_LABEL = "nemo.eu/instance-id";

/** DNS-1123 label: what Kubernetes accepts as a namespace name. */
export const namespaceNameSchema = z
  .string()
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be a DNS-1123 label (lower-case letters, digits, '-')");

/** DNS-1123 subdomain: what Kubernetes (and so Velero) accepts as an object name. */
export const objectNameSchema = z
  .string()
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, "must be a DNS-1123 subdomain");

// ---------------------------------------------------------------------------
// Static cluster properties (what a provider registers)

export const costClassSchema = z.enum(["low_cost", "high_performance"]);
export type CostClass = z.infer<typeof costClassSchema>;

/** Mirrors the registered columns of the Prisma `Cluster` model. */
export const clusterPropertiesSchema = z.object({
  name: z.string().min(1),
  managedApi: z.string().min(1),
  cpus: z.number().int().positive(),
  memoryGb: z.number().int().positive(),
  storageGb: z.number().int().nonnegative(),
  vramGb: z.number().int().nonnegative(),
  availabilityPct: z.number().min(0).max(100),
  greenEnergyPct: z.number().int().min(0).max(100),
  cost: costClassSchema,
  cpuBaseRate: z.number().int().nonnegative(),
  memoryBaseRate: z.number().int().nonnegative(),
});
export type ClusterProperties = z.infer<typeof clusterPropertiesSchema>;

// ---------------------------------------------------------------------------
// Driver configuration (what the dispatcher receives)

export const clusterDriverConfigSchema = z.object({
  /** The registered cluster name. */
  name: z.string().min(1),
  /** `sim://<name>` for a simulated cluster, else the API server URL. */
  managedApi: z.string().min(1),
  /** Kubeconfig YAML; its current context's server decides the driver when present. */
  kubeconfig: z.string().optional(),
  /** Registered capacity; lets the simulated driver create a `sim://` cluster it does not know yet. */
  properties: clusterPropertiesSchema.omit({ name: true, managedApi: true }).optional(),
});
export type ClusterDriverConfig = z.infer<typeof clusterDriverConfigSchema>;

// ---------------------------------------------------------------------------
// connect()

const capacitySchema = z.object({
  cpuMillicores: z.number().nonnegative(),
  memoryBytes: z.number().nonnegative(),
  gpus: z.number().int().nonnegative(),
  vramBytes: z.number().nonnegative(),
});

const requestedSchema = z.object({
  cpuMillicores: z.number().nonnegative(),
  memoryBytes: z.number().nonnegative(),
  gpus: z.number().int().nonnegative(),
});

export const nodeInfoSchema = z.object({
  name: z.string(),
  ready: z.boolean(),
  labels: z.record(z.string(), z.string()),
  capacity: capacitySchema,
  /** Capacity minus what the node reserves for the system; what the scheduler hands out. */
  allocatable: capacitySchema,
  /** Sum of the requests of the pods bound to the node. */
  requested: requestedSchema,
  pods: z.number().int().nonnegative(),
});
export type NodeInfo = z.infer<typeof nodeInfoSchema>;

export const serverInfoSchema = z.object({
  cluster: z.string(),
  kind: clusterDriverKindSchema,
  /** Kubernetes `gitVersion`, e.g. "v1.30.4". */
  version: z.string(),
  nodeCount: z.number().int().nonnegative(),
  capacity: capacitySchema.extend({ storageBytes: z.number().nonnegative() }),
  allocatable: capacitySchema,
  requested: requestedSchema,
  nodes: z.array(nodeInfoSchema),
});
export type ServerInfo = z.infer<typeof serverInfoSchema>;

/** Validation failing is an expected outcome of registration, so it is data rather than a throw. */
export const connectResultSchema = z.discriminatedUnion("ok", [
  z.object({ ok: z.literal(true), info: serverInfoSchema }),
  z.object({ ok: z.literal(false), error: clusterErrorSchema }),
]);
export type ConnectResult = z.infer<typeof connectResultSchema>;

// ---------------------------------------------------------------------------
// apply() / deleteNamespace() / scale()

export const applyOptionsSchema = z.object({
  /** Merged into every resource's labels and every pod template's labels (e.g. the instance id). */
  labels: z.record(z.string(), z.string()),
  /**
   * An admin approved cluster-scoped objects for the workload. Without it a
   * driver refuses any kind the cluster serves cluster-scoped (the domain has
   * already refused the well-known ones; this catches a CRD's own kinds).
   */
  allowClusterScoped: z.boolean().default(false),
  /** The Pod Security Standard the instance namespace enforces (labels on the namespace). */
  podSecurity: z.enum(["restricted", "baseline", "privileged"]).default("restricted"),
});
export type PodSecurityLevel = z.infer<typeof applyOptionsSchema>["podSecurity"];
export type ApplyOptions = z.input<typeof applyOptionsSchema>;

export const applyActionSchema = z.enum(["created", "configured", "unchanged", "pruned"]);
export type ApplyAction = z.infer<typeof applyActionSchema>;

export const applyResultSchema = z.object({
  cluster: z.string(),
  namespace: z.string(),
  resources: z.array(z.object({ kind: z.string(), name: z.string(), action: applyActionSchema })),
});
export type ApplyResult = z.infer<typeof applyResultSchema>;

export const deleteNamespaceResultSchema = z.object({
  cluster: z.string(),
  namespace: z.string(),
  /** False when there was nothing to delete (deleting is idempotent). */
  deleted: z.boolean(),
});
export type DeleteNamespaceResult = z.infer<typeof deleteNamespaceResultSchema>;

export const scaleResultSchema = z.object({
  cluster: z.string(),
  namespace: z.string(),
  kind: scalableKindSchema,
  name: z.string(),
  replicas: z.number().int().nonnegative(),
  previousReplicas: z.number().int().nonnegative(),
});
export type ScaleResult = z.infer<typeof scaleResultSchema>;

// ---------------------------------------------------------------------------
// deploymentTree()

export const resourceRefSchema = z.object({
  kind: z.string(),
  name: z.string(),
  namespace: z.string(),
  uid: z.string(),
});
export type ResourceRef = z.infer<typeof resourceRefSchema>;

/** Rates averaged over the last sampling window. */
export const trafficSchema = z.object({
  requestsPerSecond: z.number().nonnegative(),
  /** Request bytes per second. */
  bytesIn: z.number().nonnegative(),
  /** Response bytes per second. */
  bytesOut: z.number().nonnegative(),
});
export type Traffic = z.infer<typeof trafficSchema>;

export const treeNodeSchema = z.object({
  group: z.string(),
  version: z.string(),
  kind: z.string(),
  name: z.string(),
  namespace: z.string(),
  uid: z.string(),
  /** Owners (Deployment ← ReplicaSet ← Pod); empty for top-level resources. */
  parentRefs: z.array(resourceRefSchema),
  /** What kubectl shows in STATUS: Running, Pending, ContainerCreating, CrashLoopBackOff, Unknown, Bound, … */
  status: z.string(),
  health: healthSchema,
  restarts: z.number().int().nonnegative(),
  nodeName: z.string().nullable(),
  cluster: z.string(),
  traffic: trafficSchema.nullable(),
  replicas: z.object({ desired: z.number().int(), ready: z.number().int() }).nullable(),
  /** Network edges that are not ownership: Service → Pods it selects, Ingress → Services it routes to. */
  targetRefs: z.array(resourceRefSchema),
  labels: z.record(z.string(), z.string()),
  images: z.array(z.string()),
  createdAt: z.string(),
});
export type TreeNode = z.infer<typeof treeNodeSchema>;

export const deploymentTreeSchema = z.object({
  cluster: z.string(),
  namespace: z.string(),
  observedAt: z.string(),
  /** False when the cluster did not answer: nodes are the last known ones, with Unknown health. */
  reachable: z.boolean(),
  /** The worst health of the top-level resources. */
  health: healthSchema,
  nodes: z.array(treeNodeSchema),
});
export type DeploymentTree = z.infer<typeof deploymentTreeSchema>;

// ---------------------------------------------------------------------------
// usage() / instanceUsage()

/** One cluster's sample in the collector's wire shape (docs/protocol.md, `metrics`): names kept as the reference uses them. */
export const clusterUsageSampleSchema = z.object({
  cluster: z.string(),
  /** Millicores in use across the cluster. */
  cpu_usage: z.number().nonnegative(),
  /** Percent of memory capacity in use. */
  memory_usage: z.number().min(0).max(100),
  /** Percent of storage capacity in use. */
  disk_usage: z.number().min(0).max(100),
  /** "2025-05-29 10:48:03.547000+00:00", as the reference collector writes it. */
  timestamp: z.string(),
});
export type ClusterUsageSample = z.infer<typeof clusterUsageSampleSchema>;

const replicaCountSchema = z.object({
  desired: z.number().int().nonnegative(),
  ready: z.number().int().nonnegative(),
});

export const workloadUsageSchema = z.object({
  kind: scalableKindSchema,
  name: z.string(),
  replicas: replicaCountSchema,
  cpuMillicores: z.number().nonnegative(),
  memoryMiB: z.number().nonnegative(),
  requestsPerSecond: z.number().nonnegative(),
  /** Mean response time of served requests; null when no pod serves. */
  latencyMs: z.number().nonnegative().nullable(),
});
export type WorkloadUsage = z.infer<typeof workloadUsageSchema>;

export const instanceUsageSchema = z.object({
  cluster: z.string(),
  namespace: z.string(),
  timestamp: z.string(),
  cpuMillicores: z.number().nonnegative(),
  memoryMiB: z.number().nonnegative(),
  /** Persistent volume bytes in use plus pods' ephemeral storage, in MiB. */
  diskMiB: z.number().nonnegative(),
  gpus: z.number().int().nonnegative(),
  replicas: replicaCountSchema,
  requestsPerSecond: z.number().nonnegative(),
  latencyMs: z.number().nonnegative().nullable(),
  workloads: z.array(workloadUsageSchema),
});
export type InstanceUsage = z.infer<typeof instanceUsageSchema>;

/** Usage of several instances' namespaces from one read of the cluster (the intent evaluator's batch). */
export const instancesUsageSchema = z.object({
  cluster: z.string(),
  timestamp: z.string(),
  usages: z.array(instanceUsageSchema),
  /** Namespaces that could not be read, with why (NOT_FOUND when the namespace is gone). */
  failures: z.array(z.object({ namespace: z.string(), error: clusterErrorSchema })),
});
export type InstancesUsage = z.infer<typeof instancesUsageSchema>;

// ---------------------------------------------------------------------------
// instanceLoad(): what the CFDRL scaling agent observes

/** Metrics a driver may be unable to measure for `instanceLoad` (the field then reads null). */
export const instanceLoadMetrics = ["cpu", "memory", "requestRate", "latencyP95"] as const;
export const instanceLoadMetricSchema = z.enum(instanceLoadMetrics);
export type InstanceLoadMetric = z.infer<typeof instanceLoadMetricSchema>;

/**
 * One sample of an instance's serving load: per-pod CPU and memory averaged
 * over its ready pods, the request rate it receives and the p95 of its
 * response time. A null field is one the driver could not measure; it is
 * listed in `unavailable` when the driver cannot measure it at all (no
 * metrics source), and is simply null when nothing serves yet.
 */
export const instanceLoadSampleSchema = z.object({
  at: z.date(),
  /** Desired replicas summed over the instance's Deployments and StatefulSets. */
  replicas: z.number().int().nonnegative(),
  readyReplicas: z.number().int().nonnegative(),
  cpuMillicoresPerPod: z.number().nonnegative().nullable(),
  memoryMiBPerPod: z.number().nonnegative().nullable(),
  /** Requests per second to the instance. */
  requestRate: z.number().nonnegative().nullable(),
  latencyP95Ms: z.number().nonnegative().nullable(),
  unavailable: z.array(instanceLoadMetricSchema),
});
export type InstanceLoadSample = z.infer<typeof instanceLoadSampleSchema>;

// ---------------------------------------------------------------------------
// instancesPeriodUsage(): what the billing run charges for

/** Node label the NVIDIA GPU operator sets on time-sliced nodes: how many slices each physical GPU is advertised as. */
export const GPU_REPLICAS_LABEL = "nvidia.com/gpu.replicas";

/** A metric a driver could not read for a period, and why (billing records it with the charge). */
export const unavailableMetricSchema = z.object({
  metric: z.enum(["cpu", "memory", "network", "gpuUtilization", "energy"]),
  reason: z.string(),
});
export type UnavailableMetric = z.infer<typeof unavailableMetricSchema>;

/**
 * Usage of one instance's namespace over a billing period [start, end). Means
 * are time-weighted over the period; totals are summed over it.
 */
export const instancePeriodUsageSchema = z.object({
  namespace: z.string(),
  /** Mean CPU the instance's pods used, millicores. */
  cpuMillicores: z.number().nonnegative(),
  /** Mean memory the instance's pods used, MiB. */
  memoryMiB: z.number().nonnegative(),
  /** Bytes the instance's pods received over the period (requests). */
  networkBytesReceived: z.number().int().nonnegative(),
  /** Bytes the instance's pods sent over the period (responses). */
  networkBytesSent: z.number().int().nonnegative(),
  gpu: z.object({
    /** GPUs the pods requested (`nvidia.com/gpu`, slices on a shared node). */
    devices: z.number().int().nonnegative(),
    /** Physical GPUs those requests amount to: one slice of a 4-way time-sliced GPU is 0.25. */
    fraction: z.number().nonnegative(),
    /** Physical-GPU milliseconds allocated over the period (fraction × time allocated). */
    allocatedMs: z.number().nonnegative(),
    /** Mean busy fraction (0–1) of what was allocated; null when the driver cannot measure it. */
    usageFraction: z.number().min(0).max(1).nullable(),
    /** True when the GPUs are shared (time-sliced or partitioned): charge the fraction, never a whole GPU. */
    shared: z.boolean(),
  }),
  /** Energy the instance drew over the period, Wh; null when the driver cannot measure or model it. */
  energyWh: z.number().nonnegative().nullable(),
});
export type InstancePeriodUsage = z.infer<typeof instancePeriodUsageSchema>;

export const periodUsageSchema = z.object({
  cluster: z.string(),
  /** ISO 8601. */
  periodStart: z.string(),
  periodEnd: z.string(),
  /** Mean CPU in use across the whole cluster (every tenant and the system), millicores. */
  clusterCpuMillicores: z.number().nonnegative(),
  /** Mean memory in use across the whole cluster, MiB. */
  clusterMemoryMiB: z.number().nonnegative(),
  /** Where the figures come from: a model over the period (simulated) or a sample at read time (metrics-server). */
  method: z.enum(["modelled", "sampled"]),
  usages: z.array(instancePeriodUsageSchema),
  /** Namespaces that could not be read, with why (NOT_FOUND when the namespace is gone). */
  failures: z.array(z.object({ namespace: z.string(), error: clusterErrorSchema })),
  /** Metrics this driver cannot read for this cluster; those fields read 0 (or null) and mean "not measured". */
  unavailable: z.array(unavailableMetricSchema),
});
export type PeriodUsage = z.infer<typeof periodUsageSchema>;

export interface UsagePeriod {
  /** Epoch ms, inclusive. */
  startMs: number;
  /** Epoch ms, exclusive; after `startMs`. */
  endMs: number;
}

/** Formats like Python's `str(datetime)` in UTC, which the reference collector emits; `Date.parse` reads it back. */
export function formatProtocolTimestamp(epochMs: number): string {
  const iso = new Date(epochMs).toISOString(); // 2025-05-29T10:48:03.547Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}000+00:00`;
}

// ---------------------------------------------------------------------------
// backupNamespace() / restoreNamespace()

export const backupInfoSchema = z.object({
  name: z.string(),
  sourceCluster: z.string(),
  namespace: z.string(),
  phase: z.literal("Completed"),
  startedAt: z.string(),
  completedAt: z.string(),
  resourceCount: z.number().int().nonnegative(),
  volumeBytes: z.number().nonnegative(),
});
export type BackupInfo = z.infer<typeof backupInfoSchema>;

export const restoreInfoSchema = z.object({
  backupName: z.string(),
  sourceCluster: z.string(),
  sourceNamespace: z.string(),
  targetCluster: z.string(),
  targetNamespace: z.string(),
  startedAt: z.string(),
  completedAt: z.string(),
  resourceCount: z.number().int().nonnegative(),
});
export type RestoreInfo = z.infer<typeof restoreInfoSchema>;

// ---------------------------------------------------------------------------
// getLiveObject() / readPodLogs() / listEvents(): what the deployment tree's drawer shows

/** A live object as the cluster holds it now (spec, metadata and status), as plain JSON. */
export type LiveObject = KubernetesManifest;

export interface GetLiveObjectOptions {
  /**
   * The object's `apiVersion` (`apps/v1`, `v1`, …). Optional for the kinds
   * the drivers know (`LIVE_OBJECT_API_VERSIONS`); required for any other
   * kind (a CRD's), else INVALID_ARGUMENT.
   */
  apiVersion?: string;
}

/** Where the well-known kinds live, so a caller may name an object by kind and name alone. */
export const LIVE_OBJECT_API_VERSIONS: Readonly<Record<string, string>> = {
  Pod: "v1",
  Service: "v1",
  ConfigMap: "v1",
  Secret: "v1",
  ServiceAccount: "v1",
  PersistentVolumeClaim: "v1",
  Deployment: "apps/v1",
  ReplicaSet: "apps/v1",
  StatefulSet: "apps/v1",
  DaemonSet: "apps/v1",
  Job: "batch/v1",
  CronJob: "batch/v1",
  Ingress: "networking.k8s.io/v1",
  NetworkPolicy: "networking.k8s.io/v1",
  HorizontalPodAutoscaler: "autoscaling/v2",
  PodDisruptionBudget: "policy/v1",
  Role: "rbac.authorization.k8s.io/v1",
  RoleBinding: "rbac.authorization.k8s.io/v1",
};

/** A Kubernetes kind name: what `getLiveObject` and `listEvents` accept. */
export const objectKindSchema = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[A-Z][A-Za-z0-9]*$/, "must be a Kubernetes kind, e.g. Deployment");

/** Bounds of one log read: a follow loop polls, so each answer stays small. */
export const POD_LOG_LIMITS = {
  /** Lines returned when the caller names no tail. */
  defaultTailLines: 200,
  maxTailLines: 5_000,
  /** Bytes read per call when the caller names no limit. */
  defaultLimitBytes: 256 * 1024,
  maxLimitBytes: 1024 * 1024,
  /** A longer line is cut here and marked with "…". */
  maxLineChars: 4_096,
} as const;

export const podLogsRequestSchema = z.object({
  namespace: namespaceNameSchema,
  pod: objectNameSchema,
  /** Container name; the pod's first container when absent (as `kubectl logs` does). */
  container: z
    .string()
    .max(63)
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be a container name (DNS-1123 label)")
    .optional(),
  tailLines: z.number().int().min(1).max(POD_LOG_LIMITS.maxTailLines).optional(),
  /**
   * The `cursor` of an earlier answer: only lines written after it come back
   * (follow). Opaque to callers; an RFC 3339 timestamp with nanoseconds today.
   */
  sinceCursor: z.string().max(64).optional(),
  limitBytes: z.number().int().min(1).max(POD_LOG_LIMITS.maxLimitBytes).optional(),
});
export type PodLogsRequest = z.input<typeof podLogsRequestSchema>;

export const podLogLineSchema = z.object({
  /** When the container wrote it (RFC 3339), or null when the runtime did not say. */
  timestamp: z.string().nullable(),
  /** The line without its timestamp; control characters other than tab removed, cut at `maxLineChars`. */
  text: z.string(),
});
export type PodLogLine = z.infer<typeof podLogLineSchema>;

export const podLogsSchema = z.object({
  cluster: z.string(),
  namespace: z.string(),
  pod: z.string(),
  /** The container these lines are from. */
  container: z.string(),
  /** Every container of the pod (init containers last), for a picker. */
  containers: z.array(z.string()),
  /** The pod's labels: callers check the instance label before showing anything. */
  podLabels: z.record(z.string(), z.string()),
  lines: z.array(podLogLineSchema),
  /** Pass as `sinceCursor` to read only what comes after these lines; the request's own cursor when there were none. */
  cursor: z.string().nullable(),
  /** The byte limit cut the answer short (older lines were left out of a tail, newer ones of a follow). */
  truncated: z.boolean(),
  /** Why there are no lines when the container has not written any yet ("waiting to start: ContainerCreating"). */
  notice: z.string().nullable(),
});
export type PodLogs = z.infer<typeof podLogsSchema>;

/** Bounds of one follow stream (`followPodLogs`): a container printing without pause cannot flood the console. */
export const POD_LOG_STREAM_LIMITS = {
  /** Lines passed on per second of the driver's clock; the rest are dropped and counted ("lines dropped"). */
  defaultLinesPerSecond: 200,
  maxLinesPerSecond: 2_000,
  /** A follow ends after this long ("max-duration"); the caller may reconnect. */
  defaultMaxDurationMs: 30 * 60_000,
  maxMaxDurationMs: 2 * 60 * 60_000,
  /** Bytes of one raw line (timestamp included) read before the rest of that line is skipped. */
  maxRawLineBytes: 16 * 1024,
  /** Lines in one `lines` event at most; a larger chunk comes as several events. */
  maxBatchLines: 500,
} as const;

export const podLogStreamRequestSchema = podLogsRequestSchema
  .omit({ limitBytes: true, tailLines: true })
  .extend({
    /** Lines from before the follow to start with (0 by default: only what is written from now on). */
    tailLines: z.number().int().min(0).max(POD_LOG_LIMITS.maxTailLines).optional(),
    linesPerSecond: z.number().int().min(1).max(POD_LOG_STREAM_LIMITS.maxLinesPerSecond).optional(),
    maxDurationMs: z.number().int().min(1).max(POD_LOG_STREAM_LIMITS.maxMaxDurationMs).optional(),
  });
export type PodLogStreamRequest = z.input<typeof podLogStreamRequestSchema>;

export const podLogStreamEndReasons = [
  /** The cluster closed the stream: the container stopped, the pod went away, or the API server hung up. */
  "ended",
  /** The container has not started: there is nothing to follow yet (`notice` says why). */
  "waiting",
  /** The stream reached its maximum duration. */
  "max-duration",
  /** Reading failed half-way (`message` says why, in the driver's sanitised words). */
  "error",
] as const;
export const podLogStreamEndReasonSchema = z.enum(podLogStreamEndReasons);
export type PodLogStreamEndReason = z.infer<typeof podLogStreamEndReasonSchema>;

/** What a follow stream yields, in order; `end` is always last (none when the caller aborted). */
export const podLogStreamEventSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("lines"),
    lines: z.array(podLogLineSchema),
    /** The last line's timestamp: a reconnect passes it as `sinceCursor` to go on without repeats. */
    cursor: z.string().nullable(),
  }),
  /** Lines the rate cap left out since the previous event. */
  z.object({ type: z.literal("dropped"), count: z.number().int().positive() }),
  z.object({ type: z.literal("end"), reason: podLogStreamEndReasonSchema, message: z.string().nullable() }),
]);
export type PodLogStreamEvent = z.infer<typeof podLogStreamEventSchema>;

/** An open follow: the pod was found (its labels are for the caller's check) before any line is read. */
export interface PodLogStream {
  cluster: string;
  namespace: string;
  pod: string;
  container: string;
  containers: string[];
  podLabels: Record<string, string>;
  /** Why the container has nothing to follow yet; the events then end with "waiting". */
  notice: string | null;
  /**
   * The lines as they are written. Iterate once. Breaking out of the loop or
   * aborting the signal given to `followPodLogs` closes the connection.
   */
  events: AsyncIterable<PodLogStreamEvent>;
}

export const kubernetesEventSchema = z.object({
  /** Normal or Warning. */
  type: z.string(),
  reason: z.string(),
  message: z.string(),
  involvedObject: z.object({ kind: z.string(), name: z.string() }),
  /** How many times it happened (the API server folds repeats into one event). */
  count: z.number().int().nonnegative(),
  firstTimestamp: z.string().nullable(),
  lastTimestamp: z.string().nullable(),
  /** The component that reported it (default-scheduler, kubelet, deployment-controller, …). */
  source: z.string().nullable(),
});
export type KubernetesEvent = z.infer<typeof kubernetesEventSchema>;

export const eventListSchema = z.object({
  cluster: z.string(),
  namespace: z.string(),
  /** Oldest first, at most `MAX_EVENTS` (the newest). */
  events: z.array(kubernetesEventSchema),
  /** More events matched than were returned. */
  truncated: z.boolean(),
});
export type EventList = z.infer<typeof eventListSchema>;

/** Events returned per call; the API server keeps an hour of them by default. */
export const MAX_EVENTS = 500;
/** A longer event message is cut here. */
export const MAX_EVENT_MESSAGE_CHARS = 1_024;

/** Removes control characters (but tab) and cuts a line to `max` characters, marking the cut with "…". */
export function cleanLogText(text: string, max: number = POD_LOG_LIMITS.maxLineChars): string {
  const clean = text.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g, "");
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

// ---------------------------------------------------------------------------
// listInstanceObjects()

/** A kind to look for, as `apply` knows it from a manifest. */
export const objectKindRefSchema = z.object({ apiVersion: z.string().min(1), kind: z.string().min(1) });
export type ObjectKindRef = z.infer<typeof objectKindRefSchema>;

export const instanceObjectsSchema = z.object({
  cluster: z.string(),
  namespace: z.string(),
  /**
   * The live objects labelled with the instance id, as the API server returns
   * them (metadata with uid, resourceVersion and, on real clusters,
   * managedFields; status included). Secrets keep their data: callers must
   * never pass these objects on to a client.
   */
  objects: z.array(z.record(z.string(), z.unknown())),
});
export type InstanceObjects = z.infer<typeof instanceObjectsSchema>;

/** Long operations can be abandoned, e.g. when a worker shuts down. */
export interface OperationOptions {
  signal?: AbortSignal;
}

// ---------------------------------------------------------------------------

/**
 * A connection to one cluster. Every method except `connect` and
 * `deploymentTree` throws a `ClusterDriverError` (typed by `type`) when the
 * cluster cannot do what was asked.
 */
export interface ClusterDriver {
  readonly kind: ClusterDriverKind;
  /** The cluster this driver talks to. */
  readonly cluster: string;

  /** Validates reachability and credentials; never throws for cluster-side problems. */
  connect(): Promise<ConnectResult>;

  /** The static properties the cluster was registered (or simulated) with. */
  properties(): Promise<ClusterProperties>;

  /**
   * Creates the namespace if needed and applies the manifests into it with
   * `options.labels` added. Idempotent: re-applying updates changed resources,
   * leaves unchanged ones alone and prunes resources of the same instance label
   * set that are no longer in `manifests`.
   */
  apply(
    namespace: string,
    manifests: readonly KubernetesManifest[],
    options: ApplyOptions,
  ): Promise<ApplyResult>;

  /** Removes the namespace and everything in it. Idempotent. */
  deleteNamespace(namespace: string): Promise<DeleteNamespaceResult>;

  /**
   * The Argo-CD-like resource tree of a namespace. An unreachable cluster is
   * reported as data (`reachable: false`, health Unknown), not thrown.
   */
  deploymentTree(namespace: string): Promise<DeploymentTree>;

  scale(namespace: string, kind: ScalableKind, name: string, replicas: number): Promise<ScaleResult>;

  /** Backs the namespace up to the shared backup store (Velero-like). Resolves when the backup is complete. */
  backupNamespace(namespace: string, backupName: string, options?: OperationOptions): Promise<BackupInfo>;

  /** Recreates a backed-up namespace's resources in `targetNamespace` on this cluster. */
  restoreNamespace(
    backupName: string,
    targetNamespace: string,
    options?: OperationOptions,
  ): Promise<RestoreInfo>;

  /** True once a completed backup of that name is in the store this cluster can read. */
  backupExists(backupName: string): Promise<boolean>;

  /**
   * The object as the cluster holds it now (metadata, spec, status), or null
   * when it does not exist (a missing namespace too). Throws for a cluster
   * that cannot be read. Secrets come back with their data: redacting is the
   * caller's job before anything reaches a person.
   */
  getLiveObject(
    namespace: string,
    kind: string,
    name: string,
    options?: GetLiveObjectOptions,
  ): Promise<LiveObject | null>;

  /**
   * Lines a pod's container wrote: the last `tailLines`, or with
   * `sinceCursor` those after an earlier answer (polling to follow).
   * NOT_FOUND for a pod or container that does not exist.
   */
  readPodLogs(request: PodLogsRequest): Promise<PodLogs>;

  /**
   * Follows a container's log: lines as the container writes them (after
   * `sinceCursor`, or from now after the last `tailLines`), bounded by
   * `POD_LOG_STREAM_LIMITS` (lines per second with a "dropped" count, line
   * length, duration). Resolves once the pod is found; NOT_FOUND for a pod
   * or container that does not exist. Aborting `options.signal` ends the
   * events and closes the connection.
   */
  followPodLogs(request: PodLogStreamRequest, options?: OperationOptions): Promise<PodLogStream>;

  /** Events of the namespace, or of one object (`involvedObject` kind and name), oldest first. */
  listEvents(namespace: string, involvedObject?: { kind: string; name: string }): Promise<EventList>;

  /** Cluster usage in the collector's wire shape. */
  usage(): Promise<ClusterUsageSample>;

  /** Usage of one instance's namespace, per workload and summed. */
  instanceUsage(namespace: string): Promise<InstanceUsage>;

  /**
   * Usage of many namespaces at once, so a caller watching thousands of
   * instances reads each cluster once per round rather than once per
   * instance. A namespace that cannot be read is listed in `failures`; the
   * method throws only when the cluster itself cannot be read.
   */
  instancesUsage(namespaces: readonly string[]): Promise<InstancesUsage>;

  /**
   * The serving load of one instance's namespace now (replicas, per-pod CPU
   * and memory, request rate, latency p95): the CFDRL scaling agent's state.
   * NOT_FOUND for a namespace that does not exist.
   */
  instanceLoad(namespace: string): Promise<InstanceLoadSample>;

  /**
   * Usage of many instances' namespaces over a billing period: CPU, memory,
   * network bytes, GPU allocation (fractional when GPUs are shared) and energy,
   * plus the cluster's own CPU and memory in use over the same period. Read
   * once per cluster per period; a namespace that cannot be read is listed in
   * `failures`, metrics the driver cannot read in `unavailable`. Throws only
   * when the cluster itself cannot be read.
   */
  instancesPeriodUsage(namespaces: readonly string[], period: UsagePeriod): Promise<PeriodUsage>;

  /**
   * The live objects of one instance in its namespace: every object labelled
   * `nemo.eu/instance-id=<instanceId>` of the usual kinds (the prune list)
   * and of `kinds` (those its manifests declare). An absent namespace is an
   * empty list, not an error (everything was deleted by hand). Used by the
   * drift check (`src/server/drift/`).
   */
  listInstanceObjects(
    namespace: string,
    instanceId: string,
    kinds?: readonly ObjectKindRef[],
  ): Promise<InstanceObjects>;
}
