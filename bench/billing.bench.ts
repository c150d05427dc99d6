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
import { readFile } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import type pg from "pg";
import { performance } from "node:perf_hooks";
import pino from "pino";
import { runBillingPeriod } from "../src/server/accounting/billing";
import { INSTANCE_ID_LABEL, type DriverFactory } from "../src/server/clusters";
import { createManualClock } from "../src/server/clusters/simulated/clock";
import { SimulatedContinuum } from "../src/server/clusters/simulated/continuum";
import { SimulatedClusterDriver } from "../src/server/clusters/simulated/simulated-driver";
import { createDb, poolOf, workerDbTimeouts, type Db } from "../src/server/db/client";
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
/** Instances per write transaction in the measured run (the product's default when absent). */
const BATCH = process.argv.includes("--batch") ? option("batch", 1_000) : undefined;
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

/** Statements sent on the run's connections, by kind (the first words of the SQL). */
function countStatements(pool: pg.Pool): Map<string, number> {
  const counts = new Map<string, number>();
  pool.on("connect", (client: pg.PoolClient) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const first = args[0];
      const text = typeof first === "string" ? first : ((first as { text?: string } | null)?.text ?? "");
      const words = text.replace(/\s+/g, " ").trim().split(" ");
      const kind =
        words[0] === "INSERT"
          ? `INSERT ${words[2] ?? ""}`
          : words[0] === "WITH"
            ? "WITH (ledger append)"
            : words[0] === "SELECT"
              ? "SELECT"
              : (words[0] ?? "?");
      counts.set(kind, (counts.get(kind) ?? 0) + 1);
      return query(...args);
    };
  });
  return counts;
}

/** CPU seconds (user + system) of the PostgreSQL backends serving this database, from /proc. */
async function backendCpuSeconds(db: Db, seen: Map<number, number>): Promise<number> {
  const rows = await db.$queryRawUnsafe<{ pid: number }[]>(
    "SELECT pid FROM pg_stat_activity WHERE datname = current_database()",
  );
  for (const { pid } of rows) {
    try {
      const stat = await readFile(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // utime and stime are fields 14 and 15 (1-based) of the whole line: 12 and 13 after the command.
      seen.set(pid, (Number(fields[11]) + Number(fields[12])) / 100);
    } catch {
      // The backend ended: its last reading stays.
    }
  }
  return [...seen.values()].reduce((a, b) => a + b, 0);
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
    const statements = countStatements(poolOf(db));
    const deps = { db, log, drivers, clock: () => PERIOD + 10 * PERIOD_MS };
    const startA = new Date(PERIOD);
    await db.$queryRawUnsafe("SELECT 1"); // opens the first connection, so its backend is measured from here
    const backends = new Map<number, number>();
    const pgCpuBefore = await backendCpuSeconds(db, backends);
    statements.clear();
    const loadBefore = loadavg();
    const cpuBefore = process.cpuUsage();
    let t0 = performance.now();
    const run = await runBillingPeriod(
      { ...deps, ...(BATCH !== undefined && { batchInstances: BATCH }) },
      startA,
      new Date(PERIOD + PERIOD_MS),
    );
    const runMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpuBefore);
    const counted = new Map(statements);
    const pgCpu = (await backendCpuSeconds(db, backends)) - pgCpuBefore;
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
      `  load average at start: ${loadBefore.map((l) => l.toFixed(2)).join(" ")}; CPU: this process ` +
        `${((cpu.user + cpu.system) / 1e6).toFixed(2)} s, PostgreSQL backends ${pgCpu.toFixed(2)} s ` +
        `(sum ${((cpu.user + cpu.system) / 1e6 + pgCpu).toFixed(2)} s: the run's work, which an idle machine ` +
        `would spread over its ${cpus().length} cores)`,
    );
    const total = [...counted.values()].reduce((a, b) => a + b, 0);
    const writes = [...counted.entries()].filter(([k]) => k.startsWith("INSERT") || k.startsWith("WITH"));
    const writeCount = writes.reduce((a, [, n]) => a + n, 0);
    const rowsWritten = ledger * 2 + run.itemsBilled; // ledger rows and their outbox messages, billing items
    console.log(
      `  statements: ${total} (${[...counted.entries()].map(([k, n]) => `${k} ${n}`).join(", ")}); ` +
        `${writeCount} bulk writes for ${rowsWritten} rows (ledger + outbox + items) = ` +
        `${Math.round(rowsWritten / Math.max(1, writeCount))} rows/statement`,
    );
    console.log(
      `baseline (one transaction per instance): ${baseline.itemsBilled} items for ${SAMPLE} instances in ${baselineSampleMs.toFixed(0)} ms → ${baselineMs.toFixed(0)} ms for ${INSTANCES} (extrapolated)`,
    );
    console.log(`ratio baseline / run: ${(baselineMs / runMs).toFixed(1)}×`);
  } finally {
    await dropDatabase(url);
  }
}

await main();
