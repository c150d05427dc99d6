import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "@/server/db/client";
import { applyMigrations, dropDatabase, ensureDatabase } from "@/server/db/migrate";
import { databaseUrlFor, runId } from "@/server/testing/services";
import { type ClusterDriver, type DeploymentTree } from "../driver";
import { isClusterDriverError } from "../errors";
import { type KubernetesManifest } from "../manifests";
import { createClusterDriver } from "@/server/clusters/driver-factory";
import { clearSimulatedFailures, injectSimulatedFailure } from "../shared-continuum";
import {
  instanceLabels,
  makeClusterSpec,
  makeConfigMap,
  makeDeployment,
  makeService,
  makeStatefulSet,
  SETTLE_MS,
} from "@/server/testing/cluster-factories";
import { createManualClock, type ManualClock } from "./clock";
import { type SimulatedClusterSpecInput } from "./cluster-spec";
import { SimulatedContinuum } from "./continuum";
import { PostgresBackupStore } from "./postgres-backup-store";
import { PostgresSimulatedContinuum } from "./postgres-continuum";
import { SimulatedClusterDriver } from "./simulated-driver";

/**
 * Several `PostgresSimulatedContinuum`s on separate Prisma clients stand in
 * for separate processes (orchestrator, agents, evaluator, web app). Test
 * files run in parallel on one database, so every test names its own clusters.
 */

const clients: Db[] = [];
afterAll(async () => {
  await Promise.all(clients.map((client) => client.$disconnect()));
});

function newClient(url = process.env.DATABASE_URL): Db {
  if (!url) throw new Error("DATABASE_URL is provided by the vitest global setup");
  const client = createDb(url);
  clients.push(client);
  return client;
}

function clusterName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

interface Process {
  db: Db;
  continuum: PostgresSimulatedContinuum;
  driver(cluster: string): ClusterDriver;
}

/** One "process": its own database client and continuum handle, on a clock shared with the others. */
function startProcess(options: {
  clock: ManualClock;
  clusters: SimulatedClusterSpecInput[];
  seed?: number;
  url?: string;
}): Process {
  const db = newClient(options.url);
  const continuum = new PostgresSimulatedContinuum({
    db,
    seed: options.seed ?? 42,
    clusters: options.clusters,
    clock: options.clock.now,
    sleep: options.clock.sleep,
  });
  return {
    db,
    continuum,
    driver: (cluster) =>
      createClusterDriver({ name: cluster, managedApi: `sim://${cluster}` }, { continuum }),
  };
}

const pods = (tree: DeploymentTree, prefix = "") =>
  tree.nodes.filter((node) => node.kind === "Pod" && node.name.startsWith(prefix));
const shape = (tree: DeploymentTree) =>
  tree.nodes.filter((n) => n.kind !== "Pod" && n.kind !== "ReplicaSet").map((n) => `${n.kind}/${n.name}`);

const registeredProperties = {
  cpus: 12,
  memoryGb: 24,
  storageGb: 100,
  vramGb: 0,
  availabilityPct: 99,
  greenEnergyPct: 50,
  cost: "low_cost" as const,
  cpuBaseRate: 10,
  memoryBaseRate: 10,
};

