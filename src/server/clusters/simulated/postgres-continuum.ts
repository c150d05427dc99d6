import { z } from "zod";
import { type Prisma } from "@/generated/prisma/client";
import { type Db } from "@/server/db";
import { logger } from "@/server/logger";
import { type BackupInfo, type OperationOptions, type RestoreInfo } from "../driver";
import { ClusterDriverError } from "../errors";
import * as backups from "./backup-ops";
import { type BackupStore } from "./backup-store";
import { type Clock, type Sleep, systemClock, systemSleep } from "./clock";
import {
  parseSimulatedClusterSpec,
  type SimulatedClusterSpec,
  type SimulatedClusterSpecInput,
} from "./cluster-spec";
import { type ActiveFailure, type SimulatedFailure, type SimulatedFailureType } from "./failures";
import { type ClusterGuard, type SimulatedClusterAccess, type SimulatedClusterHost } from "./host";
import { PostgresBackupStore } from "./postgres-backup-store";
import { SimulatedCluster } from "./simulated-cluster";
import { DEFAULT_SIMULATION_TIMING, type SimulationTiming } from "./timing";

/**
 * The simulated continuum shared by every process through PostgreSQL.
 *
 * Each cluster is one row of `simulated_cluster_states` holding its snapshot
 * (`SimulatedCluster.snapshotJson`). An operation that may change the cluster
 * runs in one transaction: lock the row (`SELECT … FOR UPDATE`, so operations
 * from different processes serialise), hydrate, operate, and write the new
 * snapshot with `version + 1` only when the text changed. Reads (tree, usage,
 * connect) are a plain `SELECT` with no lock and never write; each process
 * keeps its last hydrated copy and the same query only sends the state when
 * the row's version (and `xmin`) moved on. A row is
 * created from the cluster's spec the first time an operation changes it;
 * until then reads see the fresh cluster the spec describes. Once stored, the
 * row is the truth: its spec and seed win over what a process registers.
 *
 * Same seed and same operations give the same state as the in-memory
 * continuum: every random draw is keyed by the seed and the counters that are
 * part of the snapshot, never by which process performed the operation.
 */

export interface PostgresSimulatedContinuumOptions {
  db: Db;
  /** Seed of clusters this process creates; a stored cluster keeps the seed it was created under. */
  seed: number;
  /** Specs of clusters this process may create on first use (demo clusters, registered `sim://` clusters). */
  clusters?: readonly SimulatedClusterSpecInput[];
  /** Defaults to the wall clock, which every process shares closely enough for pod start-up and crash loops. */
  clock?: Clock;
  sleep?: Sleep;
  timing?: Partial<SimulationTiming>;
  /** Defaults to `simulated_backups` in the same database. */
  backupStore?: BackupStore;
  /**
   * Bounds of one changing operation: waiting for a pooled connection, and the
   * whole transaction including the wait for the row lock behind other processes.
   */
  transaction?: { maxWaitMs?: number; timeoutMs?: number };
}

/** `xmin` (the writing transaction) tells a recreated row from the one cached at the same version. */
const writtenRowSchema = z.object({ version: z.number().int(), xmin: z.string() });
const stateRowSchema = writtenRowSchema.extend({ state: z.string().nullable() });
type StateRow = z.infer<typeof stateRowSchema>;

/** A hydrated cluster as stored at `version`, and its snapshot text once computed (what an update compares against). */
interface CachedCluster {
  version: number;
  xmin: string;
  cluster: SimulatedCluster;
  json: string | null;
}

export class PostgresSimulatedContinuum implements SimulatedClusterHost {
  readonly db: Db;
  readonly seed: number;
  readonly clock: Clock;
  readonly sleep: Sleep;
  readonly timing: SimulationTiming;
  readonly backupStore: BackupStore;
  readonly backupsInProgress = new Set<string>();
  private readonly specs = new Map<string, SimulatedClusterSpec>();
  /**
   * Per cluster, the last state this process loaded or wrote. A read checks
   * it against the row's version in the same query, so the cache saves the
   * transfer and hydration of an unchanged cluster but never serves stale state.
   */
  private readonly cache = new Map<string, CachedCluster>();
  private readonly transactionOptions: { maxWait: number; timeout: number };
  private readonly log = logger.child({ component: "simulated-continuum", store: "postgres" });

