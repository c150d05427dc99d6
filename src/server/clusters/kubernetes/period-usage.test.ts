import { describe, expect, it } from "vitest";
import { type V1Node } from "@kubernetes/client-node";
import { GPU_REPLICAS_LABEL, periodUsageSchema } from "../driver";
import { gpuFractionPerDevice, KUBERNETES_UNAVAILABLE } from "./period-usage";
import { fixture } from "./testing/fake-api-server";
import { fakeApiServerPerTest } from "./testing/driver-harness";

const NS = "shop-caedfa4f";
const START = Date.parse("2025-05-29T10:59:00Z");
const END = Date.parse("2025-05-29T11:00:00Z");
const api = fakeApiServerPerTest({ now: () => END });
const driver = () => api.driver();

const reply = (name: string) => ({ status: 200, body: fixture(name) });

function recordedCluster(nodes: unknown = fixture("nodes.json")) {
  api.on("GET", "/apis/metrics.k8s.io/v1beta1/nodes", reply("metrics-nodes.json"));
  api.on("GET", "/api/v1/nodes", { status: 200, body: nodes });
  api.on("GET", `/apis/metrics.k8s.io/v1beta1/namespaces/${NS}/pods`, reply("metrics-pods.json"));
  api.on("GET", `/api/v1/namespaces/${NS}/pods`, reply("tree-pods.json"));
  api.on("GET", `/apis/apps/v1/namespaces/${NS}/replicasets`, reply("tree-replicasets.json"));
  api.on("GET", `/apis/apps/v1/namespaces/${NS}/deployments`, reply("tree-deployments.json"));
  api.on("GET", `/apis/apps/v1/namespaces/${NS}/statefulsets`, reply("tree-statefulsets.json"));
}

describe("kubernetes driver: instancesPeriodUsage", () => {
  it("stands the metrics-server sample for the period and says what it cannot measure", async () => {
    recordedCluster();
    const usage = await driver().instancesPeriodUsage([NS, "gone"], { startMs: START, endMs: END });

    expect(periodUsageSchema.parse(usage)).toEqual(usage);
    expect(usage).toMatchObject({
      cluster: "edge-1",
      periodStart: "2025-05-29T10:59:00.000Z",
      periodEnd: "2025-05-29T11:00:00.000Z",
      method: "sampled",
      // 412518254n + 1873094522n of the recorded node metrics
      clusterCpuMillicores: 2285.613,
      clusterMemoryMiB: Math.round(((3894516 + 9123456) / 1024) * 1000) / 1000,
      unavailable: KUBERNETES_UNAVAILABLE,
    });
    expect(usage.usages).toEqual([
      {
        namespace: NS,
        cpuMillicores: 13.69,
        memoryMiB: Math.round(((61340 + 48212) / 1024) * 1000) / 1000,
        networkBytesReceived: 0,
        networkBytesSent: 0,
        gpu: { devices: 0, fraction: 0, allocatedMs: 0, usageFraction: null, shared: false },
        energyWh: null,
      },
    ]);
    expect(usage.failures).toEqual([
      { namespace: "gone", error: expect.objectContaining({ type: "NOT_FOUND" }) as unknown },
    ]);
  });

  it("refuses a period that does not end after it starts, before asking the cluster", async () => {
    await expect(driver().instancesPeriodUsage([NS], { startMs: END, endMs: END })).rejects.toMatchObject({
      type: "INVALID_ARGUMENT",
    });
    expect(api.requests).toEqual([]);
  });
});

describe("kubernetes GPU sharing", () => {
  const nodes = () => (fixture("nodes.json") as { items: V1Node[] }).items;

  it("counts a requested GPU as a whole device on a node that is not time-sliced", () => {
    expect(gpuFractionPerDevice(nodes())).toEqual({ fraction: 1, shared: false });
  });

  it("counts it as one slice of a GPU the operator time-slices (nvidia.com/gpu.replicas)", () => {
    const sliced = nodes().map((node) =>
      node.metadata?.name === "edge-gpu-1"
        ? {
            ...node,
            metadata: { ...node.metadata, labels: { ...node.metadata.labels, [GPU_REPLICAS_LABEL]: "4" } },
          }
        : node,
    );
    expect(gpuFractionPerDevice(sliced)).toEqual({ fraction: 0.25, shared: true });
  });
});
