/**
 * One billing run (src/server/accounting/billing.ts) over 10,000 DEPLOYED
 * instances on 100 simulated clusters — compute for all, network for the
 * instances of ingress workloads (30 %), ML for the GPU instances (a time-
 * sliced GPU slice each, 2 %) — including the ledger appends, on a database
 * of its own (created, migrated and dropped here), against the per-instance
 * baseline: the same run writing one database transaction per instance
 * (its one to three charges appended there), measured on a sample and
 * extrapolated.
 *
 *   npx tsx bench/billing.bench.ts [--instances 10000] [--clusters 100] [--sample 500]
 *
 * Target: one run ≤ 2 s. Shortcuts, stated: the clusters live in an
 * in-memory simulated continuum read through the simulated driver (the
 * worker reads the PostgreSQL-shared one: same code, plus one state read per
 * cluster); instance rows are bulk-inserted DEPLOYED and their namespaces
 * applied to the clusters directly. The run itself is the worker's code
 * path, on a fresh database client.
 */
import { randomUUID } from "node:crypto";
import { cpus, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import pino from "pino";
import { runBillingPeriod } from "../src/server/accounting/billing";
import { INSTANCE_ID_LABEL, type DriverFactory } from "../src/server/clusters";
import { createManualClock } from "../src/server/clusters/simulated/clock";
import { SimulatedContinuum } from "../src/server/clusters/simulated/continuum";
import { SimulatedClusterDriver } from "../src/server/clusters/simulated/simulated-driver";
import { createDb, workerDbTimeouts, type Db } from "../src/server/db/client";
import { applyMigrations, dropDatabase, ensureDatabase } from "../src/server/db/migrate";
import { databaseUrlFor, runId } from "../src/server/testing/services";

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} needs a positive integer`);
  return value;
}

const INSTANCES = option("instances", 10_000);
const CLUSTERS = option("clusters", 100);
const SAMPLE = Math.min(option("sample", 500), INSTANCES);
const TARGET_MS = 2_000;
const PERIOD_MS = 60_000;
const log = pino({ level: "silent" });
const PERIOD = Date.UTC(2026, 0, 15, 12, 0, 0);

async function seed(db: Db, continuum: SimulatedContinuum) {
  const owners = await Promise.all(
    Array.from({ length: 100 }, (_, i) =>
      db.user.create({ data: { subject: randomUUID(), username: `sp-${i}`, roles: ["SERVICE_PROVIDER"] } }),
    ),
  );
  const infra = await db.user.create({
    data: { subject: randomUUID(), username: "ip", roles: ["INFRASTRUCTURE_PROVIDER"] },
  });
  await db.region.upsert({
    where: { name: "bench" },
    create: {
      name: "bench",
      highDemand: true,
      highDemandCost: 5_000n,
      regionalCpuCosts: 0n,
      regionalMemoryCosts: 0n,
      regionalGpuCosts: 1_000n,
    },
    update: {},
  });
  const workloads = [];
  for (let i = 0; i < Math.ceil(INSTANCES / 10); i++) {
    workloads.push({
      name: `wl-${i}`,
      version: "1.0.0",
      ownerId: owners[i % owners.length]!.id,
      status: "ACCEPTED" as const,
      ingressSupport: i % 10 < 3,
    });
  }
  await db.workload.createMany({ data: workloads });
  const workloadRows = await db.workload.findMany({
    select: { id: true, ownerId: true },
    orderBy: { id: "asc" },
  });

  const perCluster = Math.ceil(INSTANCES / CLUSTERS);
  const instanceRows = [];
  for (let c = 0; c < CLUSTERS; c++) {
    const name = `bench-${c}`;
    const gpu = c % 5 === 0;
    continuum.addCluster({
      name,
      nodes: 4,
      cpus: 256,
      memoryGb: 1024,
      storageGb: 1000,
      vramGb: gpu ? 32 : 0,
      gpus: gpu ? 2 : 0,
      gpuReplicas: 8,
      availabilityPct: 99,
      greenEnergyPct: [0, 20, 40, 60, 80, 100][c % 6]!,
      cost: "low_cost",
      cpuBaseRate: 10,
      memoryBaseRate: 5,
    });
    const cluster = await db.cluster.create({
      data: {
        name,
        ownerId: infra.id,
        managedApi: `sim://${name}`,
        cpus: 256,
        memoryGb: 1024,
        storageGb: 1000,
        vramGb: gpu ? 32 : 0,
        availabilityPct: 99,
        greenEnergyPct: [0, 20, 40, 60, 80, 100][c % 6]!,
        cost: "low_cost",
        cpuBaseRate: 10,
        memoryBaseRate: 5,
        status: "OK",
        region: "bench",
        gridIntensity: 250,
      },
    });
    const sim = continuum.cluster(name);
    for (let k = 0; k < perCluster && instanceRows.length < INSTANCES; k++) {
      const n: number = instanceRows.length;
      const id = randomUUID();
      const namespace = `i-${id.slice(0, 13)}`;
      const workload = workloadRows[n % workloadRows.length]!;
      const gpus = gpu && k < 10 ? 1 : 0;
      sim.apply(
        namespace,
        [
          {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: "web", labels: { app: "web" } },
            spec: {
              replicas: 1,
              selector: { matchLabels: { app: "web" } },
              template: {
                metadata: { labels: { app: "web" } },
                spec: {
                  containers: [
                    {
                      name: "web",
                      image: "registry.example/web:1",
                      resources: {
                        requests: { cpu: "100m", memory: "128Mi" },
                        limits: gpus ? { "nvidia.com/gpu": 1 } : {},
                      },
                    },
                  ],
                },
              },
            },
          },
        ],
        { labels: { [INSTANCE_ID_LABEL]: id } },
      );
      instanceRows.push({
        id,
        shortId: id.slice(0, 7),
        releaseName: `r${n}`,
        workloadId: workload.id,
        ownerId: workload.ownerId,
        clusterId: cluster.id,
        namespace,
        status: "DEPLOYED" as const,
        createdAt: new Date(PERIOD - 3_600_000),
      });
    }
  }
  for (let i = 0; i < instanceRows.length; i += 2_000)
    await db.workloadInstance.createMany({ data: instanceRows.slice(i, i + 2_000) });
  return instanceRows.map((row) => row.id);
}

