import { describe, expect, it } from "vitest";
import { makeConfigMap, makeDeployment, makeService } from "@/server/testing/cluster-factories";
import { diffLiveObject, diffWithOwnership, fieldOwners, fieldsV1Holds, REDACTED } from "./live-diff";
import { type KubernetesManifest } from "./manifests";

/** What an API server returns for an applied object: defaults filled in, server metadata, status. */
function asServed(manifest: KubernetesManifest): Record<string, unknown> {
  const live = structuredClone(manifest) as Record<string, unknown> & { spec?: Record<string, unknown> };
  live.metadata = {
    ...manifest.metadata,
    namespace: "shop",
    uid: "0b7c8e3a-1111-4c5d-8e7f-a0b1c2d3e4f5",
    resourceVersion: "4711",
    generation: 3,
    creationTimestamp: "2026-12-07T10:00:00Z",
    labels: { ...manifest.metadata.labels, "nemo.eu/instance-id": "i-1" },
    annotations: { "deployment.kubernetes.io/revision": "3" },
  };
  live.status = { replicas: 2, readyReplicas: 1, observedGeneration: 3 };
  return live;
}

describe("live diff: what is never drift", () => {
  it("ignores status, server metadata, labels and annotations the console did not set", () => {
    const desired = makeDeployment({ name: "web" });
    expect(diffLiveObject(desired, asServed(desired))).toEqual([]);
  });

  it("ignores fields Kubernetes defaults (not in the manifest)", () => {
    const desired = makeService({ name: "web" });
    const live = asServed(desired) as { spec: Record<string, unknown> };
    live.spec.clusterIP = "10.96.0.12";
    live.spec.type = "ClusterIP";
    live.spec.ports = [{ port: 80, targetPort: 8080, protocol: "TCP" }];
    live.spec.sessionAffinity = "None";
    expect(diffLiveObject(desired, live)).toEqual([]);
  });

  it("compares quantities by amount and numbers with numeric strings", () => {
    const desired = makeDeployment({ name: "web", cpu: "0.5", memory: "1Gi" });
    const live = asServed(desired) as {
      spec: {
        template: { spec: { containers: Array<{ resources: Record<string, Record<string, string>> }> } };
      };
    };
    live.spec.template.spec.containers[0]!.resources = { requests: { cpu: "500m", memory: "1024Mi" } };
    expect(diffLiveObject(desired, live)).toEqual([]);
  });

  it("treats an empty value like an absent one", () => {
    const desired = makeConfigMap({ name: "cfg", data: {} });
    const live = asServed(desired);
    delete live.data;
    expect(diffLiveObject(desired, live)).toEqual([]);
  });

  it("skips a path the caller ignores (replicas under scaling)", () => {
    const desired = makeDeployment({ name: "web", replicas: 2 });
    const live = asServed(desired) as { spec: Record<string, unknown> };
    live.spec.replicas = 5;
    expect(diffLiveObject(desired, live).map((d) => d.path)).toEqual(["spec.replicas"]);
    expect(diffLiveObject(desired, live, { ignore: (p) => p === "spec.replicas" })).toEqual([]);
  });
});

