import { beforeAll, describe, expect, it } from "vitest";
import type { SessionUser } from "@/server/auth/session";
import { type DriverFactory, INSTANCE_ID_LABEL, type ManualClock } from "@/server/clusters";
import type { Db } from "@/server/db";
import { DomainError } from "@/server/errors";
import { REDACTED } from "@/server/secrets";
import { acceptedMychartWorkload, demoDatabaseForFile } from "@/server/testing/demo-database";
import { inspectedInstance } from "@/server/testing/orchestration";
import { createInstance } from "./index";
import { instanceEvents, instanceLiveObject, instancePodLogs } from "./inspection";

// The simulated clusters live in this file's own database; their clock is a manual one, so pods start and
// write log lines when the test says, not when the wall clock gets there.
const demo = demoDatabaseForFile("inspection");
let db: Db;
let owner: SessionUser;
let otherTenant: SessionUser;
let admin: SessionUser;
let clusterOwner: SessionUser;
let otherInfra: SessionUser;
let noRole: SessionUser;
let instanceId: string;
let namespace: string;
let clusterName: string;
let pods: string[];
let clock: ManualClock;
let driverFactory: DriverFactory;
const SECRET_VALUE = Buffer.from("s3cr3t-password").toString("base64");

const as = (user: SessionUser) => ({ db, user, driverFactory });

async function failure(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

beforeAll(async () => {
  db = demo.db;
  const inspected = await inspectedInstance(db, {
    seed: 11,
    workload: "inspect",
    releaseName: "shop",
    valuesOverride: "replicaCount: 2\n",
  });
  ({ owner, otherTenant, admin, clusterOwner, otherInfra, noRole, clock, driverFactory } = inspected);
  const { instance, driver } = inspected;
  instanceId = instance.id;
  namespace = instance.namespace;
  clusterName = instance.cluster.name;
  // A Secret of the instance (as a chart would render one), and an object labelled for another instance.
  await driver.apply(
    namespace,
    [
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: {
          name: "db-credentials",
          annotations: {
            "kubectl.kubernetes.io/last-applied-configuration": `{"data":{"password":"${SECRET_VALUE}"}}`,
          },
        },
        data: { password: SECRET_VALUE },
        stringData: { user: "shop" },
      },
    ],
    { labels: { [INSTANCE_ID_LABEL]: instanceId, extra: "secret" } },
  );
  await driver.apply(
    namespace,
    [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "foreign" }, data: { a: "b" } }],
    { labels: { [INSTANCE_ID_LABEL]: "00000000-0000-4000-8000-000000000000" } },
  );
  clock.advance(60_000);
  const tree = await driver.deploymentTree(namespace);
  pods = tree.nodes.filter((n) => n.kind === "Pod").map((n) => n.name);
  expect(pods).toHaveLength(2);
}, 120_000);

describe("pod logs of an instance", () => {
  it("shows the owner the tail of the pod's container, and follows it from the cursor", async () => {
    const pod = pods[0] ?? "";
    const logs = await instancePodLogs(as(owner), { id: instanceId, pod, tailLines: 30 });
    expect(logs).toMatchObject({ cluster: clusterName, namespace, pod, notice: null, truncated: false });
    expect(logs.containers).toEqual([logs.container]);
    expect(logs.lines).toHaveLength(30);
    expect("podLabels" in logs).toBe(false);
    const again = await instancePodLogs(as(owner), { id: instanceId, pod, sinceCursor: logs.cursor ?? "" });
    expect(again.lines).toEqual([]);
    clock.advance(15_000);
    const next = await instancePodLogs(as(owner), { id: instanceId, pod, sinceCursor: logs.cursor ?? "" });
    expect(next.lines.length).toBeGreaterThan(0);
    expect(Date.parse(next.lines[0]?.timestamp ?? "")).toBeGreaterThan(Date.parse(logs.cursor ?? ""));
  });

  it("is readable by admins and the provider of the instance's cluster, and by no one else", async () => {
    const pod = pods[1] ?? "";
    for (const reader of [admin, clusterOwner])
      expect((await instancePodLogs(as(reader), { id: instanceId, pod })).lines.length).toBeGreaterThan(0);
    for (const stranger of [otherTenant, otherInfra])
      expect((await failure(instancePodLogs(as(stranger), { id: instanceId, pod }))).kind).toBe("not_found");
    expect((await failure(instancePodLogs(as(noRole), { id: instanceId, pod }))).kind).toBe("forbidden");
  });

  it("answers not found for a pod or container the instance does not have, and names a bad field", async () => {
    expect((await failure(instancePodLogs(as(owner), { id: instanceId, pod: "nope-0" }))).kind).toBe(
      "not_found",
    );
    const container = await failure(
      instancePodLogs(as(owner), { id: instanceId, pod: pods[0] ?? "", container: "other" }),
    );
    expect(container.kind).toBe("not_found");
    const bad = await failure(
      instancePodLogs(as(owner), { id: instanceId, pod: pods[0] ?? "", tailLines: 0 }),
    );
    expect(bad).toMatchObject({ kind: "invalid", field: "tailLines" });
    expect((await failure(instancePodLogs(as(owner), { id: "not-an-id", pod: "x" }))).kind).toBe("not_found");
  });
});

