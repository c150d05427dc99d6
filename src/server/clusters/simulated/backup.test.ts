import { describe, expect, it } from "vitest";
import { INSTANCE_ID_LABEL } from "../driver";
import {
  instanceLabels,
  makeClusterSpec,
  makeConfigMap,
  makeContinuum,
  makeDeployment,
  makeService,
  makeStatefulSet,
  SETTLE_MS,
} from "@/server/testing/cluster-factories";
import { InMemoryBackupStore } from "./backup-store";
import { createManualClock } from "./clock";
import { SimulatedContinuum } from "./continuum";
import { LOAD_PROFILE_ANNOTATION } from "./load-model";
import { SimulatedClusterDriver } from "./simulated-driver";

const labels = instanceLabels("caedfa4f");
const BACKUP = "pro-onelab-caedfa4f-20250527130439";

function setup(timing: { backupMs?: number; restoreMs?: number } = {}) {
  const { continuum, clock } = makeContinuum({
    clusters: [makeClusterSpec({ name: "source" }), makeClusterSpec({ name: "target" })],
    timing,
  });
  const source = new SimulatedClusterDriver({ continuum, cluster: "source" });
  const target = new SimulatedClusterDriver({ continuum, cluster: "target" });
  return { continuum, clock, source, target };
}

const shape = (tree: { nodes: Array<{ kind: string; name: string }> }) =>
  tree.nodes.filter((n) => n.kind !== "Pod" && n.kind !== "ReplicaSet").map((n) => `${n.kind}/${n.name}`);

describe("simulated backup and restore", () => {
  it("restores a namespace backed up on one cluster onto another", async () => {
    const { source, target, clock } = setup();
    await source.apply(
      "app",
      [makeDeployment({ replicas: 2 }), makeService(), makeConfigMap(), makeStatefulSet({ replicas: 1 })],
      { labels },
    );
    const backup = await source.backupNamespace("app", BACKUP);
    expect(backup).toMatchObject({
      name: BACKUP,
      sourceCluster: "source",
      namespace: "app",
      resourceCount: 4,
    });
    expect(backup.volumeBytes).toBeGreaterThan(0);
    expect(await target.backupExists(BACKUP)).toBe(true);

    const restore = await target.restoreNamespace(BACKUP, "app-restored");
    expect(restore).toMatchObject({ sourceCluster: "source", targetCluster: "target", resourceCount: 4 });
    clock.advance(SETTLE_MS);
    const restored = await target.deploymentTree("app-restored");
    expect(shape(restored)).toEqual(shape(await source.deploymentTree("app")));
    expect(restored.health.status).toBe("Healthy");
    for (const node of restored.nodes) expect(node.cluster).toBe("target");
    const deployment = restored.nodes.find((n) => n.kind === "Deployment");
    expect(deployment?.labels[INSTANCE_ID_LABEL]).toBe("caedfa4f");
  });

  it("restores the replica count the workload had when it was backed up", async () => {
    const { source, target, continuum } = setup();
    await source.apply("app", [makeDeployment({ replicas: 2 })], { labels });
    await source.scale("app", "Deployment", "web", 4);
    await source.backupNamespace("app", BACKUP);
    await target.restoreNamespace(BACKUP, "app");
    expect(continuum.cluster("target").podSummaries("app")).toHaveLength(4);
  });

  it("keeps the workload's load profile across the migration", async () => {
    const { source, target, continuum } = setup();
    await source.apply("app", [makeDeployment()], { labels });
    await source.backupNamespace("app", BACKUP);
    await target.restoreNamespace(BACKUP, "app");
    const record = await continuum.backupStore.get(BACKUP);
    const profile = record?.manifests[0]?.metadata.annotations?.[LOAD_PROFILE_ANNOTATION];
    expect(profile).toBeDefined();
    const restored = continuum.cluster("target").exportNamespace("app").manifests[0];
    expect(restored?.metadata.annotations?.[LOAD_PROFILE_ANNOTATION]).toBe(profile);
  });

  it("shares backups between continua that share a backup store", async () => {
    const store = new InMemoryBackupStore();
    const clock = createManualClock();
    const make = (name: string) =>
      new SimulatedContinuum({
        seed: 1,
        clusters: [makeClusterSpec({ name })],
        backupStore: store,
        clock: clock.now,
      });
    const east = make("east");
    const west = make("west");
    east.cluster("east").apply("app", [makeDeployment()], { labels });
    await east.backupNamespace("east", "app", BACKUP);
    await west.restoreNamespace("west", BACKUP, "app");
    expect(west.cluster("west").podSummaries("app")).toHaveLength(2);
  });

  it("keeps stored backups apart from the objects handed in and out", async () => {
    const store = new InMemoryBackupStore();
    const record = {
      name: BACKUP,
      sourceCluster: "source",
      namespace: "app",
      labels,
      manifests: [makeConfigMap()],
      volumes: [],
      startedAt: 0,
      completedAt: 0,
    };
    await store.put(record);
    record.manifests.push(makeConfigMap({ name: "late" }));
    const copy = await store.get(BACKUP);
    copy?.manifests.pop();
    expect((await store.get(BACKUP))?.manifests.map((m) => m.metadata.name)).toEqual(["settings"]);
  });

  it("takes the configured backup and restore time", async () => {
    const { source, clock } = setup({ backupMs: 20_000, restoreMs: 80_000 });
    await source.apply("app", [makeDeployment()], { labels });
    const start = clock.now();
    const info = await source.backupNamespace("app", BACKUP);
    expect(clock.now() - start).toBe(20_000);
    expect(Date.parse(info.completedAt) - Date.parse(info.startedAt)).toBe(20_000);
    const restore = await source.restoreNamespace(BACKUP, "copy");
    expect(Date.parse(restore.completedAt) - Date.parse(restore.startedAt)).toBe(80_000);
  });

  it("answers a repeated backup with the same name with the same backup", async () => {
    const { source } = setup();
    await source.apply("app", [makeDeployment()], { labels });
    const first = await source.backupNamespace("app", BACKUP);
    await source.scale("app", "Deployment", "web", 5);
    expect(await source.backupNamespace("app", BACKUP)).toEqual(first);
    await source.apply("other", [makeDeployment()], { labels: instanceLabels("x") });
    await expect(source.backupNamespace("other", BACKUP)).rejects.toMatchObject({ type: "ALREADY_EXISTS" });
  });

  it("reports a missing backup or namespace as NOT_FOUND", async () => {
    const { source, target } = setup();
    expect(await target.backupExists("nope")).toBe(false);
    await expect(target.restoreNamespace("nope", "app")).rejects.toMatchObject({ type: "NOT_FOUND" });
    await expect(source.backupNamespace("missing", BACKUP)).rejects.toMatchObject({ type: "NOT_FOUND" });
  });

  it("can be abandoned through an AbortSignal", async () => {
    const { source } = setup({ backupMs: 1_000 });
    await source.apply("app", [makeDeployment()], { labels });
    const controller = new AbortController();
    controller.abort(new Error("worker shutting down"));
    await expect(source.backupNamespace("app", BACKUP, { signal: controller.signal })).rejects.toThrow(
      /shutting down/,
    );
    expect(await source.backupExists(BACKUP)).toBe(false);
  });
});
