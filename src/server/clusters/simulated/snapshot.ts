import { z } from "zod";
import { ClusterDriverError } from "../errors";
import { kubernetesManifestSchema, podSpecSchema } from "../manifests";
import { simulatedClusterSpecSchema } from "./cluster-spec";
import { simulatedFailureSchema } from "./failures";
import { loadProfileSchema } from "./load-model";

/**
 * A simulated cluster as plain JSON: what is stored in
 * `simulated_cluster_states.state` so that every process sees the same
 * cluster. Maps become arrays in insertion order (iteration order decides
 * scheduling and pruning order, so it is part of the state), and the
 * counters that name things next (uids, pods, failure ids) are kept so a
 * restored cluster continues exactly where the original stopped.
 *
 * Everything derivable from the seed and the spec (background load profile)
 * is recomputed instead of stored. Read back through the schema, never cast:
 * a row written by an older build must fail loudly, not half-hydrate.
 */

export const SIMULATED_SNAPSHOT_FORMAT = 1;

const stringMap = z.record(z.string(), z.string());
const epochMs = z.number();
const count = z.number().int().nonnegative();

const capacitySchema = z.object({
  cpuMillicores: z.number().nonnegative(),
  memoryBytes: z.number().nonnegative(),
  gpus: count,
  vramBytes: z.number().nonnegative(),
});

const nodeSchema = z.object({
  name: z.string(),
  labels: stringMap,
  capacity: capacitySchema,
  allocatable: capacitySchema,
  uid: z.string(),
  createdAt: epochMs,
});

const ownerRefSchema = z.object({ kind: z.string(), name: z.string(), uid: z.string() });

const resourceAmountsSchema = z.object({
  cpuMillicores: z.number().nonnegative(),
  memoryBytes: z.number().nonnegative(),
  gpus: count,
  ephemeralStorageBytes: z.number().nonnegative(),
});

const resourceSchema = z.object({
  uid: z.string(),
  kind: z.string(),
  name: z.string(),
  applied: kubernetesManifestSchema,
  live: kubernetesManifestSchema,
  appliedLabels: stringMap,
  profile: loadProfileSchema.nullable(),
  createdAt: epochMs,
  updatedAt: epochMs,
});

const replicaSetSchema = z.object({
  uid: z.string(),
  name: z.string(),
  owner: ownerRefSchema,
  templateHash: z.string(),
  revision: count,
  replicas: count,
  createdAt: epochMs,
});

const podSchema = z.object({
  uid: z.string(),
  name: z.string(),
  namespace: z.string(),
  owner: ownerRefSchema.nullable(),
  workloadKey: z.string(),
  ordinal: count.nullable(),
  templateHash: z.string(),
  labels: stringMap,
  spec: podSpecSchema,
  resources: z.object({ requests: resourceAmountsSchema, limits: resourceAmountsSchema.partial() }),
  nodeName: z.string().nullable(),
  pendingReason: z.string().nullable(),
  createdAt: epochMs,
  scheduledAt: epochMs.nullable(),
  startupMs: z.number().nonnegative(),
  restartsBase: count,
  seq: count,
});

const claimSchema = z.object({
  uid: z.string(),
  name: z.string(),
  owner: ownerRefSchema.nullable(),
  storageBytes: z.number().nonnegative(),
  fillFraction: z.number().min(0).max(1),
  createdAt: epochMs,
});

const namespaceSchema = z.object({
  name: z.string(),
  uid: z.string(),
  createdAt: epochMs,
  labels: stringMap,
  resources: z.array(resourceSchema),
  replicaSets: z.array(replicaSetSchema),
  pods: z.array(podSchema),
  claims: z.array(claimSchema),
});

const activeFailureSchema = z.object({
  id: z.string(),
  cluster: z.string(),
  failure: simulatedFailureSchema,
  since: epochMs,
  remaining: z.number().int().nullable(),
});

export const simulatedClusterSnapshotSchema = z.object({
  format: z.literal(SIMULATED_SNAPSHOT_FORMAT),
  /** The continuum seed the cluster was created under; it keeps it wherever it is hydrated. */
  seed: z.number().int(),
  spec: simulatedClusterSpecSchema,
  nodes: z.array(nodeSchema),
  namespaces: z.array(namespaceSchema),
  failures: z.array(activeFailureSchema),
  /** Next uid stream index. */
  uidSeq: count,
  /** Next pod creation index (pod names and scheduling order). */
  podSeq: count,
  /** Last failure id number handed out on this cluster. */
  failureSeq: count,
});
export type SimulatedClusterSnapshot = z.infer<typeof simulatedClusterSnapshotSchema>;
export type SimulatedNamespaceSnapshot = z.infer<typeof namespaceSchema>;

/** Validates stored JSON; throws a readable error naming the first bad fields. */
export function parseSimulatedClusterSnapshot(
  value: unknown,
  what = "simulated cluster snapshot",
): SimulatedClusterSnapshot {
  const parsed = simulatedClusterSnapshotSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`)
    .join("; ");
  throw new ClusterDriverError("UNKNOWN", `invalid ${what}: ${details}`);
}
