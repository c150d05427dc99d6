import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { domainRejection } from "@/server/testing/rejection";
import { z } from "zod";
import { Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth";
import {
  defineExchange,
  defineMessage,
  defineQueue,
  enqueueOutbox,
  OutboxRelay,
  outboxRow,
  type Bus,
  type TransactionClient,
} from "@/server/bus";
import { createDb, type Db } from "@/server/db/client";
import { applyMigrations, dropDatabase, ensureDatabase } from "@/server/db/migrate";
import { createTestBus, deleteQueues, testId, waitFor } from "@/server/testing/bus";
import { makeUser } from "@/server/testing/factories";
import { databaseUrlFor, runId } from "@/server/testing/services";
import { sleep } from "@/common/sleep";
import {
  discardFailedMessage,
  failedMessageDetail,
  listFailedMessages,
  replayFailedMessage,
  type FailedMessageListInput,
} from "./index";

/*
 * Failed messages on a real database and broker: a consumer dead-letters a
 * message, an admin replays it and the same consumer applies it exactly once
 * (same message id); an outbox row that exhausted its attempts is published
 * again on Replay; Discard keeps the row with who and when; every action is
 * audited; bodies are shown with secrets redacted; non-admins are refused.
 */

const workSchema = z.object({ n: z.number().int() });

function fixture() {
  const id = testId();
  const exchange = defineExchange(`${id}.ex`, "topic");
  const queue = defineQueue({
    name: `${id}.work`,
    bindings: [{ exchange, routingKey: "work" }],
    schema: workSchema,
  });
  const message = defineMessage({ name: "test.work", exchange, routingKey: "work", schema: workSchema });
  return { id, exchange, queue, message, topology: { exchanges: [exchange], queues: [queue] } };
}

// A database of its own: other files' relays publish every pending row, and this file's replays are rows.
const url = databaseUrlFor(`nemo_failed_${runId()}`);
let db: Db;
let admin: SessionUser;
let provider: SessionUser;
const buses: Bus[] = [];
const relays: OutboxRelay[] = [];
const effects = `"failed_test"."effects_${testId()}"`;

beforeAll(async () => {
  await ensureDatabase(url);
  await applyMigrations(url);
  db = createDb(url);
  admin = await makeUser(db, [Role.NEMO_ADMIN]);
  provider = await makeUser(db, [Role.SERVICE_PROVIDER]);
  await db.$executeRawUnsafe(`CREATE SCHEMA IF NOT EXISTS "failed_test"`);
  await db.$executeRawUnsafe(
    `CREATE TABLE ${effects} (message_id text NOT NULL, n int NOT NULL, routing_key text NOT NULL)`,
  );
});

afterAll(async () => {
  await Promise.all(relays.map((relay) => relay.stop()));
  await Promise.all(buses.map((bus) => bus.close({ graceMs: 1_000 })));
  await db.$executeRawUnsafe(`DROP SCHEMA IF EXISTS "failed_test" CASCADE`);
  await db.$disconnect();
  await dropDatabase(url);
});

async function harness(f: ReturnType<typeof fixture>) {
  const bus = await createTestBus(db, { topology: f.topology });
  buses.push(bus);
  const relay = new OutboxRelay({ db, bus, pollMs: 50, retry: { initialMs: 50, maxMs: 100 } });
  relays.push(relay);
  relay.start();
  return { bus, relay };
}

async function effectsOf(messageId: string): Promise<Array<{ n: number; routing_key: string }>> {
  return db.$queryRawUnsafe(`SELECT n, routing_key FROM ${effects} WHERE message_id = $1`, messageId);
}

const list = (input: FailedMessageListInput, user: SessionUser = admin) =>
  listFailedMessages({ db, user }, input);

const rejection = domainRejection;

/** A dead letter as a consumer writes it, for the tests that need no broker. */
async function deadLetter(data: {
  queue: string;
  payload: string;
  routingKey?: string;
  exchange?: string;
  messageType?: string;
  createdAt?: Date;
}): Promise<string> {
  const row = await db.deadLetter.create({
    data: {
      queue: data.queue,
      messageId: randomUUID(),
      routingKey: data.routingKey ?? "work",
      exchange: data.exchange ?? "",
      messageType: data.messageType ?? null,
      payload: data.payload,
      error: "invalid payload: n: expected number",
      attempts: 1,
      ...(data.createdAt && { createdAt: data.createdAt }),
    },
  });
  return `dead-letter-${row.id}`;
}

describe("replaying a dead letter", () => {
  it("sends it again with its message id to the queue that failed it, and the consumer applies it once", async () => {
    const f = fixture();
    const { bus } = await harness(f);
    let broken = true;
    let calls = 0;
    const consumer = `${f.id}-consumer`;
    await bus.consume({
      queue: f.queue,
      consumerName: consumer,
      maxAttempts: 2,
      retry: { initialMs: 50, maxMs: 100 },
      handler: async ({
        tx,
        payload,
        messageId,
        routingKey,
      }: {
        tx: TransactionClient;
        payload: { n: number };
        messageId: string;
        routingKey: string;
      }) => {
        calls += 1;
        await tx.$executeRawUnsafe(
          `INSERT INTO ${effects} (message_id, n, routing_key) VALUES ($1, $2, $3)`,
          messageId,
          payload.n,
          routingKey,
        );
        // Fails after writing: the effect and the processed mark roll back together.
        if (broken) throw new Error("downstream refused");
      },
    });
    try {
      const messageId = await db.$transaction((tx) => enqueueOutbox(tx, f.message, { n: 7 }));
      await waitFor(
        async () => (await db.deadLetter.count({ where: { messageId } })) > 0,
        15_000,
        "the dead letter",
      );
      const dead = await db.deadLetter.findFirstOrThrow({ where: { messageId } });
      // What a replay needs was kept: the logical exchange and the type.
      expect(dead).toMatchObject({
        queue: f.queue.name,
        exchange: f.exchange.name,
        messageType: "test.work",
      });
      const id = `dead-letter-${dead.id}`;
      expect((await list({ queue: f.queue.name })).items.map((r) => r.id)).toEqual([id]);
      expect(await effectsOf(messageId)).toEqual([]);

      broken = false;
      const replayed = await replayFailedMessage({ db, user: admin }, id);
      expect(replayed).toMatchObject({ status: "REPLAYED", resolvedBy: admin.username });
      expect(await failedMessageDetail({ db, user: admin }, id)).toMatchObject({
        status: "REPLAYED",
        replayable: false,
      });
      await waitFor(async () => (await effectsOf(messageId)).length > 0, 15_000, "the replayed effect");
      await sleep(300);
      // Once, under its original id, with the routing key it was published with.
      expect(await effectsOf(messageId)).toEqual([{ n: 7, routing_key: "work" }]);
      expect(calls).toBe(3);
      expect(await db.processedMessage.count({ where: { consumer, messageId } })).toBe(1);

      // A second Replay (another admin, a double click) sends nothing.
      const again = await rejection(replayFailedMessage({ db, user: admin }, id));
      expect(again.kind).toBe("conflict");
      expect(await db.outboxMessage.count({ where: { routingKey: f.queue.name } })).toBe(1);
      const audit = await db.auditEvent.findMany({ where: { subjectId: id } });
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ action: "failed-message.replayed", actorId: admin.id });
      // It is no longer open, and shows among the resolved ones.
      expect((await list({ queue: f.queue.name })).total).toBe(0);
      expect((await list({ queue: f.queue.name, state: "resolved" })).items.map((r) => r.id)).toEqual([id]);
    } finally {
      await deleteQueues(f.queue.name, `${f.queue.name}.retry`, `${f.queue.name}.dlq`);
    }
  });

  it("refuses a body that is not JSON (it cannot be shown or sent again) and lets it be discarded", async () => {
    const queue = `${testId()}.q`;
    const id = await deadLetter({ queue, payload: "{not json" });
    const detail = await failedMessageDetail({ db, user: admin }, id);
    expect(detail.payload).toBeNull();
    expect(detail.payloadNote).toMatch(/not JSON/);
    expect(detail.replayable).toBe(false);
    const refused = await rejection(replayFailedMessage({ db, user: admin }, id));
    expect(refused.kind).toBe("unprocessable");
    expect(await db.outboxMessage.count({ where: { routingKey: queue } })).toBe(0);
    expect((await failedMessageDetail({ db, user: admin }, id)).status).toBe("DEAD");
    const discarded = await discardFailedMessage({ db, user: admin }, id);
    expect(discarded).toMatchObject({ status: "DISCARDED", resolvedBy: admin.username });
    expect(await db.auditEvent.count({ where: { subjectId: id, action: "failed-message.discarded" } })).toBe(
      1,
    );
  });
});

