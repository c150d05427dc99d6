import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Role } from "@/common/roles";
import { authorize, RestError } from "@/server/api/rest";
import { createDb, poolOf, type Db } from "@/server/db/client";
import { register } from "@/instrumentation";
import { resetServerEnvCache, serverEnv, type ServerEnv } from "@/server/env";
import { makeUser } from "@/server/testing/factories";
import { sessionCookie } from "@/server/testing/session-cookie";
import { sessionUserFromRequest } from "./config";
import { requireNextAuthSecret, sessionMaxAgeSeconds, SessionUserResolver } from "./session-users";

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const HOURS_12 = 12 * 3600 * 1000;
let db: Db;

beforeAll(() => {
  db = createDb(process.env.DATABASE_URL);
});

afterAll(async () => {
  await db.$disconnect();
});

/** A resolver on a clock the test moves by hand. */
function resolverAt(start: number): { users: SessionUserResolver; advance: (ms: number) => void } {
  let now = start;
  const users = new SessionUserResolver({ db: () => db, maxAgeMs: HOURS_12, now: () => now });
  return { users, advance: (ms) => (now += ms) };
}

const cookieRequest = async (cookie: string) =>
  new Request("http://localhost:3999/api/v1/me/", {
    headers: { cookie: `next-auth.session-token=${cookie}` },
  });

describe("session roles come from the database", () => {
  it("a revoked role is honoured from the cache for at most 60 s, then takes effect", async () => {
    const user = await makeUser(db, [Role.NEMO_ADMIN]);
    const { users, advance } = resolverAt(T0);
    const request = await cookieRequest(await sessionCookie(user, T0));

    const first = await sessionUserFromRequest(request, users);
    expect(first?.roles).toEqual([Role.NEMO_ADMIN]);

    await db.user.update({ where: { id: user.id }, data: { roles: { set: [] } } });
    advance(59_000);
    const cached = await sessionUserFromRequest(request, users);
    expect(cached?.roles).toEqual([Role.NEMO_ADMIN]);

    advance(1_000);
    const fresh = await sessionUserFromRequest(request, users);
    expect(fresh?.roles).toEqual([]);
    // One decrypted cookie kept: the role change came from the users row, not from the cookie.
    expect(users.cachedTokenCount).toBe(1);
    if (!fresh) throw new Error("expected the user");
    expect(() => authorize(fresh, [Role.NEMO_ADMIN])).toThrow(RestError);
  });

  it("a deleted user has no session once the cache window has passed", async () => {
    const user = await makeUser(db, [Role.SERVICE_PROVIDER]);
    const { users, advance } = resolverAt(T0);
    const request = await cookieRequest(await sessionCookie(user, T0));
    expect(await sessionUserFromRequest(request, users)).toMatchObject({ id: user.id });

    await db.user.delete({ where: { id: user.id } });
    advance(60_000);
    expect(await sessionUserFromRequest(request, users)).toBeNull();
  });

  it("ignores roles written into the cookie", async () => {
    const user = await makeUser(db, []);
    const { users } = resolverAt(T0);
    const forged = await sessionCookie({ ...user, roles: [Role.NEMO_ADMIN] }, T0);
    const resolved = await sessionUserFromRequest(await cookieRequest(forged), users);
    expect(resolved).toMatchObject({ id: user.id, roles: [] });
  });
});

describe("the role cache under load", () => {
  it("reads a user's row once for a burst of requests that find the entry expired together", async () => {
    const user = await makeUser(db, [Role.SERVICE_PROVIDER]);
    const spied = createDb(process.env.DATABASE_URL);
    const reads: string[] = [];
    poolOf(spied).on("connect", (client) => {
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
        const first = args[0];
        const text = typeof first === "string" ? first : (first as { text?: string }).text;
        if (text && /FROM "public"\."users"/.test(text)) reads.push(text);
        return query(...args);
      };
    });
    try {
      let now = T0;
      const users = new SessionUserResolver({ db: () => spied, maxAgeMs: HOURS_12, now: () => now });
      const token = { user, signedInAt: T0 };
      const burst = () => Promise.all(Array.from({ length: 20 }, () => users.resolve(token)));
      expect((await burst()).every((u) => u?.id === user.id)).toBe(true);
      expect(reads).toHaveLength(1);
      now += 60_000;
      await burst();
      expect(reads).toHaveLength(2);
    } finally {
      await spied.$disconnect();
    }
  });
});

describe("absolute session lifetime", () => {
  it("ends the session at the lifetime, however recently it was used", async () => {
    const user = await makeUser(db, [Role.INFRASTRUCTURE_PROVIDER]);
    const { users, advance } = resolverAt(T0);
    const request = await cookieRequest(await sessionCookie(user, T0));

    advance(HOURS_12 - 1);
    expect(await sessionUserFromRequest(request, users)).toMatchObject({ id: user.id });
    advance(1);
    expect(await sessionUserFromRequest(request, users)).toBeNull();
  });

  it("refuses a cookie without a sign-in time", async () => {
    const user = await makeUser(db, [Role.NEMO_ADMIN]);
    const { users } = resolverAt(T0);
    expect(await users.resolve({ sub: user.subject, user })).toBeNull();
  });

  it("is 12 h unless NEMO_SESSION_MAX_AGE_HOURS says otherwise", () => {
    const env = serverEnv();
    expect(sessionMaxAgeSeconds({ ...env, NEMO_SESSION_MAX_AGE_HOURS: 12 })).toBe(43_200);
    expect(sessionMaxAgeSeconds({ ...env, NEMO_SESSION_MAX_AGE_HOURS: 1.5 })).toBe(5_400);
  });
});

describe("NEXTAUTH_SECRET", () => {
  it("has no default: reading it without one fails naming the variable", () => {
    const env: ServerEnv = { ...serverEnv(), NEXTAUTH_SECRET: undefined };
    expect(() => requireNextAuthSecret(env)).toThrow(/NEXTAUTH_SECRET is not set/);
  });

  it("the web server refuses to start without it: it exits with the reason", async () => {
    const saved = { secret: process.env.NEXTAUTH_SECRET, runtime: process.env.NEXT_RUNTIME };
    delete process.env.NEXTAUTH_SECRET;
    process.env.NEXT_RUNTIME = "nodejs";
    resetServerEnvCache();
    const exit = vi.spyOn(process, "exit").mockImplementation(() => undefined as never);
    const error = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      await register();
      expect(exit).toHaveBeenCalledWith(1);
      expect(String(error.mock.calls[0]?.[0])).toMatch(/NEXTAUTH_SECRET is not set/);
    } finally {
      exit.mockRestore();
      error.mockRestore();
      process.env.NEXTAUTH_SECRET = saved.secret;
      if (saved.runtime === undefined) delete process.env.NEXT_RUNTIME;
      else process.env.NEXT_RUNTIME = saved.runtime;
      resetServerEnvCache();
    }
  });
});
