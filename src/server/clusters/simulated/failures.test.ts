import { describe, expect, it } from "vitest";
import { isClusterDriverError } from "../errors";
import {
  instanceLabels,
  makeClusterSpec,
  makeContinuum,
  makeDeployment,
  SETTLE_MS,
} from "@/server/testing/cluster-factories";
import { createManualClock } from "./clock";
import { SimulatedContinuum } from "./continuum";
import { crashLoopRestarts } from "./failures";
import { SimulatedClusterDriver } from "./simulated-driver";

const labels = instanceLabels();
const BACKUP = "source-instance-1-20250529100000";

function setup() {
  const { continuum, clock } = makeContinuum({
    clusters: [makeClusterSpec({ name: "source" }), makeClusterSpec({ name: "target" })],
  });
  const source = new SimulatedClusterDriver({ continuum, cluster: "source" });
  const target = new SimulatedClusterDriver({ continuum, cluster: "target" });
  return { continuum, clock, source, target };
}

describe("simulated failures", () => {
  it("makes a down cluster fail connect, apply, scale and metrics as UNREACHABLE", async () => {
    const { continuum, source } = setup();
    await source.apply("app", [makeDeployment()], { labels });
    continuum.injectFailure("source", { type: "cluster-down" });
    expect(await source.connect()).toEqual({
      ok: false,
      error: { type: "UNREACHABLE", message: expect.stringContaining("unreachable"), cluster: "source" },
    });
    for (const attempt of [
      () => source.apply("app", [makeDeployment()], { labels }),
      () => source.scale("app", "Deployment", "web", 3),
      () => source.usage(),
      () => source.instanceUsage("app"),
      () => source.deleteNamespace("app"),
      () => source.backupNamespace("app", BACKUP),
    ]) {
      const error = await attempt().catch((e: unknown) => e);
      expect(isClusterDriverError(error, "UNREACHABLE")).toBe(true);
      expect(isClusterDriverError(error) && error.retryable).toBe(true);
    }
  });

  it("shows a down cluster's pods as Unknown in the tree", async () => {
    const { continuum, source, clock } = setup();
    await source.apply("app", [makeDeployment()], { labels });
    clock.advance(SETTLE_MS);
    continuum.injectFailure("source", { type: "cluster-down" });
    const tree = await source.deploymentTree("app");
    expect(tree.reachable).toBe(false);
    expect(tree.health.status).toBe("Unknown");
    const pods = tree.nodes.filter((n) => n.kind === "Pod");
    expect(pods).toHaveLength(2);
    for (const pod of pods)
      expect(pod).toMatchObject({ status: "Unknown", health: { status: "Unknown" }, traffic: null });
  });

  it("brings a cluster back, pods and all, when cluster-down is cleared", async () => {
    const { continuum, source, clock } = setup();
    await source.apply("app", [makeDeployment()], { labels });
    clock.advance(SETTLE_MS);
    const id = continuum.injectFailure("source", { type: "cluster-down" });
    expect(continuum.activeFailures("source").map((f) => f.failure.type)).toEqual(["cluster-down"]);
    expect(continuum.clearFailure(id)).toBe(true);
    expect((await source.connect()).ok).toBe(true);
    expect((await source.deploymentTree("app")).health.status).toBe("Healthy");
    expect(continuum.activeFailures("source")).toEqual([]);
  });

  it("delays backups on a cluster with a slow backup", async () => {
    const { continuum, source, clock } = setup();
    await source.apply("app", [makeDeployment()], { labels });
    continuum.injectFailure("source", { type: "slow-backup", delayMs: 45_000 });
    const start = clock.now();
    await source.backupNamespace("app", BACKUP);
    expect(clock.now() - start).toBe(45_000);
  });

  it("hides a slow backup from backupExists until it completes", async () => {
    // A sleep that parks until released, to observe the backup mid-flight.
    let release: () => void = () => undefined;
    const slow = new SimulatedContinuum({
      seed: 1,
      clusters: [makeClusterSpec({ name: "source" })],
      clock: createManualClock().now,
      sleep: () => new Promise<void>((resolve) => (release = resolve)),
    });
    const driver = new SimulatedClusterDriver({ continuum: slow, cluster: "source" });
    await driver.apply("app", [makeDeployment()], { labels });
    slow.injectFailure("source", { type: "slow-backup", delayMs: 60_000 });
    const pending = driver.backupNamespace("app", BACKUP);
    await Promise.resolve();
    expect(await driver.backupExists(BACKUP)).toBe(false);
    await expect(driver.backupNamespace("app", BACKUP)).rejects.toMatchObject({ type: "ALREADY_EXISTS" });
    release();
    await pending;
    expect(await driver.backupExists(BACKUP)).toBe(true);
  });

  it("fails backups with BACKUP_FAILED and stores nothing", async () => {
    const { continuum, source, target } = setup();
    await source.apply("app", [makeDeployment()], { labels });
    continuum.injectFailure("source", {
      type: "backup-fails",
      message: "PartiallyFailed: volume snapshot error",
    });
    await expect(source.backupNamespace("app", BACKUP)).rejects.toMatchObject({
      type: "BACKUP_FAILED",
      message: "PartiallyFailed: volume snapshot error",
    });
    expect(await target.backupExists(BACKUP)).toBe(false);
    await expect(source.backupNamespace("app", BACKUP)).rejects.toMatchObject({ type: "BACKUP_FAILED" });
  });

  it("lets a counted backup failure clear itself so a retry succeeds", async () => {
    const { continuum, source } = setup();
    await source.apply("app", [makeDeployment()], { labels });
    continuum.injectFailure("source", { type: "backup-fails", times: 1 });
    await expect(source.backupNamespace("app", BACKUP)).rejects.toMatchObject({ type: "BACKUP_FAILED" });
    await expect(source.backupNamespace("app", BACKUP)).resolves.toMatchObject({ name: BACKUP });
    expect(continuum.activeFailures("source")).toEqual([]);
  });

  it("fails restores onto a cluster with a failing restore and creates nothing", async () => {
    const { continuum, source, target } = setup();
    await source.apply("app", [makeDeployment()], { labels });
    await source.backupNamespace("app", BACKUP);
    continuum.injectFailure("target", { type: "restore-fails" });
    await expect(target.restoreNamespace(BACKUP, "app")).rejects.toMatchObject({ type: "RESTORE_FAILED" });
    expect((await target.deploymentTree("app")).nodes).toEqual([]);
    expect(continuum.clearFailures("target", "restore-fails")).toBe(1);
    await expect(target.restoreNamespace(BACKUP, "app")).resolves.toMatchObject({ targetCluster: "target" });
  });

  it("counts restarts of crash-looping pods up with kubelet's back-off", async () => {
    const { continuum, source, clock } = setup();
    await source.apply("app", [makeDeployment({ name: "api" }), makeDeployment({ name: "web" })], { labels });
    clock.advance(SETTLE_MS);
    continuum.injectFailure("source", { type: "crash-loop", namespace: "app", workload: "api" });
    const restarts = async () => {
      const tree = await source.deploymentTree("app");
      return tree.nodes
        .filter((n) => n.kind === "Pod")
        .map((n) => [n.name.split("-")[0], n.status, n.restarts]);
    };
    clock.advance(31_000);
    expect(await restarts()).toEqual([
      ["api", "CrashLoopBackOff", 2],
      ["api", "CrashLoopBackOff", 2],
      ["web", "Running", 0],
      ["web", "Running", 0],
    ]);
    clock.advance(10 * 60_000);
    const later = await restarts();
    expect(later[0]?.[2]).toBe(crashLoopRestarts(631_000));
    const tree = await source.deploymentTree("app");
    expect(tree.nodes.find((n) => n.kind === "Deployment" && n.name === "api")?.health.status).toBe(
      "Degraded",
    );
    expect(tree.health.status).toBe("Degraded");
  });

  it("keeps the restart count but runs again once a crash loop is cleared", async () => {
    const { continuum, source, clock } = setup();
    await source.apply("app", [makeDeployment({ replicas: 1 })], { labels });
    clock.advance(SETTLE_MS);
    const id = continuum.injectFailure("source", { type: "crash-loop", namespace: "app" });
    clock.advance(75_000);
    continuum.clearFailure(id);
    clock.advance(600_000);
    const pod = (await source.deploymentTree("app")).nodes.find((n) => n.kind === "Pod");
    expect(pod).toMatchObject({ status: "Running", restarts: 3 });
  });

  it("follows kubelet's back-off schedule: 10 s, then doubling up to five minutes", () => {
    expect(crashLoopRestarts(9_999)).toBe(0);
    expect(crashLoopRestarts(10_000)).toBe(1);
    expect(crashLoopRestarts(30_000)).toBe(2);
    expect(crashLoopRestarts(70_000)).toBe(3);
    expect(crashLoopRestarts(310_000)).toBe(5);
    expect(crashLoopRestarts(610_000)).toBe(6);
    expect(crashLoopRestarts(910_000)).toBe(7);
  });

  it("raises demand during a load spike and drops it when cleared", async () => {
    const { continuum, source, clock } = setup();
    await source.apply("app", [makeDeployment()], { labels });
    clock.advance(SETTLE_MS);
    const normal = (await source.instanceUsage("app")).requestsPerSecond;
    const id = continuum.injectFailure("source", { type: "load-spike", factor: 3, namespace: "app" });
    expect((await source.instanceUsage("app")).requestsPerSecond).toBeCloseTo(normal * 3, 1);
    continuum.clearFailure(id);
    expect((await source.instanceUsage("app")).requestsPerSecond).toBeCloseTo(normal, 1);
  });

  it("rejects a driver whose token the cluster does not accept", async () => {
    const { continuum } = makeContinuum({
      clusters: [makeClusterSpec({ name: "secure", bearerToken: "s3cret" })],
    });
    const wrong = new SimulatedClusterDriver({
      continuum,
      cluster: "secure",
      credential: { type: "bearer-token", token: "guess" },
    });
    const right = new SimulatedClusterDriver({
      continuum,
      cluster: "secure",
      credential: { type: "bearer-token", token: "s3cret" },
    });
    expect(await wrong.connect()).toMatchObject({ ok: false, error: { type: "UNAUTHORIZED" } });
    await expect(wrong.usage()).rejects.toMatchObject({ type: "UNAUTHORIZED" });
    expect((await right.connect()).ok).toBe(true);
  });

  it("rejects an unknown failure type", () => {
    const { continuum } = setup();
    expect(() => continuum.injectFailure("source", { type: "meteor" } as never)).toThrow(/invalid failure/);
  });
});
