import { describe, expect, it } from "vitest";
import { deploymentTreeSchema, INSTANCE_ID_LABEL } from "../driver";
import { isClusterDriverError } from "../errors";
import {
  instanceLabels,
  makeConfigMap,
  makeContinuum,
  makeDeployment,
  makeIngress,
  makeService,
  makeStatefulSet,
  SETTLE_MS,
} from "@/server/testing/cluster-factories";
import { SimulatedClusterDriver } from "./simulated-driver";

const labels = instanceLabels("3b004d45");

function setup() {
  const { continuum, clock } = makeContinuum();
  const driver = new SimulatedClusterDriver({ continuum, cluster: "test-cluster" });
  return { continuum, clock, driver, cluster: continuum.cluster("test-cluster") };
}

const podNames = (tree: { nodes: Array<{ kind: string; name: string }> }) =>
  tree.nodes.filter((node) => node.kind === "Pod").map((node) => node.name);

describe("simulated apply, scale and delete", () => {
  it("builds Deployment → ReplicaSet → Pod with parent references", async () => {
    const { driver, clock } = setup();
    await driver.apply("shop", [makeDeployment({ name: "web", replicas: 2 })], { labels });
    clock.advance(SETTLE_MS);
    const tree = deploymentTreeSchema.parse(await driver.deploymentTree("shop"));
    const deployment = tree.nodes.find((node) => node.kind === "Deployment");
    const replicaSet = tree.nodes.find((node) => node.kind === "ReplicaSet");
    const pods = tree.nodes.filter((node) => node.kind === "Pod");
    expect(deployment).toMatchObject({
      name: "web",
      health: { status: "Healthy" },
      replicas: { desired: 2, ready: 2 },
    });
    expect(replicaSet?.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{10}$/);
    expect(replicaSet?.parentRefs).toEqual([
      { kind: "Deployment", name: "web", namespace: "shop", uid: deployment?.uid },
    ]);
    expect(pods).toHaveLength(2);
    for (const pod of pods) {
      expect(pod.name).toMatch(new RegExp(`^${replicaSet?.name}-[a-z0-9]{5}$`));
      expect(pod.parentRefs[0]?.uid).toBe(replicaSet?.uid);
      expect(pod).toMatchObject({ status: "Running", cluster: "test-cluster", restarts: 0 });
      expect(pod.nodeName).toMatch(/^test-cluster-node-\d$/);
      expect(pod.traffic?.requestsPerSecond).toBeGreaterThan(0);
    }
    expect(tree.health.status).toBe("Healthy");
  });

  it("builds StatefulSet → ordinal Pods and their volume claims", async () => {
    const { driver } = setup();
    await driver.apply("db", [makeStatefulSet({ name: "pg", replicas: 2 })], { labels });
    const tree = await driver.deploymentTree("db");
    expect(podNames(tree)).toEqual(["pg-0", "pg-1"]);
    const claims = tree.nodes
      .filter((node) => node.kind === "PersistentVolumeClaim")
      .map((node) => node.name);
    expect(claims).toEqual(["data-pg-0", "data-pg-1"]);
    for (const node of tree.nodes.filter((n) => n.kind === "Pod" || n.kind === "PersistentVolumeClaim"))
      expect(node.parentRefs[0]?.kind).toBe("StatefulSet");
  });

  it("stores other kinds and links Service → Pods and Ingress → Service", async () => {
    const { driver, clock } = setup();
    await driver.apply(
      "shop",
      [
        makeDeployment({ name: "web" }),
        makeService({ name: "web" }),
        makeIngress({ name: "web" }),
        makeConfigMap(),
      ],
      { labels },
    );
    clock.advance(SETTLE_MS);
    const tree = await driver.deploymentTree("shop");
    const service = tree.nodes.find((node) => node.kind === "Service");
    const ingress = tree.nodes.find((node) => node.kind === "Ingress");
    expect(tree.nodes.find((node) => node.kind === "ConfigMap")).toMatchObject({
      name: "settings",
      status: "Active",
    });
    expect(service?.targetRefs.map((ref) => ref.name).sort()).toEqual(podNames(tree).sort());
    expect(ingress?.targetRefs).toEqual([
      { kind: "Service", name: "web", namespace: "shop", uid: service?.uid },
    ]);
    expect(service?.traffic?.requestsPerSecond).toBeGreaterThan(0);
    expect(ingress?.traffic?.requestsPerSecond).toBeCloseTo(service?.traffic?.requestsPerSecond ?? -1, 2);
  });

  it("labels every resource and pod with the instance id", async () => {
    const { driver } = setup();
    await driver.apply("shop", [makeDeployment(), makeService(), makeConfigMap()], { labels });
    const tree = await driver.deploymentTree("shop");
    for (const node of tree.nodes.filter(
      (n) => n.kind !== "ReplicaSet" && n.kind !== "PersistentVolumeClaim",
    ))
      expect(node.labels[INSTANCE_ID_LABEL]).toBe("3b004d45");
  });

  it("re-applying unchanged manifests changes nothing and keeps the same pods", async () => {
    const { driver } = setup();
    const manifests = [makeDeployment(), makeService()];
    await driver.apply("shop", manifests, { labels });
    const before = await driver.deploymentTree("shop");
    const result = await driver.apply("shop", manifests, { labels });
    expect(result.resources.map((r) => r.action)).toEqual(["unchanged", "unchanged"]);
    expect((await driver.deploymentTree("shop")).nodes.map((n) => n.uid)).toEqual(
      before.nodes.map((n) => n.uid),
    );
  });

  it("re-applying a changed pod template rolls out a new ReplicaSet", async () => {
    const { driver } = setup();
    await driver.apply("shop", [makeDeployment({ image: "web:1" })], { labels });
    const result = await driver.apply("shop", [makeDeployment({ image: "web:2" })], { labels });
    expect(result.resources).toEqual([{ kind: "Deployment", name: "web", action: "configured" }]);
    const tree = await driver.deploymentTree("shop");
    const replicaSets = tree.nodes.filter((node) => node.kind === "ReplicaSet");
    expect(replicaSets.map((rs) => rs.replicas?.desired).sort()).toEqual([0, 2]);
    const current = replicaSets.find((rs) => rs.replicas?.desired === 2);
    for (const pod of tree.nodes.filter((node) => node.kind === "Pod")) {
      expect(pod.parentRefs[0]?.uid).toBe(current?.uid);
      expect(pod.images).toEqual(["web:2"]);
    }
  });

  it("prunes resources of the instance that left the manifests, and only those", async () => {
    const { driver } = setup();
    await driver.apply("shop", [makeDeployment(), makeConfigMap({ name: "old" })], { labels });
    await driver.apply("shop", [makeConfigMap({ name: "other" })], {
      labels: instanceLabels("someone-else"),
    });
    const result = await driver.apply("shop", [makeDeployment()], { labels });
    expect(result.resources).toContainEqual({ kind: "ConfigMap", name: "old", action: "pruned" });
    const names = (await driver.deploymentTree("shop")).nodes.map((node) => `${node.kind}/${node.name}`);
    expect(names).not.toContain("ConfigMap/old");
    expect(names).toContain("ConfigMap/other");
  });

  it("rejects an invalid manifest and applies nothing", async () => {
    const { driver } = setup();
    const error = await driver
      .apply("shop", [makeConfigMap(), makeDeployment({ name: "bad", memory: "lots" })], { labels })
      .catch((e: unknown) => e);
    expect(isClusterDriverError(error, "INVALID_MANIFEST")).toBe(true);
    expect((await driver.deploymentTree("shop")).health.status).toBe("Missing");
  });

  it("scales a deployment up and down", async () => {
    const { driver, cluster } = setup();
    await driver.apply("shop", [makeDeployment({ replicas: 2 })], { labels });
    const up = await driver.scale("shop", "Deployment", "web", 5);
    expect(up).toMatchObject({ previousReplicas: 2, replicas: 5 });
    expect(cluster.podSummaries("shop")).toHaveLength(5);
    const survivors = cluster
      .podSummaries("shop")
      .slice(0, 1)
      .map((pod) => pod.name);
    await driver.scale("shop", "Deployment", "web", 1);
    // Scale-down removes the newest pods first.
    expect(cluster.podSummaries("shop").map((pod) => pod.name)).toEqual(survivors);
    await driver.scale("shop", "Deployment", "web", 0);
    expect(cluster.podSummaries("shop")).toHaveLength(0);
  });

  it("scales a statefulset by ordinals and keeps its claims", async () => {
    const { driver } = setup();
    await driver.apply("db", [makeStatefulSet({ name: "pg", replicas: 3 })], { labels });
    await driver.scale("db", "StatefulSet", "pg", 1);
    const tree = await driver.deploymentTree("db");
    expect(podNames(tree)).toEqual(["pg-0"]);
    expect(tree.nodes.filter((node) => node.kind === "PersistentVolumeClaim")).toHaveLength(3);
  });

  it("keeps a scaled replica count when a re-applied manifest did not change replicas", async () => {
    const { driver, cluster } = setup();
    await driver.apply("shop", [makeDeployment({ replicas: 2, image: "web:1" })], { labels });
    await driver.scale("shop", "Deployment", "web", 4);
    await driver.apply("shop", [makeDeployment({ replicas: 2, image: "web:2" })], { labels });
    expect(cluster.podSummaries("shop")).toHaveLength(4);
    await driver.apply("shop", [makeDeployment({ replicas: 3, image: "web:2" })], { labels });
    expect(cluster.podSummaries("shop")).toHaveLength(3);
  });

  it("runs a bare Pod as it is and replaces it only when its spec changes", async () => {
    const { driver } = setup();
    const pod = (image: string) => ({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "probe" },
      spec: { containers: [{ name: "probe", image, resources: { requests: { cpu: "100m" } } }] },
    });
    await driver.apply("tools", [pod("probe:1")], { labels });
    const first = (await driver.deploymentTree("tools")).nodes;
    expect(first.map((n) => [n.kind, n.name, n.parentRefs.length])).toEqual([["Pod", "probe", 0]]);
    await driver.apply("tools", [pod("probe:1")], { labels });
    expect((await driver.deploymentTree("tools")).nodes[0]?.uid).toBe(first[0]?.uid);
    const annotated = { ...pod("probe:1"), metadata: { name: "probe", annotations: { note: "x" } } };
    expect((await driver.apply("tools", [annotated], { labels })).resources[0]?.action).toBe("configured");
    expect((await driver.deploymentTree("tools")).nodes[0]?.uid).toBe(first[0]?.uid);
    await driver.apply("tools", [pod("probe:2")], { labels });
    const replaced = (await driver.deploymentTree("tools")).nodes[0];
    expect(replaced?.uid).not.toBe(first[0]?.uid);
    expect(replaced?.images).toEqual(["probe:2"]);
  });

  it("reports scaling something that does not exist as NOT_FOUND", async () => {
    const { driver } = setup();
    await driver.apply("shop", [makeDeployment()], { labels });
    await expect(driver.scale("shop", "Deployment", "nope", 1)).rejects.toMatchObject({ type: "NOT_FOUND" });
    await expect(driver.scale("shop", "Deployment", "web", -1)).rejects.toMatchObject({
      type: "INVALID_ARGUMENT",
    });
  });

  it("deleting the namespace removes everything and frees its capacity", async () => {
    const { driver } = setup();
    const before = await driver.connect();
    await driver.apply("shop", [makeDeployment({ replicas: 4, cpu: "1", memory: "1Gi" })], { labels });
    const during = await driver.connect();
    expect(await driver.deleteNamespace("shop")).toMatchObject({ deleted: true });
    const after = await driver.connect();
    if (!before.ok || !during.ok || !after.ok) throw new Error("connect failed");
    expect(during.info.requested.cpuMillicores).toBe(before.info.requested.cpuMillicores + 4000);
    expect(after.info.requested).toEqual(before.info.requested);
    expect((await driver.deploymentTree("shop")).nodes).toEqual([]);
    expect(await driver.deleteNamespace("shop")).toMatchObject({ deleted: false });
  });

  it("refuses namespace names Kubernetes would refuse", async () => {
    const { driver } = setup();
    await expect(driver.apply("Not_Valid", [makeDeployment()], { labels })).rejects.toMatchObject({
      type: "INVALID_ARGUMENT",
    });
  });
});
