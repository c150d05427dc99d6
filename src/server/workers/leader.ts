import { createHash } from "node:crypto";
import { hostname } from "node:os";
import pg from "pg";
import { systemClock, type Clock } from "@/common/clock";
import { sleep } from "@/common/sleep";
import { acquireLeaderLease, currentLeaderLease, StaleLeaderError, type LeaderFence } from "@/server/db";
import type { Logger } from "@/server/logger";

/**
 * Leader election for periodic loops: the replica holding a session-level
 * PostgreSQL advisory lock leads. The lock lives on a dedicated connection, so
 * a crashed or partitioned leader loses it when PostgreSQL drops the session,
 * and a waiting replica takes over on its next attempt.
 *
 * Taking the lock also bumps the loop's lease number (`leader_leases`): the
 * fencing token that guarded writes check (`assertLeaderFence`), so a leader
 * that lost its session without noticing yet cannot act twice. While leading,
 * the connection is checked every `livenessCheckMs` with a deadline: TCP
 * keepalive alone takes the kernel's probe schedule (minutes) to find a
 * half-dead connection.
 */
export function advisoryLockKey(name: string): bigint {
  // Stable signed 64-bit key derived from the loop's name.
  return createHash("sha256").update(`nemo:${name}`).digest().readBigInt64BE(0);
}

export interface LeaderElectionOptions {
  databaseUrl: string;
  name: string;
  logger: Logger;
  /** How often a follower retries taking the lock. */
  retryMs?: number;
  /** How often the leader checks its lock connection (default 5 s). */
  livenessCheckMs?: number;
  /** How long that check may take before leadership is given up (default 3 s). */
  livenessTimeoutMs?: number;
  /** Idle time before the kernel's first TCP keepalive probe on the lock connection (default 10 s). */
  keepAliveInitialDelayMs?: number;
  /** Who leads, as recorded with the lease (default host:pid). */
  holder?: string;
  clock?: Clock;
}

/** The lock connection's settings: TCP keepalive, so a silently dropped peer is found even when idle. */
export function leaderClientConfig(
  options: Pick<LeaderElectionOptions, "databaseUrl" | "keepAliveInitialDelayMs">,
): pg.ClientConfig {
  return {
    connectionString: options.databaseUrl,
    keepAlive: true,
    keepAliveInitialDelayMillis: options.keepAliveInitialDelayMs ?? 10_000,
  };
}

class LivenessTimeout extends Error {}

