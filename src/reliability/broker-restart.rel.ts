import { performance } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { sleep } from "@/common/sleep";
import { TERMINAL_STATES } from "@/common/migration-status";
import { Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth/session";
import { parseSteps, requestMigration } from "@/server/cluster-migration";
import { DomainError } from "@/server/errors";
import { createInstance } from "@/server/instances";
import { createIntent } from "@/server/intents/commands";
import { testId, waitFor } from "@/server/testing/bus";
import { acceptedMychartWorkload, type DemoDatabase } from "@/server/testing/demo-database";
import { makeUser, uniq } from "@/server/testing/factories";
import { intOption, printFigures, scenarioSeed, seeded, WorkerFleet } from "@/server/testing/reliability";
import {
  openDemoDatabaseOn,
  startThrowawayBroker,
  startThrowawayPostgres,
  type ThrowawayBroker,
  type ThrowawayPostgres,
} from "./services";

// The broker goes away and comes back while instances deploy, intents are
// evaluated and migrations run: a RabbitMQ node of this file's own
// (services.ts) is stopped for a seeded few seconds and started again, under
// the real orchestrator, IBMC controller, IBMC agent and evaluator processes,
// which are NOT restarted. Half the traffic is requested before the restart
// (some of it stranded in the outbox while the broker is down), half after,
// so consumers must have reconnected by themselves. Afterwards every instance
// is DEPLOYED exactly once on exactly one cluster, every migration COMPLETED
// or ROLLED_BACK with its reason, every intent reported, no lifecycle event
// twice, the outbox drained.
const SEED = scenarioSeed("RELIABILITY_SEED", 20_261_207);
const INSTANCES = intOption("RELIABILITY_BROKER_INSTANCES", 40);
/** "Migrate now" requests; as many again come from violated intents (availability > 95 %). */
const MIGRATIONS = Math.min(intOption("RELIABILITY_BROKER_MIGRATIONS", 6), Math.floor(INSTANCES / 4));
const INTENTS = Math.min(intOption("RELIABILITY_BROKER_INTENTS", 10), Math.floor(INSTANCES / 2));
/** How long the broker stays down (ms), seeded in this range. */
const DOWN_MS = [3_000, 6_000] as const;
const QUIESCE_MS = 150_000;
const ROLES = ["orchestrator", "ibmc-controller", "ibmc-agent", "evaluator"] as const;
/** Clusters of the demo continuum with availability above 95 % (the intents' target). */
const AVAILABLE = new Set(["staging-onelab", "nemo-smart-farming"]);
/** Queues a product consumer takes from (orchestrator, controller; the agent's per-cluster queues come on top). */
const CONSUMED = ["nemo.api.workload.run", "nemo.api.workload.update", "notify", "metrics", "mo.join"];

let broker: ThrowawayBroker | undefined;
let pgServer: ThrowawayPostgres | undefined;
let demo: DemoDatabase | undefined;
let fleet: WorkerFleet | undefined;
let provider: SessionUser;
let admin: SessionUser;
let workloadId: number;

beforeAll(async () => {
  // Both started before either failure is thrown, so afterAll removes whichever did start.
  const [node, server] = await Promise.allSettled([startThrowawayBroker(testId()), startThrowawayPostgres()]);
  if (node.status === "fulfilled") broker = node.value;
  if (server.status === "fulfilled") pgServer = server.value;
  if (node.status === "rejected") throw node.reason;
  if (server.status === "rejected") throw server.reason;
  demo = await openDemoDatabaseOn(pgServer!, "nemo_broker_restart");
  provider = await makeUser(demo.db, [Role.SERVICE_PROVIDER]);
  admin = await makeUser(demo.db, [Role.NEMO_ADMIN]);
  workloadId = await acceptedMychartWorkload(demo.db, provider, "brk");
  fleet = new WorkerFleet({
    DATABASE_URL: demo.url,
    AMQP_URL: broker!.amqpUrl,
    // The node is this file's own: no prefix needed.
    AMQP_PREFIX: "",
    LOG_LEVEL: "info",
    NODE_ENV: "production",
    MIGRATION_STEP_TIMEOUT_MS: "120000",
    METRICS_PERIOD_MS: "5000",
    INTENT_EVALUATION_TICK_MS: "1000",
    INSTANCE_REDRIVE_PERIOD_MS: "5000",
    INSTANCE_STUCK_AFTER_MS: "20000",
  });
  await Promise.all(ROLES.map((role) => fleet!.start(role))).catch((error: unknown) => {
    // Say why a worker would not start: its own last lines.
    for (const worker of fleet!.all.filter((w) => w.child.exitCode !== null))
      printFigures(
        `${worker.name} exited at start; its last lines`,
        worker.lines.slice(-5).map((l) => ({ line: JSON.stringify(l).slice(0, 400) })),
      );
    throw error;
  });
  await waitFor(
    () => fleet!.process("ibmc-agent")!.lines.some((l) => l.msg === "serving clusters"),
    30_000,
    "the agent serving its clusters",
  );
}, 240_000);

afterAll(async () => {
  // Each step runs whatever an earlier one threw: the servers must go even if a worker would not stop.
  await fleet?.stopAll().catch(() => undefined);
  await demo?.db.$disconnect().catch(() => undefined);
  await Promise.allSettled([broker?.close(), pgServer?.close()]);
}, 120_000);

const snapshotNamespaces = z.object({ namespaces: z.array(z.object({ name: z.string() })) });

describe("broker restart during deployments, intent evaluation and migrations", () => {
  it("ends with every instance, migration and report exactly once, consumers back, the outbox drained", async () => {
    const random = seeded(SEED);
    const db = demo!.db;
    const started = performance.now();
    const s = (at: number) => Math.round((at - started) / 100) / 10;
    const ids: string[] = [];
    const explicit = new Set<string>();
    const intentIds: string[] = [];
    /** Intent id → the cluster its instance was on when the intent was created. */
    const intentStart = new Map<string, string>();
    let refusals = 0;
    let createdAfterRestart = 0;

    const deployed = async (n: number, from: string[]) =>
      waitFor(
        async () =>
          (await db.workloadInstance.count({ where: { id: { in: from }, status: "DEPLOYED" } })) >= n,
        QUIESCE_MS,
        `${n} instance(s) DEPLOYED`,
      );

    /** Creates `count` instances in batches of 5, as users would. */
    async function deploy(count: number, tag: string): Promise<string[]> {
      const made: string[] = [];
      for (let i = 0; i < count; i += 5) {
        const batch = await Promise.all(
          [...Array(Math.min(5, count - i)).keys()].map((k) =>
            createInstance({ db, user: provider }, { workloadId, releaseName: uniq(`${tag}${i + k}`) }),
          ),
        );
        made.push(...batch.map((instance) => instance.id));
        await sleep(100);
      }
      ids.push(...made);
      return made;
    }

    /** "Migrate now" to a seeded other cluster, for `count` DEPLOYED instances of `from`. */
    async function migrate(from: string[], count: number): Promise<void> {
      const clusters = (await db.cluster.findMany({ where: { status: "OK" } })).map((c) => c.name);
      const ready = await db.workloadInstance.findMany({
        where: { id: { in: from }, status: "DEPLOYED" },
        include: { cluster: true },
        orderBy: { id: "asc" },
      });
      for (const instance of random.shuffle(ready).slice(0, count)) {
        for (const target of random.shuffle(clusters.filter((c) => c !== instance.cluster?.name))) {
          try {
            await requestMigration({ db, user: admin, stepTimeoutMs: 120_000 }, instance.id, target);
            explicit.add(instance.id);
            break;
          } catch (error) {
            if (!(error instanceof DomainError)) throw error;
            refusals += 1;
          }
        }
      }
    }

    /** Availability > 95 % on `count` DEPLOYED instances of `from` not migrated by hand. */
    async function intents(from: string[], count: number): Promise<void> {
      const ready = await db.workloadInstance.findMany({
        where: { id: { in: from.filter((id) => !explicit.has(id)) }, status: "DEPLOYED" },
        include: { cluster: true },
        orderBy: { id: "asc" },
      });
      for (const instance of random.shuffle(ready).slice(0, count)) {
        const intent = await createIntent(
          { db, user: provider },
          {
            source: "form",
            instanceId: instance.id,
            intentType: "Availability",
            targets: [{ targetName: "availability", targetCondition: "IS_GREATER_THAN", targetValue: 95 }],
          },
        );
        intentIds.push(intent.id);
        intentStart.set(intent.id, instance.cluster!.name);
      }
    }

    // 1. Before the restart: half the instances, their intents and "Migrate now" requests.
    const firstHalf = await deploy(Math.ceil(INSTANCES / 2), "b");
    await deployed(firstHalf.length, firstHalf);
    await migrate(firstHalf, Math.ceil(MIGRATIONS / 2));
    await intents(firstHalf, Math.ceil(INTENTS / 2));
    // Traffic written while the broker is down waits in the outbox.
    const strandedBatch = deploy(5, "d");

    // 2. The restart, with migrations in flight.
    const downMs = random.int(...DOWN_MS);
    const stopAt = performance.now();
    const activeAtStop = await db.migration.count({ where: { state: { notIn: [...TERMINAL_STATES] } } });
    const stopMs = await broker!.stop();
    const duringOutage = await strandedBatch;
    await sleep(downMs);
    const pendingAtStart = await db.outboxMessage.count({ where: { status: "PENDING" } });
    const startMs = await broker!.start();
    const upAt = performance.now();
    // Reports are stamped by the evaluator's clock: compare with this machine's clock at the restart.
    const upWall = new Date();

    // 3. After the restart: the other half, more intents and migrations, all through reconnected consumers.
    const secondHalf = await deploy(INSTANCES - firstHalf.length - duringOutage.length, "a");
    createdAfterRestart = secondHalf.length;
    const late = [...duringOutage, ...secondHalf];
    await deployed(late.length, late);
    await migrate(late, MIGRATIONS - explicit.size);
    await intents(late, INTENTS - intentIds.length);
    const trafficDoneAt = performance.now();

    // 4. Quiescence, bounded.
    const pendingWork = async () => ({
      activeInstances: await db.workloadInstance.count({
        where: { id: { in: ids }, status: { in: ["RENDERED", "DEPLOYING", "MIGRATING", "DELETING"] } },
      }),
      activeMigrations: await db.migration.count({ where: { state: { notIn: [...TERMINAL_STATES] } } }),
      owedCleanups: await db.migration.count({ where: { stepDeadline: { not: null } } }),
      outbox: await db.outboxMessage.count({ where: { status: { not: "PUBLISHED" } } }),
      intentsNotReportedSinceRestart:
        intentIds.length -
        (
          await db.intentReport.groupBy({
            by: ["intentId"],
            where: { intentId: { in: intentIds }, createdAt: { gt: upWall } },
          })
        ).length,
    });
    const settled = async () => Object.values(await pendingWork()).every((n) => n === 0);
    await waitFor(
      settled,
      QUIESCE_MS,
      "quiescence (nothing active, no cleanup owed, outbox drained, every intent reported since the restart)",
    ).catch(async (error: unknown) => {
      printFigures("Broker restart: still pending at the deadline", [await pendingWork()]);
      throw error;
    });
    const quiescedAt = performance.now();

    // 5. The verdict.
    const instances = await db.workloadInstance.findMany({
      where: { id: { in: ids } },
      include: { cluster: true },
    });
    const migrations = await db.migration.findMany({ where: { instanceId: { in: ids } } });
    const snapshots = await db.simulatedClusterState.findMany();
    const onClusters = snapshots.map(
      (row) =>
        [row.name, new Set(snapshotNamespaces.parse(row.state).namespaces.map((n) => n.name))] as const,
    );
    const placementErrors = instances.flatMap((instance) => {
      const holders = onClusters.filter(([, names]) => names.has(instance.namespace)).map(([c]) => c);
      return holders.length === 1 && holders[0] === instance.cluster?.name
        ? []
        : [`${instance.id} (${instance.status} on ${instance.cluster?.name}): on [${holders.join(", ")}]`];
    });
    const duplicates = await db.$queryRaw<Array<{ instance_id: string; type: string; message: string }>>`
      SELECT instance_id::text, type, message FROM lifecycle_events
       WHERE instance_id = ANY(${ids}::uuid[])
       GROUP BY instance_id, type, message HAVING count(*) > 1`;
    const events = await db.lifecycleEvent.groupBy({
      by: ["type"],
      where: { instanceId: { in: ids } },
      _count: { _all: true },
    });
    const eventCount = (type: string) => events.find((e) => e.type === type)?._count._all ?? 0;
    const deploymentsPerInstance = await db.lifecycleEvent.groupBy({
      by: ["instanceId"],
      where: { instanceId: { in: ids }, type: "Deployment" },
      _count: { _all: true },
    });
    // A report stored twice for one evaluation shows as two reports of one intent at one instant.
    const duplicateReports = await db.$queryRaw<Array<{ intent_id: string }>>`
      SELECT intent_id::text FROM intent_reports WHERE intent_id = ANY(${intentIds}::uuid[])
       GROUP BY intent_id, created_at HAVING count(*) > 1`;
    const reportsAfterRestart = await db.intentReport.groupBy({
      by: ["intentId"],
      where: { intentId: { in: intentIds }, createdAt: { gt: upWall } },
      _count: { _all: true },
    });
    const intentMigrations = migrations.filter((m) => m.intentId !== null);
    const violatedAtStart = [...intentStart.values()].filter((c) => !AVAILABLE.has(c)).length;
    const intentInstances = new Map(
      (await db.intent.findMany({ where: { id: { in: intentIds } } })).map((i) => [i.id, i.instanceId]),
    );
    const unmetIntents = [...intentInstances].filter(([intentId, instanceId]) => {
      const instance = instances.find((i) => i.id === instanceId);
      const rolledBack = intentMigrations.some((m) => m.intentId === intentId && m.state === "ROLLED_BACK");
      return !AVAILABLE.has(instance?.cluster?.name ?? "") && !rolledBack;
    });
    const queues = await broker!.queues();
    const consumersOf = (name: string) => queues.find((q) => q.name === name)?.consumers ?? 0;
    // The agents' command queues (not their .retry / .dlq companions, which nothing consumes).
    const agentQueues = queues.filter((q) => /^mo\.agent\.[^.]+$/.test(q.name));
    const reconnectedRoles = fleet!.all.filter((w) =>
      w.lines.some((l) => l.msg === "broker connection lost; reconnecting"),
    ).length;
    const exitedRoles = fleet!.all.filter((w) => w.child.exitCode !== null || w.child.signalCode !== null);
    const states = (state: string) => migrations.filter((m) => m.state === state).length;

    printFigures(`Broker restart (seed ${SEED}; RELIABILITY_SEED overrides): the outage`, [
      {
        brokerDownMs: downMs,
        stopMs,
        startMs,
        migrationsActiveAtStop: activeAtStop,
        instancesCreatedWhileDown: duringOutage.length,
        outboxPendingAtRestart: pendingAtStart,
        instancesCreatedAfterRestart: createdAfterRestart,
      },
    ]);
    printFigures("Broker restart: expected vs found", [
      {
        what: "instances DEPLOYED",
        expected: INSTANCES,
        found: instances.filter((i) => i.status === "DEPLOYED").length,
      },
      {
        what: "instances with exactly one Deployment event",
        expected: INSTANCES,
        found: deploymentsPerInstance.filter((d) => d._count._all === 1).length,
      },
      { what: "instances not on exactly their one cluster", expected: 0, found: placementErrors.length },
      { what: "Placement events", expected: INSTANCES, found: eventCount("Placement") },
      { what: "Failed events", expected: 0, found: eventCount("Failed") },
      { what: "duplicate lifecycle events", expected: 0, found: duplicates.length },
      {
        what: "'Migrate now' migrations",
        expected: explicit.size,
        found: migrations.filter((m) => !m.intentId).length,
      },
      {
        what: "intent migrations (one per violated intent)",
        expected: violatedAtStart,
        found: intentMigrations.length,
      },
      {
        what: "migrations COMPLETED + ROLLED_BACK",
        expected: migrations.length,
        found: states("COMPLETED") + states("ROLLED_BACK"),
      },
      { what: "  of which ROLLED_BACK (each with a reason)", expected: "-", found: states("ROLLED_BACK") },
      { what: "intents unmet at the end (not rolled back)", expected: 0, found: unmetIntents.length },
      {
        what: "intents reported after the restart",
        expected: intentIds.length,
        found: reportsAfterRestart.length,
      },
      { what: "reports stored twice", expected: 0, found: duplicateReports.length },
      { what: "outbox rows not PUBLISHED", expected: 0, found: (await pendingWork()).outbox },
      { what: "workers that exited", expected: 0, found: exitedRoles.length },
      { what: "workers that logged the lost connection", expected: ROLES.length, found: reconnectedRoles },
      ...CONSUMED.map((name) => ({
        what: `consumers on ${name}`,
        expected: ">= 1",
        found: consumersOf(name),
      })),
      {
        what: "agent queues without a consumer",
        expected: 0,
        found: agentQueues.filter((q) => q.consumers === 0).length,
      },
      { what: "target refusals while choosing", expected: "-", found: refusals },
    ]);
    printFigures(
      "Broker restart: migrations rolled back (reason)",
      migrations
        .filter((m) => m.state === "ROLLED_BACK")
        .map((m) => ({
          from: m.sourceCluster,
          to: m.targetCluster,
          reason: m.reason ?? "(none)",
          // The steps before the end say where it stalled (e.g. pods not running on the target).
          before: parseSteps(m.steps)
            .slice(-4, -1)
            .map((step) => `${step.state}: ${step.message}`)
            .join(" | "),
        })),
    );
    printFigures("Broker restart: timings (s since start)", [
      {
        brokerStopped: s(stopAt),
        brokerUp: s(upAt),
        trafficDone: s(trafficDoneAt),
        quiesced: s(quiescedAt),
      },
    ]);

    expect(exitedRoles.map((w) => w.name)).toEqual([]);
    expect(reconnectedRoles).toBe(ROLES.length);
    expect(
      instances.filter((i) => i.status !== "DEPLOYED").map((i) => `${i.id}: ${i.status} ${i.statusReason}`),
    ).toEqual([]);
    expect(instances).toHaveLength(INSTANCES);
    expect(deploymentsPerInstance.filter((d) => d._count._all !== 1)).toEqual([]);
    expect(deploymentsPerInstance).toHaveLength(INSTANCES);
    expect(placementErrors).toEqual([]);
    expect(duplicates).toEqual([]);
    expect(eventCount("Placement")).toBe(INSTANCES);
    expect(eventCount("Failed")).toBe(0);
    expect(migrations.filter((m) => !m.intentId)).toHaveLength(explicit.size);
    expect(intentMigrations).toHaveLength(violatedAtStart);
    expect(
      migrations.filter((m) => !(m.state === "COMPLETED" || (m.state === "ROLLED_BACK" && m.reason))),
    ).toEqual([]);
    expect(unmetIntents).toEqual([]);
    expect(reportsAfterRestart).toHaveLength(intentIds.length);
    expect(duplicateReports).toEqual([]);
    expect((await pendingWork()).outbox).toBe(0);
    for (const name of CONSUMED) expect(consumersOf(name), name).toBeGreaterThan(0);
    expect(agentQueues.length).toBeGreaterThan(0);
    expect(agentQueues.filter((q) => q.consumers === 0)).toEqual([]);
  });
});
