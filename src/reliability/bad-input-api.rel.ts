import { readdirSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z, ZodError, type ZodType } from "zod";
import { Role } from "@/common/roles";
import { appRouter, createCaller } from "@/server/api/root";
import { createTrpcHttpHandler } from "@/server/api/trpc-http";
import { resetServerEnvCache, serverEnv } from "@/server/env";
import { openApiDocument } from "@/server/api/v1/openapi";
import type { SessionUser } from "@/server/auth/session";
import { createDb, type Db } from "@/server/db/client";
import { DomainError } from "@/server/errors";
import {
  contextFor,
  makeCluster,
  makeInstance,
  makeIntent,
  makeUser,
  makeWorkload,
} from "@/server/testing/factories";
import { intOption, scenarioSeed } from "@/server/testing/reliability";
import { sessionCookie } from "@/server/testing/session-cookie";

/**
 * Bad input, part 1: every REST route (found from the route files) and every
 * tRPC procedure with an input (walked from the appRouter) gets wrong types,
 * 1 MB strings, 10,000-level nesting, odd unicode and `__proto__` keys.
 * Expected: a 4xx naming a field it was sent or should have been sent, never
 * a 500, and nothing written.
 *
 * RELIABILITY_SEED (printed) replays a run; RELIABILITY_BAD_INPUT_RUNS sets the cases per
 * route and caller (default 5: 10 cases per route, the two callers drawn at random).
 */

const SEED = scenarioSeed("RELIABILITY_SEED", 20_261_207);
const RUNS = intOption("RELIABILITY_BAD_INPUT_RUNS", 5);
const BASE = "http://localhost:3999";
const MB = 1 << 20;

// ---------------------------------------------------------------------------
// Hostile values (the big ones built once: fast-check picks among them).

function deepArray(levels: number): unknown {
  let value: unknown = 0;
  for (let i = 0; i < levels; i++) value = [value];
  return value;
}

function deepObject(levels: number): unknown {
  let value: unknown = "leaf";
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
}

/** Sets a key as an own property, `__proto__` included (assignment would change the prototype). */
function own(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The deep values as JSON text, built without recursion (JSON.stringify overflows the stack on them). */
const DEEP_JSON = [
  "[".repeat(10_000) + "0" + "]".repeat(10_000),
  '{"a":'.repeat(10_000) + '"leaf"' + "}".repeat(10_000),
];

/** JSON text of a case: the deep values stand in as markers, spliced in afterwards. */
function toJson(value: unknown): string {
  const text = JSON.stringify(value, (_key, v: unknown) => {
    const index = DEEP.indexOf(v);
    return index >= 0 ? `@@deep${index}@@` : v;
  });
  return DEEP_JSON.reduce((out, deepText, i) => out.split(`"@@deep${i}@@"`).join(deepText), text ?? "null");
}

const HUGE_STRINGS = ["x".repeat(MB), "é".repeat(MB / 2), "\u0000".repeat(MB), "\uD800".repeat(MB / 2)];
const DEEP = [deepArray(10_000), deepObject(10_000)];
const protoBomb = () =>
  JSON.parse(
    '{"__proto__":{"polluted":"yes","roles":["NEMO_ADMIN"]},"constructor":{"prototype":{"polluted":"yes"}}}',
  ) as Record<string, unknown>;

const huge = fc.constantFrom(...HUGE_STRINGS);
const deep = fc.constantFrom(...DEEP);
const proto = fc.constant(null).map(protoBomb);
const unicode = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom(
    "\u0000",
    "\uD800",
    "a\uDFFFb",
    "\u202Eevil",
    "𝕏𝕐",
    "\uFEFF",
    "名前",
    "../../etc/passwd",
    "%00",
    "' OR 1=1 --",
    "__proto__",
    "constructor",
  ),
);
const numberish = fc.constantFrom("-1", "0", "1e309", "NaN", "0x10", "9007199254740993", " 1", "1.5");
const hostileText = fc.oneof(unicode, huge, numberish);
const anyHostile = fc.oneof(
  huge,
  deep,
  proto,
  unicode,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.anything({ maxDepth: 2 }), { maxLength: 3 }),
);

/** JSON-schema types of an input's fields, as far as the schema says. */
type FieldType = "string" | "number" | "integer" | "boolean" | "array" | "object";
interface FieldInfo {
  type?: FieldType;
  maxLength?: number;
}

