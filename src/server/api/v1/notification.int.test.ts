import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "@/server/api/root";
import { Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth/session";
import { createDb, type Db } from "@/server/db/client";
import { recordLifecycleEvent } from "@/server/instances";
import { contextFor, makeInstance, makeUser, makeWorkload } from "@/server/testing/factories";
import { trpcRejection } from "@/server/testing/rejection";
import { ConsoleSessions } from "@/server/testing/rest-session";
import { listNotificationsRest, markNotificationReadRest } from "./notification";
import { openApiDocument } from "./openapi";

/*
 * The notification centre over tRPC and REST on the run's database: each
 * caller sees and marks only their own notifications (another tenant's id is
 * 404, an admin's too), no role is 403, no session 401; the REST error shape
 * and the OpenAPI entries.
 */

let db: Db;
let owner: SessionUser;
let otherTenant: SessionUser;
let admin: SessionUser;
let nobody: SessionUser;
const sessions = new ConsoleSessions();

const list = (user: SessionUser | null, query = "") =>
  sessions.call(listNotificationsRest, user, `/api/v1/notification/${query}`);
const markRead = (user: SessionUser | null, id: string) =>
  sessions.call(markNotificationReadRest, user, `/api/v1/notification/${id}/read/`, {
    method: "POST",
    params: { id },
  });

interface Page {
  items: { id: string; kind: string; title: string; link: string; readAt: string | null }[];
  nextCursor: string | null;
  unread: number;
}

/** Three FAILED events of a new instance of `user`'s: three notifications. */
async function failures(user: SessionUser): Promise<string> {
  const workload = await makeWorkload(db, user);
  const instance = await makeInstance(db, user, workload.id);
  await db.$transaction(async (tx) => {
    for (const n of [1, 2, 3]) await recordLifecycleEvent(tx, instance.id, "Failed", `failure ${n}`);
  });
  return instance.id;
}

beforeAll(async () => {
  db = createDb(process.env.DATABASE_URL);
  [owner, otherTenant, admin, nobody] = await Promise.all([
    makeUser(db, [Role.SERVICE_PROVIDER]),
    makeUser(db, [Role.SERVICE_PROVIDER]),
    makeUser(db, [Role.NEMO_ADMIN]),
    makeUser(db, []),
  ]);
  await sessions.signIn(owner, otherTenant, admin, nobody);
  await failures(owner);
  await failures(otherTenant);
});
afterAll(async () => {
  await db.$disconnect();
});

describe("REST /api/v1/notification/", () => {
  it("lists the caller's own notifications, newest first, page by page", async () => {
    const response = await list(owner, "?limit=2");
    expect(response.status).toBe(200);
    const page = (await response.json()) as Page;
    expect(page.items.map((i) => i.kind)).toEqual(["INSTANCE_FAILED", "INSTANCE_FAILED"]);
    expect(page.unread).toBe(3);
    expect(page.nextCursor).toBe(page.items[1]?.id);
    const older = (await (await list(owner, `?limit=2&before=${page.nextCursor}`)).json()) as Page;
    expect(older.items).toHaveLength(1);
    expect(older.nextCursor).toBeNull();

    // The other tenant's list has only theirs; an admin's has none of either.
    const theirs = (await (await list(otherTenant)).json()) as Page;
    const mine = new Set([...page.items, ...older.items].map((i) => i.id));
    expect(theirs.items.some((i) => mine.has(i.id))).toBe(false);
    const admins = (await (await list(admin)).json()) as Page;
    expect(admins.items.some((i) => mine.has(i.id))).toBe(false);
  });

  it("marks one read: the owner only; another tenant and an admin get 404", async () => {
    const { items } = (await (await list(owner, "?unread=true&limit=1")).json()) as Page;
    const id = items[0]!.id;
    for (const caller of [otherTenant, admin]) {
      const response = await markRead(caller, id);
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ error: "not_found", field: "id" });
    }
    const response = await markRead(owner, id);
    expect(response.status).toBe(200);
    expect(((await response.json()) as Page["items"][number]).readAt).not.toBeNull();
    expect(((await (await list(owner)).json()) as Page).unread).toBe(2);
  });

  it("answers 401 without a session, 403 without a role, 400 naming the field for bad input", async () => {
    expect((await list(null)).status).toBe(401);
    expect((await list(nobody)).status).toBe(403);
    for (const [query, field] of [
      ["?limit=0", "limit"],
      ["?limit=500", "limit"],
      ["?before=abc", "before"],
      ["?unread=maybe", "unread"],
    ] as const) {
      const response = await list(owner, query);
      expect(response.status, query).toBe(400);
      expect(await response.json()).toMatchObject({ error: "bad_request", field });
    }
    const bad = await markRead(owner, "not-a-number");
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: "id" });
  });

  it("is in the OpenAPI document", () => {
    const doc = openApiDocument() as { paths: Record<string, Record<string, { operationId?: string }>> };
    expect(doc.paths["/api/v1/notification/"]?.get?.operationId).toBe("listNotifications");
    expect(doc.paths["/api/v1/notification/{id}/read/"]?.post?.operationId).toBe("markNotificationRead");
  });
});

describe("tRPC notification router", () => {
  it("lists, counts and marks the caller's own only", async () => {
    const user = await makeUser(db, [Role.SERVICE_PROVIDER]);
    await failures(user);
    const mine = createCaller(contextFor(db, user)).notification;
    const theirs = createCaller(contextFor(db, otherTenant)).notification;
    const admins = createCaller(contextFor(db, admin)).notification;

    expect(await mine.unreadCount()).toBe(3);
    const first = await mine.list({ limit: 2 });
    expect(first.items).toHaveLength(2);
    // tRPC's infinite queries pass the cursor as `cursor`.
    const next = await mine.list({ limit: 2, cursor: first.nextCursor });
    expect(next.items).toHaveLength(1);
    expect(next.items[0]!.message).toBe("failure 1");

    const id = first.items[0]!.id;
    expect((await trpcRejection(theirs.markRead({ id }))).code).toBe("NOT_FOUND");
    expect((await trpcRejection(admins.markRead({ id }))).code).toBe("NOT_FOUND");
    expect(await mine.unreadCount()).toBe(3);

    await mine.markRead({ id });
    expect(await mine.unreadCount()).toBe(2);
    const theirsBefore = await theirs.unreadCount();
    expect(await mine.markAllRead()).toEqual({ marked: 2 });
    expect(await mine.unreadCount()).toBe(0);
    // Marking all read is the caller's own: the other tenant's count is untouched.
    expect(await theirs.unreadCount()).toBe(theirsBefore);

    const anonymous = createCaller(contextFor(db, null)).notification;
    expect((await trpcRejection(anonymous.unreadCount())).code).toBe("UNAUTHORIZED");
    const roleless = createCaller(contextFor(db, nobody)).notification;
    expect((await trpcRejection(roleless.list({}))).code).toBe("FORBIDDEN");
  });
});
