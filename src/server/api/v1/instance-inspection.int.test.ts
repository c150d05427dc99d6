import { beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "@/server/api/root";
import { Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth/session";
import { driverFor, eventListSchema, INSTANCE_ID_LABEL, podLogsSchema } from "@/server/clusters";
import type { Db } from "@/server/db";
import { REDACTED } from "@/server/secrets";
import { acceptedMychartWorkload, demoDatabaseForFile } from "@/server/testing/demo-database";
import { contextFor, makeUser } from "@/server/testing/factories";
import { deployedInstance } from "@/server/testing/orchestration";
import { trpcRejection } from "@/server/testing/rejection";
import { ConsoleSessions, type RestHandler } from "@/server/testing/rest-session";
import { instanceEventsRest, instanceLiveObjectRest, instancePodLogsRest } from "./instance-inspection";
import { openApiDocument } from "./openapi";

/*
 * The drawer's reads over REST and tRPC, on the shared simulated continuum
 * as the web app runs it. Nothing here depends on how far the pods got: a
 * log answer has lines or says why not, events start at scheduling.
 */
const SECRET_VALUE = Buffer.from("hunter2-db-password").toString("base64");
// The REST handlers use the process-wide client: this file's database.
const demo = demoDatabaseForFile("inspection_api", { processWide: true });
let db: Db;
let owner: SessionUser;
let other: SessionUser;
let instanceId: string;
let pod: string;
const sessions = new ConsoleSessions();

const call = (handler: RestHandler, user: SessionUser, path: string, params: Record<string, string>) =>
  sessions.call(handler, user, path, { params });

beforeAll(async () => {
  db = demo.db;
  owner = await makeUser(db, [Role.SERVICE_PROVIDER]);
  other = await makeUser(db, [Role.SERVICE_PROVIDER]);
  await sessions.signIn(owner, other);
  const workloadId = await acceptedMychartWorkload(db, owner, "inspect-api");
  const instance = await deployedInstance(db, owner, workloadId, "api");
  expect(instance.status).toBe("DEPLOYED");
  instanceId = instance.id;
  const driver = driverFor(db, instance.cluster!);
  await driver.apply(
    instance.namespace,
    [{ apiVersion: "v1", kind: "Secret", metadata: { name: "db" }, data: { password: SECRET_VALUE } }],
    { labels: { [INSTANCE_ID_LABEL]: instanceId, extra: "secret" } },
  );
  const tree = await driver.deploymentTree(instance.namespace);
  pod = tree.nodes.find((n) => n.kind === "Pod")?.name ?? "";
  expect(pod).not.toBe("");
}, 120_000);

describe("REST /api/v1/instance/{id}/pods/{pod}/logs/", () => {
  it("answers the owner with the pod's log (or why it has none yet), and another tenant 404", async () => {
    const path = `/api/v1/instance/${instanceId}/pods/${pod}/logs/?tailLines=20`;
    const response = await call(instancePodLogsRest, owner, path, { id: instanceId, pod });
    expect(response.status).toBe(200);
    const logs = podLogsSchema
      .omit({ podLabels: true })
      .strict()
      .parse(await response.json());
    expect(logs.pod).toBe(pod);
    expect(logs.lines.length > 0 || logs.notice !== null).toBe(true);
    const stranger = await call(instancePodLogsRest, other, path, { id: instanceId, pod });
    expect(stranger.status).toBe(404);
  });

  it("names the field of a bad query with 400", async () => {
    const path = `/api/v1/instance/${instanceId}/pods/${pod}/logs/?tailLines=lots`;
    const response = await call(instancePodLogsRest, owner, path, { id: instanceId, pod });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { field?: string }).field).toBe("tailLines");
    const badPod = await call(
      instancePodLogsRest,
      owner,
      `/api/v1/instance/${instanceId}/pods/Bad_Pod/logs/`,
      {
        id: instanceId,
        pod: "Bad_Pod",
      },
    );
    expect(badPod.status).toBe(400);
    expect(((await badPod.json()) as { field?: string }).field).toBe("pod");
  });
});

describe("REST /api/v1/instance/{id}/events/", () => {
  it("lists the pod's events from its scheduling on", async () => {
    const path = `/api/v1/instance/${instanceId}/events/?kind=Pod&name=${pod}`;
    const response = await call(instanceEventsRest, owner, path, { id: instanceId });
    expect(response.status).toBe(200);
    const list = eventListSchema.parse(await response.json());
    expect(list.events[0]).toMatchObject({ reason: "Scheduled", involvedObject: { kind: "Pod", name: pod } });
    expect((await call(instanceEventsRest, other, path, { id: instanceId })).status).toBe(404);
  });
});

describe("live objects over REST and tRPC", () => {
  it("redact a Secret's values for its owner too, in JSON and YAML", async () => {
    const path = `/api/v1/instance/${instanceId}/objects/Secret/db/`;
    const response = await call(instanceLiveObjectRest, owner, path, {
      id: instanceId,
      kind: "Secret",
      name: "db",
    });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).not.toContain(SECRET_VALUE);
    expect(JSON.parse(text)).toMatchObject({ redacted: true, object: { data: { password: REDACTED } } });
    const viaTrpc = await createCaller(contextFor(db, owner)).instanceInspection.liveObject({
      id: instanceId,
      kind: "Secret",
      name: "db",
    });
    expect(viaTrpc.yaml).toContain(`password: ${REDACTED}`);
    expect(viaTrpc.yaml).not.toContain(SECRET_VALUE);
  });

  it("hide another tenant's objects behind 404 on both", async () => {
    const path = `/api/v1/instance/${instanceId}/objects/Secret/db/`;
    const response = await call(instanceLiveObjectRest, other, path, {
      id: instanceId,
      kind: "Secret",
      name: "db",
    });
    expect(response.status).toBe(404);
    const rejected = await trpcRejection(
      createCaller(contextFor(db, other)).instanceInspection.liveObject({
        id: instanceId,
        kind: "Secret",
        name: "db",
      }),
    );
    expect(rejected.code).toBe("NOT_FOUND");
  });
});

describe("OpenAPI", () => {
  it("documents the three routes with their parameters and answers", () => {
    const paths = (
      openApiDocument() as { paths: Record<string, { get?: { parameters?: Array<{ name: string }> } }> }
    ).paths;
    expect(paths["/api/v1/instance/{id}/pods/{pod}/logs/"]?.get?.parameters?.map((p) => p.name)).toEqual([
      "container",
      "tailLines",
      "sinceCursor",
    ]);
    expect(paths["/api/v1/instance/{id}/events/"]?.get).toBeDefined();
    expect(paths["/api/v1/instance/{id}/objects/{kind}/{name}/"]?.get).toBeDefined();
  });
});
