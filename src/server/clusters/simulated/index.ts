/**
 * The simulated cluster driver: a deterministic model of a Kubernetes
 * continuum, the default driver of the quick start, the tests, the
 * benchmarks and the RL training environment.
 *
 * What is simulated
 * - A `SimulatedContinuum` holds clusters built from specs (nodes, CPU,
 *   memory, storage, VRAM/GPUs, availability, green energy, cost class).
 *   Nodes expose allocatable capacity (capacity minus kube-reserved).
 * - `apply` validates manifests and stores every object in its namespace;
 *   Deployments get ReplicaSets (named by pod-template hash) and Pods,
 *   StatefulSets get ordinal Pods and PersistentVolumeClaims, bare Pods are
 *   run as they are. Re-applying is idempotent (unchanged objects keep their
 *   pods) and prunes objects of the same labels that disappeared.
 * - A scheduler binds pods by their requests (filter on nodeSelector, CPU,
 *   memory, `nvidia.com/gpu`; score LeastAllocated; ties by node order);
 *   pods that fit nowhere stay Pending with kube-scheduler's reason, and are
 *   bound later when capacity frees up. Bound pods spend a seeded start-up
 *   time in ContainerCreating before Running.
 * - Load: each workload has a seeded diurnal demand (requests/s) shared by
 *   its ready pods; pod CPU and memory follow the requests served, bounded by
 *   limits and by node capacity; latency follows an M/M/1 curve (p95 =
 *   ln 20 × the mean). `instanceLoad` samples an instance for the CFDRL
 *   scaling agent; the RL environment (src/server/rl/environment.ts) drives
 *   the same pod-load functions with a trace instead of the diurnal demand. Cluster
 *   metrics add a seeded background (system pods, other tenants) and are
 *   reported in the collector's wire shape.
 * - Backups copy a namespace's live objects into a `BackupStore` shared by
 *   the continuum's clusters (Velero's object storage), so a namespace backed
 *   up on one cluster can be restored on another.
 *
 * - Inspection (`inspection.ts`): an object as the cluster holds it (the
 *   applied manifest plus a status derived from its pods; Pods, ReplicaSets
 *   and claims synthesised), container logs (start-up lines, then every 5 s
 *   a sample of the requests the load model sends the pod with a count and
 *   the mean latency, 5xx under a load spike, a fatal error and a restart at
 *   each crash-loop back-off) and events (Scheduled, Pulling, Pulled,
 *   Created, Started, BackOff, FailedScheduling, SuccessfulCreate,
 *   ScalingReplicaSet), all derived from the state, the seed and the clock.
 *
 * Determinism
 * Every random value comes from mulberry32 streams keyed by the continuum
 * seed plus what is drawn (cluster, pod, time bucket); time comes from an
 * injected clock and waiting from an injected sleep. The same seed, clock
 * and calls give identical names, uids, placements, trees and metrics; a
 * different seed gives different ones.
 *
 * Injectable failures (`continuum.injectFailure(cluster, failure)`, cleared
 * with `clearFailure(id)` / `clearFailures(cluster, type?)`):
 * cluster-down, slow-backup, backup-fails, restore-fails, crash-loop and
 * load-spike; see `failures.ts`.
 *
 * Where the state lives
 * - In memory (`SimulatedContinuum`): one process's clusters in Maps, with no
 *   I/O; for unit tests, benchmarks and the RL loop.
 * - In PostgreSQL (`PostgresSimulatedContinuum`), shared by every process
 *   (orchestrator, IBMC agents, evaluator, web app): each cluster is a row of
 *   `simulated_cluster_states` holding its snapshot (`snapshot.ts`: plain
 *   JSON with the uid/pod/failure counters, validated when read). A changing
 *   operation locks the row (`SELECT … FOR UPDATE`), hydrates the cluster,
 *   runs, and writes the new snapshot with `version + 1` if it changed, all in
 *   one transaction, so processes serialise per cluster and no update is lost.
 *   Reads (tree, usage, connect) are a plain SELECT: no lock, no write, and
 *   no transfer or re-hydration when this process's cached copy is current.
 *   Backups go to `simulated_backups` (`PostgresBackupStore`); their waiting
 *   happens outside any transaction. Failures are injected through the same
 *   rows, so one process can take a cluster down for all.
 *   `createClusterDriver(config, { db })` and `sharedSimulatedContinuum(db)`
 *   (in `clusters/shared-continuum.ts`) wire it with `SIM_SEED` and the demo specs.
 * Both modes run the same cluster code through `SimulatedClusterHost`
 * (`host.ts`), so the same seed and operations give the same results.
 */
export { type BackupRecord, type BackupStore, type BackupVolume, InMemoryBackupStore } from "./backup-store";
export {
  type ClusterGuard,
  type SimulatedBackupEnvironment,
  type SimulatedClusterAccess,
  type SimulatedClusterHost,
} from "./host";
export { PostgresBackupStore } from "./postgres-backup-store";
export { PostgresSimulatedContinuum, type PostgresSimulatedContinuumOptions } from "./postgres-continuum";
export {
  parseSimulatedClusterSnapshot,
  SIMULATED_SNAPSHOT_FORMAT,
  type SimulatedClusterSnapshot,
  simulatedClusterSnapshotSchema,
} from "./snapshot";
export {
  type Clock,
  createManualClock,
  type ManualClock,
  type Sleep,
  systemClock,
  systemSleep,
} from "./clock";
export {
  layoutNodes,
  parseSimulatedApi,
  parseSimulatedClusterSpec,
  simulatedClusterSpecSchema,
  type SimulatedClusterSpec,
  type SimulatedClusterSpecInput,
  simulatedManagedApi,
  specFromProperties,
} from "./cluster-spec";
export { SimulatedContinuum, type SimulatedContinuumOptions } from "./continuum";
export {
  type ActiveFailure,
  crashLoopRestarts,
  type SimulatedFailure,
  simulatedFailureSchema,
  type SimulatedFailureType,
} from "./failures";
export {
  CPU_PER_REQUEST_ANNOTATION,
  LOAD_PROFILE_ANNOTATION,
  latencyMs,
  latencyP95Ms,
  type LoadProfile,
  P95_OVER_MEAN,
  type PodLoad,
  REQUESTS_PER_SECOND_ANNOTATION,
  servingPodLoad,
  type ServingLoadSummary,
  summarizeServingLoads,
} from "./load-model";
export { type SnapshotEnvironment, SimulatedCluster } from "./simulated-cluster";
export { DEFAULT_SIMULATION_TIMING, type SimulationTiming, VELERO_OBSERVED_TIMING } from "./timing";
export { SimulatedClusterDriver, type SimulatedClusterDriverOptions } from "./simulated-driver";
