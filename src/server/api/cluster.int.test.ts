import { randomBytes } from "node:crypto";
import { type TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { createCaller } from "@/server/api/root";
import {
  clusterMetricsRest,
  deregisterClusterRest,
  getClusterRest,
  listClustersRest,
  registerClusterRest,
} from "@/server/api/v1/cluster";
import { Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth/session";
import { clusterJoinRequestSchema } from "@/server/bus";
import { createDb, type Db } from "@/server/db/client";
import {
  makeRegistrationForm,
  simKubeconfig as simKubeconfigWithToken,
} from "@/server/testing/cluster-factories";
import { contextFor, makeInstance, makeUser, makeWorkload, uniq } from "@/server/testing/factories";
import { trpcRejection } from "@/server/testing/rejection";
import { sessionCookie } from "@/server/testing/session-cookie";

/**
 * Resource Provisioning through both doors (tRPC for the console, REST for
 * scripts): the same domain functions, the same rules, and never the kubeconfig.
 */

let db: Db;
let admin: SessionUser;
let infra: SessionUser;
let infra2: SessionUser;
let provider: SessionUser;
let nobody: SessionUser;
const tag = uniq("cl");
/** The bearer token inside every kubeconfig of this file: it must never come back. */
const SECRET = `s3cr3t-${randomBytes(12).toString("hex")}`;

const caller = (user: SessionUser) => createCaller(contextFor(db, user));

const simKubeconfig = (cluster: string) => simKubeconfigWithToken(cluster, SECRET);
const form = (name: string, overrides: Record<string, unknown> = {}) =>
  makeRegistrationForm(name, overrides, SECRET);

/** Everything any answer of this file carried, to prove the kubeconfig never left. */
const answers: string[] = [];
function remember<T>(value: T): T {
  answers.push(JSON.stringify(value));
  return value;
}

/** As trpcRejection, keeping the message with the answers checked for secrets. */
async function rejection(promise: Promise<unknown>): Promise<TRPCError> {
  const error = await trpcRejection(promise);
  answers.push(JSON.stringify({ message: error.message }));
  return error;
}

async function cookieFor(user: SessionUser): Promise<string> {
  const token = await sessionCookie(user);
  return `next-auth.session-token=${token}`;
}

interface Call {
  method?: string;
  path: string;
  as: SessionUser | null;
  json?: unknown;
  body?: BodyInit;
  id?: string;
}

/** Calls a REST handler as Next would (the route's dynamic segment in `params`). */
async function rest(
  handler: (request: Request, context?: { params: Promise<Record<string, string>> }) => Promise<Response>,
  call: Call,
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const headers: Record<string, string> = {};
  if (call.as) headers.cookie = await cookieFor(call.as);
  // What the browser adds to the console's own requests (a cookie session's mutations need it).
  if (call.as) headers.origin = "http://localhost:3999";
  let body = call.body;
  if (call.json !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(call.json);
  }
  // As a client on the wire sends it: a text body comes with its length.
  if (typeof body === "string") headers["content-length"] = String(Buffer.byteLength(body));
  const request = new Request(`http://localhost:3999${call.path}`, {
    method: call.method ?? "GET",
    headers,
    body,
  });
  const response = await handler(request, {
    params: Promise.resolve<Record<string, string>>(call.id ? { id: call.id } : {}),
  });
  const text = await response.text();
  answers.push(text);
  return {
    status: response.status,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    headers: response.headers,
  };
}

beforeAll(async () => {
  db = createDb(process.env.DATABASE_URL);
  admin = await makeUser(db, [Role.NEMO_ADMIN]);
  infra = await makeUser(db, [Role.INFRASTRUCTURE_PROVIDER]);
  infra2 = await makeUser(db, [Role.INFRASTRUCTURE_PROVIDER]);
  provider = await makeUser(db, [Role.SERVICE_PROVIDER]);
  nobody = await makeUser(db, []);
});

afterAll(async () => {
  // Whatever was asked, the kubeconfig's token and its ciphertext field never came back.
  expect(answers.length).toBeGreaterThan(20);
  for (const answer of answers) {
    expect(answer).not.toContain(SECRET);
    expect(answer).not.toMatch(/kubeconfigCipher|kubeconfig_cipher|BEGIN|apiVersion: v1/);
  }
  await db.$disconnect();
});

describe("registering a cluster through tRPC", () => {
  it("saves it PENDING and queues the MO's join request in the outbox", async () => {
    const name = `${tag}-trpc`;
    const cluster = remember(await caller(infra).cluster.register(form(name)));
    expect(cluster).toMatchObject({
      name,
      status: "PENDING",
      owner: infra.username,
      managedApi: `sim://${name}`,
    });
    expect(cluster.shortId).toBe(cluster.id.replace(/-/g, "").slice(0, 7));

    const stored = await db.cluster.findUniqueOrThrow({ where: { id: cluster.id } });
    const outbox = await db.outboxMessage.findUniqueOrThrow({ where: { id: stored.joinOperationId! } });
    expect(outbox.status).toBe("PENDING");
    expect(clusterJoinRequestSchema.parse(outbox.payload)).toMatchObject({
      cluster_name: name,
      cpus: 8,
      memory: 16 * 1024,
      availability: "99.9%",
    });
    expect(JSON.stringify(outbox.payload)).not.toContain(SECRET);
  });

  it("answers CONFLICT naming the name field for a duplicate name", async () => {
    const name = `${tag}-dup`;
    remember(await caller(infra).cluster.register(form(name)));
    const error = await rejection(caller(infra2).cluster.register(form(name)));
    expect(error.code).toBe("CONFLICT");
    expect(error.message).toContain("already registered");
    // The error formatter hands the form the field to put the message on.
    const shaped = await createCaller(contextFor(db, infra))
      .cluster.register(form(name))
      .catch((e: unknown) => e);
    expect((shaped as TRPCError).cause).toMatchObject({ kind: "conflict", field: "name" });
  });

  it("flattens every bad field's message for the form", async () => {
    const error = await rejection(
      caller(infra).cluster.register(
        form(`${tag}-bad`, { cpus: 0, availabilityPct: 97, managedApi: "not a url", kubeconfig: "::" }),
      ),
    );
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.cause).toBeInstanceOf(ZodError);
    const issues = (error.cause as ZodError).issues.map((i) => i.path.join("."));
    expect(issues).toEqual(expect.arrayContaining(["cpus", "availabilityPct", "managedApi", "kubeconfig"]));
  });

  it("forbids service providers and users without a role", async () => {
    expect((await rejection(caller(provider).cluster.register(form(`${tag}-sp`)))).code).toBe("FORBIDDEN");
    expect((await rejection(caller(nobody).cluster.register(form(`${tag}-no`)))).code).toBe("FORBIDDEN");
    expect(await db.cluster.count({ where: { name: { in: [`${tag}-sp`, `${tag}-no`] } } })).toBe(0);
  });
});

describe("tenant isolation between infrastructure providers", () => {
  let mine: string;
  let theirs: string;
  beforeAll(async () => {
    mine = (await caller(infra).cluster.register(form(`${tag}-iso-mine`))).id;
    theirs = (await caller(infra2).cluster.register(form(`${tag}-iso-theirs`))).id;
  });

  it("lists only the provider's own clusters, even when searching for another's", async () => {
    const page = remember(await caller(infra).cluster.list({ search: `${tag}-iso` }));
    expect(page.items.map((c) => c.name)).toEqual([`${tag}-iso-mine`]);
    expect(remember(await caller(infra).cluster.list({ search: theirs })).total).toBe(0);
  });

  it("answers NOT_FOUND for someone else's cluster: get, properties, metrics, deregister", async () => {
    for (const call of [
      () => caller(infra).cluster.get({ id: theirs }),
      () => caller(infra).cluster.properties({ id: theirs }),
      () => caller(infra).cluster.metrics({ clusterId: theirs, range: "hour" }),
      () => caller(infra).cluster.deregister({ id: theirs }),
    ]) {
      expect((await rejection(call())).code).toBe("NOT_FOUND");
    }
    expect((await db.cluster.findUniqueOrThrow({ where: { id: theirs } })).status).toBe("PENDING");
    const rest404 = await rest(deregisterClusterRest, {
      method: "DELETE",
      path: "/x",
      as: infra,
      id: theirs,
    });
    expect(rest404).toMatchObject({ status: 404, body: { error: "not_found" } });
    expect((await rest(getClusterRest, { path: "/x", as: infra, id: theirs })).status).toBe(404);
  });

  it("lets admins and service providers see every cluster; a service provider manages none", async () => {
    expect(remember(await caller(admin).cluster.list({ search: `${tag}-iso` })).total).toBe(2);
    const seen = remember(await caller(provider).cluster.list({ search: `${tag}-iso` }));
    expect(seen.total).toBe(2);
    const asProvider = remember(await caller(provider).cluster.properties({ id: mine }));
    expect(asProvider.mo).toMatchObject({
      cluster_name: `${tag}-iso-mine`,
      memory: 16 * 1024,
      green_energy: "40%",
    });
    expect(asProvider.capacity.cpuMilli).toBe(8000);
    expect((await rejection(caller(provider).cluster.deregister({ id: mine }))).code).toBe("FORBIDDEN");
    expect(remember(await caller(admin).cluster.properties({ id: theirs })).cluster.name).toBe(
      `${tag}-iso-theirs`,
    );
  });

  it("deregisters the provider's own cluster, but not while an instance runs on it", async () => {
    const busy = (await caller(infra).cluster.register(form(`${tag}-busy`))).id;
    const workload = await makeWorkload(db, provider);
    const instance = await makeInstance(db, provider, workload.id, busy);
    await db.workloadInstance.update({ where: { id: instance.id }, data: { status: "DEPLOYED" } });
    const refused = await rejection(caller(infra).cluster.deregister({ id: busy }));
    expect(refused.code).toBe("CONFLICT");
    expect(refused.message).toContain("1 instance(s)");

    const done = remember(await caller(infra).cluster.deregister({ id: mine }));
    expect(done.status).toBe("DEREGISTERED");
    const stored = await db.cluster.findUniqueOrThrow({ where: { id: mine } });
    expect(stored.kubeconfigCipher).toBeNull();
  });
});

describe("REST /api/v1/cluster/", () => {
  it("registers from JSON: 201, PENDING, its location, and a join request", async () => {
    const name = `${tag}-rest`;
    const response = await rest(registerClusterRest, {
      method: "POST",
      path: "/api/v1/cluster/",
      as: infra,
      json: form(name),
    });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ name, status: "PENDING" });
    expect(response.headers.get("location")).toBe(`/api/v1/cluster/${String(response.body.id)}/`);
    const stored = await db.cluster.findUniqueOrThrow({ where: { name } });
    expect(await db.outboxMessage.count({ where: { id: stored.joinOperationId! } })).toBe(1);
  });

  it("registers from multipart with the kubeconfig as a file", async () => {
    const name = `${tag}-multi`;
    const body = new FormData();
    for (const [key, value] of Object.entries(form(name))) {
      if (key !== "kubeconfig") body.set(key, String(value));
    }
    body.set("kubeconfig", new Blob([simKubeconfig(name)], { type: "application/yaml" }), "kubeconfig.yaml");
    const response = await rest(registerClusterRest, {
      method: "POST",
      path: "/api/v1/cluster/",
      as: infra,
      body,
    });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ name, status: "PENDING", cpus: 8, availabilityPct: 99.9 });
  });

  it("answers 409 with the field for a duplicate, 400 with the field for a bad one", async () => {
    const name = `${tag}-rest`;
    const duplicate = await rest(registerClusterRest, {
      method: "POST",
      path: "/",
      as: infra2,
      json: form(name),
    });
    expect(duplicate).toMatchObject({ status: 409, body: { error: "conflict", field: "name" } });
    const bad = await rest(registerClusterRest, {
      method: "POST",
      path: "/",
      as: infra,
      json: form(`${tag}-bad-rest`, { greenEnergyPct: 30 }),
    });
    expect(bad).toMatchObject({
      status: 400,
      body: {
        error: "bad_request",
        field: "greenEnergyPct",
        message: expect.stringContaining("Green Energy") as unknown,
      },
    });
    // A bare string body is text/plain, which a cross-site form can send: refused for a cookie session.
    const notJson = await rest(registerClusterRest, { method: "POST", path: "/", as: infra, body: "{" });
    expect(notJson).toMatchObject({ status: 415, body: { error: "unsupported_media_type" } });
  });

  it("answers 401 without a session, 403 for a service provider registering or a user without a role", async () => {
    expect((await rest(listClustersRest, { path: "/", as: null })).status).toBe(401);
    const sp = await rest(registerClusterRest, {
      method: "POST",
      path: "/",
      as: provider,
      json: form(`${tag}-sp`),
    });
    expect(sp).toMatchObject({ status: 403, body: { error: "forbidden" } });
    expect((await rest(listClustersRest, { path: "/", as: nobody })).status).toBe(403);
  });

  it("lists with paging, sorting and search from the query string", async () => {
    const page = await rest(listClustersRest, {
      path: `/api/v1/cluster/?search=${tag}-&sort=name&direction=desc&pageSize=10&page=1`,
      as: admin,
    });
    expect(page.status).toBe(200);
    const names = (page.body.items as Array<{ name: string }>).map((c) => c.name);
    expect(names.length).toBeGreaterThan(3);
    expect(names).toEqual([...names].sort().reverse());
    const bad = await rest(listClustersRest, { path: "/api/v1/cluster/?pageSize=7", as: admin });
    expect(bad).toMatchObject({ status: 400, body: { field: "pageSize" } });
  });

  it("gets one cluster, and 404 for a malformed or unknown id", async () => {
    const id = (await db.cluster.findUniqueOrThrow({ where: { name: `${tag}-rest` } })).id;
    expect(await rest(getClusterRest, { path: "/", as: provider, id })).toMatchObject({
      status: 200,
      body: { id, name: `${tag}-rest` },
    });
    expect((await rest(getClusterRest, { path: "/", as: admin, id: "nope" })).status).toBe(404);
    expect(
      (await rest(getClusterRest, { path: "/", as: admin, id: "00000000-0000-4000-8000-000000000000" }))
        .status,
    ).toBe(404);
  });
});

