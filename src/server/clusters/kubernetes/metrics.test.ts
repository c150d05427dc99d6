import { describe, expect, it } from "vitest";
import { clusterUsageSampleSchema, instanceUsageSchema } from "../driver";
import { apiStatus, fixture } from "./testing/fake-api-server";
import { fakeApiServerPerTest } from "./testing/driver-harness";

const NS = "shop-caedfa4f";
const NODE_METRICS = "/apis/metrics.k8s.io/v1beta1/nodes";
const POD_METRICS = `/apis/metrics.k8s.io/v1beta1/namespaces/${NS}/pods`;
const api = fakeApiServerPerTest({ now: () => Date.parse("2025-05-29T11:00:00Z") });
const driver = () => api.driver();

const reply = (name: string) => ({ status: 200, body: fixture(name) });

/** metrics-server is not installed: its APIService is not registered, so the aggregator knows no such path. */
const metricsNotServed = apiStatus(404, "NotFound", "the server could not find the requested resource");

describe("kubernetes driver: usage", () => {
  it("sums node CPU and memory from metrics.k8s.io against node capacity", async () => {
    api.on("GET", NODE_METRICS, reply("metrics-nodes.json"));
    api.on("GET", "/api/v1/nodes", reply("nodes.json"));

    const sample = await driver().usage();

    expect(api.requests.map((r) => `${r.method} ${r.path}`).sort()).toEqual([
      "GET /api/v1/nodes",
      `GET ${NODE_METRICS}`,
    ]);
    expect(clusterUsageSampleSchema.parse(sample)).toEqual(sample);
    const usedKi = 3894516 + 9123456;
    const capacityKi = 16393308 + 32817524 + 4005288;
    expect(sample).toEqual({
      cluster: "edge-1",
      // 412518254n + 1873094522n
      cpu_usage: 2285.613,
      memory_usage: Math.round((usedKi / capacityKi) * 100 * 100) / 100,
      // metrics-server measures no disk: 0 means "not measured", documented on the driver.
      disk_usage: 0,
      // When metrics-server last sampled, in the collector's wire format.
      timestamp: "2025-05-29 10:48:03.000000+00:00",
    });
  });

  it("says metrics-server is not installed when the metrics API is not served (404)", async () => {
    api.on("GET", NODE_METRICS, metricsNotServed);
    api.on("GET", "/api/v1/nodes", reply("nodes.json"));
    await expect(driver().usage()).rejects.toMatchObject({
      type: "NOT_FOUND",
      cluster: "edge-1",
      message:
        "cluster edge-1: reading node metrics: the metrics API (metrics.k8s.io/v1beta1) is not served: " +
        "metrics-server is not installed",
    });
  });

  it("reports a registered but unavailable metrics API (503) as the retryable UNREACHABLE", async () => {
    api.on(
      "GET",
      NODE_METRICS,
      apiStatus(503, "ServiceUnavailable", "the server is currently unable to handle the request"),
    );
    api.on("GET", "/api/v1/nodes", reply("nodes.json"));
    const error: unknown = await driver()
      .usage()
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ type: "UNREACHABLE", retryable: true });
  });
});

describe("kubernetes driver: instanceUsage", () => {
  function recordedNamespace() {
    api.on("GET", POD_METRICS, reply("metrics-pods.json"));
    api.on("GET", `/api/v1/namespaces/${NS}/pods`, reply("tree-pods.json"));
    api.on("GET", `/apis/apps/v1/namespaces/${NS}/replicasets`, reply("tree-replicasets.json"));
    api.on("GET", `/apis/apps/v1/namespaces/${NS}/deployments`, reply("tree-deployments.json"));
    api.on("GET", `/apis/apps/v1/namespaces/${NS}/statefulsets`, reply("tree-statefulsets.json"));
  }

  it("attributes pod metrics to their Deployment (through the ReplicaSet) or StatefulSet", async () => {
    recordedNamespace();
    const usage = await driver().instanceUsage(NS);

    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toContain(`GET ${POD_METRICS}`);
    expect(instanceUsageSchema.parse(usage)).toEqual(usage);
    expect(usage.workloads).toEqual([
      {
        kind: "StatefulSet",
        name: "db",
        replicas: { desired: 1, ready: 1 },
        cpuMillicores: 10.563,
        memoryMiB: Math.round((61340 / 1024) * 1000) / 1000,
        requestsPerSecond: 0,
        latencyMs: null,
      },
      {
        // The crash-looping pod has no metrics; the running one's are the Deployment's.
        kind: "Deployment",
        name: "web",
        replicas: { desired: 2, ready: 1 },
        cpuMillicores: 3.128,
        memoryMiB: Math.round((48212 / 1024) * 1000) / 1000,
        requestsPerSecond: 0,
        latencyMs: null,
      },
    ]);
    expect(usage).toMatchObject({
      cluster: "edge-1",
      namespace: NS,
      timestamp: "2025-05-29T11:00:00.000Z",
      cpuMillicores: 13.69,
      memoryMiB: Math.round(((61340 + 48212) / 1024) * 1000) / 1000,
      diskMiB: 0,
      gpus: 0,
      replicas: { desired: 3, ready: 2 },
      requestsPerSecond: 0,
      latencyMs: null,
    });
  });

  it("says metrics-server is not installed when the pod metrics API is not served (404)", async () => {
    recordedNamespace();
    api.on("GET", POD_METRICS, metricsNotServed);
    await expect(driver().instanceUsage(NS)).rejects.toMatchObject({
      type: "NOT_FOUND",
      message: expect.stringContaining("metrics-server is not installed"),
    });
  });
});

describe("kubernetes driver: instancesUsage", () => {
  it("reads each namespace, listing the ones it could not read", async () => {
    api.on("GET", POD_METRICS, reply("metrics-pods.json"));
    api.on("GET", `/api/v1/namespaces/${NS}/pods`, reply("tree-pods.json"));
    api.on("GET", `/apis/apps/v1/namespaces/${NS}/replicasets`, reply("tree-replicasets.json"));
    api.on("GET", `/apis/apps/v1/namespaces/${NS}/deployments`, reply("tree-deployments.json"));
    api.on("GET", `/apis/apps/v1/namespaces/${NS}/statefulsets`, reply("tree-statefulsets.json"));
    // Nothing is served for "gone": every read of it answers 404.
    const usage = await driver().instancesUsage([NS, "gone", NS]);
    expect(usage.cluster).toBe("edge-1");
    expect(usage.usages.map((u) => [u.namespace, u.cpuMillicores])).toEqual([[NS, 13.69]]);
    expect(usage.failures).toEqual([
      { namespace: "gone", error: expect.objectContaining({ type: "NOT_FOUND", cluster: "edge-1" }) },
    ]);
  });

  it("gives up on the round when the cluster itself fails", async () => {
    const unavailable = apiStatus(
      503,
      "ServiceUnavailable",
      "the server is currently unable to handle the request",
    );
    for (const ns of ["a", "b"])
      api.on("GET", `/apis/metrics.k8s.io/v1beta1/namespaces/${ns}/pods`, unavailable);
    await expect(driver().instancesUsage(["a", "b"])).rejects.toMatchObject({ type: "UNREACHABLE" });
  });
});
