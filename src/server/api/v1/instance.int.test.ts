import path from "node:path";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter, createCaller } from "@/server/api/root";
import { contextFor, makeUser } from "@/server/testing/factories";
import { Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth/session";
import { createDb, type Db } from "@/server/db/client";
import { applyMigrations, dropDatabase, ensureDatabase } from "@/server/db/migrate";
import { seedDemo } from "@/server/demo/seed";
import { databaseUrlFor, runId } from "@/server/testing/services";
import { createWorkload, uploadChart } from "@/server/workloads";
import { packChartDirectory } from "@/server/workloads/tar-writer";
import {
  changeInstanceRest,
  createInstanceRest,
  deleteInstanceRest,
  getInstanceRest,
  instanceDryRunRest,
  instancePlacementRest,
  instanceTimelineRest,
  instanceTreeRest,
  listInstancesRest,
  retryInstanceRest,
} from "./instance";
import { openApiDocument } from "./openapi";
import { trpcRejection } from "@/server/testing/rejection";
import { sessionCookie } from "@/server/testing/session-cookie";
import { servedRest } from "@/server/testing/served-path";
import { orchestrateNewestRun } from "@/server/testing/orchestration";

/*
 * The instance API (tRPC and REST) on a real database. Placement looks at
 * every registered cluster, so this file has a database of its own holding
 * exactly the five demo clusters; the orchestrator's side is run in-process
 * on the `run` message the API left in the outbox.
 */
const url = databaseUrlFor(`nemo_instance_api_${runId()}`);
const MYCHART = path.resolve("src/server/charts/conformance-data/helm/create/mychart");
const BASE = "http://localhost:3999";

let db: Db;
let admin: SessionUser;
let provider: SessionUser;
let provider2: SessionUser;
let infra: SessionUser;
let workloadId: number;
let otherWorkloadId: number;
const cookies = new Map<string, string>();

type Handler = (request: Request, context?: { params: Promise<Record<string, string>> }) => Promise<Response>;

function call(
  handler: Handler,
  user: SessionUser | null,
  init: { method?: string; path?: string; json?: unknown; id?: string } = {},
): Promise<Response> {
  const headers = new Headers();
  if (user) headers.set("cookie", cookies.get(user.id) ?? "");
  // What the browser adds to the console's own requests (a cookie session's mutations need it).
  if (user) headers.set("origin", BASE);
  if (init.json !== undefined) headers.set("content-type", "application/json");
  const target = init.path ?? (init.id ? `/api/v1/instance/${init.id}/` : "/api/v1/instance/");
  const request = new Request(`${BASE}${target}`, {
    method: init.method ?? "GET",
    headers,
    body: init.json !== undefined ? JSON.stringify(init.json) : undefined,
  });
  const params: Record<string, string> = init.id ? { id: init.id } : {};
  // The hot reads (list, timeline) as the web process serves them: testing/served-path.ts.
  return servedRest(handler, request, { params: Promise.resolve(params) });
}

const caller = (user: SessionUser) => createCaller(contextFor(db, user));

const rejection = trpcRejection;

/** What the orchestrator does with the newest `run` message for this instance. */
async function orchestrate(instanceId: string): Promise<void> {
  await orchestrateNewestRun(db, instanceId);
}

const availability95 = {
  intentType: "Availability",
  targets: [{ targetName: "availability", targetCondition: "IS_GREATER_THAN" as const, targetValue: 95 }],
};

beforeAll(async () => {
  await ensureDatabase(url);
  await applyMigrations(url);
  db = createDb(url);
  // The REST handlers use the process-wide client: point it at this file's database.
  (globalThis as unknown as { nemoDb?: Db }).nemoDb = db;
  await seedDemo(db);
  admin = await makeUser(db, [Role.NEMO_ADMIN]);
  provider = await makeUser(db, [Role.SERVICE_PROVIDER]);
  provider2 = await makeUser(db, [Role.SERVICE_PROVIDER]);
  infra = await makeUser(db, [Role.INFRASTRUCTURE_PROVIDER]);
  for (const user of [admin, provider, provider2, infra]) {
    const token = await sessionCookie(user);
    cookies.set(user.id, `next-auth.session-token=${token}`);
  }
  const chart = await packChartDirectory(MYCHART);
  const workload = await createWorkload(
    { db, user: provider },
    { name: "shop", version: "1.0.0", supportedIntents: ["Availability"] },
  );
  await uploadChart({ db, user: provider }, workload.id, chart);
  workloadId = workload.id;
  const other = await createWorkload(
    { db, user: provider },
    { name: "shop", version: "2.0.0", supportedIntents: ["Availability"] },
  );
  await uploadChart({ db, user: provider }, other.id, chart);
  otherWorkloadId = other.id;
});

afterAll(async () => {
  (globalThis as unknown as { nemoDb?: Db }).nemoDb = undefined;
  await db.$disconnect();
  await dropDatabase(url);
});

describe("instance.create (tRPC)", () => {
  it("renders the chart, stores the instance RENDERED with its intent and asks the orchestrator to run it", async () => {
    const instance = await caller(provider).instance.create({
      workloadId,
      releaseName: "web",
      valuesOverride: "replicaCount: 2\n",
      intent: { ...availability95, start: new Date("2030-01-01T00:00:00Z") },
    });
    expect(instance).toMatchObject({ status: "RENDERED", releaseName: "web", cluster: null });
    const run = await db.outboxMessage.findMany({ where: { routingKey: "run" } });
    expect(run.map((m) => m.payload)).toContainEqual({ workload_id: instance.id, status: "deploy" });

    const overview = await caller(provider).instance.get({ id: instance.id });
    expect(overview.placed).toBe(false);
    // What the intent form offers for this instance: its workload's Supported Intents.
    expect(overview.supportedIntents).toEqual(["Availability"]);
    expect(overview.intents).toEqual([
      expect.objectContaining({
        intentType: "Availability",
        targets: [{ targetName: "availability", targetCondition: "IS_GREATER_THAN", targetValue: 95 }],
      }),
    ]);
    expect(await caller(provider).instance.tree({ id: instance.id })).toBeNull();
    expect(await caller(provider).instance.placement({ id: instance.id })).toBeNull();

    await orchestrate(instance.id);
    const deployed = await caller(provider).instance.get({ id: instance.id });
    expect(deployed.status).toBe("DEPLOYED");
    expect(["staging-onelab", "nemo-smart-farming"]).toContain(deployed.cluster?.name);
    const why = await caller(provider).instance.placement({ id: instance.id });
    expect(why?.winner).toBe(deployed.cluster?.name);
    expect(why?.filtered.find((f) => f.cluster === "dev-onelab")?.plugin).toBe("Availability");
    const timeline = await caller(provider).instance.timeline({ id: instance.id });
    expect(timeline.map((e) => e.type)).toEqual(["Deployment", "Placement", "Rendered"]);
    const tree = await caller(provider).instance.tree({ id: instance.id });
    expect(tree?.nodes.filter((n) => n.kind === "Pod")).toHaveLength(2);
    const manifests = await caller(provider).instance.manifests({ id: instance.id });
    expect(manifests.map((m) => m.kind)).toContain("Deployment");
  });

  it("answers invalid input with a message for every field, nested paths included", async () => {
    // Over the wire, as the form receives it: the error formatter's `zodError`, keyed by dotted path.
    const response = await fetchRequestHandler({
      endpoint: "/api/trpc",
      router: appRouter,
      createContext: () => contextFor(db, provider),
      req: new Request(`${BASE}/api/trpc/instance.create`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          json: {
            workloadId,
            releaseName: "Not_A_Label",
            valuesOverride: "a: [1",
            intent: {
              intentType: "Availability",
              targets: [
                { targetName: "availability", targetCondition: "IS_GREATER_THAN", targetValue: "lots" },
              ],
            },
          },
        }),
      }),
    });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as {
      error: { json: { data: { code: string; zodError: { fieldErrors: Record<string, string[]> } } } };
    };
    expect(error.json.data.code).toBe("BAD_REQUEST");
    const { fieldErrors } = error.json.data.zodError;
    expect(Object.keys(fieldErrors).sort()).toEqual([
      "intent.targets.0.targetValue",
      "releaseName",
      "valuesOverride",
    ]);
    expect(fieldErrors["intent.targets.0.targetValue"]?.[0]).toBe("availability takes a number.");
  });

  it("refuses a chart that does not render with the options (422, with the problems)", async () => {
    const error = await rejection(
      caller(provider).instance.create({
        workloadId,
        releaseName: "broken",
        valuesOverride: "ingress:\n  enabled: true\n  hosts: [1]\n",
      }),
    );
    expect(error.code).toBe("UNPROCESSABLE_CONTENT");
    expect(error.message).toMatch(/^The chart does not render with these options \(mychart\/templates\//);
    expect(await db.workloadInstance.count({ where: { releaseName: "broken" } })).toBe(0);
  });
});