describe("cluster metrics", () => {
  it("returns the samples of each range, oldest first, and the latest for the live values", async () => {
    const cluster = await caller(infra).cluster.register(form(`${tag}-metrics`));
    const now = Date.now();
    const ago = (ms: number) => new Date(now - ms);
    await db.clusterMetricSample.createMany({
      data: [
        { at: ago(30 * 3_600_000), cpu: 100 }, // older than a day: in no range
        { at: ago(5 * 3_600_000), cpu: 200 }, // day
        { at: ago(30 * 60_000), cpu: 300 }, // day, hour
        // Over four minutes apart, so the day's four-minute buckets keep them apart.
        { at: ago(4.75 * 60_000), cpu: 400 }, // day, hour, live
        { at: ago(15_000), cpu: 500 }, // day, hour, live
      ].map(({ at, cpu }) => ({
        clusterId: cluster.id,
        sampledAt: at,
        cpuUsageMilli: cpu,
        memoryUsagePct: cpu / 10,
        diskUsagePct: 1.5,
      })),
    });
    const cpuOf = async (range: "live" | "hour" | "day") => {
      const metrics = remember(await caller(infra).cluster.metrics({ clusterId: cluster.id, range }));
      expect(metrics.capacity.cpuMilli).toBe(8000);
      expect(metrics.latest).toMatchObject({ cpuUsageMilli: 500, memoryUsagePct: 50 });
      return metrics.points.map((p) => p.cpuUsageMilli);
    };
    expect(await cpuOf("live")).toEqual([400, 500]);
    expect(await cpuOf("hour")).toEqual([300, 400, 500]);
    expect(await cpuOf("day")).toEqual([200, 300, 400, 500]);

    const viaRest = await rest(clusterMetricsRest, { path: "/x?range=hour", as: provider, id: cluster.id });
    expect(viaRest.status).toBe(200);
    expect((viaRest.body.points as Array<{ cpuUsageMilli: number }>).map((p) => p.cpuUsageMilli)).toEqual([
      300, 400, 500,
    ]);
    const badRange = await rest(clusterMetricsRest, { path: "/x?range=week", as: provider, id: cluster.id });
    expect(badRange).toMatchObject({ status: 400, body: { field: "range" } });
  });

  it("averages samples into buckets so a day stays a few hundred points", async () => {
    const cluster = await caller(infra).cluster.register(form(`${tag}-dense`));
    const now = Date.now();
    // One sample per second for ten minutes: 600 samples.
    await db.clusterMetricSample.createMany({
      data: Array.from({ length: 600 }, (_, i) => ({
        clusterId: cluster.id,
        sampledAt: new Date(now - i * 1000),
        cpuUsageMilli: 1000,
        memoryUsagePct: 20,
        diskUsagePct: 2,
      })),
    });
    const day = await caller(infra).cluster.metrics({ clusterId: cluster.id, range: "day" });
    expect(day.points.length).toBeLessThanOrEqual(4);
    expect(day.points.reduce((sum, p) => sum + p.samples, 0)).toBe(600);
    expect(day.points.every((p) => p.cpuUsageMilli === 1000)).toBe(true);
    const times = day.points.map((p) => p.sampledAt.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const empty = await caller(infra).cluster.metrics({
      clusterId: (await caller(infra).cluster.register(form(`${tag}-quiet`))).id,
      range: "live",
    });
    expect(empty).toMatchObject({ points: [], latest: null });
  });
});