describe("simulated continuum shared through PostgreSQL", () => {
  it("applies in one process and shows the same deployment tree in another, as the in-memory continuum would", async () => {
    const name = clusterName("apply");
    const clock = createManualClock();
    const spec = makeClusterSpec({ name });
    const orchestrator = startProcess({ clock, clusters: [spec] });
    const webApp = startProcess({ clock, clusters: [spec] });
    const labels = instanceLabels("inst-apply");

    expect((await webApp.driver(name).deploymentTree("shop")).nodes).toEqual([]);
    const result = await orchestrator
      .driver(name)
      .apply("shop", [makeDeployment({ replicas: 2 }), makeService()], { labels });
    expect(result.resources.map((r) => r.action)).toEqual(["created", "created"]);
    clock.advance(SETTLE_MS);

    const seen = await webApp.driver(name).deploymentTree("shop");
    expect(seen).toEqual(await orchestrator.driver(name).deploymentTree("shop"));
    expect(seen.health.status).toBe("Healthy");
    expect(pods(seen, "web-").map((p) => p.status)).toEqual(["Running", "Running"]);

    // The same calls on an in-memory continuum give the very same tree: persistence changes nothing.
    const memoryClock = createManualClock();
    const memory = new SimulatedContinuum({ seed: 42, clusters: [spec], clock: memoryClock.now });
    const memoryDriver = new SimulatedClusterDriver({ continuum: memory, cluster: name });
    await memoryDriver.apply("shop", [makeDeployment({ replicas: 2 }), makeService()], { labels });
    memoryClock.advance(SETTLE_MS);
    expect(seen).toEqual(await memoryDriver.deploymentTree("shop"));
  });

  it("backs up in one process and restores onto another cluster through a third", async () => {
    const source = clusterName("src");
    const target = clusterName("dst");
    const clock = createManualClock();
    const clusters = [makeClusterSpec({ name: source }), makeClusterSpec({ name: target })];
    const orchestrator = startProcess({ clock, clusters });
    const sourceAgent = startProcess({ clock, clusters });
    const targetAgent = startProcess({ clock, clusters });
    const backupName = `${source}-bk`;

    await orchestrator
      .driver(source)
      .apply(
        "app",
        [makeDeployment({ replicas: 2 }), makeService(), makeConfigMap(), makeStatefulSet({ replicas: 1 })],
        { labels: instanceLabels("inst-migrate") },
      );
    await orchestrator.driver(source).scale("app", "Deployment", "web", 3);
    const backup = await sourceAgent.driver(source).backupNamespace("app", backupName);
    expect(backup).toMatchObject({ sourceCluster: source, namespace: "app", resourceCount: 4 });
    expect(await targetAgent.driver(target).backupExists(backupName)).toBe(true);

    const restore = await targetAgent.driver(target).restoreNamespace(backupName, "app");
    expect(restore).toMatchObject({ sourceCluster: source, targetCluster: target, resourceCount: 4 });
    clock.advance(SETTLE_MS);
    const restored = await orchestrator.driver(target).deploymentTree("app");
    expect(shape(restored)).toEqual(shape(await orchestrator.driver(source).deploymentTree("app")));
    expect(restored.nodes.find((n) => n.kind === "Deployment")?.replicas).toEqual({ desired: 3, ready: 3 });
    expect(restored.health.status).toBe("Healthy");
    // The backup is a row any process can read.
    expect(await new PostgresBackupStore(orchestrator.db).get(backupName)).toMatchObject({
      sourceCluster: source,
      namespace: "app",
    });
  });

  it("scales in one process and the other sees the new replica count", async () => {
    const name = clusterName("scale");
    const clock = createManualClock();
    const clusters = [makeClusterSpec({ name })];
    const a = startProcess({ clock, clusters });
    const b = startProcess({ clock, clusters });
    await a.driver(name).apply("shop", [makeDeployment({ replicas: 2 })], { labels: instanceLabels() });
    const scaled = await b.driver(name).scale("shop", "Deployment", "web", 5);
    expect(scaled).toMatchObject({ replicas: 5, previousReplicas: 2 });
    clock.advance(SETTLE_MS);
    const tree = await a.driver(name).deploymentTree("shop");
    expect(tree.nodes.find((n) => n.kind === "Deployment")?.replicas).toEqual({ desired: 5, ready: 5 });
    expect(pods(tree, "web-")).toHaveLength(5);
    expect((await a.driver(name).instanceUsage("shop")).replicas).toEqual({ desired: 5, ready: 5 });
  });

  it("takes a cluster down for every process when one injects cluster-down (createClusterDriver with db)", async () => {
    const name = clusterName("down");
    const config = { name, managedApi: `sim://${name}`, properties: registeredProperties };
    const consoleDb = newClient();
    const workerDb = newClient();
    const consoleDriver = createClusterDriver(config, { db: consoleDb });
    const worker = createClusterDriver(config, { db: workerDb });
    await consoleDriver.apply("shop", [makeDeployment({ replicas: 1 })], { labels: instanceLabels() });
    expect(await worker.connect()).toMatchObject({ ok: true, info: { cluster: name } });

    const id = await injectSimulatedFailure(consoleDb, name, { type: "cluster-down" });
    expect(id).toMatch(new RegExp(`^${name}/failure-\\d+$`));
    expect(await worker.connect()).toMatchObject({
      ok: false,
      error: { type: "UNREACHABLE", cluster: name },
    });
    expect(await worker.deploymentTree("shop")).toMatchObject({
      reachable: false,
      health: { status: "Unknown" },
    });
    await expect(worker.scale("shop", "Deployment", "web", 2)).rejects.toMatchObject({ type: "UNREACHABLE" });

    expect(await clearSimulatedFailures(consoleDb, name, "cluster-down")).toBe(1);
    expect(await worker.connect()).toMatchObject({ ok: true });
  });

  it("serialises 20 concurrent apply/scale calls from two processes without losing an update", async () => {
    const name = clusterName("race");
    const clock = createManualClock();
    const clusters = [makeClusterSpec({ name, cpus: 48, memoryGb: 96 })];
    const a = startProcess({ clock, clusters });
    const b = startProcess({ clock, clusters });
    const small = { cpu: "10m", memory: "16Mi" };
    const deployment = (id: string, replicas: number): KubernetesManifest =>
      makeDeployment({ name: id, replicas, ...small });
    for (let i = 0; i < 10; i++)
      await a.driver(name).apply("race", [deployment(`s-${i}`, 1)], { labels: instanceLabels(`s-${i}`) });
    const before = await a.continuum.version(name);

    // Ten new deployments and ten scales, each process doing half of each kind, all at once.
    const operations = Array.from({ length: 20 }, (_, i) => {
      const k = Math.floor(i / 2);
      return i % 2 === 0
        ? { process: k % 2 === 0 ? a : b, name: `d-${k}`, replicas: 2, apply: true }
        : { process: k % 2 === 0 ? b : a, name: `s-${k}`, replicas: k + 2, apply: false };
    });
    await Promise.all(
      operations.map(({ process, name: workload, replicas, apply }) =>
        apply
          ? process
              .driver(name)
              .apply("race", [deployment(workload, replicas)], { labels: instanceLabels(workload) })
          : process.driver(name).scale("race", "Deployment", workload, replicas),
      ),
    );

    expect(await b.continuum.version(name)).toBe((before ?? 0) + 20);
    const tree = await startProcess({ clock, clusters }).driver(name).deploymentTree("race");
    const deployments = tree.nodes.filter((n) => n.kind === "Deployment");
    expect(deployments).toHaveLength(20);
    for (const { name: workload, replicas } of operations) {
      expect(deployments.find((n) => n.name === workload)?.replicas?.desired).toBe(replicas);
      expect(pods(tree, `${workload}-`)).toHaveLength(replicas);
    }
    const uids = tree.nodes.map((n) => n.uid);
    expect(new Set(uids).size).toBe(uids.length);
  });

  it("gives identical trees and state for the same seed and operations in two fresh databases", async () => {
    const urls = ["a", "b"].map((suffix) => databaseUrlFor(`nemo_simdet_${runId()}_${suffix}`));
    try {
      const runs = [];
      for (const url of urls) {
        await ensureDatabase(url);
        await applyMigrations(url);
        const clock = createManualClock(Date.UTC(2025, 4, 29, 6));
        const clusters = [makeClusterSpec({ name: "det-one" }), makeClusterSpec({ name: "det-two" })];
        const a = startProcess({ clock, clusters, seed: 1234, url });
        const b = startProcess({ clock, clusters, seed: 1234, url });
        const labels = instanceLabels("det");
        await a
          .driver("det-one")
          .apply("shop", [makeDeployment({ replicas: 3 }), makeStatefulSet()], { labels });
        clock.advance(SETTLE_MS);
        await b.driver("det-one").scale("shop", "Deployment", "web", 4);
        await a.continuum.injectFailure("det-one", { type: "crash-loop", namespace: "shop", workload: "db" });
        clock.advance(90_000);
        await b.driver("det-one").backupNamespace("shop", "det-backup");
        await a.driver("det-two").restoreNamespace("det-backup", "shop");
        clock.advance(SETTLE_MS);
        runs.push({
          one: await b.driver("det-one").deploymentTree("shop"),
          two: await a.driver("det-two").deploymentTree("shop"),
          usage: await a.driver("det-one").usage(),
          state: await a.db.simulatedClusterState.findMany({
            select: { name: true, state: true, version: true },
            orderBy: { name: "asc" },
          }),
        });
      }
      const [first, second] = runs;
      if (!first || !second) throw new Error("both runs happened");
      expect(second).toEqual(first);
      // The runs did what the comparison is about.
      expect(pods(first.one, "web-")).toHaveLength(4);
      expect(first.one.nodes.some((n) => n.status === "CrashLoopBackOff")).toBe(true);
      expect(shape(first.two)).toEqual(shape(first.one));
      expect(first.state.map((row) => row.name)).toEqual(["det-one", "det-two"]);
    } finally {
      for (const client of clients.splice(0)) await client.$disconnect();
      for (const url of urls) await dropDatabase(url);
    }
  });

  it("reads neither lock nor write, changes wait for the row lock, and no-op changes write nothing", async () => {
    const name = clusterName("rw");
    const clock = createManualClock();
    const clusters = [makeClusterSpec({ name })];
    const a = startProcess({ clock, clusters });
    const driver = a.driver(name);
    const manifests = [makeDeployment({ replicas: 2 }), makeService()];
    const labels = instanceLabels();
    expect(await a.continuum.version(name)).toBeNull();
    expect((await driver.connect()).ok).toBe(true);
    expect(await a.continuum.version(name)).toBeNull(); // reading a never-used cluster does not create it
    await driver.apply("shop", manifests, { labels });
    expect(await a.continuum.version(name)).toBe(1);

    await driver.deploymentTree("shop");
    await driver.usage();
    await driver.instanceUsage("shop");
    await driver.connect();
    await driver.properties();
    await driver.backupExists("nothing-here");
    await driver.apply("shop", manifests, { labels }); // all unchanged
    await driver.scale("shop", "Deployment", "web", 2); // same count
    await driver.deleteNamespace("never-created");
    expect(await a.continuum.version(name)).toBe(1);

    // Another session holds the row lock: reads still answer, a change waits for it.
    const holder = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await holder.connect();
    try {
      await holder.query("BEGIN");
      await holder.query("SELECT 1 FROM simulated_cluster_states WHERE name = $1 FOR UPDATE", [name]);
      const tree = await Promise.race([
        driver.deploymentTree("shop"),
        new Promise<"blocked">((resolve) => setTimeout(() => resolve("blocked"), 2_000)),
      ]);
      expect(tree).not.toBe("blocked");
      let scaled = false;
      const scaling = driver.scale("shop", "Deployment", "web", 3).then(() => {
        scaled = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(scaled).toBe(false);
      await holder.query("COMMIT");
      await scaling;
      expect(scaled).toBe(true);
    } finally {
      await holder.query("ROLLBACK").catch(() => undefined);
      await holder.end();
    }
    expect(await a.continuum.version(name)).toBe(2);
  });

  it("never serves a process's cached copy once another process changed or recreated the cluster", async () => {
    const name = clusterName("cache");
    const clock = createManualClock();
    const clusters = [makeClusterSpec({ name })];
    const a = startProcess({ clock, clusters });
    const b = startProcess({ clock, clusters });
    await a.driver(name).apply("shop", [makeDeployment({ replicas: 2 })], { labels: instanceLabels() });
    expect(pods(await a.driver(name).deploymentTree("shop"))).toHaveLength(2);
    await b.driver(name).scale("shop", "Deployment", "web", 3);
    expect(pods(await a.driver(name).deploymentTree("shop"))).toHaveLength(3);
    expect(await a.continuum.version(name)).toBe(2);

    // Recreated from scratch and changed twice: the same version number as a's copy, different content.
    await b.continuum.resetCluster(name);
    await b
      .driver(name)
      .apply("else", [makeDeployment({ name: "api", replicas: 1 })], { labels: instanceLabels() });
    await b.driver(name).scale("else", "Deployment", "api", 2);
    expect(await a.continuum.version(name)).toBe(2);
    expect((await a.driver(name).deploymentTree("shop")).nodes).toEqual([]);
    expect(pods(await a.driver(name).deploymentTree("else"), "api-")).toHaveLength(2);
    // And a's next change builds on the recreated state, not on its old copy.
    await a.driver(name).scale("else", "Deployment", "api", 4);
    const seenByB = await b.driver(name).deploymentTree("else");
    expect(pods(seenByB, "api-")).toHaveLength(4);
    expect((await b.driver(name).deploymentTree("shop")).nodes).toEqual([]);
  });

  it("rolls back a failed change and keeps a consumed failure count across processes", async () => {
    const name = clusterName("fail");
    const clock = createManualClock();
    const clusters = [makeClusterSpec({ name })];
    const a = startProcess({ clock, clusters });
    const b = startProcess({ clock, clusters });
    await a.driver(name).apply("shop", [makeDeployment()], { labels: instanceLabels() });
    const version = await a.continuum.version(name);
    const invalid = makeDeployment({ name: "bad", cpu: "lots" });
    await expect(b.driver(name).apply("shop", [invalid], { labels: instanceLabels() })).rejects.toMatchObject(
      {
        type: "INVALID_MANIFEST",
      },
    );
    expect(await a.continuum.version(name)).toBe(version);

    await a.continuum.injectFailure(name, { type: "backup-fails", times: 1 });
    const failed = await b
      .driver(name)
      .backupNamespace("shop", `${name}-bk`)
      .catch((error: unknown) => error);
    expect(isClusterDriverError(failed, "BACKUP_FAILED")).toBe(true);
    // The one failure was used up in b's process; a's retry succeeds.
    expect(await a.continuum.activeFailures(name)).toEqual([]);
    await expect(a.driver(name).backupNamespace("shop", `${name}-bk`)).resolves.toMatchObject({
      sourceCluster: name,
    });
  });

  it("creates a cluster from registered properties or demo specs, and the stored row wins afterwards", async () => {
    const name = clusterName("reg");
    const db = newClient();
    const driver = createClusterDriver(
      { name, managedApi: `sim://${name}`, properties: registeredProperties },
      { db },
    );
    const info = await driver.connect();
    if (!info.ok) throw new Error(info.error.message);
    expect(info.info.capacity.cpuMillicores).toBe(12_000);
    await driver.apply("shop", [makeDeployment({ replicas: 1 })], { labels: instanceLabels() });

    // A process that registers other properties (or none) still sees the stored cluster.
    const other = createClusterDriver(
      { name, managedApi: `sim://${name}`, properties: { ...registeredProperties, cpus: 64 } },
      { db: newClient() },
    );
    expect(await other.properties()).toMatchObject({ name, cpus: 12 });
    expect(
      await createClusterDriver({ name, managedApi: `sim://${name}` }, { db: newClient() }).properties(),
    ).toMatchObject({ cpus: 12 });

    const demo = await createClusterDriver(
      { name: "k3s-onelab", managedApi: "sim://k3s-onelab" },
      { db },
    ).connect();
    expect(demo).toMatchObject({ ok: true, info: { nodeCount: 1, capacity: { cpuMillicores: 16_000 } } });
    const unknown = clusterName("ghost");
    expect(
      await createClusterDriver({ name: unknown, managedApi: `sim://${unknown}` }, { db }).connect(),
    ).toMatchObject({ ok: false, error: { type: "NOT_FOUND" } });
    expect(() =>
      createClusterDriver(
        { name, managedApi: `sim://${name}` },
        { db, continuum: new SimulatedContinuum({ seed: 1 }) },
      ),
    ).toThrow(/either a simulated continuum or a database/);
  });

  it("stores backups as validated rows: put, get, has, list, delete", async () => {
    const db = newClient();
    const store = new PostgresBackupStore(db);
    const name = clusterName("bk");
    const record = {
      name,
      sourceCluster: "somewhere",
      namespace: "app",
      labels: instanceLabels("x"),
      manifests: [makeConfigMap()],
      volumes: [{ claim: "data-db-0", bytes: 1234 }],
      startedAt: 1_000,
      completedAt: 2_000,
    };
    expect(await store.has(name)).toBe(false);
    await store.put(record);
    expect(await store.get(name)).toEqual(record);
    expect(await store.has(name)).toBe(true);
    expect((await store.list()).find((r) => r.name === name)).toEqual(record);
    await db.$executeRaw`UPDATE simulated_backups SET content = '{"labels": 3}'::jsonb WHERE name = ${name}`;
    await expect(store.get(name)).rejects.toThrow(/invalid simulated backup/);
    expect(await store.delete(name)).toBe(true);
    expect(await store.get(name)).toBeUndefined();
    expect(await store.delete(name)).toBe(false);
  });
});
