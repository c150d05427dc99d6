import http from "node:http";
import { type AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { GIB, MIB } from "../quantity";
import { KubernetesClusterDriver } from "./kubernetes-driver";
import { apiStatus, closedPort, fixture, kubeconfigFor } from "./testing/fake-api-server";
import { fakeApiServerPerTest } from "./testing/driver-harness";

const KI = 1024;
const api = fakeApiServerPerTest();
const driver = (kubeconfig = api.kubeconfig(), requestTimeoutMs = 2_000) =>
  api.driver({ kubeconfig, requestTimeoutMs });

function recordedCluster() {
  api.on("GET", "/version", { status: 200, body: fixture("version.json") });
  api.on("GET", "/api/v1/nodes", { status: 200, body: fixture("nodes.json") });
  api.on("GET", "/api/v1/pods", { status: 200, body: fixture("pods-all-namespaces.json") });
}

describe("kubernetes driver: connect", () => {
  it("reads the version, nodes and bound pods with the kubeconfig's bearer token", async () => {
    recordedCluster();
    const result = await driver().connect();

    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /version",
      "GET /api/v1/nodes",
      "GET /api/v1/pods",
    ]);
    for (const request of api.requests) expect(request.authorization).toBe("Bearer test-token");
    expect(api.requests[2]?.query).toEqual({
      fieldSelector: "status.phase!=Succeeded,status.phase!=Failed",
      limit: "500",
    });
    if (!result.ok) throw new Error(result.error.message);
    const { info } = result;
    expect(info).toMatchObject({ cluster: "edge-1", kind: "kubernetes", version: "v1.30.4", nodeCount: 3 });
    expect(info.capacity).toEqual({
      cpuMillicores: 4000 + 8000 + 2000,
      memoryBytes: (16393308 + 32817524 + 4005288) * KI,
      gpus: 1,
      vramBytes: 15360 * MIB,
      storageBytes: (102626232 + 205252464 + 30786524) * KI,
    });
    expect(info.allocatable).toEqual({
      cpuMillicores: 3800 + 7800 + 2000,
      memoryBytes: (15876764 + 32300980 + 3902888) * KI,
      gpus: 1,
      vramBytes: 15360 * MIB,
    });
    // coredns 100m/70Mi; kube-proxy requests nothing; the detector 1500m+50m, 2Gi+32Mi and its GPU limit.
    expect(info.requested).toEqual({
      cpuMillicores: 1650,
      memoryBytes: 70 * MIB + 2 * GIB + 32 * MIB,
      gpus: 1,
    });
    expect(info.nodes.map((n) => [n.name, n.ready, n.pods])).toEqual([
      ["edge-cp-1", true, 2],
      ["edge-gpu-1", true, 1],
      ["edge-worker-2", false, 0],
    ]);
    expect(info.nodes[1]?.labels["nvidia.com/gpu.product"]).toBe("NVIDIA-A2");
  });

  it("follows the continue token when the pod list comes in pages", async () => {
    recordedCluster();
    const all = fixture("pods-all-namespaces.json") as { items: unknown[] };
    api.on("GET", "/api/v1/pods", (request) =>
      request.query.continue === "page-2"
        ? {
            status: 200,
            body: { kind: "PodList", apiVersion: "v1", metadata: {}, items: all.items.slice(2) },
          }
        : {
            status: 200,
            body: {
              kind: "PodList",
              apiVersion: "v1",
              metadata: { continue: "page-2" },
              items: all.items.slice(0, 2),
            },
          },
    );
    const result = await driver().connect();
    expect(api.requests.filter((r) => r.path === "/api/v1/pods").map((r) => r.query.continue)).toEqual([
      undefined,
      "page-2",
    ]);
    expect(result.ok && result.info.requested.gpus).toBe(1);
  });

  it("reports rejected credentials (401) as UNAUTHORIZED without throwing", async () => {
    api.on("GET", "/version", apiStatus(401, "Unauthorized", "Unauthorized"));
    const result = await driver(api.kubeconfig({ token: "expired" })).connect();
    expect(result).toEqual({
      ok: false,
      error: {
        type: "UNAUTHORIZED",
        cluster: "edge-1",
        message:
          "cluster edge-1: reading the server version: the API server rejected the credentials (401 Unauthorized)",
      },
    });
    expect(api.requests[0]?.authorization).toBe("Bearer expired");
  });

  it("reports an RBAC denial (403) as UNAUTHORIZED with the server's reason", async () => {
    api.on("GET", "/version", { status: 200, body: fixture("version.json") });
    api.on(
      "GET",
      "/api/v1/nodes",
      apiStatus(
        403,
        "Forbidden",
        'nodes is forbidden: User "system:serviceaccount:nemo:console" cannot list resource "nodes" in API group "" at the cluster scope',
        { kind: "nodes" },
      ),
    );
    const result = await driver().connect();
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.type).toBe("UNAUTHORIZED");
    expect(result.error.message).toBe(
      "cluster edge-1: listing nodes: forbidden (403 Forbidden): nodes is forbidden: " +
        'User "system:serviceaccount:nemo:console" cannot list resource "nodes" in API group "" at the cluster scope',
    );
  });

  it("reports a closed port as UNREACHABLE", async () => {
    const port = await closedPort();
    const result = await driver(kubeconfigFor(`http://127.0.0.1:${port}`)).connect();
    expect(result).toMatchObject({ ok: false, error: { type: "UNREACHABLE", cluster: "edge-1" } });
    // The socket error's code, not its text (which names addresses).
    if (!result.ok)
      expect(result.error.message).toBe(
        "cluster edge-1: reading the server version: API server unreachable (ECONNREFUSED)",
      );
  });

  it("reports an unresolvable host name as UNREACHABLE", async () => {
    const result = await driver(kubeconfigFor("http://api.cluster.invalid:6443")).connect();
    expect(result).toMatchObject({ ok: false, error: { type: "UNREACHABLE" } });
  });

  it("gives up on a server that accepts the connection and never answers, as TIMEOUT", async () => {
    api.on("GET", "/version", "hang");
    const started = Date.now();
    const result = await driver(api.kubeconfig(), 150).connect();
    const elapsed = Date.now() - started;
    expect(result).toEqual({
      ok: false,
      error: {
        type: "TIMEOUT",
        cluster: "edge-1",
        message: "cluster edge-1: reading the server version: no answer within 150 ms",
      },
    });
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(elapsed).toBeLessThan(2_000);
  });

  it("maps a server that answers 503 (overloaded, restarting) to the retryable UNREACHABLE", async () => {
    api.on(
      "GET",
      "/version",
      apiStatus(503, "ServiceUnavailable", "the server is currently unable to handle the request"),
    );
    const result = await driver().connect();
    expect(result).toMatchObject({ ok: false, error: { type: "UNREACHABLE" } });
  });

  it("never repeats a proxy's non-JSON error page in the message", async () => {
    const proxy = http.createServer((_req, res) => {
      res.writeHead(502, { "content-type": "text/html" });
      res.end("<html><body>502 Bad Gateway</body></html>");
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = proxy.address() as AddressInfo;
      const result = await driver(kubeconfigFor(`http://127.0.0.1:${port}`)).connect();
      expect(result).toMatchObject({ ok: false, error: { type: "UNREACHABLE" } });
      if (!result.ok)
        expect(result.error.message).toBe(
          "cluster edge-1: reading the server version: the API server is unavailable (502 Bad Gateway)",
        );
    } finally {
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    }
  });
});

