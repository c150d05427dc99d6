/**
 * Intent-based migration latency: from the intent violation (the `violated`
 * notification published on `nemo.api.workload` / `intent-notify`) to the
 * completion committed (migration COMPLETED, instance DEPLOYED on its new
 * cluster), over N migrations dev-onelab → staging-onelab on the simulated
 * continuum with zero simulated backup, restore and pod start-up delay, so
 * what is measured is the pipeline itself: controller, four outbox hops
 * (backup command, restore command, completion on `update`), both agents and
 * the orchestrator's completion, on the real broker and a real database (a
 * database and a vhost of its own, created and dropped here).
 *
 *   npx tsx bench/migration.bench.ts [--migrations 200] [--relays 3]
 *
 * Target: p50 ≤ 250 ms. Baseline, in the same run: the same pipeline with the
 * outbox relays in pure polling mode (every 200 ms, no LISTEN), as before the
 * NOTIFY trigger. The two modes alternate migration by migration (relays
 * restarted in between), so a change in machine load hits both alike.
 *
 * Set-up per migration (not timed): an instance is created and deployed on
 * dev-onelab by the orchestrator's own handler, and gets an Availability > 95 %
 * intent stored without notification. After it completed, its copy on
 * staging-onelab is removed and the instance marked DELETED, so every
 * migration meets the same cluster state. The controller, the agents (one
 * consumer per cluster), the orchestrator's completion consumer and one relay
 * per role (`--relays`, default 3: controller, agent, orchestrator) run in
 * this process on one broker connection; the watchdog is not needed here.
 */
