import { describe, expect, it } from "vitest";
import { deploymentTreeSchema, type TreeNode } from "../driver";
import { apiStatus, closedPort, fixture, kubeconfigFor } from "./testing/fake-api-server";
import { fakeApiServerPerTest } from "./testing/driver-harness";

const NS = "shop-caedfa4f";
const DEPLOYMENT_UID = "1f0d3c2b-8a7e-4d6c-b5a4-9e8f7d6c5b4a";
const REPLICA_SET_UID = "8e7d6c5b-4a39-4281-9f0e-d1c2b3a49586";
const STATEFUL_SET_UID = "4a3b2c1d-0e9f-48a7-b6c5-d4e3f2a1b0c9";
const api = fakeApiServerPerTest({ now: () => Date.parse("2025-05-29T11:00:00Z") });
const driver = (kubeconfig = api.kubeconfig()) => api.driver({ kubeconfig });

/** The recorded namespace: web (2 replicas, one crash-looping), db (a StatefulSet with its claim), a Service each, an Ingress. */
function recordedNamespace() {
  api.on("GET", `/api/v1/namespaces/${NS}`, { status: 200, body: fixture("namespace-created.json") });
  api.on("GET", `/apis/apps/v1/namespaces/${NS}/deployments`, {
    status: 200,
    body: fixture("tree-deployments.json"),
  });
  api.on("GET", `/apis/apps/v1/namespaces/${NS}/replicasets`, {
    status: 200,
    body: fixture("tree-replicasets.json"),
  });
  api.on("GET", `/api/v1/namespaces/${NS}/pods`, { status: 200, body: fixture("tree-pods.json") });
  api.on("GET", `/apis/apps/v1/namespaces/${NS}/statefulsets`, {
    status: 200,
    body: fixture("tree-statefulsets.json"),
  });
  api.on("GET", `/api/v1/namespaces/${NS}/services`, { status: 200, body: fixture("tree-services.json") });
  api.on("GET", `/api/v1/namespaces/${NS}/persistentvolumeclaims`, {
    status: 200,
    body: fixture("tree-persistentvolumeclaims.json"),
  });
  api.on("GET", `/apis/networking.k8s.io/v1/namespaces/${NS}/ingresses`, {
    status: 200,
    body: fixture("tree-ingresses.json"),
  });
}

function find(nodes: readonly TreeNode[], kind: string, name: string): TreeNode {
  const node = nodes.find((n) => n.kind === kind && n.name === name);
  if (!node) throw new Error(`no ${kind}/${name} in the tree`);
  return node;
}

