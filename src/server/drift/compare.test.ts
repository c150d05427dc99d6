import { describe, expect, it } from "vitest";
import { SimulatedClusterDriver } from "@/server/clusters";
import {
  instanceLabels,
  makeConfigMap,
  makeContinuum,
  makeDeployment,
  makeService,
} from "@/server/testing/cluster-factories";
import { computeDrift, describeDrift, MAX_DRIFTED_OBJECTS, replicaDrifts } from "./compare";

const INSTANCE = "5f0c2d7e-2b3a-4c5d-8e7f-a0b1c2d3e4f5";
const NS = "shop-5f0c2d7";

function setup() {
  const { continuum, clock } = makeContinuum();
  const driver = new SimulatedClusterDriver({ continuum, cluster: "test-cluster" });
  const manifests = [
    makeDeployment({ name: "web", replicas: 2 }),
    makeService({ name: "web" }),
    makeConfigMap({ name: "settings" }),
  ];
  return { continuum, clock, driver, manifests, cluster: continuum.cluster("test-cluster") };
}

async function verdict(driver: SimulatedClusterDriver, manifests: Parameters<typeof computeDrift>[1]) {
  const live = await driver.listInstanceObjects(NS, INSTANCE);
  return computeDrift("test-cluster", manifests, live.objects);
}

describe("drift on the simulated cluster", () => {
  it("is in sync right after apply, whatever the cluster adds (uid, creation time, load profile)", async () => {
    const { driver, manifests } = setup();
    await driver.apply(NS, manifests, { labels: instanceLabels(INSTANCE) });
    const fresh = await verdict(driver, manifests);
    expect(fresh.drifted).toBe(false);
    expect(fresh.summary).toEqual({ cluster: "test-cluster", compared: 3, objects: [], moreObjects: 0 });
  });

  it("reports replicas scaled behind the console's back, unless an autoscaler of the instance owns them", async () => {
    const { driver, manifests } = setup();
    await driver.apply(NS, manifests, { labels: instanceLabels(INSTANCE) });
    await driver.scale(NS, "Deployment", "web", 5);
    const scaled = await verdict(driver, manifests);
    expect(scaled.summary.objects).toEqual([
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        name: "web",
        state: "changed",
        fields: [{ path: "spec.replicas", expected: "2", actual: "5" }],
      },
    ]);
    expect(replicaDrifts(scaled.summary, manifests)).toEqual([
      { kind: "Deployment", name: "web", replicas: 2 },
    ]);
    const hpa = {
      apiVersion: "autoscaling/v2",
      kind: "HorizontalPodAutoscaler",
      metadata: { name: "web" },
      spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" }, maxReplicas: 9 },
    };
    expect((await verdict(driver, manifests.concat([hpa]))).summary.objects).toEqual([
      expect.objectContaining({ kind: "HorizontalPodAutoscaler", state: "missing" }),
    ]);
  });

  it("lists only the instance's own objects", async () => {
    const { driver, manifests } = setup();
    await driver.apply(NS, manifests, { labels: instanceLabels(INSTANCE) });
    await driver.apply(NS, [makeConfigMap({ name: "other" })], { labels: instanceLabels("someone-else") });
    const live = await driver.listInstanceObjects(NS, INSTANCE);
    expect(live.objects.map((o) => (o.metadata as { name: string }).name).sort()).toEqual([
      "settings",
      "web",
      "web",
    ]);
    expect((await driver.listInstanceObjects("absent-ns", INSTANCE)).objects).toEqual([]);
  });

  it("detects an operator's edit and a deleted object; re-apply brings both back", async () => {
    const { driver, manifests, cluster } = setup();
    await driver.apply(NS, manifests, { labels: instanceLabels(INSTANCE) });
    cluster.operatorEdit(NS, "Deployment", "web", {
      spec: { template: { spec: { containers: [{ name: "web", image: "registry.example/web:hotfix" }] } } },
    });
    cluster.operatorDelete(NS, "ConfigMap", "settings");
    const drifted = await verdict(driver, manifests);
    expect(drifted.drifted).toBe(true);
    expect(drifted.summary.objects.map((o) => [o.kind, o.name, o.state])).toEqual([
      ["Deployment", "web", "changed"],
      ["ConfigMap", "settings", "missing"],
    ]);
    expect(drifted.summary.objects[0]?.fields).toContainEqual({
      path: "spec.template.spec.containers[name=web].image",
      expected: '"registry.example/web:1.0"',
      actual: '"registry.example/web:hotfix"',
    });
    expect(describeDrift(drifted.summary)).toBe(
      "2 objects (Deployment/web changed, ConfigMap/settings missing)",
    );

    // The same manifests again: the hand-edited Deployment is re-applied, not "unchanged".
    const result = await driver.apply(NS, manifests, { labels: instanceLabels(INSTANCE) });
    expect(result.resources).toEqual(
      expect.arrayContaining([
        { kind: "Deployment", name: "web", action: "configured" },
        { kind: "ConfigMap", name: "settings", action: "created" },
        { kind: "Service", name: "web", action: "unchanged" },
      ]),
    );
    expect((await verdict(driver, manifests)).drifted).toBe(false);
    // The edit rolled out new pods, and the re-apply rolled them back to the manifest's image.
    const tree = await driver.deploymentTree(NS);
    const images = tree.nodes.filter((n) => n.kind === "Pod").flatMap((n) => n.images);
    expect(images.length).toBeGreaterThan(0);
    expect(new Set(images)).toEqual(new Set(["registry.example/web:1.0"]));
  });

  it("keeps a summary bounded", () => {
    const desired = Array.from({ length: MAX_DRIFTED_OBJECTS + 7 }, (_, i) =>
      makeConfigMap({ name: `cm-${i}` }),
    );
    const result = computeDrift("c", desired, []);
    expect(result.summary.objects).toHaveLength(MAX_DRIFTED_OBJECTS);
    expect(result.summary.moreObjects).toBe(7);
    expect(describeDrift(result.summary)).toBe(
      `${MAX_DRIFTED_OBJECTS + 7} objects (ConfigMap/cm-0 missing, ConfigMap/cm-1 missing, ConfigMap/cm-2 missing, ${MAX_DRIFTED_OBJECTS + 4} more)`,
    );
  });

  it("refuses an edit that renames an object, changing nothing", () => {
    const { cluster } = setup();
    cluster.apply(NS, [makeConfigMap({ name: "settings" })], { labels: instanceLabels(INSTANCE) });
    expect(() => cluster.operatorEdit(NS, "ConfigMap", "settings", { metadata: { name: "x" } })).toThrow(
      /kind or name/,
    );
    expect(() => cluster.operatorDelete(NS, "ConfigMap", "nope")).toThrow(/not found/);
  });
});
