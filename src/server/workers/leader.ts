import { createHash } from "node:crypto";
import pg from "pg";
import type { Logger } from "@/server/logger";
import { sleep } from "@/common/sleep";

/**
 * Leader election for periodic loops: the replica holding a session-level
 * PostgreSQL advisory lock leads. The lock lives on a dedicated connection, so
 * a crashed or partitioned leader loses it when PostgreSQL drops the session,
 * and a waiting replica takes over on its next attempt.
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
}

export class LeaderElection {
  private client: pg.Client | null = null;
  private leading = false;
  private readonly key: bigint;

  constructor(private readonly options: LeaderElectionOptions) {
    this.key = advisoryLockKey(options.name);
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /** Tries once to become (or stay) leader; returns whether this replica leads. */
  async tryLead(): Promise<boolean> {
    try {
      if (!this.client) {
        const client = new pg.Client({ connectionString: this.options.databaseUrl });
        client.on("error", (error) => {
          // The session is gone, and with it the lock.
          this.options.logger.warn({ err: error, loop: this.options.name }, "leader connection lost");
          this.leading = false;
          this.client = null;
        });
        await client.connect();
        this.client = client;
      }
      if (this.leading) {
        await this.client.query("SELECT 1");
        return this.client !== null && this.leading;
      }
      const result = await this.client.query<{ locked: boolean }>(
        "SELECT pg_try_advisory_lock($1) AS locked",
        [this.key.toString()],
      );
      const locked = result.rows[0]?.locked === true;
      if (locked) this.options.logger.info({ loop: this.options.name }, "became leader");
      this.leading = locked;
      return locked;
    } catch (error) {
      this.options.logger.warn({ err: error, loop: this.options.name }, "leader election attempt failed");
      await this.dropConnection();
      return false;
    }
  }

  async resign(): Promise<void> {
    if (this.client && this.leading) {
      await this.client.query("SELECT pg_advisory_unlock($1)", [this.key.toString()]).catch(() => undefined);
      this.options.logger.info({ loop: this.options.name }, "resigned leadership");
    }
    await this.dropConnection();
  }

  private async dropConnection(): Promise<void> {
    this.leading = false;
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }
}

export interface LeaderLoopOptions extends LeaderElectionOptions {
  periodMs: number;
  signal: AbortSignal;
  /** One unit of periodic work, run only by the leader. */
  tick: (signal: AbortSignal) => Promise<void>;
}

/**
 * Runs `tick` every `periodMs` while this replica leads; followers keep trying
 * to take over. Resolves after the signal aborts and the current tick ends.
 */
export async function runLeaderLoop(options: LeaderLoopOptions): Promise<void> {
  const election = new LeaderElection(options);
  const log = options.logger.child({ loop: options.name });
  try {
    while (!options.signal.aborted) {
      const started = Date.now();
      if (await election.tryLead()) {
        try {
          await options.tick(options.signal);
        } catch (error) {
          log.error({ err: error }, "periodic tick failed");
        }
      }
      const wait = election.isLeader
        ? Math.max(0, options.periodMs - (Date.now() - started))
        : (options.retryMs ?? Math.min(options.periodMs, 5_000));
      await sleep(wait, options.signal);
    }
  } finally {
    await election.resign();
  }
}
