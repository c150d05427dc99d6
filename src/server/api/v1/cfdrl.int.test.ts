import { beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "@/server/api/root";
import { Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth/session";
import type { Db } from "@/server/db";
import { CFDRL_LOSS_POINTS } from "@/server/rl";
import { demoDatabaseForFile } from "@/server/testing/demo-database";
import { contextFor, makeInstance, makeUser, makeWorkload } from "@/server/testing/factories";
import { trpcRejection } from "@/server/testing/rejection";
import { CONSOLE_ORIGIN, type RestHandler } from "@/server/testing/rest-session";
import { sessionCookie } from "@/server/testing/session-cookie";
import {
  cfdrlDecisionsRest,
  cfdrlModelsRest,
  cfdrlRollbackRest,
  cfdrlStatusRest,
  instanceCfdrlRest,
  updateInstanceCfdrlRest,
} from "./cfdrl";
import { openApiDocument } from "./openapi";

/*
 * CFDRL's console API on a database of its own (models, buffer and
 * evaluations are global tables): an instance's settings (defaults, partial
 * changes, bounds named by field, audit), who may read and change them,
 * decisions scoped to the caller's instances, the agents' status and loss
 * curve, the models and the admins' rollback, the last evaluation, and the
 * OpenAPI entries.
 */
// The REST handlers use the process-wide client: this file's database.
const demo = demoDatabaseForFile("cfdrl_api", { processWide: true });
let db: Db;
let owner: SessionUser;
let otherTenant: SessionUser;
let infra: SessionUser;
let admin: SessionUser;
let instance: { id: string };
let otherInstance: { id: string };
const cookies = new Map<string, string>();
const T0 = Date.UTC(2026, 0, 5, 12, 0, 0); // fixed-date: decision times are data, not the clock

async function rest(
  handler: RestHandler,
  user: SessionUser | null,
  path: string,
  init: { method?: string; params?: Record<string, string>; json?: unknown } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers = new Headers();
  if (user) {
    headers.set("cookie", cookies.get(user.id) ?? "");
    headers.set("origin", CONSOLE_ORIGIN);
  }
  if (init.json !== undefined) headers.set("content-type", "application/json");
  const response = await handler(
    new Request(`${CONSOLE_ORIGIN}${path}`, {
      method: init.method ?? "GET",
      headers,
      body: init.json === undefined ? undefined : JSON.stringify(init.json),
    }),
    { params: Promise.resolve(init.params ?? {}) },
  );
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const getSettings = (user: SessionUser | null, id = instance.id) =>
  rest(instanceCfdrlRest, user, `/api/v1/instance/${id}/cfdrl/`, { params: { id } });
const putSettings = (user: SessionUser | null, json: unknown, id = instance.id) =>
  rest(updateInstanceCfdrlRest, user, `/api/v1/instance/${id}/cfdrl/`, {
    method: "PUT",
    params: { id },
    json,
  });

async function decide(
  instanceId: string,
  minute: number,
  data: { action?: string; reward?: number; replicas?: number; outcome?: "applied" | "dropped" } = {},
) {
  const replicas = data.replicas ?? 2;
  const action = data.action ?? "keep";
  return db.cfdrlDecision.create({
    data: {
      instanceId,
      agent: "scaling",
      decidedAt: new Date(T0 + minute * 60_000),
      state: {
        replicas,
        minReplicas: 1,
        maxReplicas: 10,
        cpuMillicoresPerPod: 420,
        cpuTargetMillicores: 500,
        memoryMiBPerPod: 80,
        memoryTargetMiB: 100,
        latencyP95Ms: 120.44,
        latencySloMs: 200,
        requestRate: 35,
      },
      action,
      fromReplicas: replicas,
      toReplicas: action === "scale_up" ? replicas + 1 : replicas,
      reward: data.reward ?? -1.5,
      outcome: data.outcome ?? "applied",
      outcomeReason: data.outcome === "dropped" ? "instance is migrating" : null,
    },
  });
}

beforeAll(async () => {
  db = demo.db;
  [owner, otherTenant, infra, admin] = await Promise.all([
    makeUser(db, [Role.SERVICE_PROVIDER]),
    makeUser(db, [Role.SERVICE_PROVIDER]),
    makeUser(db, [Role.INFRASTRUCTURE_PROVIDER]),
    makeUser(db, [Role.NEMO_ADMIN]),
  ]);
  for (const user of [owner, otherTenant, infra, admin])
    cookies.set(user.id, `next-auth.session-token=${await sessionCookie(user)}`);
  const workload = await makeWorkload(db, owner);
  instance = await makeInstance(db, owner, workload.id);
  await db.workloadInstance.update({ where: { id: instance.id }, data: { status: "DEPLOYED" } });
  const otherWorkload = await makeWorkload(db, otherTenant);
  otherInstance = await makeInstance(db, otherTenant, otherWorkload.id);
});

describe("CFDRL settings", () => {
  it("are off with 1..10 replicas until changed, and a change keeps the fields left out", async () => {
    const before = await getSettings(owner);
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({
      instanceId: instance.id,
      scalingEnabled: false,
      migrationEnabled: false,
      minReplicas: 1,
      maxReplicas: 10,
      updatedAt: null,
    });

    const changed = await putSettings(owner, { scalingEnabled: true, minReplicas: 2, maxReplicas: 4 });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({
      scalingEnabled: true,
      migrationEnabled: false,
      minReplicas: 2,
      maxReplicas: 4,
    });
    expect(changed.body.updatedBy).toBe(owner.username);

    const partial = await putSettings(owner, { migrationEnabled: true });
    expect(partial.body).toMatchObject({
      scalingEnabled: true,
      migrationEnabled: true,
      minReplicas: 2,
      maxReplicas: 4,
    });

    const audit = await db.auditEvent.findMany({
      where: { subjectType: "instance", subjectId: instance.id, action: "cfdrl.settings.updated" },
      orderBy: { createdAt: "asc" },
    });
    expect(audit).toHaveLength(2);
    expect(audit[0]!.detail).toEqual({
      before: { scalingEnabled: false, migrationEnabled: false, minReplicas: 1, maxReplicas: 10 },
      after: { scalingEnabled: true, migrationEnabled: false, minReplicas: 2, maxReplicas: 4 },
    });
  });

  it("refuses bounds outside 0 ≤ min ≤ max ≤ 50, naming the field, and stores nothing", async () => {
    const cases: Array<[unknown, string, RegExp]> = [
      [{ minReplicas: 5, maxReplicas: 3 }, "maxReplicas", /at least the minimum \(5\)/],
      [{ minReplicas: -1 }, "minReplicas", /at least 0/],
      [{ maxReplicas: 51 }, "maxReplicas", /at most 50/],
      [{ minReplicas: 1.5 }, "minReplicas", /whole number/],
      // Merged with the stored maximum (4).
      [{ minReplicas: 6 }, "maxReplicas", /at least the minimum \(6\)/],
      [{ scalingEnabled: "yes" }, "scalingEnabled", /true or false/],
    ];
    for (const [json, field, message] of cases) {
      const answer = await putSettings(owner, json);
      expect(answer.status, JSON.stringify(json)).toBe(400);
      expect(answer.body.field, JSON.stringify(json)).toBe(field);
      expect(answer.body.message, JSON.stringify(json)).toMatch(message);
    }
    const unknown = await putSettings(owner, { replicas: 3 });
    expect(unknown.status).toBe(400);
    expect((await getSettings(owner)).body).toMatchObject({ minReplicas: 2, maxReplicas: 4 });

    // tRPC: the same rule from the domain, the field in the error's data.
    const error = await trpcRejection(
      createCaller(contextFor(db, owner)).cfdrl.updateSettings({
        instanceId: instance.id,
        minReplicas: 9,
        maxReplicas: 8,
      }),
    );
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.message).toMatch(/Maximum replicas \(8\)/);
  });

  it("are the owner's and admins': another tenant gets 404, an infrastructure provider 403, no session 401", async () => {
    expect((await getSettings(otherTenant)).status).toBe(404);
    expect((await putSettings(otherTenant, { scalingEnabled: false })).status).toBe(404);
    expect((await getSettings(infra)).status).toBe(403);
    expect((await putSettings(infra, { scalingEnabled: false })).status).toBe(403);
    expect((await getSettings(null)).status).toBe(401);
    expect((await getSettings(owner, "not-an-id")).status).toBe(404);
    const byAdmin = await putSettings(admin, { maxReplicas: 6 });
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.body).toMatchObject({ maxReplicas: 6, updatedBy: admin.username });
  });

  it("cannot be changed on a deleted instance (409)", async () => {
    const workload = await makeWorkload(db, owner);
    const gone = await makeInstance(db, owner, workload.id);
    await db.workloadInstance.update({ where: { id: gone.id }, data: { status: "DELETED" } });
    const answer = await putSettings(owner, { scalingEnabled: true }, gone.id);
    expect(answer.status).toBe(409);
    expect(await db.instanceCfdrlSettings.findUnique({ where: { instanceId: gone.id } })).toBeNull();
  });
});

describe("CFDRL decisions", () => {
  beforeAll(async () => {
    await decide(instance.id, 1, { action: "scale_up", reward: -2 });
    await decide(instance.id, 2, { action: "keep", reward: -1, replicas: 3 });
    await decide(instance.id, 3, { action: "scale_up", reward: -0.5, replicas: 3, outcome: "dropped" });
    await decide(otherInstance.id, 4, { action: "keep" });
  });

  it("lists the caller's instances' decisions newest first, with a one-line state; admins see all", async () => {
    const mine = await rest(cfdrlDecisionsRest, owner, "/api/v1/cfdrl/decisions/?pageSize=10");
    expect(mine.status).toBe(200);
    const items = mine.body.items as Array<Record<string, unknown>>;
    expect(mine.body.total).toBe(3);
    expect(items.map((d) => d.action)).toEqual(["scale_up", "keep", "scale_up"]);
    expect(items.every((d) => d.instanceId === instance.id)).toBe(true);
    expect(items[0]).toMatchObject({
      outcome: "dropped",
      outcomeReason: "instance is migrating",
      fromReplicas: 3,
      toReplicas: 4,
      stateSummary: "3 replicas · CPU 420/500 m · RAM 80/100 MiB · p95 120/200 ms · 35 req/s",
    });

    const all = await rest(cfdrlDecisionsRest, admin, "/api/v1/cfdrl/decisions/");
    expect(all.body.total).toBe(4);
    const none = await rest(cfdrlDecisionsRest, infra, "/api/v1/cfdrl/decisions/");
    expect(none).toMatchObject({ status: 200, body: { total: 0, items: [] } });

    const dropped = await rest(cfdrlDecisionsRest, owner, "/api/v1/cfdrl/decisions/?outcome=dropped");
    expect(dropped.body.total).toBe(1);
    const paged = await rest(cfdrlDecisionsRest, owner, "/api/v1/cfdrl/decisions/?page=2&pageSize=10");
    expect(paged.body.items).toEqual([]);
    const bad = await rest(cfdrlDecisionsRest, owner, "/api/v1/cfdrl/decisions/?pageSize=7");
    expect(bad).toMatchObject({ status: 400, body: { field: "pageSize" } });
    const badOutcome = await rest(cfdrlDecisionsRest, owner, "/api/v1/cfdrl/decisions/?outcome=maybe");
    expect(badOutcome).toMatchObject({ status: 400, body: { field: "outcome" } });
  });

  it("answers one instance's decisions to its owner only (another tenant's instance is 404)", async () => {
    const own = await rest(cfdrlDecisionsRest, owner, `/api/v1/cfdrl/decisions/?instanceId=${instance.id}`);
    expect(own.body.total).toBe(3);
    const other = await rest(
      cfdrlDecisionsRest,
      owner,
      `/api/v1/cfdrl/decisions/?instanceId=${otherInstance.id}`,
    );
    expect(other.status).toBe(404);
    const caller = createCaller(contextFor(db, otherTenant));
    expect((await trpcRejection(caller.cfdrl.instanceDecisions({ instanceId: instance.id }))).code).toBe(
      "NOT_FOUND",
    );
  });

  it("gives the reward and replicas over time oldest first", async () => {
    const series = await createCaller(contextFor(db, owner)).cfdrl.instanceSeries({
      instanceId: instance.id,
    });
    expect(series.points.map((p) => [p.reward, p.replicas, p.targetReplicas])).toEqual([
      [-2, 2, 3],
      [-1, 3, 3],
      [-0.5, 3, 4],
    ]);
    const last = await createCaller(contextFor(db, owner)).cfdrl.instanceSeries({
      instanceId: instance.id,
      limit: 1,
    });
    expect(last.points.map((p) => p.reward)).toEqual([-0.5]);
  });
});

describe("CFDRL agents, models and evaluation", () => {
  beforeAll(async () => {
    await db.cfdrlTransition.createMany({
      data: Array.from({ length: 7 }, (_, i) => ({
        agent: "scaling" as const,
        state: [i, 0.5],
        action: 1,
        reward: -1,
        nextState: [i + 1, 0.5],
      })),
    });
    await db.cfdrlTrainingStat.createMany({
      data: Array.from({ length: 500 }, (_, i) => ({
        agent: "scaling" as const,
        step: i + 1,
        loss: 1 / (i + 1),
        epsilon: 1 - i / 1000,
      })),
    });
    for (const version of [1, 2]) {
      await db.cfdrlModel.create({
        data: {
          agent: "scaling",
          version,
          trainingSteps: version * 250,
          architecture: { hidden: [64, 64] },
          weights: new Uint8Array(8),
          epsilon: 1 - version / 10,
          active: version === 2,
          createdBy: "cfdrl-worker",
        },
      });
    }
  });

  it("reports each agent's epsilon, buffer size, active model, steps and a bounded loss curve to every role", async () => {
    const answer = await rest(cfdrlStatusRest, infra, "/api/v1/cfdrl/status/");
    expect(answer.status).toBe(200);
    const [scaling, migration] = answer.body.agents as Array<Record<string, unknown>>;
    expect(scaling).toMatchObject({
      agent: "scaling",
      bufferSize: 7,
      trainingSteps: 500,
      epsilon: 1 - 499 / 1000,
      activeModel: { version: 2, trainingSteps: 500, active: true },
    });
    const curve = scaling!.lossCurve as Array<{ step: number; loss: number }>;
    expect(curve).toHaveLength(CFDRL_LOSS_POINTS);
    expect(curve[0]!.step).toBeLessThan(curve.at(-1)!.step);
    expect(curve.at(-1)!.step).toBe(500);
    // Each point is its slice's mean: the first slice holds steps 1–3 of 1/step.
    expect(curve[0]!.loss).toBeCloseTo((1 + 1 / 2 + 1 / 3) / 3, 6);
    expect(migration).toMatchObject({
      agent: "migration",
      bufferSize: 0,
      activeModel: null,
      epsilon: null,
      lossCurve: [],
    });

    const noRole = await makeUser(db, []);
    expect((await trpcRejection(createCaller(contextFor(db, noRole)).cfdrl.status())).code).toBe("FORBIDDEN");
  });

  it("lists the models newest first and lets only an admin roll back, audited", async () => {
    const models = await rest(cfdrlModelsRest, owner, "/api/v1/cfdrl/models/?agent=scaling");
    expect((models.body.items as Array<{ version: number }>).map((m) => m.version)).toEqual([2, 1]);

    const path = "/api/v1/cfdrl/models/scaling/active/";
    const refused = await rest(cfdrlRollbackRest, owner, path, {
      method: "PUT",
      params: { agent: "scaling" },
      json: { version: 1 },
    });
    expect(refused.status).toBe(403);
    const missing = await rest(cfdrlRollbackRest, admin, path, {
      method: "PUT",
      params: { agent: "scaling" },
      json: { version: 9 },
    });
    expect(missing).toMatchObject({ status: 404, body: { field: "version" } });
    const badAgent = await rest(cfdrlRollbackRest, admin, "/api/v1/cfdrl/models/pricing/active/", {
      method: "PUT",
      params: { agent: "pricing" },
      json: { version: 1 },
    });
    expect(badAgent).toMatchObject({ status: 400, body: { field: "agent" } });

    const done = await rest(cfdrlRollbackRest, admin, path, {
      method: "PUT",
      params: { agent: "scaling" },
      json: { version: 1 },
    });
    expect(done).toMatchObject({ status: 200, body: { agent: "scaling", version: 1, active: true } });
    const rows = await db.cfdrlModel.findMany({ where: { agent: "scaling" }, orderBy: { version: "asc" } });
    expect(rows.map((r) => [r.version, r.active])).toEqual([
      [1, true],
      [2, false],
    ]);
    const audit = await db.auditEvent.findFirstOrThrow({
      where: { action: "cfdrl.model.rolled-back", subjectId: "scaling" },
    });
    expect(audit).toMatchObject({ actorName: admin.username, detail: { before: 2, after: 1 } });
    const status = await createCaller(contextFor(db, owner)).cfdrl.status();
    expect(status.agents[0]!.activeModel?.version).toBe(1);
  });

  it("has no evaluation until the lab stores one, then its results and plot", async () => {
    const caller = createCaller(contextFor(db, infra));
    expect(await caller.cfdrl.evaluation()).toBeNull();
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
    await db.cfdrlEvaluation.create({ data: { results: { traces: ["steady"] }, plotPng: png } });
    const last = await caller.cfdrl.evaluation();
    expect(last).toMatchObject({
      results: { traces: ["steady"] },
      plotDataUrl: `data:image/png;base64,${png.toString("base64")}`,
    });
  });
});

describe("CFDRL in the OpenAPI document", () => {
  it("lists every route with its methods", () => {
    const paths = openApiDocument().paths as Record<string, Record<string, unknown>>;
    expect(Object.keys(paths["/api/v1/cfdrl/decisions/"]!)).toContain("get");
    expect(Object.keys(paths["/api/v1/cfdrl/status/"]!)).toContain("get");
    expect(Object.keys(paths["/api/v1/cfdrl/models/"]!)).toContain("get");
    expect(Object.keys(paths["/api/v1/cfdrl/models/{agent}/active/"]!)).toContain("put");
    expect(Object.keys(paths["/api/v1/instance/{id}/cfdrl/"]!)).toEqual(
      expect.arrayContaining(["get", "put"]),
    );
  });
});