describe("instance.list (tRPC)", () => {
  it("filters by workload and status, searches, and scopes to the owner", async () => {
    const a = await caller(provider).instance.create({
      workloadId: otherWorkloadId,
      releaseName: "listed-a",
    });
    await caller(provider).instance.create({ workloadId: otherWorkloadId, releaseName: "listed-b" });
    const byWorkload = await caller(provider).instance.list({ workloadId: otherWorkloadId });
    expect(byWorkload.items.map((i) => i.releaseName).sort()).toEqual(["listed-a", "listed-b"]);
    expect(byWorkload.items[0]).toMatchObject({ workload: "shop 2.0.0", status: "RENDERED", cluster: null });

    await orchestrate(a.id);
    const deployed = await caller(provider).instance.list({
      workloadId: otherWorkloadId,
      status: "DEPLOYED",
    });
    expect(deployed.items.map((i) => i.releaseName)).toEqual(["listed-a"]);
    expect((await caller(provider).instance.list({ search: a.shortId })).items.map((i) => i.id)).toEqual([
      a.id,
    ]);

    expect((await caller(provider2).instance.list({ workloadId: otherWorkloadId })).total).toBe(0);
    expect((await caller(admin).instance.list({ workloadId: otherWorkloadId })).total).toBe(2);
    expect((await rejection(caller(infra).instance.list({}))).code).toBe("FORBIDDEN");
  });
});