describe("outbox rows that exhausted their attempts", () => {
  it("are listed, published again on Replay, and kept with who and when on Discard", async () => {
    const f = fixture();
    const { bus } = await harness(f);
    const seen: string[] = [];
    await bus.consumeAtLeastOnce({
      queue: f.queue,
      consumerName: `${f.id}-counter`,
      handler: async ({ messageId }) => {
        seen.push(messageId ?? "");
      },
    });
    try {
      // As the relay leaves a row after its last attempt (written so at once: no relay claims FAILED rows).
      const failed = async (n: number): Promise<string> => {
        const row = outboxRow(f.message, { n });
        await db.outboxMessage.create({
          data: { ...row, status: "FAILED", attempts: 10, lastError: "unroutable" },
        });
        return row.id;
      };
      const toReplay = await failed(1);
      const toDiscard = await failed(2);
      const page = await list({ kind: "outbox", exchange: f.exchange.name });
      expect(page.items.map((r) => r.id).sort()).toEqual(
        [`outbox-${toReplay}`, `outbox-${toDiscard}`].sort(),
      );
      expect(page.items[0]).toMatchObject({
        status: "FAILED",
        attempts: 10,
        error: "unroutable",
        messageType: "test.work",
      });

      await replayFailedMessage({ db, user: admin }, `outbox-${toReplay}`);
      await waitFor(() => seen.includes(toReplay), 15_000, "the replayed outbox row");
      expect(await db.outboxMessage.findUniqueOrThrow({ where: { id: toReplay } })).toMatchObject({
        status: "PUBLISHED",
      });

      const discarded = await discardFailedMessage({ db, user: admin }, `outbox-${toDiscard}`);
      expect(discarded).toMatchObject({ status: "DISCARDED", resolvedBy: admin.username });
      expect(await db.outboxMessage.findUniqueOrThrow({ where: { id: toDiscard } })).toMatchObject({
        status: "DISCARDED",
        discardedBy: admin.username,
      });
      expect((await list({ kind: "outbox", exchange: f.exchange.name })).total).toBe(0);
      expect(
        (await list({ kind: "outbox", exchange: f.exchange.name, state: "resolved" })).items.map((r) => r.id),
      ).toEqual([`outbox-${toDiscard}`]);
      await sleep(200);
      expect(seen).not.toContain(toDiscard);
      const actions = await db.auditEvent.findMany({
        where: { subjectId: { in: [`outbox-${toReplay}`, `outbox-${toDiscard}`] } },
        orderBy: { createdAt: "asc" },
      });
      expect(actions.map((a) => a.action).sort()).toEqual([
        "failed-message.discarded",
        "failed-message.replayed",
      ]);
      // A published row is no failed message any more.
      const gone = await rejection(failedMessageDetail({ db, user: admin }, `outbox-${toReplay}`));
      expect(gone.kind).toBe("not_found");
    } finally {
      await deleteQueues(f.queue.name, `${f.queue.name}.retry`, `${f.queue.name}.dlq`);
    }
  });
});

