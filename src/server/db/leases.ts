import type pg from "pg";
import type { Prisma } from "@/generated/prisma/client";

/**
 * Fencing tokens for leader-elected loops. An advisory lock says who leads
 * *now*; a replica whose connection died mid-tick may still be writing. Each
 * time a replica takes a loop's lock it bumps the loop's lease number; a
 * leader's write that must not happen twice runs in a transaction that first
 * reads the lease `FOR SHARE` and gives up (StaleLeaderError) unless it is
 * still the one the leader got. The share lock makes the check hold until
 * commit: a new leader's bump waits for the write, or the write sees the bump.
 */
export interface LeaderFence {
  /** The loop, `<role>:<loop>`. */
  readonly name: string;
  /** The lease number this replica got when it took the lock. */
  readonly lease: bigint;
}

export class StaleLeaderError extends Error {
  constructor(
    readonly fence: LeaderFence,
    readonly currentLease: bigint | null,
  ) {
    super(
      `leadership of ${fence.name} has moved on: lease ${fence.lease} is not the current one (${currentLease ?? "none"}); write refused`,
    );
    this.name = "StaleLeaderError";
  }
}

/**
 * Bumps the loop's lease (creating it at 1) on the connection that holds its
 * advisory lock, and returns the new fencing token.
 */
export async function acquireLeaderLease(
  client: pg.ClientBase,
  input: { name: string; holder: string; at: Date },
): Promise<LeaderFence> {
  const result = await client.query<{ lease: string }>(
    `INSERT INTO leader_leases (name, lease, holder, acquired_at) VALUES ($1, 1, $2, $3)
     ON CONFLICT (name) DO UPDATE
       SET lease = leader_leases.lease + 1, holder = EXCLUDED.holder, acquired_at = EXCLUDED.acquired_at
     RETURNING lease::text AS lease`,
    [input.name, input.holder, input.at],
  );
  const lease = result.rows[0]?.lease;
  if (lease === undefined) throw new Error(`no lease returned for ${input.name}`);
  return { name: input.name, lease: BigInt(lease) };
}

/** The loop's current lease number (null before anyone led it), on a plain connection. */
export async function currentLeaderLease(client: pg.ClientBase, name: string): Promise<bigint | null> {
  const result = await client.query<{ lease: string }>(
    "SELECT lease::text AS lease FROM leader_leases WHERE name = $1",
    [name],
  );
  const lease = result.rows[0]?.lease;
  return lease === undefined ? null : BigInt(lease);
}

/**
 * First statement of a guarded write's transaction: throws StaleLeaderError
 * unless `fence` is still the loop's current lease. Without a fence (a call
 * outside a leader loop: tests, the API) there is nothing to check.
 */
export async function assertLeaderFence(
  tx: Prisma.TransactionClient,
  fence: LeaderFence | undefined,
): Promise<void> {
  if (!fence) return;
  const rows = await tx.$queryRaw<Array<{ lease: string }>>`
    SELECT lease::text AS lease FROM leader_leases WHERE name = ${fence.name} FOR SHARE`;
  const current = rows[0] ? BigInt(rows[0].lease) : null;
  if (current !== fence.lease) throw new StaleLeaderError(fence, current);
}
