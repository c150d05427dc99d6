import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createDb, type Db } from "@/server/db/client";
import { applyMigrations, dropDatabase, ensureDatabase } from "@/server/db/migrate";
import { databaseUrlFor, runId } from "@/server/testing/services";
import { sleep } from "@/common/sleep";
import { type Bus } from "./bus";
import { enqueueOutbox, OutboxRelay } from "./outbox";
import { createTestBus, deleteQueues, testId, waitFor } from "@/server/testing/bus";
import { defineExchange, defineMessage, defineQueue } from "./topology";

const workSchema = z.object({ n: z.number().int() });

function fixture() {
  const id = testId();
  const exchange = defineExchange(`${id}.ex`, "direct");
  const queue = defineQueue({
    name: `${id}.out`,
    bindings: [{ exchange, routingKey: "work" }],
    schema: workSchema,
  });
  const message = defineMessage({ name: "test.work", exchange, routingKey: "work", schema: workSchema });
  return { id, exchange, queue, message, topology: { exchanges: [exchange], queues: [queue] } };
}

// A database of its own: other files' relays (every relay publishes every pending row) must not
// publish this file's outbox rows through their own buses.
const url = databaseUrlFor(`nemo_outbox_${runId()}`);
let db: Db;
const buses: Bus[] = [];
const relays: OutboxRelay[] = [];
const rowIds: string[] = [];

beforeAll(async () => {
  await ensureDatabase(url);
  await applyMigrations(url);
  db = createDb(url);
});

afterAll(async () => {
  await Promise.all(relays.map((relay) => relay.stop()));
  await Promise.all(buses.map((bus) => bus.close({ graceMs: 1_000 })));
  // Leave nothing pending for relays of other test files.
  await db.outboxMessage.deleteMany({ where: { id: { in: rowIds } } });
  await db.$disconnect();
  await dropDatabase(url);
});

/** A bus plus a running relay, and every delivery on the fixture's queue (duplicates included). */
async function harness(f: ReturnType<typeof fixture>, relayCount = 1) {
  const bus = await createTestBus(db, { topology: f.topology });
  buses.push(bus);
  const deliveries: Array<{ messageId: string | undefined; n: number }> = [];
  await bus.consumeAtLeastOnce({
    queue: f.queue,
    consumerName: `${f.id}-counter`,
    handler: async ({ payload, messageId }) => {
      deliveries.push({ messageId, n: payload.n });
    },
  });
  for (let i = 0; i < relayCount; i++) {
    const relay = new OutboxRelay({ db, bus, pollMs: 50, batchSize: 20 });
    relays.push(relay);
    relay.start();
  }
  return { bus, deliveries };
}

async function enqueueCommitted(f: ReturnType<typeof fixture>, n: number): Promise<string> {
  const id = await db.$transaction((tx) => enqueueOutbox(tx, f.message, { n }));
  rowIds.push(id);
  return id;
}

describe("transactional outbox", () => {
  it("publishes nothing for a rolled-back transaction", async () => {
    const f = fixture();
    const { deliveries } = await harness(f);
    const rolledBack = randomUUID();
    try {
      await expect(
        db.$transaction(async (tx) => {
          await enqueueOutbox(tx, f.message, { n: 1 }, { messageId: rolledBack });
          throw new Error("the change failed");
        }),
      ).rejects.toThrow("the change failed");
      // A later committed message proves the relay made passes after the rollback.
      const marker = await enqueueCommitted(f, 2);
      await waitFor(() => deliveries.some((d) => d.messageId === marker), 10_000, "the marker message");
      await sleep(200);
      expect(deliveries).toEqual([{ messageId: marker, n: 2 }]);
      expect(await db.outboxMessage.count({ where: { id: rolledBack } })).toBe(0);
    } finally {
      await deleteQueues(f.queue.name);
    }
  });

  it("publishes a committed message exactly once and marks its row PUBLISHED", async () => {
    const f = fixture();
    const { deliveries } = await harness(f);
    try {
      const id = await enqueueCommitted(f, 42);
      await waitFor(() => deliveries.length > 0, 10_000, "the delivery");
      // Several more relay passes: a second publish would show up here.
      await sleep(500);
      expect(deliveries).toEqual([{ messageId: id, n: 42 }]);
      const row = await db.outboxMessage.findUniqueOrThrow({ where: { id } });
      expect(row).toMatchObject({
        status: "PUBLISHED",
        attempts: 1,
        lastError: null,
        exchange: f.exchange.name,
        routingKey: "work",
        payload: { n: 42 },
      });
      expect(row.publishedAt).toBeInstanceOf(Date);
    } finally {
      await deleteQueues(f.queue.name);
    }
  });

  it("never publishes a row twice when relays race over the same rows", async () => {
    const f = fixture();
    const { deliveries } = await harness(f, 3);
    try {
      const total = 150;
      const ids = await Promise.all(Array.from({ length: total }, (_, n) => enqueueCommitted(f, n)));
      await waitFor(() => deliveries.length >= total, 15_000, "every delivery");
      await sleep(300);
      expect(deliveries).toHaveLength(total);
      expect(new Set(deliveries.map((d) => d.messageId))).toEqual(new Set(ids));
      expect(await db.outboxMessage.count({ where: { id: { in: ids }, status: "PUBLISHED" } })).toBe(total);
    } finally {
      await deleteQueues(f.queue.name);
    }
  });

  it("keeps an unroutable message pending with its error for a later pass", async () => {
    const f = fixture();
    await harness(f);
    const nowhere = defineMessage({
      name: "test.nowhere",
      exchange: f.exchange,
      routingKey: "nowhere",
      schema: workSchema,
    });
    const id = await db.$transaction((tx) => enqueueOutbox(tx, nowhere, { n: 1 }));
    rowIds.push(id);
    try {
      await waitFor(
        async () => (await db.outboxMessage.findUniqueOrThrow({ where: { id } })).attempts > 0,
        10_000,
        "a publish attempt",
      );
      const row = await db.outboxMessage.findUniqueOrThrow({ where: { id } });
      expect(row.status).toBe("PENDING");
      expect(row.lastError).toMatch(/no queue bound/);
      expect(row.publishedAt).toBeNull();
      // The backoff is stored in the row, so a relay in another process waits too.
      expect(row.nextAttemptAt.getTime()).toBeGreaterThan(Date.now());
      const otherProcessDb = createDb(url);
      const otherBus = await createTestBus(otherProcessDb, { topology: f.topology });
      try {
        await new OutboxRelay({ db: otherProcessDb, bus: otherBus }).runOnce();
        expect((await db.outboxMessage.findUniqueOrThrow({ where: { id } })).attempts).toBe(row.attempts);
      } finally {
        await otherBus.close({ graceMs: 500 });
        await otherProcessDb.$disconnect();
      }
    } finally {
      await db.outboxMessage.deleteMany({ where: { id } });
      await deleteQueues(f.queue.name);
    }
  });

  it("refuses a payload that does not match the message schema before writing anything", async () => {
    const f = fixture();
    const id = randomUUID();
    await expect(
      db.$transaction((tx) =>
        enqueueOutbox(tx, f.message, { n: "x" } as unknown as { n: number }, { messageId: id }),
      ),
    ).rejects.toThrow(/expected number/);
    expect(await db.outboxMessage.count({ where: { id } })).toBe(0);
  });
});
