import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createDb, type Db } from "@/server/db/client";
import { applyMigrations, dropDatabase, ensureDatabase } from "@/server/db/migrate";
import { databaseUrlFor, runId } from "@/server/testing/services";
import { sleep } from "@/common/sleep";
import { type Bus } from "./bus";
import { type TransactionClient } from "./consumer";
import { enqueueOutbox, OutboxRelay } from "./outbox";
import {
  captureLogs,
  closeBrokerConnection,
  createTestBus,
  deleteQueues,
  drainQueue,
  startAmqpProxy,
  testId,
  waitFor,
  withChannel,
} from "@/server/testing/bus";
import { defineExchange, defineMessage, defineQueue } from "./topology";

const workSchema = z.object({ n: z.number().int() });

/** A private exchange, queue and message per test: files run in parallel on one vhost. */
function fixture() {
  const id = testId();
  const exchange = defineExchange(`${id}.ex`, "topic");
  const queue = defineQueue({
    name: `${id}.work`,
    bindings: [{ exchange, routingKey: "work" }],
    schema: workSchema,
  });
  const message = defineMessage({ name: "test.work", exchange, routingKey: "work", schema: workSchema });
  return {
    id,
    exchange,
    queue,
    message,
    consumerName: `${id}-consumer`,
    topology: { exchanges: [exchange], queues: [queue] },
  };
}

// A database of its own: other files' relays (every relay publishes every pending row) must not
// publish this file's outbox rows through their own buses.
const url = databaseUrlFor(`nemo_bus_${runId()}`);
let db: Db;
// The handlers' "effect": rows in a table without any unique constraint, so a double effect shows as two
// rows. It lives in its own schema so that nothing looking at the product's tables in `public` sees it.
const effects = `"bus_test"."effects_${testId()}"`;
const buses: Bus[] = [];

beforeAll(async () => {
  await ensureDatabase(url);
  await applyMigrations(url);
  db = createDb(url);
  await db.$executeRawUnsafe(`CREATE SCHEMA IF NOT EXISTS "bus_test"`);
  await db.$executeRawUnsafe(
    `CREATE TABLE ${effects} (consumer text NOT NULL, message_id text NOT NULL, n int NOT NULL)`,
  );
});

afterAll(async () => {
  await Promise.all(buses.map((bus) => bus.close({ graceMs: 1_000 })));
  await db.$executeRawUnsafe(`DROP SCHEMA IF EXISTS "bus_test" CASCADE`);
  await db.$disconnect();
  await dropDatabase(url);
});

async function bus(options: Parameters<typeof createTestBus>[1]): Promise<Bus> {
  const created = await createTestBus(db, options);
  buses.push(created);
  return created;
}

function recordEffect(
  tx: TransactionClient,
  consumer: string,
  messageId: string,
  n: number,
): Promise<number> {
  return tx.$executeRawUnsafe(
    `INSERT INTO ${effects} (consumer, message_id, n) VALUES ($1, $2, $3)`,
    consumer,
    messageId,
    n,
  );
}

const countsSchema = z.object({ total: z.number(), distinct: z.number() });
async function effectCounts(consumer: string): Promise<z.infer<typeof countsSchema>> {
  const rows = await db.$queryRawUnsafe<unknown[]>(
    `SELECT count(*)::int AS total, count(DISTINCT message_id)::int AS distinct FROM ${effects} WHERE consumer = $1`,
    consumer,
  );
  return countsSchema.parse(rows[0]);
}

async function effectIds(consumer: string): Promise<string[]> {
  const rows = await db.$queryRawUnsafe<unknown[]>(
    `SELECT message_id FROM ${effects} WHERE consumer = $1`,
    consumer,
  );
  return rows.map((row) => z.object({ message_id: z.string() }).parse(row).message_id);
}

/** The bus published something again because its first confirm never came. */
function republished(lines: Array<Record<string, unknown>>): boolean {
  return lines.some((line) => line.msg === "publish not confirmed; retrying");
}

function loggedConnectionLoss(lines: Array<Record<string, unknown>>): boolean {
  return lines.some((line) => line.msg === "broker connection lost; reconnecting");
}

