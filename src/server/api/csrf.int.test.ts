import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { trpcHttpHandler as trpcPost } from "@/server/api/trpc-http";
import { restHandler } from "@/server/api/rest";
import { Role } from "@/common/roles";
import { createDb, type Db } from "@/server/db/client";
import { makeUser } from "@/server/testing/factories";
import { startConsoleIssuer, type ConsoleIssuer } from "@/server/testing/local-issuer";
import { sessionCookie } from "@/server/testing/session-cookie";

const APP = "http://localhost:3999";
let issuer: ConsoleIssuer;
let db: Db;
let cookie: string;

const echo = restHandler({ body: z.object({ n: z.number() }) }, async ({ body, user }) => ({
  n: body.n,
  user: user.username,
}));
const remove = restHandler({}, async () => ({ deleted: true }));

function call(
  headers: Record<string, string>,
  init: { method?: string; body?: string } = {},
  path = "/api/v1/echo/",
): Request {
  const body = init.body ?? (init.method === "DELETE" || init.method === "GET" ? undefined : '{"n":1}');
  // As a client on the wire sends it: a body comes with its length.
  const framing: Record<string, string> =
    body === undefined ? {} : { "content-length": String(Buffer.byteLength(body)) };
  return new Request(`${APP}${path}`, {
    method: init.method ?? "POST",
    headers: { ...framing, ...headers },
    body,
  });
}

beforeAll(async () => {
  issuer = await startConsoleIssuer({ clientSecret: "csrf-test-secret" });
  db = createDb(process.env.DATABASE_URL);
  const user = await makeUser(db, [Role.SERVICE_PROVIDER]);
  cookie = `next-auth.session-token=${await sessionCookie(user)}`;
});

afterAll(async () => {
  await issuer.close();
  await db.$disconnect();
});

const json = { "content-type": "application/json" };

describe("cookie-authenticated REST mutations (CSRF)", () => {
  it("refuse another origin with 403 naming the Origin", async () => {
    const response = await echo(call({ cookie, ...json, origin: "https://evil.example" }));
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({
      error: "forbidden",
      message: expect.stringContaining("Origin: https://evil.example") as unknown,
    });
  });

  it("refuse Sec-Fetch-Site cross-site and same-site, and a request with neither header", async () => {
    for (const site of ["cross-site", "same-site"]) {
      const response = await echo(call({ cookie, ...json, "sec-fetch-site": site }));
      expect(response.status).toBe(403);
      expect(((await response.json()) as { message: string }).message).toContain(`Sec-Fetch-Site: ${site}`);
    }
    const bare = await echo(call({ cookie, ...json }));
    expect(bare.status).toBe(403);
    expect(((await bare.json()) as { message: string }).message).toContain("Origin or Sec-Fetch-Site");
  });

  it("refuse what an HTML form can send (415), even from our own origin", async () => {
    for (const type of ["application/x-www-form-urlencoded", "text/plain", ""]) {
      const headers: Record<string, string> = { cookie, origin: APP };
      if (type) headers["content-type"] = type;
      const response = await echo(call(headers));
      expect(response.status).toBe(415);
      expect(await response.json()).toMatchObject({ error: "unsupported_media_type" });
    }
  });

  it("take a DELETE without a body for what it is, though the server hands it a body stream", async () => {
    // Next.js gives a route handler a (empty) body stream for every DELETE; only the framing headers tell.
    const deletion = new Request(`${APP}/api/v1/echo/`, {
      method: "DELETE",
      headers: { cookie, origin: APP },
      body: new ReadableStream<Uint8Array>({ start: (controller) => controller.close() }),
      duplex: "half",
    } as RequestInit);
    expect((await remove(deletion)).status).toBe(200);
  });

  it("accept same-origin JSON (Origin or Sec-Fetch-Site)", async () => {
    const byOrigin = await echo(call({ cookie, ...json, origin: APP }));
    expect(byOrigin.status).toBe(200);
    expect(await byOrigin.json()).toMatchObject({ n: 1 });
    const bySite = await echo(
      call({ cookie, "content-type": "application/json; charset=utf-8", "sec-fetch-site": "same-origin" }),
    );
    expect(bySite.status).toBe(200);
    // Behind a proxy: the public origin (NEXTAUTH_URL or the forwarded host) counts as ours.
    const proxied = await echo(
      call({
        cookie,
        ...json,
        origin: "https://console.example",
        "x-forwarded-host": "console.example",
        "x-forwarded-proto": "https",
      }),
    );
    expect(proxied.status).toBe(200);
  });

  it("check only the origin of a body-less action (DELETE, dry-run)", async () => {
    expect((await remove(call({ cookie, origin: APP }, { method: "DELETE" }))).status).toBe(200);
    expect(
      (await remove(call({ cookie, origin: "https://evil.example" }, { method: "DELETE" }))).status,
    ).toBe(403);
  });

  it("leave reads alone", async () => {
    const read = restHandler({}, async ({ user }) => ({ user: user.username }));
    const response = await read(call({ cookie, origin: "https://evil.example" }, { method: "GET" }));
    expect(response.status).toBe(200);
  });

  it("do not apply to bearer-token calls", async () => {
    const tokens = await issuer.login("provider");
    const response = await echo(
      call({ authorization: `Bearer ${tokens.access_token}`, ...json, origin: "https://evil.example" }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ n: 1, user: "provider" });
  });
});

describe("tRPC mutations (CSRF)", () => {
  const mutation = (headers: Record<string, string>) =>
    new Request(`${APP}/api/trpc/workload.create`, {
      method: "POST",
      headers: { cookie, "content-length": "2", ...headers },
      body: "{}",
    });

  it("refuse another origin (403) and a form content type (415) before any procedure runs", async () => {
    const crossOrigin = await trpcPost(mutation({ ...json, origin: "https://evil.example" }));
    expect(crossOrigin.status).toBe(403);
    expect(await crossOrigin.json()).toMatchObject({ error: "forbidden" });
    const form = await trpcPost(mutation({ "content-type": "text/plain", origin: APP }));
    expect(form.status).toBe(415);
    expect(await form.json()).toMatchObject({ error: "unsupported_media_type" });
  });
});
