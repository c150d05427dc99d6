import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type http from "node:http";
import { Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth/session";
import {
  fixture,
  startFakeApiServer,
  type FakeApiServer,
} from "@/server/clusters/kubernetes/testing/fake-api-server";
import { db as processDb, type Db } from "@/server/db";
import { openLogStreams, POD_LOG_STREAMS_PER_USER } from "@/server/instances";
import { sealSecret } from "@/server/secrets";
import { makeCluster, makeInstance, makeUser, makeWorkload } from "@/server/testing/factories";
import { sessionCookie } from "@/server/testing/session-cookie";
import { instancePodLogStreamRest } from "./instance-inspection";
import { openApiDocument } from "./openapi";

/*
 * GET /api/v1/instance/{id}/pods/{pod}/logs/stream/ end to end: the route
 * handler, the domain's checks, and the kubernetes driver holding a log
 * follow open on a stand-in API server. The stand-in shows what reaches the
 * cluster: nothing for a refused caller, and a closed connection when the
 * client goes away.
 */
const BASE = "http://localhost:3999";
const POD = "web-7c9d8f6b5-2xkqp";
let db: Db;
let api: FakeApiServer;
let owner: SessionUser;
let other: SessionUser;
let noRole: SessionUser;
let instanceId: string;
let namespace: string;
const cookies = new Map<string, string>();
/** The open log answers the stand-in holds, newest last. */
let held: Array<{ res: http.ServerResponse; closed: boolean }> = [];

function get(user: SessionUser | null, query = "", signal?: AbortSignal, id = instanceId) {
  const headers = new Headers();
  if (user) headers.set("cookie", cookies.get(user.id) ?? "");
  const request = new Request(`${BASE}/api/v1/instance/${id}/pods/${POD}/logs/stream/${query}`, {
    headers,
    signal,
  });
  return instancePodLogStreamRest(request, { params: Promise.resolve({ id, pod: POD }) });
}

/** Reads Server-Sent Events off a body until `count` events came. */
async function readEvents(reader: ReadableStreamDefaultReader<Uint8Array>, count: number) {
  const decoder = new TextDecoder();
  const events: Array<{ event: string; data: unknown }> = [];
  let text = "";
  while (events.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = text.indexOf("\n\n")) >= 0) {
      const block = text.slice(0, end);
      text = text.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event && data) events.push({ event, data: JSON.parse(data) as unknown });
    }
  }
  return events;
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((resolve) => setImmediate(resolve));
  expect(check()).toBe(true);
}

const logRequests = () => api.calls().filter((c) => c.path.endsWith("/log"));

beforeAll(async () => {
  db = processDb();
  api = await startFakeApiServer();
  owner = await makeUser(db, [Role.SERVICE_PROVIDER]);
  other = await makeUser(db, [Role.SERVICE_PROVIDER]);
  noRole = await makeUser(db, []);
  const infra = await makeUser(db, [Role.INFRASTRUCTURE_PROVIDER]);
  for (const user of [owner, other, noRole])
    cookies.set(user.id, `next-auth.session-token=${await sessionCookie(user)}`);
  // A real (kubernetes-driver) cluster whose API server is the stand-in.
  const cluster = await makeCluster(db, infra);
  const sealed = sealSecret(api.kubeconfig());
  await db.cluster.update({
    where: { id: cluster.id },
    data: {
      status: "OK",
      managedApi: api.url,
      kubeconfigCipher: sealed.cipher,
      kubeconfigSha256: sealed.contentId,
    },
  });
  const workload = await makeWorkload(db, owner);
  const instance = await makeInstance(db, owner, workload.id, cluster.id);
  await db.workloadInstance.update({ where: { id: instance.id }, data: { status: "DEPLOYED" } });
  instanceId = instance.id;
  namespace = instance.namespace;
  // The recorded pod, labelled for this instance.
  const pod = fixture("pod-web.json") as { metadata: { labels: Record<string, string> } };
  pod.metadata.labels["nemo.eu/instance-id"] = instanceId;
  api.on("GET", `/api/v1/namespaces/${namespace}/pods/${POD}`, { status: 200, body: pod });
  api.on("GET", `/api/v1/namespaces/${namespace}/pods/${POD}/log`, {
    status: 200,
    stream: (res, closed) => {
      const entry = { res, closed: false };
      held.push(entry);
      void closed.then(() => (entry.closed = true));
      res.write("2025-05-29T11:00:06.5Z first line\n2025-05-29T11:00:07Z sec");
    },
  });
});

