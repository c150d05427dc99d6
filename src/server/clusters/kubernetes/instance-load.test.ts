import { describe, expect, it } from "vitest";
import { instanceLoadSampleSchema } from "../driver";
import { apiStatus, fixture } from "./testing/fake-api-server";
import { fakeApiServerPerTest } from "./testing/driver-harness";

const NS = "shop-caedfa4f";
const POD_METRICS = `/apis/metrics.k8s.io/v1beta1/namespaces/${NS}/pods`;
const NOW = Date.parse("2025-05-29T11:00:00Z");
const api = fakeApiServerPerTest({ now: () => NOW });

const reply = (name: string) => ({ status: 200, body: fixture(name) });

/** The recorded namespace: Deployment web (2 desired, 1 ready: one pod crash-loops) and StatefulSet db (1/1). */
function recordedNamespace() {
  api.on("GET", `/api/v1/namespaces/${NS}`, reply("namespace-created.json"));
  api.on("GET", POD_METRICS, reply("metrics-pods.json"));
  api.on("GET", `/api/v1/namespaces/${NS}/pods`, reply("tree-pods.json"));
  api.on("GET", `/apis/apps/v1/namespaces/${NS}/replicasets`, reply("tree-replicasets.json"));
  api.on("GET", `/apis/apps/v1/namespaces/${NS}/deployments`, reply("tree-deployments.json"));
  api.on("GET", `/apis/apps/v1/namespaces/${NS}/statefulsets`, reply("tree-statefulsets.json"));
}

describe("kubernetes driver: instanceLoad", () => {
  it("averages metrics-server CPU and memory over the ready pods; request rate and latency are unavailable", async () => {
    recordedNamespace();
    const sample = await api.driver().instanceLoad(NS);
    expect(instanceLoadSampleSchema.parse(sample)).toEqual(sample);
    expect(sample).toEqual({
      at: new Date(NOW),
      replicas: 3,
      readyReplicas: 2,
      // web-…-2xkqp 3127551n and db-0 10562815n; the crash-looping pod is not ready and has no sample.
      cpuMillicoresPerPod: Math.round(((3.127551 + 10.562815) / 2) * 1000) / 1000,
      memoryMiBPerPod: Math.round(((48212 + 61340) / 2 / 1024) * 1000) / 1000,
      requestRate: null,
      latencyP95Ms: null,
      unavailable: ["requestRate", "latencyP95"],
    });
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toContain(`GET ${POD_METRICS}`);
  });

  it("leaves a pod that is not ready out of the per-pod means, even with a metrics sample", async () => {
    recordedNamespace();
    api.on("GET", POD_METRICS, {
      status: 200,
      body: {
        kind: "PodMetricsList",
        apiVersion: "metrics.k8s.io/v1beta1",
        items: [
          {
            metadata: { name: "db-0" },
            containers: [{ name: "db", usage: { cpu: "100m", memory: "64Mi" } }],
          },
          // Running but not Ready (failing its readiness probe): it serves nothing.
          {
            metadata: { name: "web-7c9d8f6b5-9fzrt" },
            containers: [{ name: "web", usage: { cpu: "900m", memory: "512Mi" } }],
          },
        ],
      },
    });
    const sample = await api.driver().instanceLoad(NS);
    expect(sample.cpuMillicoresPerPod).toBe(100);
    expect(sample.memoryMiBPerPod).toBe(64);
  });

  it("still gives replicas without metrics-server, listing CPU and memory as unavailable", async () => {
    recordedNamespace();
    api.on(
      "GET",
      POD_METRICS,
      apiStatus(404, "NotFound", "the server could not find the requested resource"),
    );
    const sample = await api.driver().instanceLoad(NS);
    expect(sample).toMatchObject({
      replicas: 3,
      readyReplicas: 2,
      cpuMillicoresPerPod: null,
      memoryMiBPerPod: null,
      unavailable: ["cpu", "memory", "requestRate", "latencyP95"],
    });
  });

  it("is NOT_FOUND for a namespace that does not exist, and refuses a malformed one", async () => {
    // Nothing is served for "gone": every read answers 404.
    await expect(api.driver().instanceLoad("gone")).rejects.toMatchObject({
      type: "NOT_FOUND",
      cluster: "edge-1",
    });
    await expect(api.driver().instanceLoad("Bad_Name")).rejects.toMatchObject({ type: "INVALID_ARGUMENT" });
  });

  it("reports an unavailable API server as the retryable UNREACHABLE", async () => {
    recordedNamespace();
    api.on(
      "GET",
      `/api/v1/namespaces/${NS}/pods`,
      apiStatus(503, "ServiceUnavailable", "the server is currently unable to handle the request"),
    );
    await expect(api.driver().instanceLoad(NS)).rejects.toMatchObject({
      type: "UNREACHABLE",
      retryable: true,
    });
  });
});
