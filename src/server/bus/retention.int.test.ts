import { randomUUID } from "node:crypto";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "@/server/db/client";
import { testId } from "@/server/testing/bus";
import { pruneBusBookkeeping, type BusBookkeepingTable, type BusRetention } from "./retention";

/*
 * Retention of processed-message marks, finished outbox rows and dead
 * letters on the run's database. The clock is pinned years before the run,
 * so the cutoffs fall before every row other test files write: only this
 * file's back-dated rows can be old enough.
 */

const DAY = 86_400_000;
const NOW = Date.parse("2001-06-01T00:00:00Z"); // fixed-date: far before any other file's rows, see above
const daysAgo = (days: number) => new Date(NOW - days * DAY);
const retention: BusRetention = {
  processedMessageDays: 7,
  outboxDays: 7,
  resolvedDeadLetterDays: 30,
  deadLetterDays: 90,
};
const silent = pino({ level: "silent" });

let db: Db;
beforeAll(() => {
  db = createDb(process.env.DATABASE_URL);
});
afterAll(async () => {
  await db.$disconnect();
});

async function seed(tag: string) {
  const consumer = `${tag}-consumer`;
  await db.processedMessage.createMany({
    data: [
      ...[8, 9, 10, 11, 12].map((d) => ({ consumer, messageId: `old-${d}`, processedAt: daysAgo(d) })),
      { consumer, messageId: "recent", processedAt: daysAgo(6) },
    ],
  });
  const outbox = (
    status: "PUBLISHED" | "DISCARDED" | "FAILED" | "PENDING",
    createdDays: number,
    discardedDays?: number,
  ) => ({
    id: randomUUID(),
    exchange: tag,
    routingKey: "k",
    payload: {},
    status,
    createdAt: daysAgo(createdDays),
    // Never due: other files' relays share this database and must not try to publish these rows.
    nextAttemptAt: daysAgo(-36_500),
    ...(discardedDays !== undefined && { discardedAt: daysAgo(discardedDays), discardedBy: "admin" }),
  });
  const outboxRows = {
    oldPublished: outbox("PUBLISHED", 8),
    recentPublished: outbox("PUBLISHED", 6),
    oldDiscarded: outbox("DISCARDED", 20, 8),
    // Old, but discarded only lately: kept for the retention after the discard.
    lateDiscarded: outbox("DISCARDED", 20, 2),
    // Failed or pending rows are work, not bookkeeping: never pruned.
    oldFailed: outbox("FAILED", 200),
    oldPending: outbox("PENDING", 200),
  };
  await db.outboxMessage.createMany({ data: Object.values(outboxRows) });
  const dead = async (
    status: "DEAD" | "REPLAYED" | "DISCARDED",
    createdDays: number,
    resolvedDays?: number,
  ) =>
    (
      await db.deadLetter.create({
        data: {
          queue: tag,
          routingKey: "k",
          payload: "{}",
          error: "e",
          attempts: 1,
          status,
          createdAt: daysAgo(createdDays),
          ...(resolvedDays !== undefined && { resolvedAt: daysAgo(resolvedDays), resolvedBy: "admin" }),
        },
      })
    ).id;
  const deadLetters = {
    oldReplayed: await dead("REPLAYED", 40, 31),
    recentDiscarded: await dead("DISCARDED", 40, 29),
    openRecent: await dead("DEAD", 89),
    openOld: await dead("DEAD", 91),
  };
  return { consumer, outboxRows, deadLetters };
}

describe("pruning the bus's bookkeeping", () => {
  it("deletes marks, finished outbox rows and dead letters past their retention, keeps the rest", async () => {
    const tag = testId();
    const { consumer, outboxRows, deadLetters } = await seed(tag);
    const result = await pruneBusBookkeeping({ db, log: silent, retention, clock: () => NOW });
    expect(result).toEqual({ processedMessages: 5, outboxMessages: 2, deadLetters: 2 });

    const marks = await db.processedMessage.findMany({ where: { consumer } });
    expect(marks.map((m) => m.messageId)).toEqual(["recent"]);
    const outbox = await db.outboxMessage.findMany({ where: { exchange: tag }, select: { id: true } });
    expect(outbox.map((r) => r.id).sort()).toEqual(
      [
        outboxRows.recentPublished.id,
        outboxRows.lateDiscarded.id,
        outboxRows.oldFailed.id,
        outboxRows.oldPending.id,
      ].sort(),
    );
    const dead = await db.deadLetter.findMany({ where: { queue: tag }, select: { id: true } });
    expect(dead.map((r) => r.id).sort()).toEqual(
      [deadLetters.recentDiscarded, deadLetters.openRecent].sort(),
    );
    await db.outboxMessage.deleteMany({ where: { exchange: tag } });
  });

  it("deletes in batches of at most batchSize until one comes back short", async () => {
    const tag = testId();
    const { consumer } = await seed(tag);
    const batches: Array<[BusBookkeepingTable, number]> = [];
    await pruneBusBookkeeping({
      db,
      log: silent,
      retention,
      clock: () => NOW,
      batchSize: 2,
      onBatch: (table, deleted) => batches.push([table, deleted]),
    });
    expect(batches.filter(([table]) => table === "processed_messages").map(([, n]) => n)).toEqual([2, 2, 1]);
    expect(batches.every(([, n]) => n <= 2)).toBe(true);
    expect(await db.processedMessage.count({ where: { consumer } })).toBe(1);
    await db.outboxMessage.deleteMany({ where: { exchange: tag } });
  });

  it("keeps everything a retention of 0 days switches off, and stops at shutdown", async () => {
    const tag = testId();
    const { consumer } = await seed(tag);
    const off = await pruneBusBookkeeping({
      db,
      log: silent,
      retention: { processedMessageDays: 0, outboxDays: 0, resolvedDeadLetterDays: 0, deadLetterDays: 0 },
      clock: () => NOW,
    });
    expect(off).toEqual({ processedMessages: 0, outboxMessages: 0, deadLetters: 0 });
    const stopped = new AbortController();
    stopped.abort();
    const none = await pruneBusBookkeeping({
      db,
      log: silent,
      retention,
      clock: () => NOW,
      signal: stopped.signal,
    });
    expect(none).toEqual({ processedMessages: 0, outboxMessages: 0, deadLetters: 0 });
    expect(await db.processedMessage.count({ where: { consumer } })).toBe(6);
    await db.outboxMessage.deleteMany({ where: { exchange: tag } });
  });
});