/** A value that is certainly invalid for the field (wrong JSON type, or a string over its maxLength). */
function wrongFor(field: FieldInfo, inProcess: boolean): fc.Arbitrary<unknown> {
  const extra: fc.Arbitrary<unknown>[] = inProcess
    ? [fc.constantFrom(Number.NaN, Infinity, 10n, new Date(0), new Map(), Symbol("s"))]
    : [];
  const nonString = [fc.integer(), fc.boolean(), fc.array(fc.integer(), { maxLength: 2 }), proto, deep];
  switch (field.type) {
    case "string":
      return fc.oneof(
        ...nonString,
        ...(field.maxLength !== undefined && field.maxLength < MB ? [huge] : []),
        ...extra.slice(1),
      );
    case "number":
    case "integer":
      return fc.oneof(hostileText, fc.boolean(), proto, deep, ...extra);
    case "boolean":
      return fc.oneof(hostileText, fc.integer(), proto, deep, ...extra);
    case "array":
      return fc.oneof(hostileText, fc.integer(), proto, ...extra);
    case "object":
      return fc.oneof(hostileText, fc.integer(), deep, fc.boolean(), ...extra);
    default:
      return fc.constant(null);
  }
}

/** What fast-check prints for a case: a summary (a 10,000-level value would overflow its printer). */
function summary(value: unknown, depth = 0): string {
  if (typeof value === "string")
    return value.length > 40
      ? `<string of ${value.length}: ${JSON.stringify(value.slice(0, 12))}…>`
      : JSON.stringify(value);
  if (typeof value === "bigint" || typeof value === "symbol") return String(value);
  if (typeof value !== "object" || value === null) return String(value);
  if (depth > 3) return Array.isArray(value) ? "[…deep]" : "{…deep}";
  if (value instanceof Blob) return `<blob ${value.size}>`;
  if (Array.isArray(value))
    return `[${value
      .slice(0, 3)
      .map((v) => summary(v, depth + 1))
      .join(",")}]`;
  return `{${Object.entries(value)
    .slice(0, 6)
    .map(([k, v]) => `${JSON.stringify(k)}:${summary(v, depth + 1)}`)
    .join(",")}}`;
}

/** One generated input: the value, the keys it carries, and a printable summary for fast-check. */
class Case {
  constructor(
    readonly value: unknown,
    readonly keys: string[],
    readonly multipart = false,
  ) {}
  [fc.toStringMethod](): string {
    return `${this.multipart ? "multipart " : ""}${summary(this.value)}`;
  }
}

/** A string fast-check prints shortened. */
class Text {
  constructor(readonly value: string) {}
  [fc.toStringMethod](): string {
    return summary(this.value);
  }
}

/** A whole input that cannot be valid: a wrong-typed top level, or an object with one wrong-typed field. */
function invalidInput(fields: Record<string, FieldInfo>, inProcess: boolean) {
  const typed = Object.keys(fields).filter((key) => fields[key]?.type !== undefined);
  const topLevel = fc.oneof(fc.integer(), huge, unicode, deep, fc.constant(null), fc.boolean());
  if (typed.length === 0) return topLevel.map((value) => new Case(value, []));
  const names = Object.keys(fields);
  return fc
    .constantFrom(...typed)
    .chain((key) =>
      fc.tuple(
        fc.constant(key),
        wrongFor(fields[key] ?? {}, inProcess),
        fc.dictionary(fc.constantFrom(...names, "__proto__", "constructor", "\u0000"), anyHostile, {
          maxKeys: 4,
        }),
      ),
    )
    .map(([key, wrong, others]) => {
      const value: Record<string, unknown> = {};
      for (const [name, other] of Object.entries(others)) own(value, name, other);
      own(value, key, wrong);
      return new Case(value, Object.keys(value));
    });
}

// ---------------------------------------------------------------------------
// What the API says it takes: REST from the OpenAPI document, tRPC from zod.

interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  maxLength?: number;
  properties?: Record<string, JsonSchema>;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
}

function fieldsOf(schema: JsonSchema | undefined, resolve: (s: JsonSchema) => JsonSchema) {
  const fields: Record<string, FieldInfo> = {};
  const visit = (raw: JsonSchema | undefined) => {
    if (!raw) return;
    const s = resolve(raw);
    for (const [name, prop] of Object.entries(s.properties ?? {})) {
      const p = resolve(prop);
      const types = [p.type ?? (p.anyOf ?? p.oneOf ?? []).map((x) => resolve(x).type)]
        .flat()
        .filter((t): t is string => typeof t === "string" && t !== "null");
      const type = new Set(types).size === 1 ? (types[0] as FieldType) : undefined;
      const prior = fields[name];
      // The same name with another type in another oneOf branch: no single wrong type.
      fields[name] =
        prior && prior.type !== type
          ? {}
          : { type, ...(p.maxLength !== undefined && { maxLength: p.maxLength }) };
    }
    for (const branch of [...(s.oneOf ?? []), ...(s.anyOf ?? []), ...(s.allOf ?? [])]) visit(branch);
  };
  visit(schema);
  return fields;
}

