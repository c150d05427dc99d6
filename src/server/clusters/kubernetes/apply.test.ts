import { describe, expect, it } from "vitest";
import { INSTANCE_ID_LABEL } from "../driver";
import { type KubernetesManifest, kubernetesManifestSchema } from "../manifests";
import {
  instanceLabels,
  makeConfigMap,
  makeDeployment,
  makeService,
} from "@/server/testing/cluster-factories";
import { PRUNE_KINDS } from "./apply";
import {
  apiStatus,
  collectionPath,
  discoveryRoutes,
  emptyLists,
  fixture,
  type Handler,
  type RecordedRequest,
} from "./testing/fake-api-server";
import { fakeApiServerPerTest } from "./testing/driver-harness";

const NS = "shop-caedfa4f";
const labels = instanceLabels("caedfa4f");
const api = fakeApiServerPerTest({}, (server) => {
  discoveryRoutes(server);
  emptyLists(server, NS, PRUNE_KINDS);
});
const driver = () => api.driver();

function manifestOf(request: RecordedRequest | undefined): KubernetesManifest {
  return kubernetesManifestSchema.parse(request?.body);
}

/** What the API server answers a server-side apply with: the object plus the fields it sets. */
function appliedAs(resourceVersion: string): Handler {
  return (request) => {
    const body = manifestOf(request);
    return {
      status: 200,
      body: {
        ...body,
        metadata: {
          ...body.metadata,
          uid: "6c1f0e9d-2b3a-4c5d-8e7f-a0b1c2d3e4f5",
          resourceVersion,
          creationTimestamp: "2025-05-29T10:48:04Z",
          managedFields: [{ manager: "nemo-console", operation: "Apply", apiVersion: body.apiVersion }],
        },
      },
    };
  };
}

function serveNamespaceCreate() {
  api.on("POST", "/api/v1/namespaces", { status: 201, body: fixture("namespace-created.json") });
}

const path = (apiVersion: string, kind: string, name: string) =>
  `${collectionPath(apiVersion, kind, NS)}/${name}`;