describe("kubernetes driver: configuration", () => {
  it("refuses a plain-http server unless TLS verification is explicitly off", () => {
    const strict = kubeconfigFor("http://127.0.0.1:6443").replace(
      "      insecure-skip-tls-verify: true\n",
      "",
    );
    expect(() => new KubernetesClusterDriver({ cluster: "edge-1", kubeconfig: strict })).toThrow(
      expect.objectContaining({
        type: "INVALID_CONFIG",
        message:
          "invalid kubeconfig for cluster edge-1: an http:// server needs insecure-skip-tls-verify: true",
      }),
    );
  });

  it("fails loudly on malformed YAML without quoting the kubeconfig's secrets", () => {
    const broken = "clusters: [\nusers:\n  - name: admin\n    user: { token: super-secret-token }";
    let caught: unknown;
    try {
      new KubernetesClusterDriver({ cluster: "edge-1", kubeconfig: broken });
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ type: "INVALID_CONFIG" });
    expect(String(caught)).not.toContain("super-secret-token");
  });

  it("returns the registered properties, and says so when there are none", async () => {
    const properties = {
      name: "edge-1",
      managedApi: "https://10.10.0.11:6443",
      cpus: 14,
      memoryGb: 50,
      storageGb: 300,
      vramGb: 15,
      availabilityPct: 99.5,
      greenEnergyPct: 40,
      cost: "low_cost" as const,
      cpuBaseRate: 10,
      memoryBaseRate: 10,
    };
    const kubeconfig = api.kubeconfig();
    expect(
      await new KubernetesClusterDriver({ cluster: "edge-1", kubeconfig, properties }).properties(),
    ).toEqual(properties);
    await expect(
      new KubernetesClusterDriver({ cluster: "edge-1", kubeconfig }).properties(),
    ).rejects.toMatchObject({
      type: "INVALID_CONFIG",
    });
    expect(api.requests).toEqual([]);
  });
});