describe("bus against a real broker", () => {
  it("applies every outbox message exactly once although the broker drops both connections mid-stream", async () => {
    const f = fixture();
    const publisherLogs = captureLogs();
    const consumerLogs = captureLogs();
    const publisher = await bus({ topology: f.topology, logger: publisherLogs.logger });
    const consumer = await bus({ topology: f.topology, logger: consumerLogs.logger });
    const relay = new OutboxRelay({ db, bus: publisher, pollMs: 50, publishTimeoutMs: 10_000 });
    await consumer.consume({
      queue: f.queue,
      consumerName: f.consumerName,
      handler: async ({ payload, messageId, tx }) => {
        await recordEffect(tx, f.consumerName, messageId, payload.n);
      },
    });
    relay.start();
    try {
      const ids: string[] = [];
      // The stream goes on until well after the forced close has completed, so the close lands mid-stream
      // however slow rabbitmqctl is.
      let drop: Promise<unknown> | undefined;
      let dropped = false;
      let afterDrop = 0;
      for (let n = 0; n < 200 || afterDrop < 30; n++) {
        ids.push(await db.$transaction((tx) => enqueueOutbox(tx, f.message, { n })));
        if (n === 60) {
          drop = Promise.all([
            closeBrokerConnection(publisher.connectionName),
            closeBrokerConnection(consumer.connectionName),
          ]).finally(() => (dropped = true));
        }
        if (dropped) afterDrop += 1;
        await sleep(5);
      }
      await drop;
      const total = ids.length;

      await waitFor(
        async () => (await effectCounts(f.consumerName)).distinct === total,
        30_000,
        "every message applied",
      );
      await sleep(300); // room for a late duplicate to show up
      expect(await effectCounts(f.consumerName)).toEqual({ total, distinct: total });
      expect(new Set(await effectIds(f.consumerName))).toEqual(new Set(ids));
      const published = await db.outboxMessage.count({ where: { id: { in: ids }, status: "PUBLISHED" } });
      expect(published).toBe(total);
      // The drop really happened to both connections, and both came back.
      expect(loggedConnectionLoss(publisherLogs.lines)).toBe(true);
      expect(loggedConnectionLoss(consumerLogs.lines)).toBe(true);
      expect(publisher.isConnected() && consumer.isConnected()).toBe(true);
    } finally {
      await relay.stop();
      await deleteQueues(f.queue.name);
    }
  });

  it("applies every outbox message exactly once when the relay's socket dies with publishes unconfirmed", async () => {
    const f = fixture();
    const proxy = await startAmqpProxy();
    const publisherLogs = captureLogs();
    const opened: Bus[] = [];
    try {
      const publisher = await bus({ topology: f.topology, url: proxy.url, logger: publisherLogs.logger });
      const consumer = await bus({ topology: f.topology, url: proxy.url });
      opened.push(publisher, consumer);
      await consumer.consume({
        queue: f.queue,
        consumerName: f.consumerName,
        handler: async ({ payload, messageId, tx }) => {
          await recordEffect(tx, f.consumerName, messageId, payload.n);
        },
      });
      const total = 300;
      // Written in one transaction: 300 concurrent ones would wait for pool connections on a busy machine.
      const ids = await db.$transaction(async (tx) => {
        const written: string[] = [];
        for (let n = 0; n < total; n++) written.push(await enqueueOutbox(tx, f.message, { n }));
        return written;
      });
      // Cut both connections exactly while the relay has a batch half sent: those rows are unconfirmed.
      let calls = 0;
      const cutting = {
        isConnected: () => publisher.isConnected(),
        publishRaw: (...args: Parameters<Bus["publishRaw"]>) => {
          const sent = publisher.publishRaw(...args);
          calls += 1;
          if (calls === 50 || calls === 180) proxy.dropConnections();
          return sent;
        },
      };
      const relay = new OutboxRelay({
        db,
        bus: cutting,
        pollMs: 50,
        batchSize: 100,
        retry: { initialMs: 50, maxMs: 200 },
      });
      relay.start();
      try {
        await waitFor(
          async () => (await effectCounts(f.consumerName)).distinct === total,
          30_000,
          "every message applied",
        );
        await sleep(300);
        expect(republished(publisherLogs.lines)).toBe(true);
        expect(await effectCounts(f.consumerName)).toEqual({ total, distinct: total });
        expect(new Set(await effectIds(f.consumerName))).toEqual(new Set(ids));
        expect(await db.outboxMessage.count({ where: { id: { in: ids }, status: "PUBLISHED" } })).toBe(total);
      } finally {
        await relay.stop();
      }
    } finally {
      // Close the buses first, or they would keep retrying against the closed proxy.
      await Promise.all(opened.map((b) => b.close({ graceMs: 1_000 })));
      await proxy.close();
      await deleteQueues(f.queue.name);
    }
  });

  it("confirms every direct publish and applies each once although the socket dies with publishes in flight", async () => {
    const f = fixture();
    const proxy = await startAmqpProxy();
    const publisherLogs = captureLogs();
    const opened: Bus[] = [];
    try {
      const publisher = await bus({ topology: f.topology, url: proxy.url, logger: publisherLogs.logger });
      const consumer = await bus({ topology: f.topology });
      opened.push(publisher, consumer);
      await consumer.consume({
        queue: f.queue,
        consumerName: f.consumerName,
        handler: async ({ payload, messageId, tx }) => {
          await recordEffect(tx, f.consumerName, messageId, payload.n);
        },
      });
      const total = 200;
      const publishes: Array<Promise<string>> = [];
      // Half are written to the socket and not yet confirmed when it dies...
      for (let n = 0; n < total / 2; n++) publishes.push(publisher.publish(f.message, { n }));
      proxy.dropConnections();
      // ...and half are attempted while the bus is down: they wait for the reconnection.
      // Or its log: with TCP_NODELAY the reconnection can complete between two polls of isConnected().
      await waitFor(
        () => !publisher.isConnected() || loggedConnectionLoss(publisherLogs.lines),
        5_000,
        "the bus to notice the drop",
      );
      for (let n = total / 2; n < total; n++) publishes.push(publisher.publish(f.message, { n }));
      const ids = await Promise.all(publishes);

      await waitFor(
        async () => (await effectCounts(f.consumerName)).distinct === total,
        30_000,
        "every message applied",
      );
      await sleep(300);
      expect(await effectCounts(f.consumerName)).toEqual({ total, distinct: total });
      expect(new Set(await effectIds(f.consumerName))).toEqual(new Set(ids));
      expect(republished(publisherLogs.lines)).toBe(true);
    } finally {
      // Close the buses first, or they would keep retrying against the closed proxy.
      await Promise.all(opened.map((b) => b.close({ graceMs: 1_000 })));
      await proxy.close();
      await deleteQueues(f.queue.name);
    }
  });

  it("keeps reconnecting while the broker is unreachable and delivers the publishes made meanwhile", async () => {
    const f = fixture();
    const proxy = await startAmqpProxy();
    const logs = captureLogs();
    const opened: Bus[] = [];
    try {
      const publisher = await bus({ topology: f.topology, url: proxy.url, logger: logs.logger });
      const consumer = await bus({ topology: f.topology });
      opened.push(publisher, consumer);
      const seen: number[] = [];
      await consumer.consume({
        queue: f.queue,
        consumerName: f.consumerName,
        handler: async ({ payload }) => {
          seen.push(payload.n);
        },
      });
      // The "broker" goes down: the connection dies and new ones are refused for a while.
      proxy.refuse(true);
      proxy.dropConnections();
      await waitFor(() => !publisher.isConnected(), 5_000, "the bus to notice the outage");
      const pending = [1, 2, 3].map((n) => publisher.publish(f.message, { n }));
      await waitFor(
        () => logs.lines.filter((l) => l.msg === "broker connection failed; retrying").length >= 3,
        5_000,
        "several failed reconnection attempts",
      );
      proxy.refuse(false);
      await Promise.all(pending);
      await waitFor(() => seen.length === 3, 10_000, "the publishes made during the outage");
      expect(seen.sort()).toEqual([1, 2, 3]);
      const delays = logs.lines
        .filter((l) => l.msg === "broker connection failed; retrying")
        .map((l) => Number(l.delayMs));
      expect(delays.every((d) => d <= 500)).toBe(true); // capped (test cap: 500 ms)
    } finally {
      await Promise.all(opened.map((b) => b.close({ graceMs: 1_000 })));
      await proxy.close();
      await deleteQueues(f.queue.name);
    }
  });

  it("resubscribes and re-declares its queue when the queue is deleted under it", async () => {
    const f = fixture();
    const b = await bus({ topology: f.topology });
    const seen: number[] = [];
    await b.consume({
      queue: f.queue,
      consumerName: f.consumerName,
      handler: async ({ payload }) => {
        seen.push(payload.n);
      },
    });
    try {
      await withChannel(async (channel, name) => {
        await channel.deleteQueue(name(f.queue.name));
      });
      // Unroutable until the consumer has re-declared and re-bound its queue.
      await waitFor(
        () =>
          b.publish(f.message, { n: 9 }).then(
            () => true,
            () => false,
          ),
        10_000,
        "the queue to be back",
      );
      await waitFor(() => seen.includes(9), 10_000, "the message on the re-declared queue");
    } finally {
      await deleteQueues(f.queue.name);
    }
  });

  it("applies a message delivered twice with the same id once", async () => {
    const f = fixture();
    const logs = captureLogs();
    const b = await bus({ topology: f.topology, logger: logs.logger });
    let calls = 0;
    await b.consume({
      queue: f.queue,
      consumerName: f.consumerName,
      handler: async ({ payload, messageId, tx }) => {
        calls += 1;
        await recordEffect(tx, f.consumerName, messageId, payload.n);
      },
    });
    try {
      const messageId = crypto.randomUUID();
      await b.publish(f.message, { n: 1 }, { messageId });
      await b.publish(f.message, { n: 1 }, { messageId });
      const handled = () =>
        logs.lines.filter((l) => l.messageId === messageId && l.msg === "message handled");
      await waitFor(() => handled().length === 2, 10_000, "both deliveries handled");
      expect(
        handled()
          .map((l) => l.outcome)
          .sort(),
      ).toEqual(["acked", "duplicate"]);
      expect(calls).toBe(1);
      expect(await effectCounts(f.consumerName)).toEqual({ total: 1, distinct: 1 });
    } finally {
      await deleteQueues(f.queue.name);
    }
  });

  it("does not re-apply a committed effect when the ack is lost and the broker redelivers", async () => {
    const f = fixture();
    const logs = captureLogs();
    const b = await bus({ topology: f.topology, logger: logs.logger });
    let calls = 0;
    let entered!: () => void;
    const handlerEntered = new Promise<void>((resolve) => (entered = resolve));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    await b.consume({
      queue: f.queue,
      consumerName: f.consumerName,
      handler: async ({ payload, messageId, tx }) => {
        calls += 1;
        await recordEffect(tx, f.consumerName, messageId, payload.n);
        entered();
        await gate;
      },
    });
    try {
      const messageId = await b.publish(f.message, { n: 7 });
      await handlerEntered;
      // The connection (and with it the delivery) goes away mid-handler; the effect still commits afterwards.
      await closeBrokerConnection(b.connectionName);
      // Or its log: with TCP_NODELAY the reconnection can complete between two polls of isConnected().
      await waitFor(
        () => !b.isConnected() || loggedConnectionLoss(logs.lines),
        5_000,
        "the bus to notice the drop",
      );
      release();

      const lines = () => logs.lines.filter((l) => l.messageId === messageId && l.msg === "message handled");
      await waitFor(() => lines().some((l) => l.outcome === "duplicate"), 15_000, "the redelivery");
      expect(lines().find((l) => l.outcome === "acked")).toMatchObject({ ackLost: true });
      expect(calls).toBe(1);
      expect(await effectCounts(f.consumerName)).toEqual({ total: 1, distinct: 1 });
    } finally {
      release();
      await deleteQueues(f.queue.name);
    }
  });

  it("leaves no effect behind from a failed attempt and applies the retry once", async () => {
    const f = fixture();
    const b = await bus({ topology: f.topology });
    let calls = 0;
    await b.consume({
      queue: f.queue,
      consumerName: f.consumerName,
      maxAttempts: 3,
      retry: { initialMs: 50, maxMs: 200 },
      handler: async ({ payload, messageId, tx, attempt }) => {
        calls += 1;
        await recordEffect(tx, f.consumerName, messageId, payload.n);
        // Fails after writing: the transaction must roll the effect and the processed mark back together.
        if (attempt === 1) throw new Error("transient failure after the write");
      },
    });
    try {
      await b.publish(f.message, { n: 3 });
      await waitFor(async () => (await effectCounts(f.consumerName)).total > 0, 10_000, "the retried effect");
      await sleep(200);
      expect(calls).toBe(2);
      expect(await effectCounts(f.consumerName)).toEqual({ total: 1, distinct: 1 });
    } finally {
      await deleteQueues(f.queue.name);
    }
  });

  it("moves a message that always fails to the DLQ after maxAttempts and records it", async () => {
    const f = fixture();
    const logs = captureLogs();
    const b = await bus({ topology: f.topology, logger: logs.logger });
    let calls = 0;
    await b.consume({
      queue: f.queue,
      consumerName: f.consumerName,
      maxAttempts: 3,
      retry: { initialMs: 50, maxMs: 200 },
      handler: async () => {
        calls += 1;
        throw new Error("boom: downstream refused");
      },
    });
    try {
      const messageId = await b.publish(f.message, { n: 13 });
      await waitFor(
        async () => (await db.deadLetter.count({ where: { messageId } })) > 0,
        15_000,
        "the dead letter",
      );
      await sleep(200);
      const rows = await db.deadLetter.findMany({ where: { messageId } });
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        queue: f.queue.name,
        routingKey: "work",
        attempts: 3,
        error: expect.stringMatching(/boom: downstream refused/),
        payload: JSON.stringify({ n: 13 }),
      });
      expect(calls).toBe(3);

      const dlq = await drainQueue(`${f.queue.name}.dlq`);
      expect(dlq).toHaveLength(1);
      expect(dlq[0]?.properties.messageId).toBe(messageId);
      expect(dlq[0]?.properties.headers).toMatchObject({
        "x-nemo-attempt": 3,
        "x-nemo-error": expect.stringMatching(/boom/),
      });
      const depths = await withChannel(async (channel, name) => [
        (await channel.checkQueue(name(f.queue.name))).messageCount,
        (await channel.checkQueue(name(`${f.queue.name}.retry`))).messageCount,
      ]);
      expect(depths).toEqual([0, 0]);
      // One log line per delivery, naming the attempt.
      const lines = logs.lines.filter((l) => l.messageId === messageId && typeof l.outcome === "string");
      expect(lines.map((l) => [l.attempt, l.maxAttempts, l.outcome])).toEqual([
        [1, 3, "retried"],
        [2, 3, "retried"],
        [3, 3, "dead-lettered"],
      ]);
      expect(lines.every((l) => typeof l.durationMs === "number" && l.queue === f.queue.name)).toBe(true);
    } finally {
      await deleteQueues(f.queue.name);
    }
  });

  it("dead-letters malformed messages naming the bad field and keeps consuming", async () => {
    const f = fixture();
    const b = await bus({ topology: f.topology });
    const seen: number[] = [];
    await b.consume({
      queue: f.queue,
      consumerName: f.consumerName,
      handler: async ({ payload, messageId, tx }) => {
        seen.push(payload.n);
        await recordEffect(tx, f.consumerName, messageId, payload.n);
      },
    });
    try {
      const badId = crypto.randomUUID();
      await b.publishRaw({
        exchange: f.exchange.name,
        routingKey: "work",
        content: Buffer.from(JSON.stringify({ n: "three" })),
        messageId: badId,
      });
      const garbledId = crypto.randomUUID();
      await b.publishRaw({
        exchange: f.exchange.name,
        routingKey: "work",
        content: Buffer.from("{n:"),
        messageId: garbledId,
      });
      // No message id at all: idempotent consumption is impossible, so it is dead-lettered too.
      await withChannel(async (channel, name) => {
        channel.publish(name(f.exchange.name), "work", Buffer.from(JSON.stringify({ n: 5 })));
        await channel.waitForConfirms();
      });
      await b.publish(f.message, { n: 4 });

      await waitFor(() => seen.includes(4), 10_000, "the good message");
      await waitFor(
        async () => (await db.deadLetter.count({ where: { queue: f.queue.name } })) === 3,
        10_000,
        "three dead letters",
      );
      const bad = await db.deadLetter.findFirstOrThrow({ where: { messageId: badId } });
      expect(bad.error).toMatch(/invalid payload: n: /);
      expect(bad.attempts).toBe(1);
      const garbled = await db.deadLetter.findFirstOrThrow({ where: { messageId: garbledId } });
      expect(garbled.error).toMatch(/not JSON/);
      const anonymous = await db.deadLetter.findFirstOrThrow({
        where: { queue: f.queue.name, messageId: null },
      });
      expect(anonymous.error).toMatch(/messageId/);
      expect(seen).toEqual([4]);
      const dlq = await drainQueue(`${f.queue.name}.dlq`);
      expect(dlq).toHaveLength(3);
    } finally {
      await deleteQueues(f.queue.name);
    }
  });

  it("waits for running handlers on close and then stops consuming", async () => {
    const f = fixture();
    const b = await createTestBus(db, { topology: f.topology });
    let finished = 0;
    let entered!: () => void;
    const handlerEntered = new Promise<void>((resolve) => (entered = resolve));
    await b.consume({
      queue: f.queue,
      consumerName: f.consumerName,
      handler: async ({ payload, messageId, tx }) => {
        entered();
        await sleep(300);
        await recordEffect(tx, f.consumerName, messageId, payload.n);
        finished += 1;
      },
    });
    try {
      await b.publish(f.message, { n: 1 });
      await handlerEntered;
      await b.close({ graceMs: 5_000 });
      expect(finished).toBe(1);
      expect(await effectCounts(f.consumerName)).toEqual({ total: 1, distinct: 1 });
      await expect(b.publish(f.message, { n: 2 })).rejects.toThrow(/closed/);
    } finally {
      await b.close();
      await deleteQueues(f.queue.name);
    }
  });
});