describe("kubernetes driver: apply", () => {
  it("creates the namespace with the instance label, then server-side applies each manifest into it", async () => {
    serveNamespaceCreate();
    const deployment = makeDeployment();
    deployment.metadata.namespace = "default"; // rendered for another namespace: rewritten
    api.on("PATCH", path("v1", "ConfigMap", "settings"), appliedAs("913030"));
    api.on("PATCH", path("v1", "Service", "web"), appliedAs("913035"));
    api.on("PATCH", path("apps/v1", "Deployment", "web"), {
      status: 201,
      body: fixture("deployment-applied.json"),
    });

    const result = await driver().apply(NS, [deployment, makeService(), makeConfigMap()], { labels });

    expect(result).toEqual({
      cluster: "edge-1",
      namespace: NS,
      resources: [
        { kind: "ConfigMap", name: "settings", action: "created" },
        { kind: "Service", name: "web", action: "created" },
        { kind: "Deployment", name: "web", action: "created" },
      ],
    });
    const calls = api.calls();
    // Dependencies first (Helm's install order), each read then applied; then the prune lists.
    expect(calls.slice(0, 7).map((r) => `${r.method} ${r.path}`)).toEqual([
      "POST /api/v1/namespaces",
      `GET /api/v1/namespaces/${NS}/configmaps/settings`,
      `PATCH /api/v1/namespaces/${NS}/configmaps/settings`,
      `GET /api/v1/namespaces/${NS}/services/web`,
      `PATCH /api/v1/namespaces/${NS}/services/web`,
      `GET /apis/apps/v1/namespaces/${NS}/deployments/web`,
      `PATCH /apis/apps/v1/namespaces/${NS}/deployments/web`,
    ]);
    // The namespace enforces the Pod Security Standard (restricted unless configured otherwise).
    expect(calls[0]?.body).toEqual({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: {
        name: NS,
        labels: {
          [INSTANCE_ID_LABEL]: "caedfa4f",
          "pod-security.kubernetes.io/enforce": "restricted",
          "pod-security.kubernetes.io/audit": "restricted",
          "pod-security.kubernetes.io/warn": "restricted",
        },
      },
    });

    const patches = calls.filter((r) => r.method === "PATCH");
    for (const patch of patches) {
      expect(patch.contentType).toBe("application/apply-patch+yaml");
      expect(patch.query).toEqual({ fieldManager: "nemo-console", force: "true" });
      expect(patch.authorization).toBe("Bearer test-token");
      const sent = manifestOf(patch);
      expect(sent.metadata.namespace).toBe(NS);
      expect(sent.metadata.labels?.[INSTANCE_ID_LABEL]).toBe("caedfa4f");
    }
    const sentDeployment = manifestOf(patches[2]);
    expect(sentDeployment).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: NS, labels: { app: "web", [INSTANCE_ID_LABEL]: "caedfa4f" } },
      spec: {
        replicas: 2,
        // The selector is left alone: it is immutable, and the template still matches it.
        selector: { matchLabels: { app: "web" } },
        template: {
          metadata: { labels: { app: "web", [INSTANCE_ID_LABEL]: "caedfa4f" } },
          spec: {
            containers: [
              {
                name: "web",
                image: "registry.example/web:1.0",
                resources: { requests: { cpu: "250m", memory: "256Mi" } },
              },
            ],
          },
        },
      },
    });
  });

  it("accepts a namespace that already exists (409 AlreadyExists) and carries on", async () => {
    api.on("POST", "/api/v1/namespaces", { status: 409, body: fixture("status-namespace-exists.json") });
    api.on("PATCH", path("v1", "ConfigMap", "settings"), appliedAs("913030"));
    const result = await driver().apply(NS, [makeConfigMap()], { labels });
    expect(result.resources).toEqual([{ kind: "ConfigMap", name: "settings", action: "created" }]);
    expect(api.calls().map((r) => r.method)).toContain("PATCH");
  });

  it("tells configured from unchanged by whether the apply moved the resourceVersion", async () => {
    serveNamespaceCreate();
    const live = fixture("deployment-applied.json");
    api.on("GET", path("apps/v1", "Deployment", "web"), { status: 200, body: live });
    api.on("PATCH", path("apps/v1", "Deployment", "web"), { status: 200, body: live }); // 913041 → 913041
    api.on("GET", path("v1", "Service", "web"), {
      status: 200,
      body: {
        kind: "Service",
        apiVersion: "v1",
        metadata: {
          name: "web",
          namespace: NS,
          uid: "6c1f0e9d-2b3a-4c5d-8e7f-a0b1c2d3e4f5",
          resourceVersion: "100",
        },
        spec: {
          selector: { app: "web" },
          ports: [{ port: 80, targetPort: 8080, protocol: "TCP" }],
          type: "ClusterIP",
        },
      },
    });
    api.on("PATCH", path("v1", "Service", "web"), appliedAs("101"));
    const result = await driver().apply(NS, [makeDeployment(), makeService()], { labels });
    expect(result.resources).toEqual([
      { kind: "Service", name: "web", action: "configured" },
      { kind: "Deployment", name: "web", action: "unchanged" },
    ]);
  });

  it("prunes objects it applied earlier with the same labels, and leaves others' objects alone", async () => {
    serveNamespaceCreate();
    api.on("PATCH", path("apps/v1", "Deployment", "web"), {
      status: 200,
      body: fixture("deployment-applied.json"),
    });
    api.on("GET", collectionPath("apps/v1", "Deployment", NS), {
      status: 200,
      body: fixture("deployments-labelled.json"),
    });
    api.on("DELETE", path("apps/v1", "Deployment", "worker-old"), {
      status: 200,
      body: {
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Success",
        details: { name: "worker-old" },
      },
    });

    const result = await driver().apply(NS, [makeDeployment()], { labels });

    expect(result.resources).toEqual([
      { kind: "Deployment", name: "web", action: "created" },
      { kind: "Deployment", name: "worker-old", action: "pruned" },
    ]);
    const lists = api.calls().filter((r) => r.method === "GET" && r.query.labelSelector !== undefined);
    expect(lists).toHaveLength(PRUNE_KINDS.length);
    for (const list of lists) expect(list.query).toEqual({ labelSelector: "nemo.eu/instance-id=caedfa4f" });
    const deletes = api.calls().filter((r) => r.method === "DELETE");
    // debug-shell carries the label too, but was made by kubectl: not the console's to remove.
    expect(deletes.map((r) => [r.path, r.query])).toEqual([
      [`/apis/apps/v1/namespaces/${NS}/deployments/worker-old`, { propagationPolicy: "Background" }],
    ]);
  });

  it("maps the API server's 422 for an invalid object to INVALID_MANIFEST with the server's message", async () => {
    serveNamespaceCreate();
    api.on("PATCH", path("apps/v1", "Deployment", "web"), {
      status: 422,
      body: fixture("status-invalid-deployment.json"),
    });
    const broken = makeDeployment();
    await expect(driver().apply(NS, [broken], { labels })).rejects.toMatchObject({
      name: "ClusterDriverError",
      type: "INVALID_MANIFEST",
      cluster: "edge-1",
      message:
        `cluster edge-1: applying Deployment/web in namespace ${NS}: the API server refused the request ` +
        '(422 Unprocessable Entity): Deployment.apps "web" is invalid: spec.template.spec.containers[0].image: Required value',
    });
  });

  it("rejects a kind the cluster does not serve before creating anything", async () => {
    serveNamespaceCreate();
    const widget: KubernetesManifest = {
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: { name: "w" },
    };
    await expect(driver().apply(NS, [makeConfigMap(), widget], { labels })).rejects.toMatchObject({
      type: "INVALID_MANIFEST",
      message: expect.stringContaining("the cluster does not serve kind Widget in example.com/v1"),
    });
    expect(api.calls()).toEqual([]);
    expect(api.requests.map((r) => r.path)).toContain("/apis/example.com/v1");
  });

  it("applies a CRD before its custom resources, and cluster-scoped kinds without a namespace", async () => {
    serveNamespaceCreate();
    const crdName = "servicemonitors.monitoring.coreos.com";
    api.on(
      "PATCH",
      `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crdName}`,
      appliedAs("913060"),
    );
    api.on("PATCH", "/apis/rbac.authorization.k8s.io/v1/clusterroles/shop-reader", appliedAs("913061"));
    api.on("PATCH", path("monitoring.coreos.com/v1", "ServiceMonitor", "web"), appliedAs("913062"));
    emptyLists(api, NS, [{ apiVersion: "monitoring.coreos.com/v1", kind: "ServiceMonitor" }]);
    const monitor: KubernetesManifest = {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "ServiceMonitor",
      metadata: { name: "web" },
      spec: { selector: { matchLabels: { app: "web" } }, endpoints: [{ port: "http" }] },
    };
    const crd: KubernetesManifest = {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: crdName, namespace: "ignored" },
      spec: { group: "monitoring.coreos.com", names: { kind: "ServiceMonitor", plural: "servicemonitors" } },
    };
    const role: KubernetesManifest = {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: "shop-reader" },
      rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] }],
    };

    const result = await driver().apply(NS, [monitor, role, crd], { labels, allowClusterScoped: true });

    expect(result.resources.filter((r) => r.action !== "pruned")).toEqual([
      { kind: "CustomResourceDefinition", name: crdName, action: "created" },
      { kind: "ClusterRole", name: "shop-reader", action: "created" },
      { kind: "ServiceMonitor", name: "web", action: "created" },
    ]);
    const patches = api.calls().filter((r) => r.method === "PATCH");
    expect(patches.map((r) => manifestOf(r).metadata.namespace)).toEqual([undefined, undefined, NS]);
    expect(manifestOf(patches[1]).metadata.labels).toEqual({ [INSTANCE_ID_LABEL]: "caedfa4f" });
    // The applied custom resource kind is looked at for pruning too.
    expect(api.calls().map((r) => `${r.method} ${r.path}`)).toContain(
      `GET /apis/monitoring.coreos.com/v1/namespaces/${NS}/servicemonitors`,
    );
  });

  it("refuses a kind the cluster serves cluster-scoped unless approved, before creating anything", async () => {
    serveNamespaceCreate();
    const role: KubernetesManifest = {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: "shop-reader" },
      rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] }],
    };
    const error = await driver()
      .apply(NS, [makeConfigMap(), role], { labels })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toMatchObject({
      type: "INVALID_MANIFEST",
      message: expect.stringContaining("ClusterRole/shop-reader is cluster-scoped"),
    });
    expect(api.calls().filter((r) => r.method !== "GET")).toEqual([]);
  });

  it("labels the namespace with the configured Pod Security level", async () => {
    serveNamespaceCreate();
    api.on("PATCH", path("v1", "ConfigMap", "settings"), appliedAs("913030"));
    await driver().apply(NS, [makeConfigMap()], { labels, podSecurity: "baseline" });
    const namespace = api.calls()[0]?.body as { metadata: { labels: Record<string, string> } };
    expect(namespace.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("baseline");
  });

  it("leaves Namespace manifests to the driver and refuses the same object twice", async () => {
    serveNamespaceCreate();
    api.on("PATCH", path("v1", "ConfigMap", "settings"), appliedAs("913030"));
    const namespace: KubernetesManifest = {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "other" },
    };
    const result = await driver().apply(NS, [namespace, makeConfigMap()], { labels });
    expect(result.resources).toEqual([{ kind: "ConfigMap", name: "settings", action: "created" }]);

    await expect(driver().apply(NS, [makeConfigMap(), makeConfigMap()], { labels })).rejects.toMatchObject({
      type: "INVALID_MANIFEST",
      message: "cluster edge-1: ConfigMap/settings appears twice",
    });
  });

  it("rejects a namespace name Kubernetes would refuse, without a request", async () => {
    await expect(driver().apply("Shop_1", [makeConfigMap()], { labels })).rejects.toMatchObject({
      type: "INVALID_ARGUMENT",
    });
    expect(api.requests).toEqual([]);
  });
});

