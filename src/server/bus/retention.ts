import { Prisma } from "@/generated/prisma/client";
import { type Db } from "@/server/db";
import { type Logger } from "@/server/logger";
import { type Clock, systemClock } from "@/common/clock";

/**
 * Retention of the bus's bookkeeping: processed-message marks, outbox rows
 * that are done (published, or discarded by an admin) and dead letters.
 * Each table is pruned in short DELETE statements of at most `batchSize`
 * rows (each its own transaction), so no lock is held long and a relay or
 * consumer never waits behind the pruning.
 */

const DAY_MS = 86_400_000;

export interface BusRetention {
  /**
   * Days a `(consumer, message id)` mark is kept. A duplicate arriving later
   * than this would be applied again, so it must exceed any redelivery delay
   * (retries back off to a minute; an outbox row is re-sent within hours at most).
   */
  processedMessageDays: number;
  /** Days a published or discarded outbox row is kept. */
  outboxDays: number;
  /** Days a dead letter an admin replayed or discarded is kept. */
  resolvedDeadLetterDays: number;
  /** Days any dead letter is kept, open ones included; 0 keeps open ones until an admin acts. */
  deadLetterDays: number;
}

export interface PruneBusOptions {
  db: Db;
  log: Logger;
  retention: BusRetention;
  /** The run's clock (tests set it). */
  clock?: Clock;
  /** Most rows one DELETE statement removes (default 5,000). */
  batchSize?: number;
  /** Stops between batches (worker shutdown); what was deleted so far stays deleted. */
  signal?: AbortSignal;
  /** Called after every DELETE statement with what it removed (tests check the batches stay bounded). */
  onBatch?: (table: BusBookkeepingTable, deleted: number) => void;
}

export type BusBookkeepingTable = "processed_messages" | "outbox_messages" | "dead_letters";

export interface PruneBusResult {
  processedMessages: number;
  outboxMessages: number;
  deadLetters: number;
}

export async function pruneBusBookkeeping(options: PruneBusOptions): Promise<PruneBusResult> {
  const { db, log, retention, clock = systemClock, batchSize = 5_000, signal, onBatch } = options;
  // A batch of 0 would never come back short: the loop would not end.
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new Error(`batchSize must be a positive integer, got ${batchSize}`);
  const now = clock();
  const cutoff = (days: number): Date => new Date(now - days * DAY_MS);
  const result: PruneBusResult = { processedMessages: 0, outboxMessages: 0, deadLetters: 0 };

  /** Runs `deleteBatch` until a batch comes back short (or shutdown); the total deleted. */
  const inBatches = async (
    table: BusBookkeepingTable,
    deleteBatch: (limit: number) => Promise<number>,
  ): Promise<number> => {
    let total = 0;
    while (!signal?.aborted) {
      const removed = await deleteBatch(batchSize);
      onBatch?.(table, removed);
      total += removed;
      if (removed < batchSize) break;
    }
    return total;
  };

  if (retention.processedMessageDays > 0) {
    const before = cutoff(retention.processedMessageDays);
    result.processedMessages = await inBatches(
      "processed_messages",
      (limit) =>
        db.$executeRaw`
        DELETE FROM processed_messages WHERE (consumer, message_id) IN (
          SELECT consumer, message_id FROM processed_messages
          WHERE processed_at < ${before}::timestamptz LIMIT ${limit}::int)`,
    );
  }
  if (retention.outboxDays > 0) {
    const before = cutoff(retention.outboxDays);
    result.outboxMessages = await inBatches(
      "outbox_messages",
      (limit) =>
        db.$executeRaw`
        DELETE FROM outbox_messages WHERE id = ANY(ARRAY(
          SELECT id FROM outbox_messages
          WHERE (status = 'PUBLISHED' AND created_at < ${before}::timestamptz)
             OR (status = 'DISCARDED' AND discarded_at < ${before}::timestamptz)
          LIMIT ${limit}::int))`,
    );
  }
  const deadLetterRules: Prisma.Sql[] = [];
  if (retention.resolvedDeadLetterDays > 0)
    deadLetterRules.push(
      Prisma.sql`(status <> 'DEAD' AND resolved_at < ${cutoff(retention.resolvedDeadLetterDays)}::timestamptz)`,
    );
  if (retention.deadLetterDays > 0)
    deadLetterRules.push(Prisma.sql`created_at < ${cutoff(retention.deadLetterDays)}::timestamptz`);
  if (deadLetterRules.length > 0) {
    const where = Prisma.join(deadLetterRules, " OR ");
    result.deadLetters = await inBatches(
      "dead_letters",
      (limit) =>
        db.$executeRaw`
        DELETE FROM dead_letters WHERE id = ANY(ARRAY(
          SELECT id FROM dead_letters WHERE ${where} LIMIT ${limit}::int))`,
    );
  }

  // Only a run that deleted something is worth a line.
  if (result.processedMessages + result.outboxMessages + result.deadLetters > 0)
    log.info({ ...result, retention }, "bus bookkeeping pruned");
  return result;
}