describe("events of an instance", () => {
  it("lists a pod's lifecycle and the namespace's, for the owner only among tenants", async () => {
    const pod = pods[0] ?? "";
    const events = await instanceEvents(as(owner), { id: instanceId, kind: "Pod", name: pod });
    expect(events.events.map((e) => e.reason).slice(0, 2)).toEqual(["Scheduled", "Pulling"]);
    expect(events.events.every((e) => e.involvedObject.name === pod)).toBe(true);
    const all = await instanceEvents(as(owner), { id: instanceId });
    expect(all.events.some((e) => e.reason === "ScalingReplicaSet")).toBe(true);
    expect((await failure(instanceEvents(as(otherTenant), { id: instanceId }))).kind).toBe("not_found");
    const half = await failure(instanceEvents(as(owner), { id: instanceId, kind: "Pod" }));
    expect(half).toMatchObject({ kind: "invalid", field: "name" });
  });
});

describe("live objects of an instance", () => {
  it("shows an object as the cluster holds it, with its status, as YAML", async () => {
    const live = await instanceLiveObject(as(owner), {
      id: instanceId,
      kind: "Deployment",
      name: "shop-mychart",
    });
    expect(live.redacted).toBe(false);
    expect(live.object).toMatchObject({ kind: "Deployment", status: { readyReplicas: 2 } });
    expect(live.yaml).toMatch(/^apiVersion: apps\/v1\nkind: Deployment\n/);
    expect(live.yaml).toContain(`${INSTANCE_ID_LABEL}: ${instanceId}`);
  });

  it("never shows a Secret's values, not even to its owner or an admin", async () => {
    for (const reader of [owner, admin]) {
      const live = await instanceLiveObject(as(reader), {
        id: instanceId,
        kind: "Secret",
        name: "db-credentials",
      });
      expect(live.redacted).toBe(true);
      expect(live.object).toMatchObject({ data: { password: REDACTED }, stringData: { user: REDACTED } });
      expect(live.object.metadata.annotations?.["kubectl.kubernetes.io/last-applied-configuration"]).toBe(
        REDACTED,
      );
      expect(live.yaml).not.toContain(SECRET_VALUE);
      expect(JSON.stringify(live.object)).not.toContain(SECRET_VALUE);
    }
  });

  it("answers not found for a missing object, one labelled for another instance, or another tenant", async () => {
    const missing = await failure(
      instanceLiveObject(as(owner), { id: instanceId, kind: "Deployment", name: "nope" }),
    );
    expect(missing.kind).toBe("not_found");
    const foreign = await failure(
      instanceLiveObject(as(owner), { id: instanceId, kind: "ConfigMap", name: "foreign" }),
    );
    expect(foreign.kind).toBe("not_found");
    const stranger = await failure(
      instanceLiveObject(as(otherTenant), { id: instanceId, kind: "Deployment", name: "shop-mychart" }),
    );
    expect(stranger.kind).toBe("not_found");
    const badKind = await failure(
      instanceLiveObject(as(owner), { id: instanceId, kind: "deploy", name: "x" }),
    );
    expect(badKind).toMatchObject({ kind: "invalid", field: "kind" });
  });

  it("refuses while the instance has nothing on a cluster", async () => {
    const workloadId = await acceptedMychartWorkload(db, owner, "pending");
    const rendered = await createInstance(as(owner), { workloadId, releaseName: "later" });
    const conflict = await failure(instanceEvents(as(owner), { id: rendered.id }));
    expect(conflict.kind).toBe("conflict");
    expect(conflict.message).toMatch(/RENDERED/);
  });
});