describe("kubernetes driver: deleteNamespace", () => {
  it("deletes a namespace the console created", async () => {
    api.on("GET", `/api/v1/namespaces/${NS}`, { status: 200, body: fixture("namespace-created.json") });
    api.on("DELETE", `/api/v1/namespaces/${NS}`, {
      status: 200,
      body: fixture("namespace-terminating.json"),
    });
    expect(await driver().deleteNamespace(NS)).toEqual({ cluster: "edge-1", namespace: NS, deleted: true });
    expect(api.calls().map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /api/v1/namespaces/${NS}`,
      `DELETE /api/v1/namespaces/${NS}`,
    ]);
  });

  it("treats a namespace that is already gone (404) as nothing to delete, not an error", async () => {
    api.on("GET", `/api/v1/namespaces/${NS}`, apiStatus(404, "NotFound", `namespaces "${NS}" not found`));
    expect(await driver().deleteNamespace(NS)).toEqual({ cluster: "edge-1", namespace: NS, deleted: false });
    expect(api.calls().filter((r) => r.method === "DELETE")).toEqual([]);
  });

  it("treats a namespace deleted between the check and the delete (404) as not deleted", async () => {
    api.on("GET", `/api/v1/namespaces/${NS}`, { status: 200, body: fixture("namespace-created.json") });
    api.on("DELETE", `/api/v1/namespaces/${NS}`, apiStatus(404, "NotFound", `namespaces "${NS}" not found`));
    expect(await driver().deleteNamespace(NS)).toMatchObject({ deleted: false });
  });

  it("does not delete again a namespace that is already terminating", async () => {
    api.on("GET", `/api/v1/namespaces/${NS}`, { status: 200, body: fixture("namespace-terminating.json") });
    expect(await driver().deleteNamespace(NS)).toMatchObject({ deleted: false });
    expect(api.calls().filter((r) => r.method === "DELETE")).toEqual([]);
  });

  it("refuses to delete a namespace the console did not create", async () => {
    api.on("GET", "/api/v1/namespaces/kube-system", {
      status: 200,
      body: fixture("namespace-kube-system.json"),
    });
    await expect(driver().deleteNamespace("kube-system")).rejects.toMatchObject({
      type: "INVALID_ARGUMENT",
      message: expect.stringContaining("refusing to delete it"),
    });
    expect(api.calls().filter((r) => r.method === "DELETE")).toEqual([]);
  });
});

describe("kubernetes driver: scale", () => {
  it("scales a Deployment with a merge patch on its scale subresource", async () => {
    const scalePath = `/apis/apps/v1/namespaces/${NS}/deployments/web/scale`;
    const scaled = fixture("scale-web.json") as { spec: { replicas: number } };
    api.on("GET", scalePath, { status: 200, body: fixture("scale-web.json") });
    api.on("PATCH", scalePath, { status: 200, body: { ...scaled, spec: { replicas: 5 } } });

    const result = await driver().scale(NS, "Deployment", "web", 5);

    expect(result).toEqual({
      cluster: "edge-1",
      namespace: NS,
      kind: "Deployment",
      name: "web",
      replicas: 5,
      previousReplicas: 2,
    });
    const patch = api.calls().find((r) => r.method === "PATCH");
    expect(patch).toMatchObject({
      path: scalePath,
      contentType: "application/merge-patch+json",
      query: {},
      body: { spec: { replicas: 5 } },
    });
  });

  it("scales a StatefulSet up from zero, where the Scale omits spec.replicas", async () => {
    const scalePath = `/apis/apps/v1/namespaces/${NS}/statefulsets/db/scale`;
    const zero = fixture("scale-db-zero.json") as object;
    api.on("GET", scalePath, { status: 200, body: zero });
    api.on("PATCH", scalePath, { status: 200, body: { ...zero, spec: { replicas: 1 } } });
    expect(await driver().scale(NS, "StatefulSet", "db", 1)).toMatchObject({
      replicas: 1,
      previousReplicas: 0,
    });
    expect(api.calls().map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET ${scalePath}`,
      `PATCH ${scalePath}`,
    ]);
  });

  it("reports a workload that does not exist as NOT_FOUND", async () => {
    api.on(
      "GET",
      `/apis/apps/v1/namespaces/${NS}/deployments/ghost/scale`,
      apiStatus(404, "NotFound", 'deployments.apps "ghost" not found', {
        name: "ghost",
        group: "apps",
        kind: "deployments",
      }),
    );
    await expect(driver().scale(NS, "Deployment", "ghost", 3)).rejects.toMatchObject({
      type: "NOT_FOUND",
      message: `cluster edge-1: reading the scale of Deployment/ghost in namespace ${NS}: not found (404 Not Found): deployments.apps "ghost" not found`,
    });
  });

  it("refuses negative or fractional replica counts without a request", async () => {
    await expect(driver().scale(NS, "Deployment", "web", -1)).rejects.toMatchObject({
      type: "INVALID_ARGUMENT",
    });
    await expect(driver().scale(NS, "Deployment", "web", 1.5)).rejects.toMatchObject({
      type: "INVALID_ARGUMENT",
    });
    expect(api.requests).toEqual([]);
  });
});