describe("REST /api/v1/instance/", () => {
  it("creates (201 with its location), lists, reads, explains, dry-runs and deletes", async () => {
    const response = await call(createInstanceRest, provider, {
      method: "POST",
      json: { workloadId, releaseName: "rest-web", intent: availability95 },
    });
    expect(response.status).toBe(201);
    const instance = (await response.json()) as { id: string; status: string; shortId: string };
    expect(response.headers.get("location")).toBe(`/api/v1/instance/${instance.id}/`);
    expect(instance.status).toBe("RENDERED");

    const tree = await call(instanceTreeRest, provider, {
      id: instance.id,
      path: `/api/v1/instance/${instance.id}/tree/`,
    });
    expect(tree.status).toBe(409);
    const notYet = await call(instancePlacementRest, provider, { id: instance.id });
    expect(notYet.status).toBe(404);
    const dryRun = await call(instanceDryRunRest, provider, { id: instance.id, method: "POST" });
    expect(dryRun.status).toBe(200);
    const wouldGo = (await dryRun.json()) as { winner: string };

    await orchestrate(instance.id);
    const read = (await (await call(getInstanceRest, provider, { id: instance.id })).json()) as {
      status: string;
      cluster: { name: string };
    };
    expect(read.status).toBe("DEPLOYED");
    expect(read.cluster.name).toBe(wouldGo.winner);

    const placement = (await (await call(instancePlacementRest, provider, { id: instance.id })).json()) as {
      winner: string;
      filtered: Array<{ cluster: string; plugin: string; message: string }>;
      scores: Array<{ cluster: string; perPrioritizer: Record<string, number> }>;
    };
    expect(placement.winner).toBe(read.cluster.name);
    expect(placement.filtered.find((f) => f.cluster === "dev-onelab")).toMatchObject({
      plugin: "Availability",
    });
    expect(Object.keys(placement.scores[0]?.perPrioritizer ?? {})).toContain("GreenEnergy");

    const events = (await (await call(instanceTimelineRest, provider, { id: instance.id })).json()) as Array<{
      id: string;
      type: string;
      message: string;
    }>;
    expect(events.map((e) => e.type)).toEqual(["Deployment", "Placement", "Rendered"]);
    expect(events[0]?.message).toBe(`Deployment on cluster ${read.cluster.name}`);
    expect(typeof events[0]?.id).toBe("string");

    const liveTree = await call(instanceTreeRest, provider, { id: instance.id });
    expect(liveTree.status).toBe(200);
    const nodes = ((await liveTree.json()) as { nodes: Array<{ kind: string }> }).nodes.map((n) => n.kind);
    expect(nodes).toEqual(expect.arrayContaining(["Deployment", "ReplicaSet", "Pod"]));

    const list = await call(listInstancesRest, provider, {
      path: `/api/v1/instance/?workloadId=${workloadId}&status=DEPLOYED&pageSize=25&search=rest-web`,
    });
    expect(list.status).toBe(200);
    const page = (await list.json()) as { items: Array<{ id: string }>; pageSize: number };
    expect(page.items.map((i) => i.id)).toEqual([instance.id]);
    expect(page.pageSize).toBe(25);

    const deleted = await call(deleteInstanceRest, provider, { id: instance.id, method: "DELETE" });
    expect(deleted.status).toBe(202);
    expect(((await deleted.json()) as { status: string }).status).toBe("DELETING");
    await orchestrate(instance.id);
    expect(
      ((await (await call(getInstanceRest, provider, { id: instance.id })).json()) as { status: string })
        .status,
    ).toBe("DELETED");
    expect((await call(instanceTreeRest, provider, { id: instance.id })).status).toBe(409);
  });

  it("reports desired replicas from the manifests and ready replicas from the cluster (issue 13, bug 4)", async () => {
    const response = await call(createInstanceRest, provider, {
      method: "POST",
      json: { workloadId, releaseName: "rest-scaled", valuesOverride: "replicaCount: 3\n" },
    });
    expect(response.status).toBe(201);
    const instance = (await response.json()) as { id: string; replicas: number; readyReplicas?: unknown };
    expect(instance.replicas).toBe(3);
    const before = (await (await call(getInstanceRest, provider, { id: instance.id })).json()) as {
      replicas: number;
      readyReplicas: number | null;
    };
    // Not deployed yet: nothing is read from a cluster.
    expect(before).toMatchObject({ replicas: 3, readyReplicas: null });

    await orchestrate(instance.id);
    const read = (await (await call(getInstanceRest, provider, { id: instance.id })).json()) as {
      status: string;
      replicas: number;
      readyReplicas: number | null;
      workloadReplicas: Array<{ kind: string; name: string; desired: number; ready: number | null }>;
    };
    expect(read.status).toBe("DEPLOYED");
    // Ready is what the live tree says (the simulated pods may still be starting).
    const tree = (await (await call(instanceTreeRest, provider, { id: instance.id })).json()) as {
      nodes: Array<{ kind: string; name: string; replicas: { desired: number; ready: number } | null }>;
    };
    const deployment = tree.nodes.find((n) => n.kind === "Deployment");
    expect(deployment?.replicas?.desired).toBe(3);
    const ready = deployment?.replicas?.ready ?? -1;
    expect(read).toMatchObject({ replicas: 3, readyReplicas: ready });
    expect(read.workloadReplicas).toEqual([
      { kind: "Deployment", name: deployment?.name, desired: 3, ready },
    ]);
  });

  it("answers bad input with {error, message, field}", async () => {
    const badName = await call(createInstanceRest, provider, {
      method: "POST",
      json: { workloadId, releaseName: "Web_1" },
    });
    expect(badName.status).toBe(400);
    expect(await badName.json()).toMatchObject({ error: "bad_request", field: "releaseName" });

    const badTarget = await call(createInstanceRest, provider, {
      method: "POST",
      json: {
        workloadId,
        releaseName: "x",
        intent: {
          intentType: "Availability",
          targets: [{ targetName: "speed", targetCondition: "IS_EQUAL_TO", targetValue: 1 }],
        },
      },
    });
    expect(badTarget.status).toBe(400);
    expect(await badTarget.json()).toMatchObject({ field: "intent.targets.0.targetName" });

    const notRendering = await call(createInstanceRest, provider, {
      method: "POST",
      json: { workloadId, releaseName: "x", valuesOverride: "ingress:\n  enabled: true\n  hosts: [1]\n" },
    });
    expect(notRendering.status).toBe(422);
    const body = (await notRendering.json()) as {
      error: string;
      problems: Array<{ file?: string; line?: number }>;
    };
    expect(body.error).toBe("unprocessable_entity");
    expect(body.problems[0]?.file).toMatch(/^mychart\/templates\//);

    const badQuery = await call(listInstancesRest, provider, { path: "/api/v1/instance/?status=SLEEPING" });
    expect(badQuery.status).toBe(400);
    expect(await badQuery.json()).toMatchObject({ field: "status" });

    expect((await call(getInstanceRest, provider, { id: "not-a-uuid" })).status).toBe(404);
    expect((await call(listInstancesRest, null)).status).toBe(401);
    expect((await call(listInstancesRest, infra)).status).toBe(403);
  });

  it("keeps tenants apart: provider2 can neither see nor delete provider's instance; an admin can", async () => {
    const created = await call(createInstanceRest, provider, {
      method: "POST",
      json: { workloadId, releaseName: "private" },
    });
    const { id } = (await created.json()) as { id: string };

    expect((await call(getInstanceRest, provider2, { id })).status).toBe(404);
    expect((await call(instanceTimelineRest, provider2, { id })).status).toBe(404);
    expect((await call(instancePlacementRest, provider2, { id })).status).toBe(404);
    const stolen = await call(deleteInstanceRest, provider2, { id, method: "DELETE" });
    expect(stolen.status).toBe(404);
    expect(await stolen.json()).toEqual({ error: "not_found", message: "No such workload instance." });
    const theirs = (await (
      await call(listInstancesRest, provider2, { path: "/api/v1/instance/?search=private" })
    ).json()) as {
      total: number;
    };
    expect(theirs.total).toBe(0);
    expect((await rejection(caller(provider2).instance.get({ id }))).code).toBe("NOT_FOUND");
    // provider2 cannot instantiate provider's workload either.
    const foreign = await call(createInstanceRest, provider2, {
      method: "POST",
      json: { workloadId, releaseName: "steal" },
    });
    expect(foreign.status).toBe(404);
    expect(await foreign.json()).toMatchObject({ field: "workloadId" });

    expect((await call(getInstanceRest, admin, { id })).status).toBe(200);
    const removed = await call(deleteInstanceRest, admin, { id, method: "DELETE" });
    expect(removed.status).toBe(202);
    expect((await caller(provider).instance.get({ id })).status).toBe("DELETING");
  });

  it("is described in the OpenAPI document", () => {
    const doc = openApiDocument() as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/api/v1/instance/",
        "/api/v1/instance/{id}/",
        "/api/v1/instance/{id}/timeline/",
        "/api/v1/instance/{id}/tree/",
        "/api/v1/instance/{id}/placement/",
        "/api/v1/instance/{id}/placement/dry-run/",
      ]),
    );
    expect(Object.keys(doc.paths["/api/v1/instance/"] ?? {})).toEqual(["get", "post"]);
  });
});

