import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "@/server/api/root";
import {
  contextFor,
  makeCluster,
  makeDeployedInstance,
  makeInstance,
  makeUser,
  makeWorkload,
  uniq,
} from "@/server/testing/factories";
import { Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth/session";
import { createDb, type Db } from "@/server/db/client";
import { migrationMessageId, type MigrationStateName } from "@/server/cluster-migration";
import {
  instanceMigrationsRest,
  listMigrationsRest,
  migrateInstanceRest,
  migrationOptionsRest,
} from "./migration";
import { openApiDocument } from "./openapi";
import { trpcRejection } from "@/server/testing/rejection";
import { sessionCookie } from "@/server/testing/session-cookie";

/*
 * The migration REST API (/api/v1/migration/, /api/v1/instance/{id}/migrations|
 * migration-options|migrate/) on a real database: the tRPC migration router's
 * roles and scoping, the same answers, and the REST error shape. Past
 * migrations are written straight into the database; "Migrate now" runs the
 * real domain path (REQUESTED, instance MIGRATING, backup command in the
 * outbox), with no agent to move it on.
 */

let db: Db;
let admin: SessionUser;
let provider: SessionUser;
let provider2: SessionUser;
let infra: SessionUser;
let otherInfra: SessionUser;
let nobody: SessionUser;
const tag = uniq("rmig");
const source = `${tag}-source`;
const target = `${tag}-target`;
const down = `${tag}-down`;
const far = `${tag}-far`;
const BASE = "http://localhost:3999";
const cookies = new Map<string, string>();
/** provider's instance that is moved by "Migrate now" (no migration before). */
let instanceId: string;
/** provider's instance with two past migrations (m1, m2). */
let histId: string;
/** provider2's instance with two past migrations (m3, m4). */
let theirId: string;
const m: Record<"m1" | "m2" | "m3" | "m4", string> = { m1: "", m2: "", m3: "", m4: "" };

type Handler = (request: Request, context?: { params: Promise<Record<string, string>> }) => Promise<Response>;

interface Call {
  method?: string;
  path?: string;
  id?: string;
  json?: unknown;
  text?: string;
}

function call(handler: Handler, user: SessionUser | null, init: Call = {}): Promise<Response> {
  const headers = new Headers();
  if (user) headers.set("cookie", cookies.get(user.id) ?? "");
  // What the browser adds to the console's own requests (a cookie session's mutations need it).
  if (user) headers.set("origin", BASE);
  let body: string | undefined;
  if (init.json !== undefined) body = JSON.stringify(init.json);
  else if (init.text !== undefined) body = init.text;
  if (body !== undefined) headers.set("content-type", "application/json");
  const request = new Request(`${BASE}${init.path ?? "/api/v1/migration/"}`, {
    method: init.method ?? "GET",
    headers,
    body,
  });
  const params: Record<string, string> = init.id ? { id: init.id } : {};
  return handler(request, { params: Promise.resolve(params) });
}

const list = (user: SessionUser | null, query = "") =>
  call(listMigrationsRest, user, { path: `/api/v1/migration/${query}` });
const forInstance = (user: SessionUser | null, id: string) =>
  call(instanceMigrationsRest, user, { id, path: `/api/v1/instance/${id}/migrations/` });
const options = (user: SessionUser | null, id: string) =>
  call(migrationOptionsRest, user, { id, path: `/api/v1/instance/${id}/migration-options/` });
const migrate = (user: SessionUser | null, id: string, body: Omit<Call, "method" | "path" | "id">) =>
  call(migrateInstanceRest, user, { method: "POST", id, path: `/api/v1/instance/${id}/migrate/`, ...body });

async function json<T>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

interface Row {
  id: string;
  instanceId: string;
  state: MigrationStateName;
  sourceCluster: string;
  targetCluster: string;
  requestedBy: string | null;
  steps: Array<{ state: string; at: string; cluster?: string; actor?: string }>;
  createdAt: string;
}
interface Page {
  items: Row[];
  total: number;
  page: number;
  pageSize: number;
}

const ids = (rows: Row[]) => rows.map((r) => r.id);
async function pageIds(response: Response): Promise<string[]> {
  expect(response.status).toBe(200);
  return ids((await json<Page>(response)).items);
}

const caller = (user: SessionUser) => createCaller(contextFor(db, user));
/** What tRPC answered, as it reads after a JSON round trip (dates as ISO strings). */
const wire = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

const rejection = trpcRejection;

const deployedInstance = async (owner: SessionUser, cluster: string): Promise<string> =>
  (await makeDeployedInstance(db, owner, cluster, uniq(`${tag}-wl`))).id;

/** A finished migration as the agents and the MO leave it, `minutesAgo` old. */
async function pastMigration(
  instance: string,
  from: string,
  to: string,
  state: "COMPLETED" | "FAILED" | "ROLLED_BACK",
  minutesAgo: number,
): Promise<string> {
  const at = new Date(Date.now() - minutesAgo * 60_000);
  const row = await db.migration.create({
    data: {
      instanceId: instance,
      sourceCluster: from,
      targetCluster: to,
      state,
      reason: state === "COMPLETED" ? null : `${tag} backup timed out`,
      backupName: `${from}-backup-${minutesAgo}`,
      createdAt: at,
      steps: [
        {
          state: "REQUESTED",
          at: at.toISOString(),
          message: "requested",
          cluster: from,
          actor: admin.username,
        },
        {
          state,
          at: new Date(at.getTime() + 5_000).toISOString(),
          message: state.toLowerCase(),
          cluster: to,
        },
      ],
    },
  });
  return row.id;
}

beforeAll(async () => {
  db = createDb(process.env.DATABASE_URL);
  admin = await makeUser(db, [Role.NEMO_ADMIN]);
  provider = await makeUser(db, [Role.SERVICE_PROVIDER]);
  provider2 = await makeUser(db, [Role.SERVICE_PROVIDER]);
  infra = await makeUser(db, [Role.INFRASTRUCTURE_PROVIDER]);
  otherInfra = await makeUser(db, [Role.INFRASTRUCTURE_PROVIDER]);
  nobody = await makeUser(db, []);
  for (const user of [admin, provider, provider2, infra, otherInfra, nobody]) {
    const token = await sessionCookie(user);
    cookies.set(user.id, `next-auth.session-token=${token}`);
  }
  // The source and the target belong to `infra`; `down` (ERROR) to `otherInfra`; `far` is not registered.
  for (const [name, owner, status] of [
    [source, infra, "OK"],
    [target, infra, "OK"],
    [down, otherInfra, "ERROR"],
  ] as const) {
    const cluster = await makeCluster(db, owner, name);
    await db.cluster.update({ where: { id: cluster.id }, data: { status } });
  }
  instanceId = await deployedInstance(provider, source);
  histId = await deployedInstance(provider, source);
  theirId = await deployedInstance(provider2, source);
  // Newest first: m3, m2, m1, m4. m4 touches none of infra's clusters.
  m.m1 = await pastMigration(histId, source, target, "COMPLETED", 30);
  m.m2 = await pastMigration(histId, source, target, "FAILED", 20);
  m.m3 = await pastMigration(theirId, source, target, "ROLLED_BACK", 10);
  m.m4 = await pastMigration(theirId, down, far, "COMPLETED", 40);
});

afterAll(async () => {
  await db.$disconnect();
});

describe("GET /api/v1/migration/", () => {
  it("shows an admin every migration, newest first, with its steps", async () => {
    const response = await list(admin, `?search=${tag}&pageSize=50`);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const page = await json<Page>(response);
    expect(ids(page.items)).toEqual([m.m3, m.m2, m.m1, m.m4]);
    expect(page).toMatchObject({ total: 4, page: 1, pageSize: 50 });
    expect(page.items[1]).toMatchObject({
      id: m.m2,
      instanceId: histId,
      state: "FAILED",
      sourceCluster: source,
      targetCluster: target,
      reason: `${tag} backup timed out`,
      requestedBy: admin.username,
      active: false,
      stepDeadline: null,
      intentId: null,
    });
    expect(page.items[1]?.steps.map((s) => [s.state, s.cluster])).toEqual([
      ["REQUESTED", source],
      ["FAILED", target],
    ]);
    expect(new Date(page.items[1]!.createdAt).getTime()).toBeLessThan(Date.now() - 19 * 60_000);
  });

  it("takes the tRPC list's filters, sorting and paging as query parameters", async () => {
    expect(await pageIds(await list(admin, `?state=FAILED&cluster=${source}`))).toEqual([m.m2]);
    expect(await pageIds(await list(admin, `?cluster=${far}`))).toEqual([m.m4]);
    expect(await pageIds(await list(admin, `?instanceId=${theirId}`))).toEqual([m.m3, m.m4]);
    expect(await pageIds(await list(admin, `?search=${tag}&sort=createdAt&direction=asc`))).toEqual([
      m.m4,
      m.m1,
      m.m2,
      m.m3,
    ]);
    expect(await pageIds(await list(admin, `?search=${tag}&sort=state&direction=asc&pageSize=10`))).toEqual([
      m.m1,
      m.m4,
      m.m2,
      m.m3,
    ]);
    const second = await list(admin, `?instanceId=${histId}&page=2&pageSize=10`);
    expect(await json<Page>(second)).toEqual({ items: [], total: 2, page: 2, pageSize: 10 });
  });

  it("answers exactly what the tRPC list answers", async () => {
    for (const user of [admin, provider, infra]) {
      const rest = await json<Page>(await list(user, `?search=${tag}&pageSize=25&direction=asc`));
      const trpc = await caller(user).migration.list({ search: tag, pageSize: 25, direction: "asc" });
      expect(rest).toEqual(wire(trpc));
    }
  });

  it("shows a service provider their instances' migrations only", async () => {
    const page = await json<Page>(await list(provider, `?search=${tag}&pageSize=50`));
    expect(ids(page.items)).toEqual([m.m2, m.m1]);
    expect(page.total).toBe(2);
    expect(await pageIds(await list(provider2, `?search=${tag}&pageSize=50`))).toEqual([m.m3, m.m4]);
    // provider's instance by id: nothing, not an error.
    const theirs = await list(provider2, `?instanceId=${histId}`);
    expect(await json<Page>(theirs)).toEqual({ items: [], total: 0, page: 1, pageSize: 10 });
  });

  it("shows an infrastructure provider the migrations leaving or reaching their clusters", async () => {
    expect(await pageIds(await list(infra, `?search=${tag}&pageSize=50`))).toEqual([m.m3, m.m2, m.m1]);
    expect(await pageIds(await list(otherInfra, `?search=${tag}&pageSize=50`))).toEqual([m.m4]);
  });

  it("answers 401 without credentials, 403 without a console role, 400 naming a bad parameter", async () => {
    const anonymous = await list(null);
    expect(anonymous.status).toBe(401);
    expect(await json(anonymous)).toMatchObject({ error: "unauthorized" });
    const forbidden = await list(nobody);
    expect(forbidden.status).toBe(403);
    expect(await json(forbidden)).toEqual({
      error: "forbidden",
      message: "This needs the nemo-admin, service-provider or infrastructure-provider role.",
    });
    for (const [query, field] of [
      ["?pageSize=7", "pageSize"],
      ["?page=0", "page"],
      ["?state=SOMEWHERE", "state"],
      ["?sort=owner", "sort"],
      ["?instanceId=nope", "instanceId"],
    ] as const) {
      const response = await list(admin, query);
      expect(response.status, query).toBe(400);
      expect(await json(response), query).toMatchObject({ error: "bad_request", field });
    }
  });
});

describe("GET /api/v1/instance/{id}/migrations/", () => {
  it("shows the owner and an admin the instance's migrations, newest first, as tRPC does", async () => {
    const mine = await forInstance(provider, histId);
    expect(mine.status).toBe(200);
    const rows = await json<Row[]>(mine);
    expect(ids(rows)).toEqual([m.m2, m.m1]);
    expect(rows).toEqual(wire(await caller(provider).migration.forInstance({ instanceId: histId })));
    expect(ids(await json<Row[]>(await forInstance(admin, theirId)))).toEqual([m.m3, m.m4]);
    expect(await json(await forInstance(provider, instanceId))).toEqual([]);
  });

  it("narrows an infrastructure provider to their clusters", async () => {
    expect(ids(await json<Row[]>(await forInstance(infra, theirId)))).toEqual([m.m3]);
    expect(ids(await json<Row[]>(await forInstance(otherInfra, theirId)))).toEqual([m.m4]);
    // No migration of histId touches otherInfra's clusters: the instance is not theirs to see.
    const none = await forInstance(otherInfra, histId);
    expect(none.status).toBe(404);
    expect(await json(none)).toEqual({ error: "not_found", message: "No such instance." });
  });

  it("answers 404 for another provider's instance and what is not an instance", async () => {
    const stolen = await forInstance(provider2, histId);
    expect(stolen.status).toBe(404);
    expect(await json(stolen)).toEqual({ error: "not_found", message: "No such instance." });
    expect((await forInstance(provider, theirId)).status).toBe(404);
    expect((await forInstance(admin, "not-an-id")).status).toBe(404);
    expect((await forInstance(admin, "00000000-0000-4000-8000-000000000000")).status).toBe(404);
  });

  it("answers 401 without credentials and 403 without a console role", async () => {
    expect((await forInstance(null, histId)).status).toBe(401);
    expect((await forInstance(nobody, histId)).status).toBe(403);
  });
});

describe("GET /api/v1/instance/{id}/migration-options/", () => {
  interface Options {
    instanceId: string;
    status: string;
    currentCluster: string | null;
    currentMeetsTargets: boolean;
    canRequest: boolean;
    activeMigration: { id: string; state: string; targetCluster: string } | null;
    evaluations: Array<{ cluster: string; verdict: string; message: string }>;
  }

  it("judges every cluster for an admin: the current one, the skipped, the eligible", async () => {
    const response = await options(admin, instanceId);
    expect(response.status).toBe(200);
    const body = await json<Options>(response);
    expect(body).toMatchObject({
      instanceId,
      status: "DEPLOYED",
      currentCluster: source,
      currentMeetsTargets: true,
      canRequest: true,
      activeMigration: null,
    });
    expect(body.evaluations[0]).toMatchObject({ cluster: source, verdict: "current" });
    const verdicts = Object.fromEntries(body.evaluations.map((e) => [e.cluster, e.verdict]));
    expect(verdicts[down]).toBe("skipped");
    expect(["eligible", "chosen"]).toContain(verdicts[target]);
    expect(body.evaluations.find((e) => e.cluster === down)?.message).toContain("ERROR");
    // The same verdicts as tRPC's (other test files may register clusters meanwhile: compare ours).
    const trpc = await caller(admin).migration.options({ instanceId });
    const ours = (rows: Options["evaluations"]) => rows.filter((e) => e.cluster.startsWith(tag));
    expect(ours(body.evaluations)).toEqual(ours(trpc.evaluations));
  });

  it("is for admins only: 403 for everyone else, the owner included; 401 without credentials", async () => {
    for (const user of [provider, provider2, infra, otherInfra, nobody]) {
      const response = await options(user, instanceId);
      expect(response.status).toBe(403);
      expect(await json(response)).toEqual({
        error: "forbidden",
        message: "This needs the nemo-admin role.",
      });
    }
    expect((await options(null, instanceId)).status).toBe(401);
  });

  it("answers 404 for what is not an instance", async () => {
    const response = await options(admin, "not-an-id");
    expect(response.status).toBe(404);
    expect(await json(response)).toEqual({ error: "not_found", message: "No such instance." });
    expect((await options(admin, "00000000-0000-4000-8000-000000000000")).status).toBe(404);
  });
});

describe("POST /api/v1/instance/{id}/migrate/", () => {
  it("is for admins only: 403 for everyone else, 401 without credentials; nothing starts", async () => {
    for (const user of [provider, provider2, infra, otherInfra, nobody]) {
      const response = await migrate(user, instanceId, { json: { targetCluster: target } });
      expect(response.status).toBe(403);
      expect(await json(response)).toEqual({
        error: "forbidden",
        message: "This needs the nemo-admin role.",
      });
    }
    expect((await migrate(null, instanceId, { json: { targetCluster: target } })).status).toBe(401);
    expect(await db.migration.count({ where: { instanceId } })).toBe(0);
  });

  it("answers 400 naming the field for a bad body", async () => {
    for (const body of [
      {},
      { targetCluster: "" },
      { targetCluster: "   " },
      { targetCluster: 7 },
      { target },
    ]) {
      const response = await migrate(admin, instanceId, { json: body });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(await json(response)).toMatchObject({ error: "bad_request", field: "targetCluster" });
    }
    const notJson = await migrate(admin, instanceId, { text: "{" });
    expect(notJson.status).toBe(400);
    expect(await json(notJson)).toEqual({
      error: "bad_request",
      message: "The request body is not valid JSON.",
      field: null,
    });
    expect(await db.migration.count({ where: { instanceId } })).toBe(0);
  });

  it("refuses a target that does not qualify with tRPC's error: 400 on targetCluster", async () => {
    const nowhere = `${tag}-nowhere`;
    const expected: Record<string, string | undefined> = {
      [source]: `The instance already runs on ${source}.`,
      [nowhere]: `Cluster ${nowhere} is not registered.`,
      [down]: undefined,
    };
    for (const [targetCluster, message] of Object.entries(expected)) {
      const response = await migrate(admin, instanceId, { json: { targetCluster } });
      expect(response.status, targetCluster).toBe(400);
      const body = await json<{ error: string; message: string; field: string }>(response);
      expect(body).toMatchObject({ error: "bad_request", field: "targetCluster" });
      if (message) expect(body.message).toBe(message);
      const trpc = await rejection(caller(admin).migration.request({ instanceId, targetCluster }));
      expect(trpc.code).toBe("BAD_REQUEST");
      expect(trpc.message).toBe(body.message);
    }
    expect(await db.migration.count({ where: { instanceId } })).toBe(0);
  });

  it("answers 404 for what is not an instance and 409 for an instance that is not DEPLOYED", async () => {
    const missing = await migrate(admin, "00000000-0000-4000-8000-000000000000", {
      json: { targetCluster: target },
    });
    expect(missing.status).toBe(404);
    expect(await json(missing)).toEqual({ error: "not_found", message: "No such instance." });

    const workload = await makeWorkload(db, provider, { name: uniq(`${tag}-new`) });
    const fresh = await makeInstance(db, provider, workload.id);
    const conflict = await migrate(admin, fresh.id, { json: { targetCluster: target } });
    expect(conflict.status).toBe(409);
    expect(await json(conflict)).toEqual({
      error: "conflict",
      message: `Cannot migrate ${fresh.releaseName}: instance is CREATED.`,
    });
  });

  it("starts the migration: 202, REQUESTED, the instance MIGRATING, the backup command in the outbox", async () => {
    const response = await migrate(admin, instanceId, { json: { targetCluster: `  ${target} ` } });
    expect(response.status).toBe(202);
    expect(response.headers.get("location")).toBe(`/api/v1/instance/${instanceId}/migrations/`);
    const row = await json<Row & { active: boolean; intentId: string | null; backupName: string }>(response);
    expect(row).toMatchObject({
      instanceId,
      sourceCluster: source,
      targetCluster: target,
      state: "REQUESTED",
      active: true,
      requestedBy: admin.username,
      intentId: null,
    });
    expect(row.steps).toEqual([
      expect.objectContaining({ state: "REQUESTED", cluster: source, actor: admin.username }),
    ]);

    const stored = await db.migration.findMany({ where: { instanceId } });
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      id: row.id,
      state: "REQUESTED",
      activeInstanceId: instanceId,
      sourceCluster: source,
      targetCluster: target,
      backupName: row.backupName,
    });
    const instance = await db.workloadInstance.findUniqueOrThrow({ where: { id: instanceId } });
    expect(instance.status).toBe("MIGRATING");
    const outbox = await db.outboxMessage.findUniqueOrThrow({
      where: { id: migrationMessageId(row.id, "backup") },
    });
    expect(outbox).toMatchObject({
      exchange: "mo",
      routingKey: source,
      payload: {
        WorkloadID: instanceId,
        Action: "backup",
        SourceCluster: source,
        TargetCluster: target,
        MigrationID: row.id,
        BackupName: row.backupName,
      },
    });

    // One in flight at a time, as with tRPC.
    const again = await migrate(admin, instanceId, { json: { targetCluster: target } });
    expect(again.status).toBe(409);
    expect(await json(again)).toEqual({
      error: "conflict",
      message: `Cannot migrate ${instance.releaseName}: instance is MIGRATING.`,
    });
    const trpc = await rejection(caller(admin).migration.request({ instanceId, targetCluster: target }));
    expect(trpc.code).toBe("CONFLICT");
    expect(trpc.message).toBe(`Cannot migrate ${instance.releaseName}: instance is MIGRATING.`);
    expect(await db.migration.count({ where: { instanceId } })).toBe(1);

    // The reads follow it.
    expect(ids(await json<Row[]>(await forInstance(provider, instanceId)))).toEqual([row.id]);
    const after = await json<{ canRequest: boolean; activeMigration: unknown }>(
      await options(admin, instanceId),
    );
    expect(after).toMatchObject({
      canRequest: false,
      activeMigration: { id: row.id, state: "REQUESTED", targetCluster: target },
    });
    expect(await pageIds(await list(admin, `?state=REQUESTED&cluster=${source}`))).toEqual([row.id]);
  });
});

