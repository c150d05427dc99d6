/**
 * REST API under load: the instance list, an instance page's timeline and the
 * intent list, each at `--connections` concurrent connections (autocannon),
 * against a bare node:http + pg server running the same SQL — the practical
 * limit of any Node front on this database.
 *
 *   npx tsx bench/api-load.bench.ts [--workloads 10000] [--instances 100000] [--events 1000000]
 *                                   [--intents 20000] [--owners 300] [--connections 100] [--seconds 10]
 *                                   [--rounds 2] [--warmup-seconds 3] [--show-sql] [--cpu-prof-dir DIR] [--routes instances,timeline,intents]
 *
 * --cpu-prof-dir writes a V8 CPU profile of the server process per route,
 * side and round (`instances-product-0.cpuprofile`), taken only while that
 * load runs; --routes loads only the named routes (the SQL capture and the
 * answer check still cover all three). Each row also prints the server
 * process's CPU time per answer, which a busy machine disturbs less than
 * throughput.
 *
 * Targets: throughput ≥ 0.7× the bare server's, p99 ≤ 50 ms. With every one
 * of `--connections` always waiting, Little's law makes the mean latency
 * connections ÷ throughput, and p99 ≥ mean: each row prints that floor, so
 * a missed p99 reads as the product's or the machine's.
 *
 * The product, as served: the web process (workers/web.ts) answers these
 * three GETs before Next.js with `serveHotRead` (src/server/api/hot-reads.ts:
 * the routes' `restHandler` — rate limits, session cookie, roles, zod, the
 * domain function, its SQL on the pg pool — on Node's req/res, with the
 * security headers and Next's compression middleware); a node:http server here
 * calls exactly that, so nothing is left out. The target is checked on it.
 *
 * Beside it, the same routes as App Router route handlers (what `next start`
 * alone would serve): a node:http server turns each request into a Fetch
 * `Request` and calls the handlers `src/app/api/v1/**\/route.ts` export, as
 * `next start` would, minus its routing.
 *
 * The caller is one service provider (the busiest of `--owners`, each of whom
 * owns about instances/owners instances) with a session cookie; the timeline
 * requests cycle through that provider's instances.
 *
 * A fourth server, the Fetch floor, does the bare server's work behind the same
 * `Request` / `Response` glue as the product: the most any route handler can
 * reach, so the figures split the route handler's gap into the framework's share
 * (floor ÷ bare) and the product's own (route handler ÷ floor).
 *
 * The baseline: the SQL statements each route issues are captured from the
 * pg driver while the product answers one request of each route, and the
 * bare server replays exactly those statements (values of the captured
 * request swapped for the current one's), inside the same transactions, on a
 * pg pool of the same size, and answers JSON of the same shape — without
 * authentication, validation or an ORM. Both answers are compared once.
 *
 * Shortcuts, stated: rows are seeded in bulk by INSERT … SELECT over
 * generate_series (deterministic: setseed), with a representative
 * `manifests` and `placement` document on every instance (the sizes the
 * helm-create chart renders); the rate limits are raised out of the way (one
 * load client would hit them at once; the buckets are still taken on every
 * request).
 */
