import { gunzipSync } from "node:zlib";
import { createRequire } from "node:module";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth/session";
import { createDb, type Db } from "@/server/db/client";
import { applyMigrations, dropDatabase, ensureDatabase } from "@/server/db/migrate";
import { apiJsonHeaders, createRateBudgets, replaceRateBudgets, type RateBudgets } from "@/server/edge";
import { serverEnv } from "@/server/env";
import { makeInstance, makeIntent, makeUser, makeWorkload } from "@/server/testing/factories";
import { databaseUrlFor, runId } from "@/server/testing/services";
import { sessionCookie } from "@/server/testing/session-cookie";
import { hotReadOf, serveHotRead, type Compression } from "./hot-reads";
import type { RestRoute } from "./rest";
import { listInstancesRest, instanceTimelineRest } from "./v1/instance";
import { listIntentsRest } from "./v1/intent";

/*
 * The hot reads as workers/web.ts serves them (serveHotRead on Node's
 * req/res, over a socket) against the App Router route handlers Next.js
 * would call for the same request: the same status, body and headers —
 * answers, refusals (401, 403, 400, 404, 429 with Retry-After) — plus the
 * security headers next.config.ts gives every /api answer, and gzip as
 * Next's compression middleware does it.
 */
const url = databaseUrlFor(`nemo_hot_reads_${runId()}`);
const ORIGIN = "http://localhost:3999";

let db: Db;
let provider: SessionUser;
let provider2: SessionUser;
let infra: SessionUser;
let instanceId: string;
let otherInstanceId: string;
const cookies = new Map<string, string>();
let server: Server;
let base: string;

