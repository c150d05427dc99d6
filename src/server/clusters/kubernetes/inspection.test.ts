import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { eventListSchema, podLogsSchema } from "../driver";
import { isClusterDriverError } from "../errors";
import { timestampNanos } from "./inspection";
import { apiStatus, discoveryRoutes, fixture } from "./testing/fake-api-server";
import { fakeApiServerPerTest } from "./testing/driver-harness";

/*
 * Contract tests of the drawer's reads (live object, pod log, events)
 * against recorded API answers: the requests the driver sends (paths and
 * query parameters) and how it reads the answers.
 */

const NS = "shop-caedfa4f";
const POD = "web-7c9d8f6b5-2xkqp";
const LOG_TEXT = readFileSync(new URL("./fixtures/pod-web-log.txt", import.meta.url), "utf8");
const NOW = Date.parse("2025-05-29T11:00:05Z");
const api = fakeApiServerPerTest({ now: () => NOW });
const driver = () => api.driver();

const logPath = `/api/v1/namespaces/${NS}/pods/${POD}/log`;

function recordedPod() {
  api.on("GET", `/api/v1/namespaces/${NS}/pods/${POD}`, { status: 200, body: fixture("pod-web.json") });
}

async function errorOf(promise: Promise<unknown>): Promise<string | null> {
  const error: unknown = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  return isClusterDriverError(error) ? error.type : String(error);
}

describe("kubernetes driver: getLiveObject", () => {
  it("GETs the object where discovery says its kind lives and returns the server's JSON", async () => {
    discoveryRoutes(api);
    api.on("GET", `/apis/apps/v1/namespaces/${NS}/deployments/web`, {
      status: 200,
      body: fixture("deployment-live.json"),
    });
    const live = await driver().getLiveObject(NS, "Deployment", "web");
    expect(live).toEqual(fixture("deployment-live.json"));
    // Managed fields come through: the drift check reads them.
    expect(live?.metadata.managedFields).toBeDefined();
    expect(api.calls().map((c) => `${c.method} ${c.path}`)).toEqual([
      `GET /apis/apps/v1/namespaces/${NS}/deployments/web`,
    ]);
  });

  it("answers null for an object or a kind the cluster does not have", async () => {
    discoveryRoutes(api);
    api.on("GET", `/apis/apps/v1/namespaces/${NS}/deployments/gone`, apiStatus(404, "NotFound", "not found"));
    expect(await driver().getLiveObject(NS, "Deployment", "gone")).toBeNull();
    // A custom resource whose CRD is not installed: discovery has no such group.
    expect(await driver().getLiveObject(NS, "Widget", "w1", { apiVersion: "example.com/v1" })).toBeNull();
  });

  it("refuses what cannot name a namespaced object, before any request", async () => {
    discoveryRoutes(api);
    expect(await errorOf(driver().getLiveObject(NS, "Widget", "w1"))).toBe("INVALID_ARGUMENT");
    expect(await errorOf(driver().getLiveObject(NS, "deployment", "web"))).toBe("INVALID_ARGUMENT");
    expect(await errorOf(driver().getLiveObject("Kube_System", "Deployment", "web"))).toBe(
      "INVALID_ARGUMENT",
    );
    expect(await errorOf(driver().getLiveObject(NS, "Namespace", "x"))).toBe("INVALID_ARGUMENT");
    expect(api.calls().filter((c) => c.path.includes("/namespaces/"))).toEqual([]);
  });
});