beforeEach(() => {
  held = [];
  api.requests.length = 0;
});

afterAll(async () => {
  await api.close();
});

describe("REST /api/v1/instance/{id}/pods/{pod}/logs/stream/", () => {
  it("streams the owner's pod log as Server-Sent Events, lines as the cluster sends them", async () => {
    const response = await get(owner, "?tailLines=10");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("no-store, no-transform");
    const reader = response.body!.getReader();
    expect(await readEvents(reader, 2)).toEqual([
      {
        event: "open",
        data: { container: "web", containers: ["web", "log-shipper", "migrate"], notice: null },
      },
      {
        event: "lines",
        data: {
          lines: [{ timestamp: "2025-05-29T11:00:06.5Z", text: "first line" }],
          cursor: "2025-05-29T11:00:06.5Z",
        },
      },
    ]);
    expect(logRequests()[0]?.query).toEqual({
      follow: "true",
      timestamps: "true",
      container: "web",
      tailLines: "10",
    });
    // The rest of the half-sent line, then the cluster ends the follow.
    held[0]!.res.end("ond line\n");
    expect(await readEvents(reader, 2)).toEqual([
      {
        event: "lines",
        data: {
          lines: [{ timestamp: "2025-05-29T11:00:07Z", text: "second line" }],
          cursor: "2025-05-29T11:00:07Z",
        },
      },
      { event: "end", data: { reason: "ended", message: null } },
    ]);
    expect((await reader.read()).done).toBe(true);
    await until(() => openLogStreams(owner.id) === 0);
  });

  it("closes the cluster connection when the client goes away (body cancelled or request aborted)", async () => {
    const response = await get(owner);
    const reader = response.body!.getReader();
    await readEvents(reader, 2);
    expect(openLogStreams(owner.id)).toBe(1);
    await reader.cancel();
    await until(() => held[0]?.closed === true);
    await until(() => openLogStreams(owner.id) === 0);

    const client = new AbortController();
    const second = await get(owner, "", client.signal);
    await readEvents(second.body!.getReader(), 2);
    client.abort();
    await until(() => held[1]?.closed === true);
    await until(() => openLogStreams(owner.id) === 0);
  });

  it("refuses another tenant (404), a caller without the role (403) and no session (401), before the cluster is asked", async () => {
    const stranger = await get(other);
    expect(stranger.status).toBe(404);
    expect(await stranger.json()).toEqual({ error: "not_found", message: "No such workload instance." });
    expect((await get(noRole)).status).toBe(403);
    expect((await get(null)).status).toBe(401);
    expect(api.requests).toEqual([]);
    const bad = await get(owner, "?tailLines=-3");
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: "tailLines" });
  });

  it(`answers 429 past ${POD_LOG_STREAMS_PER_USER} open follows of one person, and takes one again once one closes`, async () => {
    const readers = [];
    for (let i = 0; i < POD_LOG_STREAMS_PER_USER; i++) {
      const response = await get(owner);
      expect(response.status).toBe(200);
      const reader = response.body!.getReader();
      await readEvents(reader, 1);
      readers.push(reader);
    }
    const refused = await get(owner);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("5");
    expect(await refused.json()).toMatchObject({ error: "too_many_requests" });
    // Someone else is not held back by it.
    const strangerStatus = (await get(other)).status;
    expect(strangerStatus).toBe(404);
    await readers[0]!.cancel();
    await until(() => openLogStreams(owner.id) === POD_LOG_STREAMS_PER_USER - 1);
    const again = await get(owner);
    expect(again.status).toBe(200);
    await again.body!.cancel();
    for (const reader of readers.slice(1)) await reader.cancel();
    await until(() => openLogStreams(owner.id) === 0);
    await until(() => held.every((h) => h.closed));
  });

  it("is in the OpenAPI document as an event stream", () => {
    const doc = openApiDocument() as {
      paths: Record<string, { get?: { responses?: Record<string, { content?: object }> } }>;
    };
    const path = doc.paths["/api/v1/instance/{id}/pods/{pod}/logs/stream/"];
    expect(Object.keys(path?.get?.responses?.["200"]?.content ?? {})).toEqual(["text/event-stream"]);
  });
});