describe("the list and the detail", () => {
  it("filters by kind, queue, routing key and type, pages newest first, and redacts secrets in bodies", async () => {
    const queue = `${testId()}.q`;
    const base = new Date("2026-01-01T00:00:00Z").getTime(); // fixed-date: ordering only, never compared with now
    const ids: string[] = [];
    for (let i = 0; i < 12; i += 1)
      ids.push(
        await deadLetter({
          queue,
          payload: JSON.stringify({ n: i }),
          routingKey: i % 2 === 0 ? "even" : "odd",
          messageType: i < 6 ? "t.low" : "t.high",
          createdAt: new Date(base + i * 60_000),
        }),
      );
    const first = await list({ queue, pageSize: 10 });
    expect(first.total).toBe(12);
    expect(first.items.map((r) => r.id)).toEqual(ids.slice(2).reverse());
    expect((await list({ queue, pageSize: 10, page: 2 })).items.map((r) => r.id)).toEqual([ids[1], ids[0]]);
    expect((await list({ queue, direction: "asc", pageSize: 10 })).items[0]?.id).toBe(ids[0]);
    expect((await list({ queue, routingKey: "even" })).total).toBe(6);
    expect((await list({ queue, routingKey: "even", messageType: "t.high" })).total).toBe(3);
    expect((await list({ queue, kind: "outbox" })).total).toBe(0);

    const secretId = await deadLetter({
      queue,
      payload: JSON.stringify({
        intent: {
          contexts: [
            { contextAttribute: "bearer_token", contextValueRange: "tok-s3cr3t" },
            { contextAttribute: "region", contextValueRange: "eu" },
          ],
        },
        password: "hunter2",
        header: "Bearer abc.def.ghi",
      }),
    });
    const detail = await failedMessageDetail({ db, user: admin }, secretId);
    const shown = JSON.stringify(detail);
    for (const secret of ["tok-s3cr3t", "hunter2", "abc.def.ghi"]) expect(shown).not.toContain(secret);
    expect(shown).toContain('"eu"');
  });

  it("names the field of a bad input", async () => {
    expect(await rejection(list({ kind: "bogus" as "outbox" }))).toMatchObject({
      kind: "invalid",
      field: "kind",
    });
    expect(await rejection(failedMessageDetail({ db, user: admin }, "42"))).toMatchObject({
      kind: "invalid",
      field: "id",
    });
    expect(await rejection(failedMessageDetail({ db, user: admin }, "dead-letter-999999999"))).toMatchObject({
      kind: "not_found",
    });
  });
});

describe("who may", () => {
  it("refuses everyone but admins, and changes nothing for them", async () => {
    const id = await deadLetter({ queue: `${testId()}.q`, payload: JSON.stringify({ n: 1 }) });
    for (const attempt of [
      list({}, provider),
      failedMessageDetail({ db, user: provider }, id),
      replayFailedMessage({ db, user: provider }, id),
      discardFailedMessage({ db, user: provider }, id),
    ])
      expect((await rejection(attempt)).kind).toBe("forbidden");
    expect((await failedMessageDetail({ db, user: admin }, id)).status).toBe("DEAD");
    expect(await db.auditEvent.count({ where: { subjectId: id } })).toBe(0);
  });
});