type Handler = (
  request: Request,
  context?: { params: Promise<Record<string, string> | undefined> },
) => Promise<Response>;

interface RestRoute {
  /** `/api/v1/workload/{id}/`, as the OpenAPI document spells it. */
  path: string;
  method: string;
  handler: Handler;
  params: string[];
  body?: { fields: Record<string, FieldInfo>; multipart: boolean; json: boolean };
  query: string[];
}

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
const ROUTES_DIR = path.resolve("src/app/api/v1");

function routeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return routeFiles(full);
    return entry.name === "route.ts" ? [full] : [];
  });
}

async function restRoutes(): Promise<RestRoute[]> {
  const doc = openApiDocument() as {
    paths: Record<
      string,
      Record<
        string,
        {
          requestBody?: { content: Record<string, { schema: JsonSchema }> };
          parameters?: { name: string; in: string }[];
        }
      >
    >;
    components: { schemas: Record<string, JsonSchema> };
  };
  const resolve = (s: JsonSchema): JsonSchema =>
    s.$ref ? resolve(doc.components.schemas[s.$ref.split("/").pop() ?? ""] ?? {}) : s;
  const routes: RestRoute[] = [];
  for (const file of routeFiles(ROUTES_DIR).sort()) {
    const rel = path.relative(ROUTES_DIR, path.dirname(file)).split(path.sep).filter(Boolean);
    const params = rel.filter((seg) => seg.startsWith("[")).map((seg) => seg.slice(1, -1));
    const apiPath = `/api/v1/${rel.map((seg) => (seg.startsWith("[") ? `{${seg.slice(1, -1)}}` : seg)).join("/")}${rel.length ? "/" : ""}`;
    const routeModule = (await import(file)) as Partial<Record<string, Handler>>;
    for (const method of METHODS) {
      const handler = routeModule[method];
      if (typeof handler !== "function") continue;
      const operation = doc.paths[apiPath]?.[method.toLowerCase()];
      const content = operation?.requestBody?.content;
      const schema = content ? Object.values(content)[0]?.schema : undefined;
      routes.push({
        path: apiPath,
        method,
        handler,
        params,
        query: (operation?.parameters ?? []).filter((p) => p.in === "query").map((p) => p.name),
        ...(content && {
          body: {
            fields: fieldsOf(schema, resolve),
            multipart: "multipart/form-data" in content,
            json: "application/json" in content,
          },
        }),
      });
    }
  }
  return routes;
}

// ---------------------------------------------------------------------------

let db: Db;
let admin: SessionUser;
let owner: SessionUser;
const cookies = new Map<string, string>();
/** Rows the fuzzing may address by id; none of them may change. */
const fixtureIds = { workload: 0, cluster: "", instance: "", intent: "" };

const COUNTED = [
  "user",
  "cluster",
  "workload",
  "chart",
  "workloadInstance",
  "lifecycleEvent",
  "intent",
  "migration",
  "outboxMessage",
  "auditEvent",
] as const;

async function tableCounts(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of COUNTED) {
    const delegate = db[table] as unknown as { count: () => Promise<number> };
    counts[table] = await delegate.count();
  }
  return counts;
}

async function fixtureSnapshot(): Promise<string> {
  const rows = await Promise.all([
    db.workload.findUnique({ where: { id: fixtureIds.workload } }),
    db.cluster.findUnique({ where: { id: fixtureIds.cluster } }),
    db.workloadInstance.findUnique({ where: { id: fixtureIds.instance } }),
    db.intent.findUnique({ where: { id: fixtureIds.intent } }),
  ]);
  return JSON.stringify(rows, (_key, value: unknown) =>
    typeof value === "bigint" ? value.toString() : value,
  );
}

