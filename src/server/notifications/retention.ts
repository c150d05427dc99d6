import { type Clock, systemClock } from "@/common/clock";
import type { Db } from "@/server/db";
import type { Logger } from "@/server/logger";

/**
 * Notifications are not kept forever: read ones go after `readDays`, every
 * one (unread too) after `days`. Deleted in short batches, each its own
 * statement, like the bus's bookkeeping (the orchestrator's leader runs it
 * in the same period, BUS_PRUNE_PERIOD_MS).
 */

const DAY_MS = 86_400_000;

export interface NotificationRetention {
  /** Days any notification is kept; 0 keeps unread ones forever. */
  days: number;
  /** Days a read notification is kept (counted from its creation); 0 keeps read ones as long as `days`. */
  readDays: number;
}

export interface PruneNotificationsOptions {
  db: Db;
  log: Logger;
  retention: NotificationRetention;
  clock?: Clock;
  /** Most rows one DELETE removes (default 5,000). */
  batchSize?: number;
  signal?: AbortSignal;
}

/** How many notifications were deleted. */
export async function pruneNotifications(options: PruneNotificationsOptions): Promise<number> {
  const { db, log, retention, clock = systemClock, batchSize = 5_000, signal } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new Error(`batchSize must be a positive integer, got ${batchSize}`);
  const now = clock();
  const cutoff = (days: number): Date => new Date(now - days * DAY_MS);
  const everyBefore = retention.days > 0 ? cutoff(retention.days) : null;
  const readBefore = retention.readDays > 0 ? cutoff(retention.readDays) : null;
  if (!everyBefore && !readBefore) return 0;
  let total = 0;
  while (!signal?.aborted) {
    const removed = await db.$executeRaw`
      DELETE FROM notifications WHERE id = ANY(ARRAY(
        SELECT id FROM notifications
        WHERE created_at < ${everyBefore ?? new Date(0)}::timestamptz
           OR (read_at IS NOT NULL AND created_at < ${readBefore ?? new Date(0)}::timestamptz)
        LIMIT ${batchSize}::int))`;
    total += removed;
    if (removed < batchSize) break;
  }
  if (total > 0) log.info({ deleted: total, retention }, "notifications pruned");
  return total;
}