async function main() {
  const url = databaseUrlFor(`nemo_bench_billing_${runId()}`);
  await ensureDatabase(url);
  await applyMigrations(url);
  const seeder = createDb(url, workerDbTimeouts());
  const clock = createManualClock(PERIOD - 600_000);
  const continuum = new SimulatedContinuum({ seed: 5, clock: clock.now, sleep: clock.sleep });
  const drivers: DriverFactory = (config) => new SimulatedClusterDriver({ continuum, cluster: config.name });
  try {
    console.log(`seeding ${INSTANCES} instances on ${CLUSTERS} clusters…`);
    const ids = await seed(seeder, continuum);
    await seeder.$disconnect();

    const db = createDb(url, workerDbTimeouts());
    const deps = { db, log, drivers, clock: () => PERIOD + 10 * PERIOD_MS };
    const startA = new Date(PERIOD);
    let t0 = performance.now();
    const run = await runBillingPeriod(deps, startA, new Date(PERIOD + PERIOD_MS));
    const runMs = performance.now() - t0;
    const ledger = await db.ledgerTransaction.count({ where: { periodStart: startA } });
    const failures = await db.billingFailure.count({ where: { periodStart: startA } });
    if (failures > 0) throw new Error(`${failures} items failed in the measured run`);

    // Baseline: the same run writing one transaction per instance, on a sample (the rest set aside).
    const sample = new Set(ids.slice(0, SAMPLE));
    await db.workloadInstance.updateMany({
      where: { id: { notIn: [...sample] } },
      data: { status: "FAILED" },
    });
    const startB = new Date(PERIOD + PERIOD_MS);
    t0 = performance.now();
    const baseline = await runBillingPeriod(
      { ...deps, batchInstances: 1 },
      startB,
      new Date(PERIOD + 2 * PERIOD_MS),
    );
    const baselineSampleMs = performance.now() - t0;
    const baselineMs = (baselineSampleMs * INSTANCES) / SAMPLE;
    await db.$disconnect();

    console.log(
      `machine: ${cpus().length} cores, load ${loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}`,
    );
    console.log(
      `billing run: ${run.instances} instances, ${run.itemsBilled} items, ${ledger} ledger transactions, ${runMs.toFixed(0)} ms (target ≤ ${TARGET_MS} ms: ${runMs <= TARGET_MS ? "met" : "NOT met"})`,
    );
    console.log(`  phases (ms): ${JSON.stringify(run.phasesMs)}`);
    console.log(
      `baseline (one transaction per instance): ${baseline.itemsBilled} items for ${SAMPLE} instances in ${baselineSampleMs.toFixed(0)} ms → ${baselineMs.toFixed(0)} ms for ${INSTANCES} (extrapolated)`,
    );
    console.log(`ratio baseline / run: ${(baselineMs / runMs).toFixed(1)}×`);
  } finally {
    await dropDatabase(url);
  }
}

await main();