/** The first dotted segment of a field name (`intent.targets.0` → `intent`). */
const rootOf = (field: string) => field.split(/[.[]/)[0] ?? field;

interface Tally {
  cases: number;
  statuses: Map<string, number>;
  /** Slowest answer and all answers together, ms. */
  maxMs: number;
  totalMs: number;
}
const restTally = new Map<string, Tally>();
const trpcTally = new Map<string, Tally>();
function count(table: Map<string, Tally>, key: string, outcome: string, ms: number): void {
  const entry = table.get(key) ?? { cases: 0, statuses: new Map<string, number>(), maxMs: 0, totalMs: 0 };
  entry.cases += 1;
  entry.maxMs = Math.max(entry.maxMs, Math.round(ms));
  entry.totalMs += ms;
  entry.statuses.set(outcome, (entry.statuses.get(outcome) ?? 0) + 1);
  table.set(key, entry);
}
function printTally(title: string, table: Map<string, Tally>): void {
  console.log(`\n${title}`);
  console.table(
    [...table.entries()].map(([route, t]) => ({
      route,
      cases: t.cases,
      "max ms": t.maxMs,
      "mean ms": Math.round(t.totalMs / t.cases),
      outcomes: [...t.statuses.entries()].map(([s, n]) => `${s}×${n}`).join(" "),
    })),
  );
}

let counts0: Record<string, number>;
let snapshot0: string;

beforeAll(async () => {
  db = createDb(process.env.DATABASE_URL);
  admin = await makeUser(db, [Role.NEMO_ADMIN]);
  owner = await makeUser(db, [Role.SERVICE_PROVIDER, Role.INFRASTRUCTURE_PROVIDER]);
  for (const user of [admin, owner])
    cookies.set(user.id, `next-auth.session-token=${await sessionCookie(user)}`);
  const workload = await makeWorkload(db, owner);
  const cluster = await makeCluster(db, owner);
  const instance = await makeInstance(db, owner, workload.id, cluster.id);
  const intent = await makeIntent(db, owner, instance.id);
  Object.assign(fixtureIds, {
    workload: workload.id,
    cluster: cluster.id,
    instance: instance.id,
    intent: intent.id,
  });
  counts0 = await tableCounts();
  snapshot0 = await fixtureSnapshot();
  console.log(
    `bad input (API): seed ${SEED} (RELIABILITY_SEED), ${RUNS} cases per route and caller (RELIABILITY_BAD_INPUT_RUNS)`,
  );
});

afterAll(async () => {
  await db?.$disconnect();
});

/** Uploads whose text fields are all free text, so some generated bodies are valid (201). */
const FREE_TEXT_UPLOADS = new Set(["POST /api/v1/dataset/upload/"]);

// 403: a role guard (the admin-only approval for the owner) or a domain refusal; never 500.
const ALLOWED_REST = new Set([200, 201, 202, 204, 400, 403, 404, 409, 413, 415, 422]);

describe("bad input: every REST route", () => {
  it("answers hostile ids, queries and bodies with a 4xx naming the field, never a 500", async () => {
    const routes = await restRoutes();
    expect(routes.length).toBeGreaterThan(30);
    const realIds = [String(fixtureIds.workload), fixtureIds.cluster, fixtureIds.instance, fixtureIds.intent];
    const hostileId = fc.oneof(
      hostileText,
      fc.constantFrom("__proto__", "constructor", "00000000-0000-0000-0000-000000000000"),
    );

    for (const route of routes) {
      const mutation = route.method !== "GET";
      // Real ids only where a hostile body must stop the call; a body-less mutation gets hostile ids only.
      const idArb = route.body ? fc.oneof(hostileId, fc.constantFrom(...realIds)) : hostileId;
      const bodyArb = route.body
        ? fc.oneof(
            invalidInput(route.body.fields, false),
            ...(route.body.multipart
              ? [
                  fc
                    .dictionary(
                      fc.constantFrom(...Object.keys(route.body.fields), "__proto__"),
                      fc.oneof(
                        hostileText,
                        fc.uint8Array({ maxLength: 64 }).map((b) => new Blob([b])),
                      ),
                      { maxKeys: 4 },
                    )
                    .map((form) => new Case(form, Object.keys(form), true)),
                ]
              : []),
          )
        : fc.constant(undefined);
      const queryArb = fc
        .dictionary(fc.constantFrom(...route.query, "__proto__", "page"), hostileText, { maxKeys: 3 })
        .map((query) => new Case(query, Object.keys(query)));
      const key = `${route.method} ${route.path}`;

      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(admin, owner),
          fc.tuple(...route.params.map(() => idArb.map((id) => new Text(id)))),
          queryArb,
          bodyArb,
          async (user, ids, query, body) => {
            const headers = new Headers({ cookie: cookies.get(user.id) ?? "", origin: BASE });
            let requestBody: BodyInit | undefined;
            if (body?.multipart) {
              const form = new FormData();
              for (const [name, value] of Object.entries(body.value as Record<string, string | Blob>))
                form.append(name, value);
              requestBody = form;
            } else if (body) {
              headers.set("content-type", "application/json");
              requestBody = toJson(body.value);
            } else if (mutation) {
              headers.set("content-length", "0");
            }
            const search = new URLSearchParams(query.value as Record<string, string>).toString();
            const params = Object.fromEntries(route.params.map((name, i) => [name, ids[i]?.value ?? ""]));
            const request = new Request(`${BASE}${route.path}${search ? `?${search}` : ""}`, {
              method: route.method,
              headers,
              body: requestBody,
            });
            const started = performance.now();
            const response = await route.handler(request, {
              params: Promise.resolve(route.params.length ? params : undefined),
            });
            count(restTally, key, String(response.status), performance.now() - started);
            expect(ALLOWED_REST, `${key} answered ${response.status}`).toContain(response.status);
            // A dataset's type, description and metadata are free text: a hostile-looking one with a file is a real upload.
            const validUpload = FREE_TEXT_UPLOADS.has(key) && response.status === 201;
            if (mutation && route.body && !validUpload)
              expect(response.status, key).toBeGreaterThanOrEqual(400);
            // A body-less mutation is given hostile ids only; one with neither ids nor a body (Verify ledger) has
            // nothing hostile to refuse, and its ignored query must not stop it.
            if (mutation && !route.body && route.params.length > 0)
              expect(response.status, key).toBeGreaterThanOrEqual(400);
            if (response.status === 400) {
              const answer = (await response.json()) as { message?: string; field?: string | null };
              expect(answer.message, key).toBeTruthy();
              const known = new Set([
                ...Object.keys(route.body?.fields ?? {}),
                ...(body?.keys ?? []),
                ...route.params,
                ...query.keys,
                ...route.query,
              ]);
              const bodyIsObject =
                typeof body?.value === "object" && body.value !== null && !Array.isArray(body.value);
              if (answer.field != null)
                expect(known, `${key}: field ${answer.field}`).toContain(rootOf(answer.field));
              else if (bodyIsObject && Object.keys(route.body?.fields ?? {}).length > 0)
                expect.fail(`${key}: a 400 without a field for ${JSON.stringify(body?.keys)}`);
            }
          },
        ),
        { seed: SEED, numRuns: RUNS * 2, endOnFailure: true },
      );
    }
    printTally("REST routes: cases and statuses", restTally);
    expect(await tableCounts()).toEqual(counts0);
    expect(await fixtureSnapshot()).toBe(snapshot0);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------

interface ProcedureDef {
  _def: { type: "query" | "mutation" | "subscription"; inputs: ZodType[] };
}

function inputFields(schema: ZodType): Record<string, FieldInfo> {
  try {
    const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema & {
      $defs?: Record<string, JsonSchema>;
    };
    const resolve = (s: JsonSchema): JsonSchema =>
      s.$ref ? resolve(json.$defs?.[s.$ref.split("/").pop() ?? ""] ?? {}) : s;
    return fieldsOf(json, resolve);
  } catch {
    return {};
  }
}

const ALLOWED_TRPC = new Set([
  "BAD_REQUEST",
  "FORBIDDEN",
  "NOT_FOUND",
  "CONFLICT",
  "PAYLOAD_TOO_LARGE",
  "UNPROCESSABLE_CONTENT",
]);

describe("bad input: every tRPC procedure with an input", () => {
  it("rejects hostile inputs as the admin and as the owning roles, never INTERNAL_SERVER_ERROR", async () => {
    const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, ProcedureDef>);
    const withInput = procedures.filter(([, p]) => p._def.inputs.length > 0);
    expect(withInput.length).toBeGreaterThan(20);
    const callers = [createCaller(contextFor(db, admin)), createCaller(contextFor(db, owner))];

    for (const [name, procedure] of withInput) {
      const [schema] = procedure._def.inputs;
      const fields = schema ? inputFields(schema) : {};
      const mutation = procedure._def.type === "mutation";
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(0, 1), invalidInput(fields, true), async (who, input) => {
          const call = name
            .split(".")
            .reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], callers[who]) as (
            input: unknown,
          ) => Promise<unknown>;
          const started = performance.now();
          const outcome = await call(input.value).then(
            () => "ok",
            (error: unknown) => error,
          );
          if (outcome === "ok") {
            count(trpcTally, name, "ok", performance.now() - started);
            if (mutation) expect.fail(`${name} accepted ${JSON.stringify(input.keys)}`);
            return;
          }
          expect(outcome, name).toBeInstanceOf(TRPCError);
          const error = outcome as TRPCError;
          count(trpcTally, name, error.code, performance.now() - started);
          expect(ALLOWED_TRPC, `${name}: ${error.code} ${error.message}`).toContain(error.code);
          const known = new Set([...Object.keys(fields), ...input.keys]);
          if (
            error.cause instanceof ZodError &&
            known.size > 0 &&
            typeof input.value === "object" &&
            input.value !== null
          ) {
            for (const issue of error.cause.issues) {
              const root = issue.path.length ? String(issue.path[0]) : "";
              if (root !== "") expect(known, `${name}: issue at ${issue.path.join(".")}`).toContain(root);
            }
          }
          if (error.cause instanceof DomainError && error.cause.field)
            expect(known, `${name}: field ${error.cause.field}`).toContain(rootOf(error.cause.field));
        }),
        { seed: SEED, numRuns: RUNS * 2, endOnFailure: true },
      );
    }
    printTally("tRPC procedures: cases and outcomes", trpcTally);
    console.log(
      `procedures without input (nothing to fuzz): ${procedures
        .filter(([, p]) => p._def.inputs.length === 0)
        .map(([n]) => n)
        .join(", ")}`,
    );
    expect(await tableCounts()).toEqual(counts0);
    expect(await fixtureSnapshot()).toBe(snapshot0);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

const trpcHttpTally = new Map<string, Tally>();
/** Node's default `--max-http-header-size`: a longer query URL never reaches a route. */
const MAX_URL_BYTES = 16 * 1024;

describe("bad input: every tRPC procedure over HTTP", () => {
  it("answers hostile JSON bodies and query inputs with a 4xx, never a 500", async () => {
    // The mutation budget is not under test here (0 turns it off); restored after.
    const saved = process.env.NEMO_RATE_LIMIT_TRPC_MUTATION_USER;
    process.env.NEMO_RATE_LIMIT_TRPC_MUTATION_USER = "0";
    resetServerEnvCache();
    try {
      const origin = serverEnv().NEXTAUTH_URL;
      const procedures = Object.entries(
        appRouter._def.procedures as unknown as Record<string, ProcedureDef>,
      ).filter(([, p]) => p._def.inputs.length > 0);
      for (const [name, procedure] of procedures) {
        const [schema] = procedure._def.inputs;
        const fields = schema ? inputFields(schema) : {};
        const mutation = procedure._def.type === "mutation";
        await fc.assert(
          fc.asyncProperty(
            fc.constantFrom(admin, owner),
            invalidInput(fields, false),
            async (user, input) => {
              const handler = createTrpcHttpHandler(() => Promise.resolve(contextFor(db, user)));
              // superjson's envelope: the input under `json`.
              const envelope = `{"json":${toJson(input.value)}}`;
              const query = `${BASE}/api/trpc/${name}?input=${encodeURIComponent(envelope)}`;
              if (!mutation && query.length > MAX_URL_BYTES) {
                // Node's HTTP server answers 431 before the app sees such a URL.
                count(trpcHttpTally, name, "431 (node)", 0);
                return;
              }
              const request = mutation
                ? new Request(`${BASE}/api/trpc/${name}`, {
                    method: "POST",
                    headers: { origin, "content-type": "application/json" },
                    body: envelope,
                  })
                : new Request(`${BASE}/api/trpc/${name}?input=${encodeURIComponent(envelope)}`, {
                    headers: { origin },
                  });
              const started = performance.now();
              const response = await handler(request);
              count(trpcHttpTally, name, String(response.status), performance.now() - started);
              expect([400, 403, 404, 409, 413, 414, 422], `${name} answered ${response.status}`).toContain(
                response.status,
              );
            },
          ),
          { seed: SEED, numRuns: RUNS, endOnFailure: true },
        );
      }
      printTally("tRPC over HTTP (/api/trpc): cases and statuses", trpcHttpTally);
    } finally {
      if (saved === undefined) delete process.env.NEMO_RATE_LIMIT_TRPC_MUTATION_USER;
      else process.env.NEMO_RATE_LIMIT_TRPC_MUTATION_USER = saved;
      resetServerEnvCache();
    }
    expect(await tableCounts()).toEqual(counts0);
    expect(await fixtureSnapshot()).toBe(snapshot0);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