describe("REST changes and retries (issue 13)", () => {
  it("answers the intents POST created, previews, upgrades and scales with PATCH, and retries a FAILED one", async () => {
    const response = await call(createInstanceRest, provider, {
      method: "POST",
      json: {
        workloadId,
        releaseName: "rest-change",
        // No condition: the catalogue's default for availability (at least).
        intent: { intentType: "Availability", targets: [{ targetName: "availability", targetValue: 95 }] },
      },
    });
    expect(response.status).toBe(201);
    const created = (await response.json()) as { id: string; intents: { id: string; intentType: string }[] };
    const stored = await db.intent.findMany({ where: { instanceId: created.id }, select: { id: true } });
    expect(created.intents).toEqual([{ id: stored[0]!.id, intentType: "Availability" }]);
    await orchestrate(created.id);
    const id = created.id;
    const patchPath = `/api/v1/instance/${id}/`;

    const preview = await call(changeInstanceRest, provider, {
      id,
      method: "PATCH",
      path: `${patchPath}?dryRun=true`,
      json: { valuesOverride: "replicaCount: 2\n" },
    });
    expect(preview.status).toBe(200);
    const diff = (await preview.json()) as {
      changed: boolean;
      diff: { objects: { kind: string; change: string }[] };
    };
    expect(diff.changed).toBe(true);
    expect(diff.diff.objects).toEqual([expect.objectContaining({ kind: "Deployment", change: "changed" })]);
    expect((await caller(provider).instance.get({ id })).status).toBe("DEPLOYED");

    const upgrade = await call(changeInstanceRest, provider, {
      id,
      method: "PATCH",
      json: { valuesOverride: "replicaCount: 2\n", workloadId: otherWorkloadId },
    });
    expect(upgrade.status).toBe(202);
    expect(await upgrade.json()).toMatchObject({
      upgrade: true,
      to: { workloadId: otherWorkloadId, version: "2.0.0" },
      instance: { status: "DEPLOYING", isUpgrade: true },
    });
    await orchestrate(id);
    const read = (await (await call(getInstanceRest, provider, { id })).json()) as {
      status: string;
      replicas: number;
      workloadReplicas: { kind: string; name: string; desired: number; ready: number }[];
    };
    expect(read).toMatchObject({ status: "DEPLOYED", replicas: 2 });
    const deployment = read.workloadReplicas[0]!;

    const scale = await call(changeInstanceRest, provider, {
      id,
      method: "PATCH",
      json: { replicas: [{ kind: "Deployment", name: deployment.name, replicas: 3 }] },
    });
    expect(scale.status).toBe(202);
    await orchestrate(id);
    const scaled = (await (await call(getInstanceRest, provider, { id })).json()) as typeof read;
    expect(scaled).toMatchObject({ replicas: 3 });
    expect(scaled.workloadReplicas[0]).toMatchObject({ name: deployment.name, desired: 3 });

    const bad = await call(changeInstanceRest, provider, {
      id,
      method: "PATCH",
      json: { replicas: [{ kind: "Deployment", name: deployment.name, replicas: 1000 }] },
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: "replicas.0.replicas" });
    const foreign = await call(changeInstanceRest, provider2, {
      id,
      method: "PATCH",
      json: { replicas: [{ kind: "Deployment", name: deployment.name, replicas: 2 }] },
    });
    expect(foreign.status).toBe(404);

    const retryPath = `/api/v1/instance/${id}/retry/`;
    const notFailed = await call(retryInstanceRest, provider, { id, method: "POST", path: retryPath });
    expect(notFailed.status).toBe(409);
    const failing = await caller(provider).instance.create({
      workloadId,
      releaseName: "rest-retry",
      intent: { ...availability95, targets: [{ ...availability95.targets[0]!, targetValue: 99.95 }] },
    });
    await orchestrate(failing.id);
    expect((await caller(provider).instance.get({ id: failing.id })).status).toBe("FAILED");
    expect(
      (await call(retryInstanceRest, provider2, { id: failing.id, method: "POST", path: retryPath })).status,
    ).toBe(404);
    const retried = await call(retryInstanceRest, provider, {
      id: failing.id,
      method: "POST",
      path: retryPath,
    });
    expect(retried.status).toBe(202);
    expect(await retried.json()).toMatchObject({ status: "RENDERED", statusReason: null });
    // tRPC answers the same domain rule.
    expect((await rejection(caller(provider).instance.retry({ id: failing.id }))).code).toBe("CONFLICT");
  });

  it("is described in the OpenAPI document", () => {
    const doc = openApiDocument() as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths["/api/v1/instance/{id}/"] ?? {})).toEqual(
      expect.arrayContaining(["get", "patch", "delete"]),
    );
    expect(Object.keys(doc.paths["/api/v1/instance/{id}/retry/"] ?? {})).toEqual(["parameters", "post"]);
  });
});