  constructor(options: PostgresSimulatedContinuumOptions) {
    this.db = options.db;
    this.seed = options.seed;
    this.clock = options.clock ?? systemClock;
    this.sleep = options.sleep ?? systemSleep;
    this.timing = { ...DEFAULT_SIMULATION_TIMING, ...options.timing };
    this.backupStore = options.backupStore ?? new PostgresBackupStore(options.db);
    this.transactionOptions = {
      maxWait: options.transaction?.maxWaitMs ?? 30_000,
      timeout: options.transaction?.timeoutMs ?? 30_000,
    };
    for (const spec of options.clusters ?? []) this.registerCluster(spec);
  }

  now(): number {
    return this.clock();
  }

  /**
   * Makes a cluster creatable by this process. The first spec registered for
   * a name wins (as `SimulatedContinuum.ensureCluster`); returns whether this
   * one was taken.
   */
  registerCluster(input: SimulatedClusterSpecInput): boolean {
    const spec = parseSimulatedClusterSpec(input);
    if (this.specs.has(spec.name)) return false;
    this.specs.set(spec.name, spec);
    return true;
  }

  knowsCluster(name: string): boolean {
    return this.specs.has(name);
  }

  // -------------------------------------------------------------------------
  // Loading and saving

  private environment() {
    return { clock: this.clock, timing: this.timing };
  }

  private fresh(name: string): SimulatedCluster {
    const spec = this.specs.get(name);
    if (!spec)
      throw new ClusterDriverError("NOT_FOUND", `no simulated cluster named ${name}`, { cluster: name });
    return new SimulatedCluster({
      spec,
      context: { seed: this.seed, clock: this.clock, timing: this.timing },
    });
  }

  /**
   * The row (locked when `lock`), with its state text only when it differs
   * from `known`: an unchanged cluster is neither transferred nor re-parsed.
   */
  private async selectRow(
    client: Db | Prisma.TransactionClient,
    name: string,
    lock: boolean,
    known?: CachedCluster,
  ): Promise<StateRow | null> {
    const version = known?.version ?? -1;
    const xmin = known?.xmin ?? "";
    const rows = lock
      ? await client.$queryRaw<unknown[]>`
          SELECT version, xmin::text AS xmin,
                 CASE WHEN version = ${version} AND xmin::text = ${xmin} THEN NULL ELSE state::text END AS state
          FROM simulated_cluster_states WHERE name = ${name} FOR UPDATE`
      : await client.$queryRaw<unknown[]>`
          SELECT version, xmin::text AS xmin,
                 CASE WHEN version = ${version} AND xmin::text = ${xmin} THEN NULL ELSE state::text END AS state
          FROM simulated_cluster_states WHERE name = ${name}`;
    return rows.length === 0 ? null : stateRowSchema.parse(rows[0]);
  }

  private hydrate(row: StateRow & { state: string }): CachedCluster {
    const cluster = SimulatedCluster.fromSnapshotJson(row.state, this.environment());
    return { version: row.version, xmin: row.xmin, cluster, json: null };
  }

  /**
   * Runs `fn` on the stored (or, before first use, the fresh) cluster without
   * locking or writing. `fn` must not change the cluster: it may be this
   * process's cached copy.
   */
  async read<T>(name: string, fn: (cluster: SimulatedCluster) => T): Promise<T> {
    const known = this.cache.get(name);
    let row = await this.selectRow(this.db, name, false, known);
    if (!row) return fn(this.fresh(name));
    // Still cached means no update of this process took it to change it meanwhile.
    if (row.state === null && known && this.cache.get(name) === known) return fn(known.cluster);
    if (row.state === null) row = await this.selectRow(this.db, name, false);
    if (!row) return fn(this.fresh(name));
    if (row.state === null) throw new ClusterDriverError("UNKNOWN", `simulated cluster ${name} has no state`);
    const entry = this.hydrate({ ...row, state: row.state });
    // Last loaded wins; an entry that turns out older than the row only costs a reload.
    this.cache.set(name, entry);
    return fn(entry.cluster);
  }