describe("kubernetes driver: readPodLogs", () => {
  it("reads the pod, then the tail of its first container's log with timestamps, capped in bytes", async () => {
    recordedPod();
    api.on("GET", logPath, { status: 200, text: LOG_TEXT });
    const logs = podLogsSchema.parse(await driver().readPodLogs({ namespace: NS, pod: POD }));
    const request = api.calls().find((c) => c.path === logPath);
    expect(request?.query).toEqual({
      container: "web",
      timestamps: "true",
      tailLines: "200",
      limitBytes: String(256 * 1024),
    });
    expect(logs).toMatchObject({
      cluster: "edge-1",
      namespace: NS,
      pod: POD,
      container: "web",
      containers: ["web", "log-shipper", "migrate"],
      truncated: false,
      notice: null,
      cursor: "2025-05-29T11:00:00.000000001Z",
    });
    expect(logs.podLabels["nemo.eu/instance-id"]).toBe("caedfa4f");
    expect(logs.lines).toHaveLength(6);
    expect(logs.lines[0]).toEqual({
      timestamp: "2025-05-29T10:51:14.201934817Z",
      text: '{"level":"info","msg":"starting shop-web","version":"1.4.2"}',
    });
    expect(logs.lines[2]?.text).toBe('10.244.0.1 - - "GET /healthz HTTP/1.1" 200 2 "-" "kube-probe/1.30"');
  });

  it("follows from a cursor: asks back to it (plus a margin) and keeps only later lines", async () => {
    recordedPod();
    api.on("GET", logPath, { status: 200, text: LOG_TEXT });
    const cursor = "2025-05-29T10:59:59.999999999Z";
    const logs = await driver().readPodLogs({
      namespace: NS,
      pod: POD,
      container: "log-shipper",
      sinceCursor: cursor,
    });
    const request = api.calls().find((c) => c.path === logPath);
    // 5.000000001 s back from the driver's clock, rounded up, plus 10 s of clock-skew margin; no tail.
    expect(request?.query).toEqual({
      container: "log-shipper",
      timestamps: "true",
      sinceSeconds: "16",
      limitBytes: String(256 * 1024),
    });
    expect(logs.lines.map((l) => l.timestamp)).toEqual(["2025-05-29T11:00:00.000000001Z"]);
    expect(logs.cursor).toBe("2025-05-29T11:00:00.000000001Z");
  });

  it("keeps the cursor when nothing new came", async () => {
    recordedPod();
    api.on("GET", logPath, { status: 200, text: "" });
    const cursor = "2025-05-29T11:00:00.000000001Z";
    const logs = await driver().readPodLogs({ namespace: NS, pod: POD, sinceCursor: cursor });
    expect(logs.lines).toEqual([]);
    expect(logs.cursor).toBe(cursor);
  });

  it("says it was cut short at the byte limit and drops the half line", async () => {
    recordedPod();
    api.on("GET", logPath, { status: 200, text: LOG_TEXT.slice(0, 200) });
    const logs = await driver().readPodLogs({ namespace: NS, pod: POD, limitBytes: 200 });
    expect(logs.truncated).toBe(true);
    expect(logs.lines).toHaveLength(2);
    expect(logs.cursor).toBe("2025-05-29T10:51:14.30214Z");
  });

  it("removes control characters and cuts very long lines", async () => {
    recordedPod();
    const long = "x".repeat(10_000);
    api.on("GET", logPath, {
      status: 200,
      text: `2025-05-29T10:51:14Z \u001b[31mred\u001b[0m\tok\n2025-05-29T10:51:15Z ${long}\nno timestamp\n`,
    });
    const logs = await driver().readPodLogs({ namespace: NS, pod: POD });
    expect(logs.lines[0]?.text).toBe("[31mred[0m\tok");
    expect(logs.lines[1]?.text).toHaveLength(4_096);
    expect(logs.lines[1]?.text.endsWith("…")).toBe(true);
    expect(logs.lines[2]).toEqual({ timestamp: null, text: "no timestamp" });
  });

  it("does not ask for the log of a container that has not started, and says why", async () => {
    api.on("GET", `/api/v1/namespaces/${NS}/pods/web-7c9d8f6b5-q8wzx`, {
      status: 200,
      body: fixture("pod-creating.json"),
    });
    const logs = await driver().readPodLogs({ namespace: NS, pod: "web-7c9d8f6b5-q8wzx" });
    expect(logs.lines).toEqual([]);
    expect(logs.notice).toBe("Container web is waiting to start: ContainerCreating");
    expect(api.calls().some((c) => c.path.endsWith("/log"))).toBe(false);
  });

  it("maps a missing pod or container to NOT_FOUND and a refused log to UNAUTHORIZED", async () => {
    api.on("GET", `/api/v1/namespaces/${NS}/pods/nope`, apiStatus(404, "NotFound", 'pods "nope" not found'));
    expect(await errorOf(driver().readPodLogs({ namespace: NS, pod: "nope" }))).toBe("NOT_FOUND");
    recordedPod();
    expect(await errorOf(driver().readPodLogs({ namespace: NS, pod: POD, container: "other" }))).toBe(
      "NOT_FOUND",
    );
    api.on("GET", logPath, apiStatus(403, "Forbidden", "pods/log is forbidden"));
    expect(await errorOf(driver().readPodLogs({ namespace: NS, pod: POD }))).toBe("UNAUTHORIZED");
    expect(await errorOf(driver().readPodLogs({ namespace: NS, pod: POD, tailLines: 9_999_999 }))).toBe(
      "INVALID_ARGUMENT",
    );
  });
});

describe("kubernetes driver: listEvents", () => {
  it("lists core v1 events of one object by field selector, new-style series folded in, oldest first", async () => {
    api.on("GET", `/api/v1/namespaces/${NS}/events`, { status: 200, body: fixture("events-pod.json") });
    const pod = "web-7c9d8f6b5-9fzrt";
    const list = eventListSchema.parse(await driver().listEvents(NS, { kind: "Pod", name: pod }));
    expect(api.calls()[0]?.query).toMatchObject({
      fieldSelector: `involvedObject.kind=Pod,involvedObject.name=${pod}`,
      limit: "500",
    });
    expect(list.events.map((e) => `${e.reason} ×${e.count}`)).toEqual([
      "Scheduled ×1",
      "Pulled ×4",
      "Created ×4",
      "Started ×4",
      "BackOff ×23",
    ]);
    expect(list.events[0]).toEqual({
      type: "Normal",
      reason: "Scheduled",
      message: `Successfully assigned ${NS}/${pod} to edge-cp-1`,
      involvedObject: { kind: "Pod", name: pod },
      count: 1,
      firstTimestamp: "2025-05-29T10:51:09.118Z",
      lastTimestamp: "2025-05-29T10:51:09.118Z",
      source: "default-scheduler",
    });
    expect(list.events[4]).toMatchObject({
      type: "Warning",
      firstTimestamp: "2025-05-29T10:52:02.000Z",
      lastTimestamp: "2025-05-29T10:59:47.331Z",
      source: "kubelet",
    });
    expect(list.truncated).toBe(false);
  });

  it("lists the whole namespace without a selector", async () => {
    api.on("GET", `/api/v1/namespaces/${NS}/events`, { status: 200, body: fixture("events-pod.json") });
    const list = await driver().listEvents(NS);
    expect(api.calls()[0]?.query.fieldSelector).toBeUndefined();
    expect(list.events).toHaveLength(5);
  });
});

describe("log timestamps", () => {
  it("compare by time, not text (RFC3339Nano drops trailing zeros)", () => {
    const a = timestampNanos("2025-05-29T10:00:01.12Z");
    const b = timestampNanos("2025-05-29T10:00:01.123Z");
    expect(a !== null && b !== null && a < b).toBe(true);
    expect(timestampNanos("2025-05-29T12:00:01+02:00")).toBe(timestampNanos("2025-05-29T10:00:01Z"));
    expect(timestampNanos("yesterday")).toBeNull();
  });
});
