import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "@/server/api/root";
import { Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth/session";
import { createDb, type Db } from "@/server/db/client";
import { contextFor, makeUser } from "@/server/testing/factories";
import { deleteQueues, testId, withChannel } from "@/server/testing/bus";
import { trpcRejection } from "@/server/testing/rejection";
import { ConsoleSessions } from "@/server/testing/rest-session";
import {
  discardFailedMessageRest,
  failedMessageRest,
  listFailedMessagesRest,
  replayFailedMessageRest,
} from "./failed-message";
import { openApiDocument } from "./openapi";

/*
 * The failed-message REST API and tRPC router on the run's database: admins
 * only (403 for every other role, 401 without a session), the REST error
 * shape, and the OpenAPI entries. The replayed dead letter goes to a queue
 * this file declares, so whichever relay of the run publishes it succeeds.
 */

let db: Db;
let admin: SessionUser;
let provider: SessionUser;
let infra: SessionUser;
let nobody: SessionUser;
const sessions = new ConsoleSessions();
const queue = `${testId()}.fm`;

const list = (user: SessionUser | null, query = "") =>
  sessions.call(listFailedMessagesRest, user, `/api/v1/failed-message/${query}`);
const get = (user: SessionUser | null, id: string) =>
  sessions.call(failedMessageRest, user, `/api/v1/failed-message/${id}/`, { params: { id } });
const replay = (user: SessionUser | null, id: string) =>
  sessions.call(replayFailedMessageRest, user, `/api/v1/failed-message/${id}/replay/`, {
    method: "POST",
    params: { id },
  });
const discard = (user: SessionUser | null, id: string) =>
  sessions.call(discardFailedMessageRest, user, `/api/v1/failed-message/${id}/discard/`, {
    method: "POST",
    params: { id },
  });

async function deadLetter(payload: string): Promise<string> {
  const row = await db.deadLetter.create({
    data: {
      queue,
      messageId: randomUUID(),
      routingKey: queue,
      payload,
      error: "handler failed",
      attempts: 5,
    },
  });
  return `dead-letter-${row.id}`;
}

beforeAll(async () => {
  db = createDb(process.env.DATABASE_URL);
  admin = await makeUser(db, [Role.NEMO_ADMIN]);
  provider = await makeUser(db, [Role.SERVICE_PROVIDER]);
  infra = await makeUser(db, [Role.INFRASTRUCTURE_PROVIDER]);
  nobody = await makeUser(db, []);
  await sessions.signIn(admin, provider, infra, nobody);
  await withChannel(async (channel, name) => {
    await channel.assertQueue(name(queue), { durable: true });
  });
});

afterAll(async () => {
  await deleteQueues(queue);
  await db.$disconnect();
});

describe("REST /api/v1/failed-message/", () => {
  it("lists, shows, replays and discards for an admin, with the REST error shape", async () => {
    const toReplay = await deadLetter(JSON.stringify({ n: 1, apiKey: "k-s3cr3t" }));
    const toDiscard = await deadLetter(JSON.stringify({ n: 2 }));

    const page = await list(admin, `?queue=${encodeURIComponent(queue)}&pageSize=25`);
    expect(page.status).toBe(200);
    const body = (await page.json()) as { items: Array<{ id: string }>; total: number; pageSize: number };
    expect(body.items.map((r) => r.id)).toEqual([toDiscard, toReplay]);
    expect(body.pageSize).toBe(25);

    const detail = await get(admin, toReplay);
    expect(detail.status).toBe(200);
    const text = await detail.text();
    expect(text).not.toContain("k-s3cr3t");
    expect(JSON.parse(text)).toMatchObject({ id: toReplay, status: "DEAD", replayable: true });

    const replayed = await replay(admin, toReplay);
    expect(replayed.status).toBe(200);
    expect(await replayed.json()).toMatchObject({
      id: toReplay,
      status: "REPLAYED",
      resolvedBy: admin.username,
    });
    const again = await replay(admin, toReplay);
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ error: "conflict", field: "id" });

    expect((await discard(admin, toDiscard)).status).toBe(200);
    expect((await list(admin, `?queue=${encodeURIComponent(queue)}`)).status).toBe(200);
    const open = (await (await list(admin, `?queue=${encodeURIComponent(queue)}`)).json()) as {
      total: number;
    };
    expect(open.total).toBe(0);
  });

  it("answers 400 naming the field, 404 for an unknown item, 422 for a body that cannot be replayed", async () => {
    const badPage = await list(admin, "?pageSize=7");
    expect(badPage.status).toBe(400);
    expect(await badPage.json()).toMatchObject({ error: "bad_request", field: "pageSize" });
    const badKind = await list(admin, "?kind=letter");
    expect(await badKind.json()).toMatchObject({ error: "bad_request", field: "kind" });
    const badId = await get(admin, "42");
    expect(badId.status).toBe(400);
    expect(await badId.json()).toMatchObject({ field: "id" });
    expect((await get(admin, `outbox-${randomUUID()}`)).status).toBe(404);
    const garbled = await deadLetter("not json at all");
    const refused = await replay(admin, garbled);
    expect(refused.status).toBe(422);
  });

  it("refuses every other role with 403 and anonymous callers with 401, changing nothing", async () => {
    const id = await deadLetter(JSON.stringify({ n: 3 }));
    for (const user of [provider, infra, nobody]) {
      for (const response of [
        await list(user),
        await get(user, id),
        await replay(user, id),
        await discard(user, id),
      ])
        expect(response.status).toBe(403);
    }
    for (const response of [
      await list(null),
      await get(null, id),
      await replay(null, id),
      await discard(null, id),
    ])
      expect(response.status).toBe(401);
    expect(
      (await db.deadLetter.findFirstOrThrow({ where: { queue, payload: JSON.stringify({ n: 3 }) } })).status,
    ).toBe("DEAD");
  });

  it("is in the OpenAPI document", () => {
    const doc = openApiDocument() as {
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, unknown> };
    };
    const methods = (url: string) => Object.keys(doc.paths[url] ?? {}).filter((k) => k !== "parameters");
    expect(methods("/api/v1/failed-message/")).toEqual(["get"]);
    expect(methods("/api/v1/failed-message/{id}/")).toEqual(["get"]);
    expect(methods("/api/v1/failed-message/{id}/replay/")).toEqual(["post"]);
    expect(methods("/api/v1/failed-message/{id}/discard/")).toEqual(["post"]);
    for (const name of [
      "FailedMessageRow",
      "FailedMessagePage",
      "FailedMessageDetail",
      "FailedMessageAction",
    ])
      expect(doc.components.schemas[name]).toBeDefined();
  });
});

describe("tRPC failedMessage", () => {
  it("serves admins and refuses other roles with FORBIDDEN", async () => {
    const id = await deadLetter(JSON.stringify({ n: 4 }));
    const asAdmin = createCaller(contextFor(db, admin)).failedMessage;
    expect((await asAdmin.get({ id })).status).toBe("DEAD");
    expect((await asAdmin.list({ queue })).items.map((r) => r.id)).toContain(id);
    for (const user of [provider, infra, nobody]) {
      const caller = createCaller(contextFor(db, user)).failedMessage;
      for (const attempt of [
        caller.list({}),
        caller.get({ id }),
        caller.replay({ id }),
        caller.discard({ id }),
      ])
        expect((await trpcRejection(attempt)).code).toBe("FORBIDDEN");
    }
    const anonymous = createCaller(contextFor(db, null)).failedMessage;
    expect((await trpcRejection(anonymous.list({}))).code).toBe("UNAUTHORIZED");
    expect((await asAdmin.discard({ id })).status).toBe("DISCARDED");
    const invalid = await trpcRejection(asAdmin.get({ id: "nope" }));
    expect(invalid.code).toBe("BAD_REQUEST");
  });
});