describe("kubernetes driver: deploymentTree", () => {
  it("lists the namespace's workloads, pods and network objects in the simulated tree's order and shape", async () => {
    recordedNamespace();
    const tree = await driver().deploymentTree(NS);

    expect(deploymentTreeSchema.parse(tree)).toEqual(tree);
    expect(tree).toMatchObject({
      cluster: "edge-1",
      namespace: NS,
      observedAt: "2025-05-29T11:00:00.000Z",
      reachable: true,
    });
    expect(tree.nodes.map((n) => `${n.kind}/${n.name}`)).toEqual([
      "Deployment/web",
      "StatefulSet/db",
      "ReplicaSet/web-6b8c7d5f4",
      "ReplicaSet/web-7c9d8f6b5",
      "Pod/db-0",
      "Pod/web-7c9d8f6b5-2xkqp",
      "Pod/web-7c9d8f6b5-9fzrt",
      "PersistentVolumeClaim/data-db-0",
      "Service/db",
      "Service/web",
      "Ingress/web",
    ]);
    expect(api.requests.map((r) => `${r.method} ${r.path}`).sort()).toEqual(
      [
        `GET /api/v1/namespaces/${NS}`,
        `GET /api/v1/namespaces/${NS}/persistentvolumeclaims`,
        `GET /api/v1/namespaces/${NS}/pods`,
        `GET /api/v1/namespaces/${NS}/services`,
        `GET /apis/apps/v1/namespaces/${NS}/deployments`,
        `GET /apis/apps/v1/namespaces/${NS}/replicasets`,
        `GET /apis/apps/v1/namespaces/${NS}/statefulsets`,
        `GET /apis/networking.k8s.io/v1/namespaces/${NS}/ingresses`,
      ].sort(),
    );
    // Nothing here measures traffic, so none is reported.
    for (const node of tree.nodes) expect(node.traffic).toBeNull();
  });

  it("links pods to their ReplicaSet and ReplicaSets to their Deployment through ownerReferences", async () => {
    recordedNamespace();
    const { nodes } = await driver().deploymentTree(NS);
    const replicaSetRef = { kind: "ReplicaSet", name: "web-7c9d8f6b5", namespace: NS, uid: REPLICA_SET_UID };
    expect(find(nodes, "ReplicaSet", "web-7c9d8f6b5").parentRefs).toEqual([
      { kind: "Deployment", name: "web", namespace: NS, uid: DEPLOYMENT_UID },
    ]);
    expect(find(nodes, "Pod", "web-7c9d8f6b5-2xkqp").parentRefs).toEqual([replicaSetRef]);
    expect(find(nodes, "Pod", "web-7c9d8f6b5-9fzrt").parentRefs).toEqual([replicaSetRef]);
    expect(find(nodes, "Pod", "db-0").parentRefs).toEqual([
      { kind: "StatefulSet", name: "db", namespace: NS, uid: STATEFUL_SET_UID },
    ]);
    expect(find(nodes, "Deployment", "web").parentRefs).toEqual([]);
    // The StatefulSet's claim has no owner (its retention policy is Retain): it is top-level.
    expect(find(nodes, "PersistentVolumeClaim", "data-db-0").parentRefs).toEqual([]);
  });

  it("reports a crash-looping pod as Degraded with its restarts, and rolls that up to its Deployment", async () => {
    recordedNamespace();
    const tree = await driver().deploymentTree(NS);
    const crashing = find(tree.nodes, "Pod", "web-7c9d8f6b5-9fzrt");
    expect(crashing).toMatchObject({
      status: "CrashLoopBackOff",
      health: { status: "Degraded", message: expect.stringContaining("container web: CrashLoopBackOff") },
      restarts: 5,
      nodeName: "edge-cp-1",
      images: ["ghcr.io/nemo/shop-web:1.4.2"],
      group: "",
      version: "v1",
    });
    expect(find(tree.nodes, "Pod", "web-7c9d8f6b5-2xkqp")).toMatchObject({
      status: "Running",
      health: { status: "Healthy" },
      restarts: 0,
    });
    expect(find(tree.nodes, "Deployment", "web")).toMatchObject({
      group: "apps",
      version: "v1",
      status: "1/2 ready",
      replicas: { desired: 2, ready: 1 },
      restarts: 5,
      health: { status: "Degraded", message: "pod web-7c9d8f6b5-9fzrt is in CrashLoopBackOff" },
      createdAt: "2025-05-29T10:48:04.000Z",
      labels: { app: "web", "nemo.eu/instance-id": "caedfa4f" },
    });
    expect(find(tree.nodes, "ReplicaSet", "web-6b8c7d5f4")).toMatchObject({
      status: "0/0 ready",
      health: { status: "Healthy" },
      restarts: 0,
    });
    expect(tree.health).toEqual({
      status: "Degraded",
      message: "pod web-7c9d8f6b5-9fzrt is in CrashLoopBackOff",
    });
  });

  it("reports a rolled-out StatefulSet, its bound claim and an addressed Ingress as Healthy", async () => {
    recordedNamespace();
    const { nodes } = await driver().deploymentTree(NS);
    expect(find(nodes, "StatefulSet", "db")).toMatchObject({
      status: "1/1 ready",
      health: { status: "Healthy" },
      restarts: 1,
      images: ["docker.io/library/postgres:16.3"],
    });
    expect(find(nodes, "Pod", "db-0")).toMatchObject({ nodeName: "edge-gpu-1", restarts: 1 });
    expect(find(nodes, "PersistentVolumeClaim", "data-db-0")).toMatchObject({
      status: "Bound",
      health: { status: "Healthy" },
    });
    expect(find(nodes, "Ingress", "web")).toMatchObject({
      group: "networking.k8s.io",
      status: "10.10.0.100",
      health: { status: "Healthy" },
      targetRefs: [
        { kind: "Service", name: "web", namespace: NS, uid: "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a" },
      ],
    });
  });

  it("points each Service at the pods its selector matches", async () => {
    recordedNamespace();
    const { nodes } = await driver().deploymentTree(NS);
    expect(find(nodes, "Service", "web").targetRefs.map((r) => r.name)).toEqual([
      "web-7c9d8f6b5-2xkqp",
      "web-7c9d8f6b5-9fzrt",
    ]);
    expect(find(nodes, "Service", "db")).toMatchObject({
      status: "ClusterIP",
      targetRefs: [{ kind: "Pod", name: "db-0" }],
    });
  });

  it("reports a namespace that does not exist as Missing", async () => {
    api.on("GET", `/api/v1/namespaces/${NS}`, apiStatus(404, "NotFound", `namespaces "${NS}" not found`));
    expect(await driver().deploymentTree(NS)).toEqual({
      cluster: "edge-1",
      namespace: NS,
      observedAt: "2025-05-29T11:00:00.000Z",
      reachable: true,
      health: { status: "Missing", message: `namespace ${NS} not found` },
      nodes: [],
    });
  });

  it("reports an unreachable cluster as data (reachable false, Unknown health) instead of throwing", async () => {
    const port = await closedPort();
    const tree = await driver(kubeconfigFor(`http://127.0.0.1:${port}`)).deploymentTree(NS);
    expect(tree).toMatchObject({
      reachable: false,
      health: { status: "Unknown", message: expect.stringMatching(/^cluster unreachable: .*ECONNREFUSED/) },
      nodes: [],
    });
  });

  it("still throws when the cluster answers but refuses the credentials", async () => {
    api.on("GET", `/api/v1/namespaces/${NS}`, apiStatus(401, "Unauthorized", "Unauthorized"));
    await expect(driver().deploymentTree(NS)).rejects.toMatchObject({ type: "UNAUTHORIZED" });
  });
});
