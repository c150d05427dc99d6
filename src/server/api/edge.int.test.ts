/**
 * The HTTP edge of both doors: bodies capped while streaming, tRPC batch
 * size, rate limits (429 + Retry-After), no driver or SQL text in error
 * answers, and 503 + Retry-After while the database cannot be reached (a
 * real client pointed at a closed port; the shared PostgreSQL keeps running).
 */
import { createServer } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth";
import { restHandler } from "@/server/api/rest";
import { createTrpcHttpHandler } from "@/server/api/trpc-http";
import { listWorkloadsRest, createWorkloadRest } from "@/server/api/v1/workload";
import { createDb, type Db } from "@/server/db";
import { createRateBudgets, replaceRateBudgets, type RateBudgets } from "@/server/edge";
import { resetServerEnvCache, serverEnv } from "@/server/env";
import { contextFor, makeUser, uniq } from "@/server/testing/factories";
import { sessionCookie } from "@/server/testing/session-cookie";

const BASE = "http://localhost:3999";
const JSON_CAP = 4096;

let db: Db;
/** A client whose server is gone: every query fails to connect. */
let unreachable: Db;
let provider: SessionUser;
let cookie: string;
let savedBudgets: RateBudgets | undefined;
const tag = uniq("edge");

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** A clock the test moves by hand. */
function manualClock() {
  let now = 5_000_000;
  return { clock: () => now, advance: (ms: number) => (now += ms) };
}

function useBudgets(overrides: Record<string, number>, clock: () => number): void {
  const next = createRateBudgets({ ...serverEnv(), ...overrides }, clock);
  const previous = replaceRateBudgets(next);
  savedBudgets ??= previous;
}

/** A body sent in chunks without a Content-Length (or with a false one). */
function chunked(bytes: number, chunk = 1024): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (sent >= bytes) return controller.close();
        const size = Math.min(chunk, bytes - sent);
        sent += size;
        controller.enqueue(new TextEncoder().encode(" ".repeat(size)));
      },
    },
    { highWaterMark: 0 },
  );
}

function restRequest(init: {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: BodyInit | ReadableStream<Uint8Array>;
}): Request {
  return new Request(`${BASE}${init.path ?? "/api/v1/workload/"}`, {
    method: init.method ?? "GET",
    headers: { cookie, origin: BASE, ...init.headers },
    body: init.body,
    duplex: "half",
  } as RequestInit);
}

const noParams = { params: Promise.resolve(undefined) };

beforeAll(async () => {
  process.env.NEMO_MAX_JSON_BODY_BYTES = String(JSON_CAP);
  resetServerEnvCache();
  db = createDb(process.env.DATABASE_URL);
  unreachable = createDb(`postgresql://postgres@127.0.0.1:${await closedPort()}/nemo`);
  provider = await makeUser(db, [Role.SERVICE_PROVIDER]);
  cookie = `next-auth.session-token=${await sessionCookie(provider)}`;
});

afterEach(() => {
  if (savedBudgets) replaceRateBudgets(savedBudgets);
  savedBudgets = undefined;
});

afterAll(async () => {
  delete process.env.NEMO_MAX_JSON_BODY_BYTES;
  resetServerEnvCache();
  await db.$disconnect();
  await unreachable.$disconnect();
});

describe("REST bodies", () => {
  it("answers 413 naming the limit for a chunked body past the cap, whatever Content-Length claims", async () => {
    for (const headers of [{}, { "content-length": "20" }] as Record<string, string>[]) {
      const response = await createWorkloadRest(
        restRequest({
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body: chunked(64 * 1024),
        }),
        noParams,
      );
      expect(response.status).toBe(413);
      expect(await response.json()).toEqual({
        error: "payload_too_large",
        message: "The request body is larger than the limit of 4 KiB (4096 bytes).",
        field: null,
      });
    }
  });

  it("still takes a body within the cap", async () => {
    const response = await createWorkloadRest(
      restRequest({
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: `${tag}-ok`, version: "1.0.0" }),
      }),
      noParams,
    );
    expect(response.status).toBe(201);
  });
});

describe("REST rate limits", () => {
  it("answers 429 with Retry-After once a user's budget is spent, and again after the refill", async () => {
    const { clock, advance } = manualClock();
    useBudgets({ NEMO_RATE_LIMIT_REST_USER: 2, NEMO_RATE_LIMIT_REST_IP: 0 }, clock);
    for (let i = 0; i < 2; i++) expect((await listWorkloadsRest(restRequest({}), noParams)).status).toBe(200);
    const refused = await listWorkloadsRest(restRequest({}), noParams);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("30");
    expect(await refused.json()).toEqual({
      error: "too_many_requests",
      message: "Too many requests: try again in 30 s.",
    });
    advance(30_000);
    expect((await listWorkloadsRest(restRequest({}), noParams)).status).toBe(200);
  });

  it("counts anonymous callers by address, before any credential is checked", async () => {
    const { clock } = manualClock();
    useBudgets({ NEMO_RATE_LIMIT_REST_USER: 0, NEMO_RATE_LIMIT_REST_IP: 1 }, clock);
    const anonymous = (ip: string) =>
      listWorkloadsRest(
        new Request(`${BASE}/api/v1/workload/`, { headers: { "x-forwarded-for": ip } }),
        noParams,
      );
    expect((await anonymous("192.0.2.1")).status).toBe(401);
    expect((await anonymous("192.0.2.1")).status).toBe(429);
    expect((await anonymous("192.0.2.2")).status).toBe(401);
  });
});