describe("live diff: what is drift", () => {
  it("reports a changed field with the expected and the live value", () => {
    const desired = makeDeployment({ name: "web", image: "registry.example/web:1.0" });
    const live = asServed(desired) as {
      spec: { template: { spec: { containers: Array<Record<string, unknown>> } } };
    };
    live.spec.template.spec.containers[0]!.image = "registry.example/web:hacked";
    expect(diffLiveObject(desired, live)).toEqual([
      {
        path: "spec.template.spec.containers[name=web].image",
        expected: '"registry.example/web:1.0"',
        actual: '"registry.example/web:hacked"',
      },
    ]);
  });

  it("reports a removed field, a changed label and a container added by hand", () => {
    const desired = makeDeployment({ name: "web" });
    const live = asServed(desired) as {
      metadata: { labels: Record<string, string> };
      spec: { template: { spec: { containers: Array<Record<string, unknown>> } } };
    };
    live.metadata.labels.app = "other";
    delete live.spec.template.spec.containers[0]!.resources;
    live.spec.template.spec.containers.push({ name: "sidecar", image: "evil:1" });
    const paths = diffLiveObject(desired, live).map((d) => [d.path, d.actual]);
    expect(paths).toEqual([
      ["metadata.labels.app", '"other"'],
      ["spec.template.spec.containers[name=web].resources", null],
      ["spec.template.spec.containers[name=sidecar]", '{"name":"sidecar","image":"evil:1"}'],
    ]);
  });

  it("never shows a Secret's values, and compares stringData as the data it becomes", () => {
    const desired: KubernetesManifest = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "creds" },
      stringData: { password: "s3cret" },
    };
    const { stringData: _stringData, ...served } = asServed(desired);
    const same = { ...served, data: { password: Buffer.from("s3cret").toString("base64") } };
    expect(diffLiveObject(desired, same)).toEqual([]);
    const changed = { ...same, data: { password: Buffer.from("other").toString("base64") } };
    const drift = diffLiveObject(desired, changed);
    expect(drift).toEqual([{ path: "data.password", expected: REDACTED, actual: REDACTED }]);
    expect(JSON.stringify(drift)).not.toContain("s3cret");
  });
});

describe("managedFields (server-side apply ownership)", () => {
  const fieldsV1 = {
    "f:spec": {
      "f:replicas": {},
      "f:template": {
        "f:spec": { "f:containers": { 'k:{"name":"web"}': { ".": {}, "f:image": {} } } },
      },
    },
  };
  const imageSegments = [
    { key: "spec" },
    { key: "template" },
    { key: "spec" },
    { key: "containers" },
    { element: { name: "web" }, index: 0, label: "name=web" },
    { key: "image" },
  ];

  it("finds a field in a fieldsV1 set, list elements by their key", () => {
    expect(fieldsV1Holds(fieldsV1, imageSegments)).toBe(true);
    expect(fieldsV1Holds(fieldsV1, [{ key: "spec" }, { key: "replicas" }])).toBe(true);
    expect(fieldsV1Holds(fieldsV1, [{ key: "spec" }, { key: "paused" }])).toBe(false);
    expect(
      fieldOwners(
        [
          { manager: "nemo-console", operation: "Apply", fieldsType: "FieldsV1", fieldsV1 },
          { manager: "kube-controller-manager", operation: "Update", fieldsType: "FieldsV1", fieldsV1: {} },
        ],
        imageSegments,
      ),
    ).toEqual(["nemo-console"]);
  });

  it("names the manager that changed a field, and drops one an autoscaler took over", () => {
    const desired = makeDeployment({ name: "web", replicas: 2 });
    const live = asServed(desired) as {
      metadata: Record<string, unknown>;
      spec: { replicas: number; template: { spec: { containers: Array<Record<string, unknown>> } } };
    };
    live.spec.replicas = 7;
    live.spec.template.spec.containers[0]!.image = "registry.example/web:edited";
    live.metadata.managedFields = [
      {
        manager: "nemo-console",
        operation: "Apply",
        fieldsType: "FieldsV1",
        fieldsV1: { "f:metadata": { "f:labels": { "f:app": {} } } },
      },
      {
        manager: "kubectl-edit",
        operation: "Update",
        fieldsType: "FieldsV1",
        fieldsV1: {
          "f:spec": {
            "f:template": {
              "f:spec": { "f:containers": { 'k:{"name":"web"}': { "f:image": {} } } },
            },
          },
        },
      },
      {
        manager: "kube-controller-manager",
        operation: "Update",
        subresource: "scale",
        fieldsType: "FieldsV1",
        fieldsV1: { "f:spec": { "f:replicas": {} } },
      },
    ];
    expect(diffWithOwnership(desired, live)).toEqual([
      {
        path: "spec.template.spec.containers[name=web].image",
        expected: '"registry.example/web:1.0"',
        actual: '"registry.example/web:edited"',
        changedBy: "kubectl-edit",
      },
    ]);
  });
});
