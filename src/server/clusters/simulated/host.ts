import { type BackupStore } from "./backup-store";
import { type Sleep } from "./clock";
import { type SimulatedCluster } from "./simulated-cluster";
import { type SimulationTiming } from "./timing";

/**
 * Where simulated clusters live, as the driver sees it: in this process's
 * memory (`SimulatedContinuum`) or in PostgreSQL, shared by every process
 * (`PostgresSimulatedContinuum`). The driver and the backup/restore logic are
 * written once against this interface, so both modes behave the same.
 */

/** Runs checks (e.g. the caller's credentials) on the cluster before each operation. */
export type ClusterGuard = (cluster: SimulatedCluster) => void;

/** One cluster's state, reached one operation at a time. */
export interface SimulatedClusterAccess {
  readonly cluster: string;
  /** Runs `fn` on the current state. `fn` must not change it: changes may be discarded. */
  read<T>(fn: (cluster: SimulatedCluster) => T): Promise<T>;
  /**
   * Runs `fn` on the current state and keeps what it changed. Updates of one
   * cluster are serialised; when `fn` throws, nothing it changed is kept by a
   * shared store (the in-memory one has no rollback, so operations validate
   * before they mutate).
   */
  update<T>(fn: (cluster: SimulatedCluster) => T): Promise<T>;
}

/** What backups and restores need besides the clusters: Velero's bucket, time and waiting. */
export interface SimulatedBackupEnvironment {
  readonly backupStore: BackupStore;
  readonly sleep: Sleep;
  readonly timing: SimulationTiming;
  now(): number;
  /** Backups running in this process, so a duplicate request fails fast instead of racing. */
  readonly backupsInProgress: Set<string>;
}

export interface SimulatedClusterHost extends SimulatedBackupEnvironment {
  access(cluster: string, guard?: ClusterGuard): SimulatedClusterAccess;
}