describe("REST unexpected errors", () => {
  it("answer 500 internal without the driver's or SQL text", async () => {
    const broken = restHandler({}, ({ db: database }) =>
      database.$queryRawUnsafe(`SELECT secret_column FROM ${tag.replace(/-/g, "_")}_missing_table`),
    );
    const response = await broken(restRequest({ path: "/api/v1/me/" }), noParams);
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ error: "internal", message: "Unexpected error." });
    expect(text).not.toMatch(/missing_table|secret_column|SELECT|prisma/i);
  });

  it("answer 503 unavailable with Retry-After while the database cannot be reached", async () => {
    const global = globalThis as unknown as { nemoDb?: Db };
    const previous = global.nemoDb;
    global.nemoDb = unreachable;
    try {
      const response = await listWorkloadsRest(restRequest({}), noParams);
      expect(response.status).toBe(503);
      expect(response.headers.get("retry-after")).toBe("5");
      const text = await response.text();
      expect(JSON.parse(text)).toEqual({
        error: "unavailable",
        message: "The service is temporarily unavailable; try again shortly.",
      });
      expect(text).not.toMatch(/127\.0\.0\.1|reach|prisma|ECONNREFUSED/i);
    } finally {
      global.nemoDb = previous;
    }
  });
});

interface TrpcErrorBody {
  error: { json: { message: string; code: number; data: Record<string, unknown> } };
}

function trpcPost(
  path: string,
  body: BodyInit | ReadableStream<Uint8Array>,
  headers: Record<string, string> = {},
) {
  return new Request(`${BASE}/api/trpc/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", "sec-fetch-site": "same-origin", ...headers },
    body,
    duplex: "half",
  } as RequestInit);
}

describe("tRPC edge", () => {
  const handler = () => createTrpcHttpHandler(() => Promise.resolve(contextFor(db, provider)));

  it("refuses a batch over NEMO_TRPC_MAX_BATCH with 400 naming the limit", async () => {
    const max = serverEnv().NEMO_TRPC_MAX_BATCH;
    const paths = Array.from({ length: max + 1 }, () => "session.me").join(",");
    const input = encodeURIComponent(JSON.stringify({}));
    const response = await handler()(new Request(`${BASE}/api/trpc/${paths}?batch=1&input=${input}`));
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: "bad_request",
      message: `A tRPC batch may hold at most ${max} calls; this one has ${max + 1}.`,
    });
    const within = Array.from({ length: max }, () => "session.me").join(",");
    expect((await handler()(new Request(`${BASE}/api/trpc/${within}?batch=1&input=${input}`))).status).toBe(
      200,
    );
  });

  it("answers 413 for a chunked body past the cap", async () => {
    const response = await handler()(
      trpcPost("workload.create", chunked(64 * 1024), { "content-length": "2" }),
    );
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: "payload_too_large" });
  });

  it("limits mutations per user (429 + Retry-After) but not queries", async () => {
    const { clock } = manualClock();
    useBudgets({ NEMO_RATE_LIMIT_TRPC_MUTATION_USER: 1, NEMO_RATE_LIMIT_TRPC_MUTATION_IP: 0 }, clock);
    const create = () =>
      handler()(trpcPost("workload.create", JSON.stringify({ json: { name: uniq(tag), version: "1.0.0" } })));
    expect((await create()).status).toBe(200);
    const refused = await create();
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("60");
    const body = (await refused.json()) as TrpcErrorBody;
    expect(body.error.json.message).toBe("Too many changes at once: try again in 60 s.");
    for (let i = 0; i < 5; i++) {
      expect((await handler()(new Request(`${BASE}/api/trpc/session.me`))).status).toBe(200);
    }
  });

  it("answers an unexpected error with a fixed message and no stack", async () => {
    // A database that exists nowhere: PostgreSQL answers, with an error that is not about reachability.
    const missing = createDb(`${process.env.DATABASE_URL}_${tag.replace(/-/g, "_")}_missing`);
    try {
      const broken = createTrpcHttpHandler(() => Promise.resolve(contextFor(missing, provider)));
      const response = await broken(
        new Request(`${BASE}/api/trpc/workload.list?input=${encodeURIComponent('{"json":{}}')}`),
      );
      expect(response.status).toBe(500);
      const text = await response.text();
      const body = JSON.parse(text) as TrpcErrorBody;
      expect(body.error.json.message).toBe("Unexpected error.");
      expect(body.error.json.data).not.toHaveProperty("stack");
      expect(text).not.toMatch(/does not exist|prisma|invocation|nemo_test/i);
    } finally {
      await missing.$disconnect();
    }
  });

  it("answers 503 SERVICE_UNAVAILABLE with Retry-After while the database cannot be reached", async () => {
    const down = createTrpcHttpHandler(() => Promise.resolve(contextFor(unreachable, provider)));
    const response = await down(
      new Request(`${BASE}/api/trpc/workload.list?input=${encodeURIComponent('{"json":{}}')}`),
    );
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
    const text = await response.text();
    const body = JSON.parse(text) as TrpcErrorBody;
    expect(body.error.json.message).toBe("The service is temporarily unavailable; try again shortly.");
    expect(body.error.json.data).toMatchObject({ code: "SERVICE_UNAVAILABLE", httpStatus: 503 });
    expect(body.error.json.data).not.toHaveProperty("stack");
    expect(text).not.toMatch(/127\.0\.0\.1|reach|prisma/i);
  });

  it("answers 503 when the context itself cannot reach the database", async () => {
    const failingContext = createTrpcHttpHandler(async () => {
      await unreachable.$queryRaw`SELECT 1`;
      return contextFor(db, provider);
    });
    const response = await failingContext(new Request(`${BASE}/api/trpc/session.me`));
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
  });
});