beforeAll(async () => {
  await ensureDatabase(url);
  await applyMigrations(url);
  db = createDb(url);
  (globalThis as unknown as { nemoDb?: Db }).nemoDb = db;
  provider = await makeUser(db, [Role.SERVICE_PROVIDER]);
  provider2 = await makeUser(db, [Role.SERVICE_PROVIDER]);
  infra = await makeUser(db, [Role.INFRASTRUCTURE_PROVIDER]);
  for (const user of [provider, provider2, infra])
    cookies.set(user.id, `next-auth.session-token=${await sessionCookie(user)}`);
  const workload = await makeWorkload(db, provider, { supportedIntents: ["Availability"] });
  const instance = await makeInstance(db, provider, workload.id);
  instanceId = instance.id;
  // Enough events that the timeline passes the 1 KiB under which Next's compression sends plain text.
  for (const [i, type] of [
    "Created",
    "Rendered",
    "Deployed",
    ...Array<string>(20).fill("Intent report"),
  ].entries()) {
    await db.lifecycleEvent.create({
      data: {
        instanceId,
        type,
        message: `${type} ${i}`,
        detail: { step: i },
        occurredAt: new Date(Date.UTC(2026, 0, 1, 0, i)),
      },
    });
  }
  await makeIntent(db, provider, instanceId);
  const otherWorkload = await makeWorkload(db, provider2);
  otherInstanceId = (await makeInstance(db, provider2, otherWorkload.id)).id;
  const gzip = (createRequire(import.meta.url)("next/dist/compiled/compression") as () => Compression)();
  server = createServer((req, res) => {
    if (!serveHotRead(req, res, gzip)) res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  (globalThis as unknown as { nemoDb?: Db }).nemoDb = undefined;
  await db.$disconnect();
  await dropDatabase(url);
});

interface Answer {
  status: number;
  body: string;
  headers: Record<string, string>;
}

/** The headers a route decides (framing, date and what next.config.ts adds are compared separately). */
const ROUTE_HEADERS = ["content-type", "cache-control", "retry-after", "location", "allow"];

function answerOf(status: number, body: string, headers: Headers): Answer {
  const picked: Record<string, string> = {};
  for (const name of ROUTE_HEADERS) {
    const value = headers.get(name);
    if (value !== null) picked[name] = value;
  }
  return { status, body, headers: picked };
}

function requestHeaders(user: SessionUser | null, extra: Record<string, string> = {}): Headers {
  const headers = new Headers(extra);
  if (user) {
    headers.set("cookie", cookies.get(user.id) ?? "");
    headers.set("origin", ORIGIN);
  }
  return headers;
}

/** The App Router route handler, called as Next.js calls it. */
async function viaRouteHandler(route: RestRoute, path: string, headers: Headers): Promise<Answer> {
  const hot = hotReadOf("GET", path);
  const response = await route(new Request(`${ORIGIN}${path}`, { headers }), {
    params: Promise.resolve(hot?.params ?? {}),
  });
  return answerOf(response.status, await response.text(), response.headers);
}

/** The web process's path, over the socket. */
async function viaServedPath(path: string, headers: Headers): Promise<{ answer: Answer; raw: Response }> {
  const raw = await fetch(`${base}${path}`, { headers });
  return { answer: answerOf(raw.status, await raw.clone().text(), raw.headers), raw };
}

const CASES: Array<{
  name: string;
  route: () => RestRoute;
  path: () => string;
  user: () => SessionUser | null;
  headers?: Record<string, string>;
  status: number;
}> = [
  {
    name: "instance list",
    route: () => listInstancesRest,
    path: () => "/api/v1/instance/",
    user: () => provider,
    status: 200,
  },
  {
    name: "instance list, filtered and sorted",
    route: () => listInstancesRest,
    path: () => "/api/v1/instance/?status=CREATED&sort=releaseName&pageSize=10",
    user: () => provider,
    status: 200,
  },
  {
    name: "instance list without the trailing slash",
    route: () => listInstancesRest,
    path: () => "/api/v1/instance",
    user: () => provider,
    status: 200,
  },
  {
    name: "instance list, bad query (400 naming the field)",
    route: () => listInstancesRest,
    path: () => "/api/v1/instance/?status=SLEEPING",
    user: () => provider,
    status: 400,
  },
  {
    name: "instance list, signed out (401)",
    route: () => listInstancesRest,
    path: () => "/api/v1/instance/",
    user: () => null,
    status: 401,
  },
  {
    name: "instance list, infrastructure provider (403)",
    route: () => listInstancesRest,
    path: () => "/api/v1/instance/",
    user: () => infra,
    status: 403,
  },
  {
    name: "timeline",
    route: () => instanceTimelineRest,
    path: () => `/api/v1/instance/${instanceId}/timeline/`,
    user: () => provider,
    status: 200,
  },
  {
    name: "timeline of another tenant's instance (404)",
    route: () => instanceTimelineRest,
    path: () => `/api/v1/instance/${otherInstanceId}/timeline/`,
    user: () => provider,
    status: 404,
  },
  {
    name: "timeline of no instance (404)",
    route: () => instanceTimelineRest,
    path: () => "/api/v1/instance/not-an-id/timeline/",
    user: () => provider,
    status: 404,
  },
  {
    name: "intent list",
    route: () => listIntentsRest,
    path: () => "/api/v1/intent/",
    user: () => provider,
    status: 200,
  },
  {
    name: "intent list, bad page size (400)",
    route: () => listIntentsRest,
    path: () => "/api/v1/intent/?pageSize=7",
    user: () => provider,
    status: 400,
  },
];

describe("hot reads on Node's req/res", () => {
  it.each(CASES)("$name: the same answer as the route handler", async (c) => {
    const headers = requestHeaders(c.user(), c.headers);
    const expected = await viaRouteHandler(c.route(), c.path(), headers);
    const { answer } = await viaServedPath(c.path(), headers);
    expect(answer).toEqual(expected);
    expect(answer.status).toBe(c.status);
    if (c.status === 200) expect(answer.body.length).toBeGreaterThan(2);
  });

  it("sends the security headers next.config.ts gives every /api answer (HSTS only over https)", async () => {
    const plain = (await viaServedPath("/api/v1/instance/", requestHeaders(provider))).raw;
    for (const { key, value } of apiJsonHeaders(undefined)) expect(plain.headers.get(key)).toBe(value);
    expect(plain.headers.get("strict-transport-security")).toBeNull();
    const https = (
      await viaServedPath("/api/v1/intent/", requestHeaders(provider, { "x-forwarded-proto": "https" }))
    ).raw;
    for (const { key, value } of apiJsonHeaders("https")) expect(https.headers.get(key)).toBe(value);
    expect(https.headers.get("strict-transport-security")).toContain("max-age=");
    const refused = (await viaServedPath("/api/v1/instance/", requestHeaders(null))).raw;
    expect(refused.status).toBe(401);
    for (const { key, value } of apiJsonHeaders(undefined)) expect(refused.headers.get(key)).toBe(value);
  });

  it("gzips for a client that accepts it, as Next's compression does (same JSON inside)", async () => {
    const path = `/api/v1/instance/${instanceId}/timeline/`;
    const headers = requestHeaders(provider, { "accept-encoding": "gzip" });
    const expected = await viaRouteHandler(instanceTimelineRest, path, requestHeaders(provider));
    // node:http's own client: fetch would undo the gzip before we could see it.
    const { request } = await import("node:http");
    const { status, encoding, vary, body } = await new Promise<{
      status: number;
      encoding: string | undefined;
      vary: string | undefined;
      body: Buffer;
    }>((resolve, reject) => {
      const req = request(`${base}${path}`, { headers: Object.fromEntries(headers) }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            encoding: res.headers["content-encoding"],
            vary: res.headers.vary,
            body: Buffer.concat(chunks),
          }),
        );
      });
      req.on("error", reject);
      req.end();
    });
    expect(status).toBe(200);
    expect(encoding).toBe("gzip");
    expect(vary?.toLowerCase()).toContain("accept-encoding");
    expect(gunzipSync(body).toString("utf8")).toBe(expected.body);
  });

  it("takes the REST budgets: the same 429 with Retry-After once a user's budget is spent", async () => {
    let now = 1_000_000;
    const tight = (): RateBudgets =>
      createRateBudgets({ ...serverEnv(), NEMO_RATE_LIMIT_REST_USER: 1 }, () => now);
    const previous = replaceRateBudgets(tight());
    try {
      const headers = requestHeaders(provider);
      const first = await viaServedPath("/api/v1/intent/", headers);
      expect(first.answer.status).toBe(200);
      const served = await viaServedPath("/api/v1/intent/", headers);
      replaceRateBudgets(tight());
      await viaRouteHandler(listIntentsRest, "/api/v1/intent/", headers);
      const expected = await viaRouteHandler(listIntentsRest, "/api/v1/intent/", headers);
      expect(served.answer.status).toBe(429);
      expect(served.answer).toEqual(expected);
      expect(Number(served.answer.headers["retry-after"])).toBeGreaterThan(0);
      now += 120_000;
      expect((await viaServedPath("/api/v1/intent/", headers)).answer.status).toBe(200);
    } finally {
      replaceRateBudgets(previous);
    }
  });

  it("leaves everything else to Next.js", () => {
    expect(hotReadOf("GET", "/api/v1/instance/")?.route).toBe(listInstancesRest);
    expect(hotReadOf("GET", "/api/v1/instance?page=2")?.route).toBe(listInstancesRest);
    expect(hotReadOf("GET", "/api/v1/instance/abc-1/timeline/")).toEqual({
      route: instanceTimelineRest,
      params: { id: "abc-1" },
    });
    expect(hotReadOf("GET", "/api/v1/intent/")?.route).toBe(listIntentsRest);
    for (const [method, path] of [
      ["POST", "/api/v1/instance/"],
      ["HEAD", "/api/v1/instance/"],
      ["POST", "/api/v1/intent/"],
      ["GET", "/api/v1/instance/abc/"],
      ["GET", "/api/v1/instance/a%2Fb/timeline/"],
      ["GET", "/api/v1/instance/../intent/"],
      ["GET", "/api/v1/intent/types/"],
      ["GET", "/api/v1/instances/"],
      ["GET", "/api/v1/intent//"],
    ] as const) {
      expect(hotReadOf(method, path), `${method} ${path}`).toBeNull();
    }
  });
});