describe("the OpenAPI document", () => {
  it("describes the migration routes, their answers and errors", () => {
    const doc = openApiDocument() as {
      paths: Record<string, Record<string, { responses?: Record<string, unknown>; parameters?: unknown[] }>>;
      components: { schemas: Record<string, unknown> };
    };
    const methods = (url: string) => Object.keys(doc.paths[url] ?? {}).filter((k) => k !== "parameters");
    expect(methods("/api/v1/migration/")).toEqual(["get"]);
    expect(methods("/api/v1/instance/{id}/migrations/")).toEqual(["get"]);
    expect(methods("/api/v1/instance/{id}/migration-options/")).toEqual(["get"]);
    expect(methods("/api/v1/instance/{id}/migrate/")).toEqual(["post"]);
    const listing = doc.paths["/api/v1/migration/"]?.get;
    expect((listing?.parameters as Array<{ name: string }>).map((p) => p.name)).toEqual([
      "page",
      "pageSize",
      "sort",
      "direction",
      "search",
      "state",
      "cluster",
      "instanceId",
    ]);
    expect(Object.keys(doc.paths["/api/v1/instance/{id}/migrate/"]?.post?.responses ?? {}).sort()).toEqual([
      "202",
      "400",
      "401",
      "403",
      "404",
      "409",
      // The edge's answers, on every operation that takes a body: too large, rate limited, database down.
      "413",
      "429",
      "503",
    ]);
    for (const id of [
      "MigrationRow",
      "MigrationStep",
      "MigrationPage",
      "MigrationOptions",
      "MigrationRequest",
    ]) {
      expect(doc.components.schemas[id], id).toBeDefined();
    }
    // Every reference resolves.
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map(
      (r) => r[1],
    );
    expect(refs.filter((id) => !doc.components.schemas[id!])).toEqual([]);
  });
});
