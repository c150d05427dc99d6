import { type BackupInfo, type OperationOptions, type RestoreInfo } from "../driver";
import { ClusterDriverError } from "../errors";
import { logger } from "@/server/logger";
import * as backups from "./backup-ops";
import { type BackupStore, InMemoryBackupStore } from "./backup-store";
import { type Clock, type Sleep, systemClock, systemSleep } from "./clock";
import { parseSimulatedClusterSpec, type SimulatedClusterSpecInput } from "./cluster-spec";
import { type ActiveFailure, type SimulatedFailure, type SimulatedFailureType } from "./failures";
import { type ClusterGuard, type SimulatedClusterAccess, type SimulatedClusterHost } from "./host";
import { SimulatedCluster } from "./simulated-cluster";
import { DEFAULT_SIMULATION_TIMING, type SimulationTiming } from "./timing";

export interface SimulatedContinuumOptions {
  /** Same seed and same calls give the same names, uids, placements and metrics. */
  seed: number;
  clusters?: readonly SimulatedClusterSpecInput[];
  /** Defaults to the wall clock; pass a manual clock for repeatable runs. */
  clock?: Clock;
  /** How backups and restores wait; a manual clock's `sleep` advances it instead. */
  sleep?: Sleep;
  /** Shared object storage for backups; defaults to one in-memory store for all clusters of this continuum. */
  backupStore?: BackupStore;
  timing?: Partial<SimulationTiming>;
}

/**
 * The simulated IoT–Edge–Cloud continuum: many clusters under one seed, one
 * clock and one backup store, plus the failure-injection API.
 */
export class SimulatedContinuum implements SimulatedClusterHost {
  readonly seed: number;
  readonly clock: Clock;
  readonly sleep: Sleep;
  readonly backupStore: BackupStore;
  readonly timing: SimulationTiming;
  readonly backupsInProgress = new Set<string>();
  private readonly clusters = new Map<string, SimulatedCluster>();
  private readonly log = logger.child({ component: "simulated-continuum" });

  constructor(options: SimulatedContinuumOptions) {
    this.seed = options.seed;
    this.clock = options.clock ?? systemClock;
    this.sleep = options.sleep ?? systemSleep;
    this.backupStore = options.backupStore ?? new InMemoryBackupStore();
    this.timing = { ...DEFAULT_SIMULATION_TIMING, ...options.timing };
    for (const spec of options.clusters ?? []) this.addCluster(spec);
  }

  now(): number {
    return this.clock();
  }

  addCluster(input: SimulatedClusterSpecInput): SimulatedCluster {
    const spec = parseSimulatedClusterSpec(input);
    if (this.clusters.has(spec.name))
      throw new ClusterDriverError("ALREADY_EXISTS", `simulated cluster ${spec.name} already exists`, {
        cluster: spec.name,
      });
    const cluster = new SimulatedCluster({
      spec,
      context: { seed: this.seed, clock: this.clock, timing: this.timing },
    });
    this.clusters.set(spec.name, cluster);
    return cluster;
  }

  /** The existing cluster of that name, or a new one from `spec` (registration of a `sim://` cluster). */
  ensureCluster(spec: SimulatedClusterSpecInput): SimulatedCluster {
    return this.clusters.get(spec.name) ?? this.addCluster(spec);
  }

  hasCluster(name: string): boolean {
    return this.clusters.has(name);
  }

  cluster(name: string): SimulatedCluster {
    const cluster = this.clusters.get(name);
    if (!cluster)
      throw new ClusterDriverError("NOT_FOUND", `no simulated cluster named ${name}`, { cluster: name });
    return cluster;
  }

  clusterNames(): string[] {
    return [...this.clusters.keys()].sort();
  }

  // -------------------------------------------------------------------------
  // Failure injection

  /** Injects a failure on one cluster; returns its id for `clearFailure`. */
  injectFailure(clusterName: string, failure: SimulatedFailure): string {
    const active = this.cluster(clusterName).injectFailure(failure);
    this.log.info(
      { cluster: clusterName, failure: active.failure, id: active.id },
      "simulated failure injected",
    );
    return active.id;
  }

  clearFailure(id: string): boolean {
    for (const cluster of this.clusters.values()) {
      if (cluster.removeFailure(id)) {
        this.log.info({ cluster: cluster.name, id }, "simulated failure cleared");
        return true;
      }
    }
    return false;
  }

  /** Clears the failures of a cluster (all, or of one type); returns how many were cleared. */
  clearFailures(clusterName: string, type?: SimulatedFailureType): number {
    return this.cluster(clusterName).clearFailures(type);
  }

  activeFailures(clusterName?: string): ActiveFailure[] {
    const clusters = clusterName === undefined ? [...this.clusters.values()] : [this.cluster(clusterName)];
    return clusters.flatMap((cluster) => cluster.activeFailures().map((active) => ({ ...active })));
  }

  // -------------------------------------------------------------------------
  // Driver access and backups (Velero-like, through the shared store)

  /** Operations run directly on the in-memory cluster; there is nothing to load or save. */
  access(clusterName: string, guard?: ClusterGuard): SimulatedClusterAccess {
    const run = async <T>(fn: (cluster: SimulatedCluster) => T): Promise<T> => {
      const cluster = this.cluster(clusterName);
      guard?.(cluster);
      return fn(cluster);
    };
    return { cluster: clusterName, read: run, update: run };
  }

  backupNamespace(
    clusterName: string,
    namespace: string,
    backupName: string,
    options: OperationOptions = {},
  ): Promise<BackupInfo> {
    return backups.backupNamespace(this, this.access(clusterName), namespace, backupName, options);
  }

  restoreNamespace(
    clusterName: string,
    backupName: string,
    targetNamespace: string,
    options: OperationOptions = {},
  ): Promise<RestoreInfo> {
    return backups.restoreNamespace(this, this.access(clusterName), backupName, targetNamespace, options);
  }

  backupExists(clusterName: string, backupName: string): Promise<boolean> {
    return backups.backupExists(this, this.access(clusterName), backupName);
  }
}
