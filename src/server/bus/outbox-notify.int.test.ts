import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createDb, type Db } from "@/server/db/client";
import { applyMigrations, dropDatabase, ensureDatabase } from "@/server/db/migrate";
import { databaseUrlFor, runId } from "@/server/testing/services";
import { type Bus } from "./bus";
import { enqueueOutbox, OUTBOX_LISTENER_APPLICATION, OutboxRelay } from "./outbox";
import { createTestBus, deleteQueues, testId, waitFor } from "@/server/testing/bus";
import { defineExchange, defineMessage, defineQueue } from "./topology";

// A database of its own: no other file's relay may publish these rows before the relay under test.
const url = databaseUrlFor(`nemo_outbox_notify_${runId()}`);
const id = testId();
const exchange = defineExchange(`${id}.ex`, "direct");
const schema = z.object({ n: z.number().int() });
const queue = defineQueue({ name: `${id}.out`, bindings: [{ exchange, routingKey: "work" }], schema });
const message = defineMessage({ name: "test.work", exchange, routingKey: "work", schema });

let db: Db;
let bus: Bus;
const relays: OutboxRelay[] = [];
const delivered = new Map<number, number>();

beforeAll(async () => {
  await ensureDatabase(url);
  await applyMigrations(url);
  db = createDb(url);
  bus = await createTestBus(db, { topology: { exchanges: [exchange], queues: [queue] } });
  await bus.consumeAtLeastOnce({
    queue,
    consumerName: `${id}-counter`,
    handler: async ({ payload }) => {
      delivered.set(payload.n, Date.now());
    },
  });
});

afterAll(async () => {
  await Promise.all(relays.map((relay) => relay.stop()));
  await bus.close({ graceMs: 1_000 });
  await deleteQueues(queue.name);
  await db.$disconnect();
  await dropDatabase(url);
});

/** A relay that would not poll again for a minute: only a notification can wake it. */
function relay(listen: boolean): OutboxRelay {
  const r = new OutboxRelay({ db, bus, pollMs: 60_000, ...(listen && { listen: { databaseUrl: url } }) });
  relays.push(r);
  r.start();
  return r;
}

async function enqueue(...ns: number[]): Promise<number> {
  const at = Date.now();
  await db.$transaction(async (tx) => {
    for (const n of ns) await enqueueOutbox(tx, message, { n });
  });
  return at;
}

describe("the outbox relay woken by NOTIFY", () => {
  it("publishes a committed row at once instead of at the next poll, and keeps polling as the fallback", async () => {
    const polling = relay(false);
    // Let the polling relay make its first pass and settle into its minute-long pause.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await enqueue(1);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(delivered.has(1)).toBe(false);
    await polling.stop();

    const listening = relay(true);
    await waitFor(() => listening.isListening, 10_000, "the relay to listen");
    // The row left behind is published on (re)connecting; new rows as their transaction commits.
    await waitFor(() => delivered.has(1), 5_000, "the row committed while nobody listened");
    const at = await enqueue(2, 3, 4);
    await waitFor(() => [2, 3, 4].every((n) => delivered.has(n)), 5_000, "rows of one transaction");
    expect(delivered.get(2)! - at).toBeLessThan(1_000);
  });

  it("reconnects when its listening connection is killed and still wakes", async () => {
    const listening = relays.at(-1)!;
    const killed = await db.$queryRaw<Array<{ ok: boolean }>>`
      SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
      WHERE application_name = ${OUTBOX_LISTENER_APPLICATION} AND datname = current_database()`;
    expect(killed.length).toBeGreaterThan(0);
    await waitFor(() => !listening.isListening, 5_000, "the relay to notice");
    await waitFor(() => listening.isListening, 15_000, "the relay to listen again");
    const at = await enqueue(5);
    await waitFor(() => delivered.has(5), 5_000, "a row after the reconnect");
    expect(delivered.get(5)! - at).toBeLessThan(1_000);
    expect(await db.outboxMessage.count({ where: { status: { not: "PUBLISHED" } } })).toBe(0);
  });
});
