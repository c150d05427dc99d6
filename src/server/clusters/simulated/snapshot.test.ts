import { describe, expect, it } from "vitest";
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
import { createManualClock, type ManualClock } from "./clock";
import { SimulatedCluster } from "./simulated-cluster";

const labels = instanceLabels("snap-1");

/** A cluster with something of everything a snapshot must carry. */
function busyCluster() {
  const { continuum, clock } = makeContinuum({ seed: 11 });
  const cluster = continuum.cluster("test-cluster");
  const shop = (image?: string) => [
    makeDeployment({ replicas: 3, ...(image ? { image } : {}) }),
    makeService(),
    makeIngress(),
    makeConfigMap(),
    makeStatefulSet({ replicas: 2 }),
    { apiVersion: "v1", kind: "Pod", metadata: { name: "debug" }, spec: { containers: [{ name: "sh" }] } },
    {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { name: "scratch" },
      spec: { resources: { requests: { storage: "5Gi" } } },
    },
  ];
  cluster.apply("shop", shop(), { labels });
  // Too big for any node: a Pending pod with kube-scheduler's reason.
  cluster.apply("big", [makeDeployment({ name: "huge", replicas: 1, cpu: "64" })], {
    labels: instanceLabels("big"),
  });
  clock.advance(SETTLE_MS);
  // A second ReplicaSet revision, then a scale that the next re-apply must keep.
  cluster.apply("shop", shop("registry.example/web:2.0"), { labels });
  cluster.scale("shop", "Deployment", "web", 4);
  const crash = continuum.injectFailure("test-cluster", { type: "crash-loop", namespace: "shop" });
  clock.advance(120_000);
  continuum.clearFailure(crash); // freezes restarts into restartsBase
  continuum.injectFailure("test-cluster", { type: "load-spike", factor: 2.5, namespace: "shop" });
  continuum.injectFailure("test-cluster", { type: "backup-fails", times: 3 });
  cluster.consumeFailure("backup-fails");
  clock.advance(30_000);
  return { continuum, clock, cluster };
}

/** Everything observable, then what the next changes are named: run on an original and on its restored copy. */
function exercise(cluster: SimulatedCluster, clock: ManualClock) {
  const before = { tree: cluster.deploymentTree("shop"), big: cluster.deploymentTree("big") };
  const series = [];
  for (let minute = 0; minute < 30; minute++) {
    clock.advance(60_000);
    series.push({ cluster: cluster.usage(), shop: cluster.instanceUsage("shop") });
  }
  cluster.scale("shop", "Deployment", "web", 6);
  cluster.scale("shop", "StatefulSet", "db", 3);
  cluster.apply("next", [makeDeployment({ name: "api", replicas: 2 })], { labels: instanceLabels("next") });
  const failure = cluster.injectFailure({ type: "cluster-down" });
  const consumed = cluster.consumeFailure("backup-fails");
  clock.advance(SETTLE_MS);
  return {
    before,
    series,
    failureId: failure.id,
    remaining: consumed?.remaining,
    after: { shop: cluster.deploymentTree("shop"), next: cluster.deploymentTree("next") },
    info: cluster.nodeInfos(),
  };
}

describe("simulated cluster snapshots", () => {
  it("restores a cluster that behaves identically: same tree, usage series and next names and uids", () => {
    const { continuum, clock, cluster } = busyCluster();
    const json = JSON.stringify(cluster.toSnapshot());
    const restored = SimulatedCluster.fromSnapshot(JSON.parse(json), {
      clock: createManualClock(clock.now()).now,
      timing: continuum.timing,
    });
    expect(restored.toSnapshot()).toEqual(cluster.toSnapshot());

    const restoredClock = createManualClock(clock.now());
    const copy = SimulatedCluster.fromSnapshot(JSON.parse(json), {
      clock: restoredClock.now,
      timing: continuum.timing,
    });
    const original = exercise(cluster, clock);
    const replayed = exercise(copy, restoredClock);
    expect(replayed).toEqual(original);

    // The fixture really contains what the comparison is about.
    expect(original.before.big.nodes.find((n) => n.kind === "Pod")?.status).toBe("Pending");
    expect(original.before.tree.nodes.filter((n) => n.kind === "ReplicaSet")).toHaveLength(2);
    expect(original.before.tree.nodes.some((n) => n.kind === "Pod" && n.restarts > 0)).toBe(true);
    expect(original.after.next.nodes.filter((n) => n.kind === "Pod")).toHaveLength(2);
    expect(original.remaining).toBe(1);
  });

  it("is plain JSON: no Maps, and a stable text for an unchanged cluster", () => {
    const { cluster } = busyCluster();
    const snapshot = cluster.toSnapshot();
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
    expect(Array.isArray(snapshot.namespaces[0]?.pods)).toBe(true);
    expect(cluster.snapshotJson()).toBe(cluster.snapshotJson());
    cluster.deploymentTree("shop");
    cluster.usage();
    cluster.instanceUsage("shop");
    cluster.serverInfo();
    expect(cluster.snapshotJson()).toBe(JSON.stringify(snapshot));
    cluster.scale("shop", "Deployment", "web", 1);
    expect(cluster.snapshotJson()).not.toBe(JSON.stringify(snapshot));
  });

  it("keeps the seed it was created under", () => {
    const { cluster } = busyCluster();
    const restored = SimulatedCluster.fromSnapshot(cluster.toSnapshot(), {
      clock: createManualClock().now,
      timing: { backupMs: 0, restoreMs: 0, podStartupMinMs: 1, podStartupMaxMs: 2 },
    });
    expect(restored.seed).toBe(11);
  });

  it("does not share objects with the snapshot it was restored from", () => {
    const { cluster, clock } = busyCluster();
    const snapshot = cluster.toSnapshot();
    const frozen = JSON.stringify(snapshot);
    const restored = SimulatedCluster.fromSnapshot(snapshot, { clock: clock.now, timing: cluster.timing });
    restored.scale("shop", "Deployment", "web", 0);
    restored.deleteNamespace("big");
    expect(JSON.stringify(snapshot)).toBe(frozen);
  });

  it("rejects malformed or foreign snapshots with the offending fields", () => {
    const { cluster, clock } = busyCluster();
    const environment = { clock: clock.now, timing: cluster.timing };
    const good = cluster.toSnapshot();
    expect(() => SimulatedCluster.fromSnapshot({ ...good, format: 2 }, environment)).toThrow(
      /invalid simulated cluster snapshot: format/,
    );
    expect(() => SimulatedCluster.fromSnapshot({ ...good, uidSeq: -1 }, environment)).toThrow(/uidSeq/);
    const badPod = structuredClone(good);
    const ns = badPod.namespaces[0];
    if (!ns?.pods[0]) throw new Error("fixture has pods");
    (ns.pods[0] as { nodeName: unknown }).nodeName = 7;
    expect(() => SimulatedCluster.fromSnapshot(badPod, environment)).toThrow(
      /namespaces\.0\.pods\.0\.nodeName/,
    );
    expect(() => SimulatedCluster.fromSnapshot("{}", environment)).toThrow(
      /invalid simulated cluster snapshot/,
    );
  });
});