function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LivenessTimeout(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

export class LeaderElection {
  private client: pg.Client | null = null;
  private leading = false;
  private currentFence: LeaderFence | null = null;
  /** Aborted when this term of leadership ends, so a running tick can stop. */
  private term: AbortController | null = null;
  private liveness: NodeJS.Timeout | null = null;
  /** The liveness check under way: one query at a time on the lock connection. */
  private check: Promise<boolean> | null = null;
  private readonly key: bigint;

  constructor(private readonly options: LeaderElectionOptions) {
    this.key = advisoryLockKey(options.name);
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /** The fencing token of the current term, or null when not leading. */
  fence(): LeaderFence | null {
    return this.leading ? this.currentFence : null;
  }

  /** Aborted when the current term ends (resigned, connection lost, liveness check failed). */
  get termSignal(): AbortSignal | null {
    return this.leading ? (this.term?.signal ?? null) : null;
  }

  /** Tries once to become (or stay) leader; returns whether this replica leads. */
  async tryLead(): Promise<boolean> {
    try {
      if (!this.client) {
        const client = new pg.Client(leaderClientConfig(this.options));
        client.on("error", (error) => {
          // The session is gone, and with it the lock.
          if (this.client === client) void this.lose("leader connection lost", error);
        });
        // Set before connecting, so a failed connect is ended by the catch below.
        this.client = client;
        await client.connect();
      }
      if (this.leading) return await this.checkLiveness();
      const result = await this.client.query<{ locked: boolean }>(
        "SELECT pg_try_advisory_lock($1) AS locked",
        [this.key.toString()],
      );
      if (result.rows[0]?.locked !== true) return false;
      // A lock without a fencing token is no leadership: if the bump fails the catch drops the session (and the lock).
      this.currentFence = await acquireLeaderLease(this.client, {
        name: this.options.name,
        holder: this.options.holder ?? `${hostname()}:${process.pid}`,
        at: new Date((this.options.clock ?? systemClock)()),
      });
      this.leading = true;
      this.term = new AbortController();
      this.startLivenessChecks();
      this.options.logger.info(
        { loop: this.options.name, lease: this.currentFence.lease.toString() },
        "became leader",
      );
      return true;
    } catch (error) {
      this.options.logger.warn({ err: error, loop: this.options.name }, "leader election attempt failed");
      await this.dropConnection();
      return false;
    }
  }

  /**
   * Checks, within `livenessTimeoutMs`, that the lock connection answers and
   * that the lease is still ours; gives leadership up otherwise.
   */
  checkLiveness(): Promise<boolean> {
    this.check ??= this.runLivenessCheck().finally(() => (this.check = null));
    return this.check;
  }

  private async runLivenessCheck(): Promise<boolean> {
    const client = this.client;
    const fence = this.currentFence;
    if (!this.leading || !client || !fence) return false;
    try {
      const lease = await within(
        currentLeaderLease(client, this.options.name),
        this.options.livenessTimeoutMs ?? 3_000,
      );
      if (lease !== fence.lease) throw new StaleLeaderError(fence, lease);
      return this.leading && this.client === client;
    } catch (error) {
      if (this.client === client) await this.lose("leader connection failed its liveness check", error);
      return false;
    }
  }

  /** Gives leadership up after a guarded write found the lease stale. */
  async abdicate(reason: unknown): Promise<void> {
    await this.lose("leadership lost: lease is stale", reason);
  }

  async resign(): Promise<void> {
    // Bounded by its own deadline; the unlock must not overlap it on the connection.
    await this.check;
    if (this.client && this.leading) {
      await within(
        this.client.query("SELECT pg_advisory_unlock($1)", [this.key.toString()]),
        this.options.livenessTimeoutMs ?? 3_000,
      ).catch(() => undefined);
      this.options.logger.info({ loop: this.options.name }, "resigned leadership");
    }
    await this.dropConnection();
  }

  private async lose(message: string, error: unknown): Promise<void> {
    if (this.leading)
      this.options.logger.warn(
        { err: error, loop: this.options.name, lease: this.currentFence?.lease.toString() },
        message,
      );
    await this.dropConnection();
  }

  private startLivenessChecks(): void {
    this.stopLivenessChecks();
    this.liveness = setInterval(() => {
      void this.checkLiveness();
    }, this.options.livenessCheckMs ?? 5_000);
    // The loop's own sleep keeps the process alive, not this timer.
    this.liveness.unref();
  }

  private stopLivenessChecks(): void {
    if (this.liveness) clearInterval(this.liveness);
    this.liveness = null;
  }

  private async dropConnection(): Promise<void> {
    this.stopLivenessChecks();
    this.leading = false;
    this.currentFence = null;
    this.term?.abort(new Error(`leadership of ${this.options.name} ended`));
    this.term = null;
    const client = this.client;
    this.client = null;
    // A half-dead connection may never answer the goodbye: do not wait for it past the deadline.
    await within(client?.end() ?? Promise.resolve(), this.options.livenessTimeoutMs ?? 3_000).catch(
      () => undefined,
    );
  }
}

export interface LeaderLoopOptions extends LeaderElectionOptions {
  periodMs: number;
  signal: AbortSignal;
  /**
   * One unit of periodic work, run only by the leader. `signal` also aborts
   * when leadership ends; pass `fence` to the writes that must not happen twice.
   */
  tick: (signal: AbortSignal, fence: LeaderFence) => Promise<void>;
}

/**
 * Runs `tick` every `periodMs` while this replica leads; followers keep trying
 * to take over. Resolves after the signal aborts and the current tick ends.
 */
export async function runLeaderLoop(options: LeaderLoopOptions): Promise<void> {
  const election = new LeaderElection(options);
  const log = options.logger.child({ loop: options.name });
  const clock = options.clock ?? systemClock;
  try {
    while (!options.signal.aborted) {
      const started = clock();
      if (await election.tryLead()) {
        const fence = election.fence();
        const term = election.termSignal;
        if (fence && term) {
          try {
            await options.tick(AbortSignal.any([options.signal, term]), fence);
          } catch (error) {
            if (error instanceof StaleLeaderError) await election.abdicate(error);
            else log.error({ err: error }, "periodic tick failed");
          }
        }
      }
      const wait = election.isLeader
        ? Math.max(0, options.periodMs - (clock() - started))
        : (options.retryMs ?? Math.min(options.periodMs, 5_000));
      await sleep(wait, options.signal);
    }
  } finally {
    await election.resign();
  }
}