import "./silent-logs";
import "./simulated-clusters";
import { performance } from "node:perf_hooks";
import { cpus, loadavg } from "node:os";
import path from "node:path";
import pino from "pino";
import { Role } from "@/common/roles";
import type { SessionUser } from "../src/server/auth/session";
import { createBus, messages, OutboxRelay, productTopology, type Bus } from "../src/server/bus";
import {
  createClusterDriver,
  DEMO_CONTINUUM_SPECS,
  driverFor,
  PostgresSimulatedContinuum,
  type DriverFactory,
} from "../src/server/clusters";
import { createDb, workerDbTimeouts, type Db } from "../src/server/db/client";
import { applyMigrations, dropDatabase, ensureDatabase } from "../src/server/db/migrate";
import { seedDemo } from "../src/server/demo/seed";
import { serverEnv } from "../src/server/env";
import { createInstance, handleInstanceRun } from "../src/server/instances";
import {
  consumeIntentNotifications,
  consumeMigrationCompletions,
  IbmcAgents,
  parseSteps,
  type MigrationRuntimeDeps,
} from "@/server/cluster-migration";
import { amqpUrlFor, createVhost, databaseUrlFor, deleteVhost, runId } from "../src/server/testing/services";
import { createWorkload, uploadChart } from "../src/server/workloads";
import { packChartDirectory } from "../src/server/workloads/tar-writer";

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} needs a positive integer`);
  return value;
}

const MIGRATIONS = option("migrations", 200);
const RELAYS = option("relays", 3);
const WARMUP = 5;
const TARGET_P50_MS = 250;
const POLL_MS = 200;
const log = pino({ level: "silent" });

interface Sample {
  totalMs: number;
  /** Step-to-step gaps, from the migration's own timestamped steps. */
  hops: Record<string, number>;
}

const HOPS = [
  ["violation → REQUESTED (controller)", null, "REQUESTED"],
  ["REQUESTED → BACKING_UP (outbox hop, source agent)", "REQUESTED", "BACKING_UP"],
  ["BACKING_UP → BACKED_UP (backup)", "BACKING_UP", "BACKED_UP"],
  ["BACKED_UP → RESTORING (outbox hop, target agent)", "BACKED_UP", "RESTORING"],
  ["RESTORING → VERIFYING (restore)", "RESTORING", "VERIFYING"],
  ["VERIFYING → verified (tree check)", "VERIFYING", "VERIFIED"],
  ["verified → COMPLETED (outbox hop, orchestrator)", "VERIFIED", "COMPLETED"],
] as const;

class Pipeline {
  private relays: OutboxRelay[] = [];

  constructor(
    private readonly db: Db,
    private readonly bus: Bus,
    private readonly databaseUrl: string,
  ) {}

  startRelays(listen: boolean): void {
    for (let i = 0; i < RELAYS; i++) {
      const relay = new OutboxRelay({
        db: this.db,
        bus: this.bus,
        pollMs: POLL_MS,
        logger: log,
        ...(listen && { listen: { databaseUrl: this.databaseUrl } }),
      });
      relay.start();
      this.relays.push(relay);
    }
  }

  async waitListening(): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!this.relays.every((r) => r.isListening)) {
      if (Date.now() > deadline) throw new Error("relays did not start listening");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async stopRelays(): Promise<void> {
    await Promise.all(this.relays.map((r) => r.stop()));
    this.relays = [];
  }
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string, everyMs = 3) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

async function main(): Promise<void> {
  const id = runId();
  const url = databaseUrlFor(`nemo_bench_migration_${id}`);
  const vhost = `nemo-bench-migration-${id}`;
  const haveVhost = await createVhost(vhost);
  const amqpUrl = amqpUrlFor(haveVhost ? vhost : null);
  const prefix = haveVhost ? "" : `bench${id}.`;
  await ensureDatabase(url);
  const db = createDb(url, workerDbTimeouts());
  let bus: Bus | null = null;
  try {
    await applyMigrations(url);
    await seedDemo(db);
    // As in the reference run: the edge farm is not OK, so staging-onelab is the one target.
    await db.cluster.update({ where: { name: "nemo-smart-farming" }, data: { status: "ERROR" } });
    const providerRow = await db.user.create({
      data: { subject: `bench-${id}`, username: "bench", roles: [Role.SERVICE_PROVIDER] },
    });
    const provider: SessionUser = {
      id: providerRow.id,
      subject: providerRow.subject,
      username: "bench",
      displayName: "bench",
      email: null,
      roles: [Role.SERVICE_PROVIDER],
    };
    const as = { db, user: provider };
    const workload = await createWorkload(as, {
      name: "bench-shop",
      version: "1.0.0",
      supportedIntents: ["Availability"],
    });
    await uploadChart(
      as,
      workload.id,
      await packChartDirectory(path.resolve("src/server/charts/conformance-data/helm/create/mychart")),
    );

    // The shared (PostgreSQL) continuum with every simulated delay at zero.
    const continuum = new PostgresSimulatedContinuum({
      db,
      seed: serverEnv().SIM_SEED,
      clusters: DEMO_CONTINUUM_SPECS,
      timing: { backupMs: 0, restoreMs: 0, podStartupMinMs: 0, podStartupMaxMs: 0 },
    });
    const driverFactory: DriverFactory = (config) => createClusterDriver(config, { continuum });

    bus = await createBus({ url: amqpUrl, prefix, db, logger: log, topology: productTopology });
    const deps: MigrationRuntimeDeps = { db, bus, log, driverFactory, stepTimeoutMs: 60_000, pollMs: 20 };
    await consumeIntentNotifications(deps);
    await consumeMigrationCompletions(deps);
    const agents = new IbmcAgents(deps);
    await agents.rescan();
    const pipeline = new Pipeline(db, bus, url);
    const staging = await db.cluster.findUniqueOrThrow({ where: { name: "staging-onelab" } });

    let serial = 0;
    async function migrateOnce(): Promise<Sample> {
      serial += 1;
      const created = await createInstance(as, {
        workloadId: workload.id,
        releaseName: `bench-${serial}`,
        clusterName: "dev-onelab",
      });
      await db.$transaction((tx) =>
        handleInstanceRun(
          tx,
          { workload_id: created.id, status: "deploy" },
          { db, log, attempt: 1, maxAttempts: 1, driverFactory },
        ),
      );
      const intent = await db.intent.create({
        data: {
          intentType: "Availability",
          instanceId: created.id,
          ownerId: provider.id,
          body: {
            intentExpectations: [
              {
                expectationId: "1",
                expectationTargets: [
                  { targetName: "availability", targetCondition: "IS_GREATER_THAN", targetValueRange: "95" },
                ],
              },
            ],
          },
        },
      });
      // Nothing else in flight: the set-up's own `run` message is published before the clock starts.
      await waitUntil(
        async () => (await db.outboxMessage.count({ where: { status: "PENDING" } })) === 0,
        10_000,
        "the outbox to drain",
        5,
      );

      const startedAt = Date.now();
      const started = performance.now();
      await bus!.publish(messages.intentNotify, {
        Type: "intent",
        IntentID: intent.id,
        WorkloadID: created.id,
        Action: "violated",
      });
      let completedMs = 0;
      await waitUntil(
        async () => {
          const rows = await db.$queryRaw<Array<{ state: string }>>`
            SELECT state::text AS state FROM migrations WHERE instance_id = ${created.id}::uuid`;
          const state = rows[0]?.state;
          if (state === "FAILED" || state === "ROLLED_BACK") throw new Error(`migration ended ${state}`);
          if (state !== "COMPLETED") return false;
          completedMs = performance.now() - started;
          return true;
        },
        30_000,
        "the completion",
      );

      const migration = await db.migration.findFirstOrThrow({ where: { instanceId: created.id } });
      const steps = parseSteps(migration.steps);
      const at = (state: string): number | null => {
        if (state === "VERIFIED") {
          const verifying = steps.filter((s) => s.state === "VERIFYING");
          return verifying.length > 1 ? Date.parse(verifying[1]!.at) : null;
        }
        const step = steps.find((s) => s.state === state);
        return step ? Date.parse(step.at) : null;
      };
      const hops: Record<string, number> = {};
      for (const [label, from, to] of HOPS) {
        const a = from === null ? startedAt : at(from);
        const b = at(to);
        if (a !== null && b !== null) hops[label] = b - a;
      }

      // Not timed: the source copy's removal, then the instance leaves the continuum again.
      await waitUntil(
        async () =>
          (await db.migration.findUniqueOrThrow({ where: { id: migration.id } })).stepDeadline === null,
        10_000,
        "the source cleanup",
        5,
      );
      await driverFor(db, staging, driverFactory).deleteNamespace(created.namespace);
      await db.workloadInstance.update({ where: { id: created.id }, data: { status: "DELETED" } });
      return { totalMs: completedMs, hops };
    }

    /** One migration with the relays of one mode (started before its set-up, stopped after). */
    async function migrateWith(listen: boolean): Promise<Sample> {
      pipeline.startRelays(listen);
      if (listen) await pipeline.waitListening();
      try {
        return await migrateOnce();
      } finally {
        await pipeline.stopRelays();
      }
    }

    // The modes alternate migration by migration, so both meet the same machine load.
    const loadBefore = loadavg()[0]!;
    process.stderr.write(
      `running ${MIGRATIONS} migrations per mode, alternating (+${WARMUP} warm-up each)\n`,
    );
    for (let i = 0; i < WARMUP; i++) {
      await migrateWith(true);
      await migrateWith(false);
    }
    const notify: Sample[] = [];
    const polling: Sample[] = [];
    for (let i = 0; i < MIGRATIONS; i++) {
      notify.push(await migrateWith(true));
      polling.push(await migrateWith(false));
      if ((i + 1) % 50 === 0) process.stderr.write(`  ${i + 1}/${MIGRATIONS} of each\n`);
    }
    const load = `${loadBefore.toFixed(2)} → ${loadavg()[0]!.toFixed(2)}`;

    const pct = (values: number[], p: number) => {
      const sorted = [...values].sort((a, b) => a - b);
      return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
    };
    const ms = (n: number) => `${n.toFixed(0).padStart(5)} ms`;
    const summary = (label: string, samples: Sample[]) => {
      const t = samples.map((s) => s.totalMs);
      const mean = t.reduce((a, b) => a + b, 0) / t.length;
      return `  ${label.padEnd(34)} p50 ${ms(pct(t, 50))}  p90 ${ms(pct(t, 90))}  p99 ${ms(pct(t, 99))}  max ${ms(Math.max(...t))}  mean ${ms(mean)}`;
    };
    const hopLines = (samples: Sample[]) =>
      HOPS.map(([label]) => {
        const values = samples.map((s) => s.hops[label]).filter((v): v is number => v !== undefined);
        return `    ${label.padEnd(50)} p50 ${ms(pct(values, 50))}  p99 ${ms(pct(values, 99))}`;
      });
    const p50Notify = pct(
      notify.map((s) => s.totalMs),
      50,
    );
    const p50Polling = pct(
      polling.map((s) => s.totalMs),
      50,
    );

    console.log(
      `Intent-based migration: violation published → completion committed, dev-onelab → staging-onelab\n` +
        `N = ${MIGRATIONS} per mode (after ${WARMUP} warm-up), zero simulated backup / restore / pod start-up delay, ` +
        `${RELAYS} outbox relays, real RabbitMQ and PostgreSQL, modes alternating; ` +
        `${cpus().length} CPUs, 1-min load ${load}\n`,
    );
    console.log(summary("relays woken by NOTIFY (LISTEN)", notify));
    console.log(summary(`baseline: relays polling (${POLL_MS} ms)`, polling));
    console.log(
      `  p50 ratio baseline / NOTIFY: ${(p50Polling / p50Notify).toFixed(2)}×; ` +
        `target p50 ≤ ${TARGET_P50_MS} ms: ${p50Notify <= TARGET_P50_MS ? "met" : "NOT met"}\n`,
    );
    console.log("  where the time goes, NOTIFY (step timestamps):");
    for (const l of hopLines(notify)) console.log(l);
    console.log("  where the time goes, polling baseline:");
    for (const l of hopLines(polling)) console.log(l);
    await agents.stop(undefined, 2_000);
  } finally {
    await bus?.close({ graceMs: 2_000 }).catch(() => undefined);
    await db.$disconnect();
    await dropDatabase(url);
    if (haveVhost) await deleteVhost(vhost);
  }
}

await main();