  /** Runs `fn` on the locked row's cluster and stores the result if it changed; a throw rolls everything back. */
  async update<T>(name: string, fn: (cluster: SimulatedCluster) => T): Promise<T> {
    // Taken out of the cache while it may change, so that concurrent reads never see uncommitted state.
    const known = this.cache.get(name);
    this.cache.delete(name);
    const { result, entry } = await this.db.$transaction(async (tx) => {
      let row = await this.selectRow(tx, name, true, known);
      if (!row) {
        const initial = this.fresh(name).snapshotJson();
        // Another process may be creating it too: whoever commits first defines it, the other locks that row.
        await tx.$executeRaw`
          INSERT INTO simulated_cluster_states (name, state, version, updated_at)
          VALUES (${name}, ${initial}::jsonb, 0, CURRENT_TIMESTAMP)
          ON CONFLICT (name) DO NOTHING`;
        row = await this.selectRow(tx, name, true);
      }
      if (!row) throw new ClusterDriverError("UNKNOWN", `simulated cluster ${name} vanished while created`);
      const current = row.state === null ? known : this.hydrate({ ...row, state: row.state });
      if (!current) throw new ClusterDriverError("UNKNOWN", `simulated cluster ${name} has no state`);
      const before = current.json ?? current.cluster.snapshotJson();
      const result = fn(current.cluster);
      const after = current.cluster.snapshotJson();
      if (after === before) return { result, entry: { ...current, json: before } };
      const written = await tx.$queryRaw<unknown[]>`
        UPDATE simulated_cluster_states
        SET state = ${after}::jsonb, version = version + 1, updated_at = CURRENT_TIMESTAMP
        WHERE name = ${name}
        RETURNING version, xmin::text AS xmin`;
      const { version, xmin } = writtenRowSchema.parse(written[0]);
      return { result, entry: { version, xmin, cluster: current.cluster, json: after } };
    }, this.transactionOptions);
    this.cache.set(name, entry);
    return result;
  }

  access(name: string, guard?: ClusterGuard): SimulatedClusterAccess {
    const guarded =
      <T>(fn: (cluster: SimulatedCluster) => T) =>
      (cluster: SimulatedCluster): T => {
        guard?.(cluster);
        return fn(cluster);
      };
    return {
      cluster: name,
      read: (fn) => this.read(name, guarded(fn)),
      update: (fn) => this.update(name, guarded(fn)),
    };
  }

  /** The stored version (0 when created, +1 per change), or null before first use. */
  async version(name: string): Promise<number | null> {
    const row = await this.db.simulatedClusterState.findUnique({
      where: { name },
      select: { version: true },
    });
    return row?.version ?? null;
  }

  /** Names of the clusters stored so far. */
  async storedClusterNames(): Promise<string[]> {
    const rows = await this.db.simulatedClusterState.findMany({
      select: { name: true },
      orderBy: { name: "asc" },
    });
    return rows.map((row) => row.name);
  }

  /** Forgets a cluster's stored state: the next use starts again from its spec. */
  async resetCluster(name: string): Promise<boolean> {
    this.cache.delete(name);
    return (await this.db.simulatedClusterState.deleteMany({ where: { name } })).count > 0;
  }

  // -------------------------------------------------------------------------
  // Failure injection, visible to every process at its next operation

  async injectFailure(name: string, failure: SimulatedFailure): Promise<string> {
    const active = await this.update(name, (cluster) => cluster.injectFailure(failure));
    this.log.info({ cluster: name, failure: active.failure, id: active.id }, "simulated failure injected");
    return active.id;
  }

  async clearFailure(name: string, id: string): Promise<boolean> {
    const cleared = await this.update(name, (cluster) => cluster.removeFailure(id));
    if (cleared) this.log.info({ cluster: name, id }, "simulated failure cleared");
    return cleared;
  }

  /** Clears a cluster's failures (all, or of one type); returns how many were cleared. */
  async clearFailures(name: string, type?: SimulatedFailureType): Promise<number> {
    const cleared = await this.update(name, (cluster) => cluster.clearFailures(type));
    if (cleared > 0) this.log.info({ cluster: name, type, cleared }, "simulated failures cleared");
    return cleared;
  }

  async activeFailures(name: string): Promise<ActiveFailure[]> {
    return this.read(name, (cluster) => cluster.activeFailures().map((active) => ({ ...active })));
  }

  // -------------------------------------------------------------------------
  // Backups, by cluster name (drivers call the same operations with their authenticated access)

  backupNamespace(
    name: string,
    namespace: string,
    backupName: string,
    options: OperationOptions = {},
  ): Promise<BackupInfo> {
    return backups.backupNamespace(this, this.access(name), namespace, backupName, options);
  }

  restoreNamespace(
    name: string,
    backupName: string,
    targetNamespace: string,
    options: OperationOptions = {},
  ): Promise<RestoreInfo> {
    return backups.restoreNamespace(this, this.access(name), backupName, targetNamespace, options);
  }

  backupExists(name: string, backupName: string): Promise<boolean> {
    return backups.backupExists(this, this.access(name), backupName);
  }
}