import "./silent-logs";
import { fork, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { Session as InspectorSession } from "node:inspector";
import { createRequire } from "node:module";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { loadavg } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import autocannon from "autocannon";
import pg from "pg";
import { createDb, poolConfig, webDbTimeouts, workerDbTimeouts, type Db } from "../src/server/db/client";
import { applyMigrations, dropDatabase, ensureDatabase } from "../src/server/db/migrate";
import { seedDemo } from "../src/server/demo/seed";
import { resetServerEnvCache } from "../src/server/env";
import { listInstancesRest, instanceTimelineRest } from "../src/server/api/v1/instance";
import { listIntentsRest } from "../src/server/api/v1/intent";
import { targetsOf } from "../src/server/intents/queries";
import { intentDisplayState } from "../src/server/intents/display-state";
import { intentTypeDisplayName } from "../src/common/intent-catalogue";
import type { RestRoute } from "../src/server/api/rest";
import { serveHotRead, type Compression } from "../src/server/api/hot-reads";
import type { SessionUser } from "../src/server/auth/session";
import { sessionCookie } from "../src/server/testing/session-cookie";
import { databaseUrlFor, runId } from "../src/server/testing/services";

/** A timestamp column as pg returns it (Date) or null. */
function dateOrNull(value: unknown): Date | null {
  return value instanceof Date ? value : null;
}

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} needs a positive integer`);
  return value;
}

const WORKLOADS = option("workloads", 10_000);
const INSTANCES = option("instances", 100_000);
const EVENTS = option("events", 1_000_000);
const INTENTS = option("intents", 20_000);
const OWNERS = option("owners", 300);
const CONNECTIONS = option("connections", 100);
const SECONDS = option("seconds", 10);
const ROUNDS = option("rounds", 2);
/** Seconds of load on each server and route before the measured rounds (JIT, pools, caches warm on both sides). */
const WARMUP_SECONDS = option("warmup-seconds", 3);
const PROFILE_DIR = process.argv.includes("--cpu-prof-dir")
  ? process.argv[process.argv.indexOf("--cpu-prof-dir") + 1]
  : undefined;
/** --routes instances,intents: load only these (capture and the answer check still cover all three). */
const LOADED_ROUTES = process.argv.includes("--routes")
  ? (process.argv[process.argv.indexOf("--routes") + 1] ?? "").split(",")
  : undefined;
const TARGET_RATIO = 0.7;
const TARGET_P99_MS = 50;

// Before the first serverEnv() read: sessions need a key; the buckets stay, with room for the load.
// The server process (forked below) inherits the key, so the cookie made here opens there.
process.env.NEXTAUTH_SECRET ??= randomBytes(32).toString("hex");
process.env.NEMO_RATE_LIMIT_REST_USER = "100000000";
process.env.NEMO_RATE_LIMIT_REST_IP = "100000000";
resetServerEnvCache();

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const say = (message: string) => process.stdout.write(`${message}\n`);

// ---------------------------------------------------------------------------
// Seeding

const CHART = path.resolve(import.meta.dirname, "../src/server/charts/conformance-data/helm/create/mychart");

/** What a rendered helm-create chart stores on an instance (sizes as the real rendering's). */
function representativeManifests(): unknown[] {
  return ["serviceaccount.yaml", "service.yaml", "deployment.yaml", "tests/test-connection.yaml"].map(
    (file) => {
      const content = readFileSync(path.join(CHART, "templates", file), "utf8");
      return {
        source: `mychart/templates/${file}`,
        kind: /kind: (\w+)/.exec(content)?.[1] ?? "Pod",
        name: "app",
        content,
      };
    },
  );
}

function representativePlacement(clusters: readonly string[]): unknown {
  return {
    requests: { cpuMillicores: 100, memoryBytes: 128 * 2 ** 20, gpus: 0 },
    decision: {
      winner: clusters[0],
      scores: clusters.map((name, i) => ({
        cluster: name,
        score: 0.9 - i * 0.1,
        cpu: 0.4,
        memory: 0.3,
        green: 0.5,
      })),
      rejected: [],
      decidedAt: "2026-01-01T00:00:00.000Z",
    },
  };
}

const EVENT_TYPES = [
  "Created",
  "Rendered",
  "Placement decided",
  "Deploying",
  "Deployed",
  "Intent report",
  "Scaled",
];

async function seed(db: Db): Promise<{ provider: SessionUser }> {
  const timings: string[] = [];
  const step = async (label: string, run: () => Promise<unknown>) => {
    const started = performance.now();
    await run();
    timings.push(`${label} ${fmt(performance.now() - started)} ms`);
  };
  const started = performance.now();
  await seedDemo(db);
  const clusters = (
    await db.cluster.findMany({ orderBy: { name: "asc" }, select: { id: true, name: true } })
  ).map((c) => c);
  const clusterIds = clusters.map((c) => c.id);
  await db.$executeRaw`SELECT setseed(0.20261207)`;
  await step(
    "users",
    () =>
      db.$executeRaw`
      INSERT INTO users (id, subject, username, display_name, roles)
      SELECT gen_random_uuid(), 'bench-provider-' || i, 'provider' || i, 'Provider ' || i,
             ARRAY['SERVICE_PROVIDER']::"Role"[]
      FROM generate_series(1, ${OWNERS}::int) AS i`,
  );
  // Workloads and instances over the owners with a skew (a few big tenants, a long tail): owner rank ~ u².
  await step(
    "workloads",
    () =>
      db.$executeRaw`
      WITH owners AS (SELECT id, row_number() OVER (ORDER BY subject) - 1 AS n FROM users WHERE subject LIKE 'bench-provider-%')
      INSERT INTO workloads (name, version, owner_id, status, supported_intents, updated_at)
      SELECT 'wl-' || i, '1.' || (i % 7) || '.0', o.id, 'ACCEPTED', ARRAY['Availability','GreenEnergy'], now()
      FROM generate_series(1, ${WORKLOADS}::int) AS i
      JOIN owners o ON o.n = (i % ${OWNERS}::int)`,
  );
  const manifests = JSON.stringify(representativeManifests());
  const placement = JSON.stringify(representativePlacement(clusters.map((c) => c.name)));
  await step(
    "instances",
    () =>
      db.$executeRaw`
      WITH w AS (SELECT id, owner_id, row_number() OVER (ORDER BY id) - 1 AS n FROM workloads)
      INSERT INTO workload_instances (id, short_id, release_name, workload_id, owner_id, cluster_id, namespace, status,
                                      status_reason, manifests, placement, created_at, updated_at)
      SELECT gen_random_uuid(), lpad(to_hex(i), 7, '0'), 'rel-' || i, w.id, w.owner_id,
             CASE WHEN s.status IN ('CREATED', 'RENDERED') THEN NULL
                  ELSE (${clusterIds}::uuid[])[1 + (i % ${clusterIds.length}::int)] END,
             'rel-' || i || '-' || lpad(to_hex(i), 7, '0'), s.status::"InstanceStatus",
             CASE WHEN s.status = 'FAILED' THEN 'Deployment failed: image pull back-off' END,
             ${manifests}::jsonb, ${placement}::jsonb, t.at, t.at
      FROM generate_series(1, ${INSTANCES}::int) AS i
      CROSS JOIN LATERAL (SELECT floor(power(random(), 2) * ${WORKLOADS}::int + 0 * i)::int AS n) pick
      JOIN w ON w.n = pick.n
      CROSS JOIN LATERAL (SELECT now() - random() * interval '90 days' + 0 * i * interval '1 s' AS at, random() + 0 * i AS roll) t
      CROSS JOIN LATERAL (SELECT CASE WHEN t.roll < 0.80 THEN 'DEPLOYED' WHEN t.roll < 0.88 THEN 'DELETED'
                                      WHEN t.roll < 0.93 THEN 'FAILED' WHEN t.roll < 0.97 THEN 'RENDERED'
                                      ELSE 'MIGRATING' END AS status) s`,
  );
  // About `events / instances` per instance (uniform 1 … 2·mean−1), minutes apart after the creation.
  const mean = EVENTS / INSTANCES;
  await step(
    "events",
    () =>
      db.$executeRaw`
      INSERT INTO lifecycle_events (instance_id, type, message, detail, occurred_at)
      SELECT wi.id, (${EVENT_TYPES}::text[])[1 + (k % ${EVENT_TYPES.length}::int)],
             'Event ' || k || ' of ' || wi.release_name,
             CASE WHEN k % 3 = 0 THEN jsonb_build_object('cluster', 'edge-' || (k % 5), 'attempt', k) END,
             wi.created_at + k * interval '1 minute'
      FROM workload_instances wi
      CROSS JOIN LATERAL generate_series(1, 1 + floor(random() * (2 * ${mean}::float8 - 1) + 0 * length(wi.release_name))::int) AS k`,
  );
  await step(
    "intents",
    () =>
      db.$executeRaw`
      WITH picked AS (
        SELECT id, owner_id FROM workload_instances WHERE status <> 'DELETED' ORDER BY random() LIMIT ${INTENTS}::int
      )
      INSERT INTO intents (id, intent_type, instance_id, owner_id, observation_period_s, context_selectivity, body, updated_at)
      SELECT gen_random_uuid(), 'Availability', p.id, p.owner_id, 60, 'ALL_OF',
             jsonb_build_object(
               'userLabel', 'Availability of ' || p.id,
               'intentExpectations', jsonb_build_array(jsonb_build_object(
                 'expectationId', '1', 'expectationVerb', 'DELIVER',
                 'expectationObject', jsonb_build_object('objectType', 'NEMO_WORKLOAD', 'objectInstance', p.id, 'objectContexts', '[]'::jsonb),
                 'expectationTargets', jsonb_build_array(jsonb_build_object(
                   'targetName', 'availability', 'targetCondition', 'IS_EQUAL_TO_OR_GREATER_THAN',
                   'targetValueRange', '90', 'targetContexts', '[]'::jsonb)),
                 'expectationContexts', '[]'::jsonb)),
               'intentContexts', jsonb_build_array(jsonb_build_object(
                 'contextAttribute', 'NEMO_WORKLOAD', 'contextCondition', 'IS_EQUAL_TO', 'contextValueRange', p.id)),
               'contextSelectivity', 'ALL_OF', 'intentPriority', 1, 'observationPeriod', 60,
               'intentAdminState', 'ACTIVATED'),
             now()
      FROM picked p`,
  );
  // Each intent's report history: five reports a minute apart, the newest FULFILLED four times in five.
  await step(
    "reports",
    () =>
      db.$executeRaw`
      INSERT INTO intent_reports (intent_id, fulfilment_status, not_fulfilled_state, not_fulfilled_reasons, feasibility,
                                  target_results, created_at)
      SELECT i.id, CASE WHEN random() < 0.8 THEN 'FULFILLED' ELSE 'NOT_FULFILLED' END::"FulfilmentStatus", NULL,
             ARRAY[]::text[], 'FEASIBLE', '[{"targetName":"availability","observed":99.5,"met":true}]'::json,
             now() - k * interval '1 minute'
      FROM intents i CROSS JOIN generate_series(0, 4) AS k`,
  );
  await step("analyze", () => db.$executeRaw`ANALYZE`);
  say(`Seeded in ${fmt(performance.now() - started)} ms (${timings.join(", ")})`);

  // The busiest provider: the heaviest instance list and the most timelines to pick from.
  const [busiest] = await db.$queryRaw<Array<{ id: string }>>`
    SELECT owner_id AS id FROM workload_instances GROUP BY owner_id ORDER BY count(*) DESC LIMIT 1`;
  const row = await db.user.findUniqueOrThrow({ where: { id: busiest?.id ?? "" } });
  return {
    provider: {
      id: row.id,
      subject: row.subject,
      username: row.username,
      displayName: row.displayName ?? row.username,
      email: row.email,
      roles: row.roles,
    },
  };
}

// ---------------------------------------------------------------------------
// The two servers

const ROUTES: Array<{ name: string; pattern: RegExp; handler: RestRoute }> = [
  { name: "instances", pattern: /^\/api\/v1\/instance\/$/, handler: listInstancesRest },
  { name: "timeline", pattern: /^\/api\/v1\/instance\/([^/]+)\/timeline\/$/, handler: instanceTimelineRest },
  { name: "intents", pattern: /^\/api\/v1\/intent\/$/, handler: listIntentsRest },
];

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not_found"}');
}

/**
 * What `next start` does around an App Router route handler, minus its
 * routing: the node request as a Fetch `Request` in, the handler's `Response`
 * copied out. Real Next does more (a NextRequest wrapper, `pipeTo` a writable
 * stream), so this is the least any route handler pays.
 */
function fetchServer(
  handle: (request: Request, url: URL, id: string | undefined) => Promise<Response>,
): Server {
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const route = ROUTES.find((r) => r.pattern.test(url.pathname));
    if (!route) return notFound(res);
    const id = route.pattern.exec(url.pathname)?.[1];
    const headers = new Headers();
    for (let i = 0; i < req.rawHeaders.length; i += 2)
      headers.append(req.rawHeaders[i] ?? "", req.rawHeaders[i + 1] ?? "");
    // Next fills X-Forwarded-For from the socket when the request carries none.
    if (!headers.has("x-forwarded-for")) headers.set("x-forwarded-for", req.socket.remoteAddress ?? "");
    const request = new Request(url, { method: req.method, headers });
    void handle(request, url, id)
      .then(async (response) => {
        res.writeHead(response.status, Object.fromEntries(response.headers));
        res.end(Buffer.from(await response.arrayBuffer()));
      })
      .catch((error: unknown) => {
        res.writeHead(500).end(String(error));
      });
  });
}

/** The product: the app's route handlers behind the Fetch glue. */
function productServer(): Server {
  return fetchServer((request, url, id) => {
    const route = ROUTES.find((r) => r.pattern.test(url.pathname)) as (typeof ROUTES)[number];
    return route.handler(request, { params: Promise.resolve(id ? { id } : undefined) });
  });
}

/**
 * The product as the web process serves these reads (workers/web.ts →
 * src/server/api/hot-reads.ts): the same route's checks and domain function
 * on Node's req/res, the security headers and Next's compression middleware,
 * its JSON written without the Fetch Request/Response pair. Next.js itself
 * never sees these requests there, so nothing of its routing is left out.
 */
function productNodeServer(): Server {
  const compress = createRequire(import.meta.url)("next/dist/compiled/compression") as () => Compression;
  const gzip = compress();
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    if (!serveHotRead(req, res, gzip)) notFound(res);
  });
}

interface Statement {
  text: string;
  values: unknown[];
}

/** Statements each route issued for one request, captured from the pg driver under Prisma. */
async function captureSql(
  base: string,
  cookie: string,
  timelineId: string,
): Promise<Map<string, Statement[]>> {
  const captured = new Map<string, Statement[]>();
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  // Undefined outside the capture. Restoring the prototype is not enough: the pool's
  // connections opened meanwhile bound this function (serializeQueries keeps
  // `client.query.bind(client)`), so it stays in their path for the whole run. Without
  // the switch every later product query went on the last route's list, and the bare
  // server replayed thousands of statements per intent-list request.
  let current: Statement[] | undefined;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const first = args[0];
    if (typeof first === "string")
      current?.push({ text: first, values: (args[1] as unknown[] | undefined) ?? [] });
    else if (first && typeof first === "object" && "text" in first) {
      const config = first as { text: string; values?: unknown[] };
      current?.push({ text: config.text, values: config.values ?? [] });
    }
    return original.apply(this, args);
  };
  try {
    for (const route of ROUTES) {
      // Twice: the first request also reads the session's user row (cached for a minute after).
      for (const round of [0, 1]) {
        const statements: Statement[] = [];
        current = statements;
        const url =
          route.name === "timeline" ? `/api/v1/instance/${timelineId}/timeline/` : routePath(route.name);
        const response = await fetch(`${base}${url}`, { headers: { cookie } });
        if (response.status !== 200)
          throw new Error(`${route.name} answered ${response.status}: ${await response.text()}`);
        await response.arrayBuffer();
        if (round === 1) captured.set(route.name, statements);
      }
    }
  } finally {
    current = undefined;
    proto.query = original;
  }
  return captured;
}

const routePath = (name: string) => (name === "instances" ? "/api/v1/instance/" : "/api/v1/intent/");

type Row = Record<string, unknown>;

/**
 * The bare server: the captured statements, run in order on one pooled
 * connection (BEGIN … COMMIT included), with the captured instance id swapped
 * for the requested one; the answer built from the rows with the product's
 * field names. Shapes are per route, since the ORM's row stitching is what
 * this server leaves out.
 */
function bareServer(
  pool: pg.Pool,
  sql: Map<string, Statement[]>,
  capturedTimelineId: string,
  shape: Shapes,
): Server {
  const answer = bareAnswer(pool, sql, capturedTimelineId, shape);
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const route = ROUTES.find((r) => r.pattern.test(url.pathname));
    if (!route) return notFound(res);
    const id = route.pattern.exec(url.pathname)?.[1];
    answer(route.name, id)
      .then((body) => {
        res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" }).end(body);
      })
      .catch((error: unknown) => {
        res.writeHead(500).end(String(error));
      });
  });
}

/** The bare server's work for one request: its statements on one pooled connection, the answer's JSON text. */
function bareAnswer(
  pool: pg.Pool,
  sql: Map<string, Statement[]>,
  capturedTimelineId: string,
  shape: Shapes,
): (route: string, id: string | undefined) => Promise<string> {
  return async (route, id) => {
    const statements = sql.get(route) ?? [];
    const client = await pool.connect();
    const results: Row[][] = [];
    try {
      for (const statement of statements) {
        const values = statement.values.map((v) => (v === capturedTimelineId && id ? id : v));
        results.push((await client.query<Row>({ text: statement.text, values })).rows);
      }
    } finally {
      client.release();
    }
    return JSON.stringify(shape[route as keyof Shapes](results));
  };
}

/**
 * The bare server's work behind the same Fetch glue as the product, answered
 * with `Response.json` semantics (a JSON string in a `Response`): what the
 * Fetch `Request` / `Response` pair alone costs, i.e. the most any Next route
 * handler can reach on this SQL. product ÷ this is the product's own layer
 * (auth, limits, validation, domain); this ÷ bare is the framework's.
 */
function fetchFloorServer(
  pool: pg.Pool,
  sql: Map<string, Statement[]>,
  capturedTimelineId: string,
  shape: Shapes,
): Server {
  const answer = bareAnswer(pool, sql, capturedTimelineId, shape);
  return fetchServer((_request, url, id) => {
    const route = ROUTES.find((r) => r.pattern.test(url.pathname)) as (typeof ROUTES)[number];
    return answer(route.name, id).then(
      (body) =>
        new Response(body, { headers: { "content-type": "application/json", "cache-control": "no-store" } }),
    );
  });
}

type Shapes = Record<"instances" | "timeline" | "intents", (results: Row[][]) => unknown>;

/** A column value as text (ids arrive as strings, serial ids as numbers, bigint counts as strings). */
const text = (v: unknown): string =>
  typeof v === "string"
    ? v
    : typeof v === "number" || typeof v === "bigint"
      ? v.toString()
      : JSON.stringify(v);
const str = (v: unknown) => (v === null || v === undefined ? null : text(v));

/**
 * A list page's envelope from the product's one statement (total + page rows,
 * src/server/db/rows.ts pageStatement); page and size are the defaults the
 * captured request used.
 */
function page(rows: Row[] | undefined, limit: unknown, item: (row: Row) => unknown): unknown {
  const pageRows = (rows ?? [])
    .filter((r) => r.pagePosition !== null)
    .sort((a, b) => Number(a.pagePosition) - Number(b.pagePosition));
  return {
    items: pageRows.map(item),
    total: Number(rows?.[0]?.total ?? 0),
    page: 1,
    pageSize: Number(limit),
  };
}

/**
 * The answers built from the rows, with the product's field names: each route
 * is one statement now (the product's lists and timeline are hand-written
 * SQL), so its rows are the last result.
 */
function shapes(sql: Map<string, Statement[]>): Shapes {
  const limitOf = (route: string) => sql.get(route)?.at(-1)?.values.at(-2);
  return {
    instances: (results) =>
      page(results.at(-1), limitOf("instances"), (r) => ({
        id: r.id,
        shortId: r.shortId,
        releaseName: r.releaseName,
        workloadId: r.workloadId,
        status: r.status,
        statusReason: r.statusReason,
        createdAt: r.createdAt,
        drift: r.status === "DEPLOYED" ? r.driftStatus : null,
        workload: `${str(r.workloadName)} ${str(r.workloadVersion)}`,
        workloadName: r.workloadName,
        workloadVersion: r.workloadVersion,
        owner: r.owner,
        cluster: r.cluster,
      })),
    timeline: (results) =>
      (results.at(-1) ?? [])
        .filter((e) => e.id !== null)
        .map((e) => ({
          id: str(e.id),
          type: e.type,
          message: e.message,
          detail: e.detail,
          occurredAt: e.occurredAt,
        })),
    intents: (results) =>
      page(results.at(-1), limitOf("intents"), (r) => {
        const shown = intentDisplayState(
          {
            adminState: r.adminState as "ACTIVATED" | "DEACTIVATED",
            validFrom: dateOrNull(r.validFrom),
            validUntil: dateOrNull(r.validUntil),
            targetsChangedAt: dateOrNull(r.targetsChangedAt),
            lastEvaluatedAt: dateOrNull(r.lastEvaluatedAt),
          },
          new Date(),
        );
        return {
          id: r.id,
          externalId: r.externalId,
          intentType: r.intentType,
          typeDisplayName: intentTypeDisplayName(text(r.intentType)),
          instanceId: r.instanceId,
          instanceShortId: r.instanceShortId,
          releaseName: r.releaseName,
          adminState: r.adminState,
          fulfilmentStatus: r.reportStatus ?? r.lastFulfilment ?? null,
          notFulfilledState: r.reportNotFulfilledState ?? null,
          feasibility: r.reportFeasibility ?? null,
          lastUpdatedTime: r.reportedAt ?? r.updatedAt,
          reevaluating: shown.reevaluating,
          scheduledFrom: shown.scheduledFrom,
          targets: targetsOf(text(r.intentType), r.body),
        };
      }),
  };
}

/** One request of each route to every server: the same JSON (the bare server's shapes are right). */
async function sameAnswers(bases: ServerAddresses, cookie: string, timelineId: string): Promise<void> {
  for (const route of ROUTES) {
    const url =
      route.name === "timeline" ? `/api/v1/instance/${timelineId}/timeline/` : routePath(route.name);
    const [ours, theirs, floor, node] = await Promise.all(
      [bases.product, bases.bare, bases.fetchFloor, bases.productNode].map(async (base) =>
        (await fetch(`${base}${url}`, { headers: { cookie } })).text(),
      ),
    );
    if (ours !== theirs || floor !== theirs || node !== theirs) {
      say(
        `  ${route.name}: the answers differ\n    product: ${ours?.slice(0, 600)}\n    node:    ${node?.slice(0, 600)}\n    bare:    ${theirs?.slice(0, 600)}`,
      );
      throw new Error(`${route.name}: the bare server's answer is not the product's`);
    }
  }
}

// ---------------------------------------------------------------------------
// Load

interface Figures {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  /** Of the errors: answers other than 2xx (a 503 when a request waited past the pool's connect timeout). */
  non2xx: number;
  /** Answers received. */
  requests: number;
  /**
   * CPU time (user + system) of the server process per answer: what the
   * Node layer costs, less sensitive to a busy machine than throughput.
   */
  cpuMsPerRequest: number;
}

async function load(
  server: ChildProcess,
  base: string,
  name: string,
  cookie: string,
  timelineIds: readonly string[],
  seconds: number = SECONDS,
): Promise<Figures> {
  let next = 0;
  const cpuBefore = await serverCpu(server);
  const result = await autocannon({
    url: base,
    connections: CONNECTIONS,
    duration: seconds,
    headers: { cookie },
    requests: [
      {
        method: "GET",
        setupRequest: (request) => {
          const path =
            name === "timeline"
              ? `/api/v1/instance/${timelineIds[next++ % timelineIds.length]}/timeline/`
              : routePath(name);
          return { ...request, path };
        },
      },
    ],
  });
  const cpuAfter = await serverCpu(server);
  const cpuMs = (cpuAfter.user - cpuBefore.user + cpuAfter.system - cpuBefore.system) / 1000;
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx + result.timeouts,
    non2xx: result.non2xx,
    requests: result.requests.total,
    cpuMsPerRequest: result.requests.total > 0 ? cpuMs / result.requests.total : 0,
  };
}

/** Sends a command to the server process and waits for the answer that has `key`. */
function ask(server: ChildProcess, command: unknown, key: string): Promise<unknown> {
  return new Promise((resolve) => {
    const onMessage = (message: unknown) => {
      if (message && typeof message === "object" && key in message) {
        server.off("message", onMessage);
        resolve((message as Record<string, unknown>)[key]);
      }
    };
    server.on("message", onMessage);
    server.send(command as string);
  });
}

/** The server process's CPU time so far (it answers "cpu" on the IPC channel). */
async function serverCpu(server: ChildProcess): Promise<NodeJS.CpuUsage> {
  return (await ask(server, "cpu", "cpu")) as NodeJS.CpuUsage;
}

// ---------------------------------------------------------------------------

interface ServerAddresses {
  product: string;
  bare: string;
  /** The bare server's work behind the Fetch Request/Response glue (fetchFloorServer). */
  fetchFloor: string;
  /** The same route on Node's req/res through Next's pages/api resolver (productNodeServer). */
  productNode: string;
  statements: string[];
}

/**
 * The server process: both servers, so autocannon (in the parent) does not
 * share their event loop. Captures the product's SQL, then starts the bare
 * server on it and reports both addresses.
 */
async function serve(): Promise<void> {
  const url = process.env.BENCH_DATABASE_URL ?? "";
  const cookie = process.env.BENCH_COOKIE ?? "";
  const timelineId = process.env.BENCH_TIMELINE_ID ?? "";
  // The route handlers use the process-wide client. The capture runs on a client of its
  // own, closed after it: the connections opened while capturing keep the capturing
  // query function (serializeQueries bound it), so the loaded client opens fresh ones.
  const global = globalThis as unknown as { nemoDb?: Db };
  const capturing = createDb(url);
  global.nemoDb = capturing;
  const pool = new pg.Pool(poolConfig(url, webDbTimeouts()));
  const product = productServer();
  const productBase = await listen(product);
  const sql = await captureSql(productBase, cookie, timelineId);
  await capturing.$disconnect();
  const db = createDb(url);
  global.nemoDb = db;
  const bare = bareServer(pool, sql, timelineId, shapes(sql));
  const bareBase = await listen(bare);
  const fetchFloor = fetchFloorServer(pool, sql, timelineId, shapes(sql));
  const fetchFloorBase = await listen(fetchFloor);
  const productNode = productNodeServer();
  const productNodeBase = await listen(productNode);
  const statements = [...sql].map(([route, list]) =>
    process.argv.includes("--show-sql")
      ? `${route}:\n${list.map((st) => `    ${st.text}  -- ${JSON.stringify(st.values)}`).join("\n")}`
      : `${route}: ${list.length} statements — ${list.map((st) => st.text.replace(/\s+/g, " ").slice(0, 90)).join(" | ")}`,
  );
  const inspector = new InspectorSession();
  inspector.connect();
  const post = (method: string) =>
    new Promise<unknown>((resolve, reject) =>
      inspector.post(method, (error, result) => (error ? reject(error) : resolve(result))),
    );
  process.on("message", (message) => {
    if (message === "cpu") process.send?.({ cpu: process.cpuUsage() });
    // --cpu-prof-dir: one V8 CPU profile per route and server, only while autocannon loads it.
    else if (message === "profile-start")
      void post("Profiler.enable")
        .then(() => post("Profiler.start"))
        .then(() => process.send?.({ profiling: true }));
    else if (typeof message === "object" && message && "profileTo" in message) {
      const file = (message as { profileTo: string }).profileTo;
      void post("Profiler.stop").then((result) => {
        writeFileSync(file, JSON.stringify((result as { profile: unknown }).profile));
        process.send?.({ profiled: file });
      });
    }
  });
  process.send?.({
    product: productBase,
    bare: bareBase,
    fetchFloor: fetchFloorBase,
    productNode: productNodeBase,
    statements,
  } satisfies ServerAddresses);
  process.once("disconnect", () => {
    product.close();
    bare.close();
    fetchFloor.close();
    productNode.close();
    void pool.end().then(() => db.$disconnect());
  });
}

function startServers(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; addresses: ServerAddresses }> {
  const child = fork(fileURLToPath(import.meta.url), ["--serve", ...process.argv.slice(2)], {
    execArgv: ["--import", "tsx"],
    env: { ...process.env, ...env },
  });
  return new Promise((resolve, reject) => {
    child.once("message", (addresses) => resolve({ child, addresses: addresses as ServerAddresses }));
    child.once("exit", (code) => reject(new Error(`the server process exited (${code})`)));
  });
}

type Side = "node" | "product" | "bare" | "fetchFloor";
const SIDES: readonly Side[] = ["node", "product", "bare", "fetchFloor"];

/** Alternating rounds of every server: a machine whose load drifts slows all alike. */
async function measure(
  server: ChildProcess,
  bases: ServerAddresses,
  route: string,
  cookie: string,
  timelineIds: readonly string[],
): Promise<Record<Side, Figures>> {
  const baseOf: Record<Side, string> = {
    node: bases.productNode,
    product: bases.product,
    bare: bases.bare,
    fetchFloor: bases.fetchFloor,
  };
  const rounds: Record<Side, Figures[]> = { node: [], product: [], bare: [], fetchFloor: [] };
  const profiled = async (side: string, run: () => Promise<Figures>, round: number) => {
    if (!PROFILE_DIR) return run();
    mkdirSync(PROFILE_DIR, { recursive: true });
    await ask(server, "profile-start", "profiling");
    const figures = await run();
    const file = path.join(PROFILE_DIR, `${route}-${side}-${round}.cpuprofile`);
    await ask(server, { profileTo: file }, "profiled");
    return figures;
  };
  // Not counted: the first seconds of a route run cold code on every server alike.
  for (const side of SIDES) await load(server, baseOf[side], route, cookie, timelineIds, WARMUP_SECONDS);
  for (let round = 0; round < ROUNDS; round++) {
    for (const side of SIDES) {
      rounds[side].push(
        await profiled(side, () => load(server, baseOf[side], route, cookie, timelineIds), round),
      );
    }
  }
  return {
    node: combine(rounds.node),
    product: combine(rounds.product),
    bare: combine(rounds.bare),
    fetchFloor: combine(rounds.fetchFloor),
  };
}

/** Over the rounds: mean throughput, median p50, worst p99, all errors. */
function combine(rounds: readonly Figures[]): Figures {
  const p50s = rounds.map((r) => r.p50).sort((a, b) => a - b);
  return {
    requestsPerSecond: rounds.reduce((sum, r) => sum + r.requestsPerSecond, 0) / rounds.length,
    p50: p50s[Math.floor(p50s.length / 2)] ?? 0,
    p99: Math.max(...rounds.map((r) => r.p99)),
    errors: rounds.reduce((sum, r) => sum + r.errors, 0),
    non2xx: rounds.reduce((sum, r) => sum + r.non2xx, 0),
    requests: rounds.reduce((sum, r) => sum + r.requests, 0),
    cpuMsPerRequest:
      rounds.reduce((sum, r) => sum + r.cpuMsPerRequest * r.requests, 0) /
      Math.max(
        1,
        rounds.reduce((sum, r) => sum + r.requests, 0),
      ),
  };
}

async function main(): Promise<void> {
  const url = databaseUrlFor(`nemo_bench_load_${runId()}`);
  await ensureDatabase(url);
  await applyMigrations(url);
  const db = createDb(url);
  let server: ChildProcess | undefined;
  try {
    say(
      `API load: ${fmt(WORKLOADS)} workloads, ${fmt(INSTANCES)} instances, ~${fmt(EVENTS)} lifecycle events, ` +
        `${fmt(INTENTS)} intents; ${CONNECTIONS} connections × ${SECONDS} s per route`,
    );
    // Bulk statements run past the web's statement timeout: seeding has a client of its own.
    const seeder = createDb(url, workerDbTimeouts());
    const { provider } = await seed(seeder).finally(() => seeder.$disconnect());
    const counts = await db.$queryRaw<Array<{ instances: bigint; events: bigint; mine: bigint }>>`
      SELECT (SELECT count(*) FROM workload_instances) AS instances, (SELECT count(*) FROM lifecycle_events) AS events,
             (SELECT count(*) FROM workload_instances WHERE owner_id = ${provider.id}::uuid) AS mine`;
    say(
      `  rows: ${fmt(Number(counts[0]?.instances))} instances, ${fmt(Number(counts[0]?.events))} events; ` +
        `the caller (${provider.username}) owns ${fmt(Number(counts[0]?.mine))} instances`,
    );
    const cookie = `next-auth.session-token=${await sessionCookie(provider)}`;
    const timelineIds = (
      await db.workloadInstance.findMany({ where: { ownerId: provider.id }, select: { id: true }, take: 200 })
    ).map((r) => r.id);
    const capturedTimelineId = timelineIds[0] ?? "";

    const { child, addresses } = await startServers({
      BENCH_DATABASE_URL: url,
      BENCH_COOKIE: cookie,
      BENCH_TIMELINE_ID: capturedTimelineId,
    });
    server = child;
    for (const line of addresses.statements) say(`  ${line}`);
    await sameAnswers(addresses, cookie, capturedTimelineId);
    say(
      `  the four servers in a process of their own; per route ${WARMUP_SECONDS} s of warm-up on each, then ` +
        `${ROUNDS} alternating rounds of ${SECONDS} s (throughput: mean; p50: median; p99: worst round; ` +
        `CPU: the server process's user + system time per answer)`,
    );
    say(
      `\n  ${"route".padEnd(34)} ${"req/s".padStart(7)} ${"p50 ms".padStart(7)} ${"p99 ms".padStart(7)} ${"floor ms".padStart(9)} ${"CPU ms/req".padStart(10)} errors`,
    );
    let ok = true;
    for (const route of ROUTES.filter((r) => !LOADED_ROUTES || LOADED_ROUTES.includes(r.name))) {
      const figures = await measure(child, addresses, route.name, cookie, timelineIds);
      const { node: ours, product: handler, bare: base, fetchFloor: floor } = figures;
      // The served path is the pages/api route on Node's req/res (src/pages/api/v1).
      const ratio = ours.requestsPerSecond / base.requestsPerSecond;
      const pass = ratio >= TARGET_RATIO && ours.p99 <= TARGET_P99_MS && ours.errors === 0;
      ok &&= pass;
      // Little's law: with every connection always waiting, mean latency = connections / throughput,
      // and p99 ≥ mean: at this throughput no p99 can be lower than this floor.
      const floorMs = (f: Figures) => (1000 * CONNECTIONS) / f.requestsPerSecond;
      const line = (label: string, f: Figures) =>
        `  ${label.padEnd(34)} ${fmt(f.requestsPerSecond).padStart(7)} ${String(f.p50).padStart(7)} ${String(f.p99).padStart(7)} ${fmt(floorMs(f)).padStart(9)} ${f.cpuMsPerRequest.toFixed(2).padStart(10)} ${f.errors}${f.non2xx ? ` (${f.non2xx} non-2xx)` : ""}`;
      const p99 = (f: Figures) => `${f.p99} ms ${f.p99 <= TARGET_P99_MS ? "≤" : ">"} ${TARGET_P99_MS}`;
      const per = (a: Figures, b: Figures) => `${(a.requestsPerSecond / b.requestsPerSecond).toFixed(2)}×`;
      say(`  (machine load average, 1 min: ${(loadavg()[0] ?? 0).toFixed(1)})`);
      say(line(`${route.name}: product, Node req/res`, ours));
      say(line(`${route.name}: product, route handler`, handler));
      say(line(`${route.name}: bare node:http + pg`, base));
      say(line(`${route.name}: bare behind Fetch Req/Resp`, floor));
      say(
        `  ${"".padEnd(34)} ratio ${ratio.toFixed(2)}× (target ≥ ${TARGET_RATIO}); p99 product ${p99(ours)}, ` +
          `bare ${p99(base)}; ${pass ? "ok" : "MISSED"}`,
      );
      say(
        `  ${"".padEnd(34)} route handler ÷ bare ${per(handler, base)}; Fetch floor ÷ bare ${per(floor, base)} ` +
          `(the most a route handler reaches); route handler ÷ Fetch floor ${per(handler, floor)}`,
      );
      say(
        `  ${"".padEnd(34)} p99 floor (${CONNECTIONS} connections ÷ throughput): product ${fmt(floorMs(ours))} ms, ` +
          `bare ${fmt(floorMs(base))} ms — p99 ≤ ${TARGET_P99_MS} ms needs ≥ ${fmt((1000 * CONNECTIONS) / TARGET_P99_MS)} req/s; ` +
          `${floorMs(base) > TARGET_P99_MS ? "the machine misses it (even bare is below that)" : floorMs(ours) > TARGET_P99_MS ? "the product misses it (bare reaches the throughput)" : "reachable on both"}`,
      );
    }
    say(`\n${ok ? "Targets met" : "Targets missed"}`);
    process.exitCode = ok ? 0 : 1;
  } finally {
    if (server?.connected) {
      const exited = new Promise((resolve) => server?.once("exit", resolve));
      server.disconnect();
      await exited;
    }
    await db.$disconnect();
    await dropDatabase(url);
  }
}

if (process.argv.includes("--serve")) await serve();
else await main();
