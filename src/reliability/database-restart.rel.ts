import { performance } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { sleep } from "@/common/sleep";
import { Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth/session";
import { workloadRunSchema } from "@/server/bus";
import { db as processDb, type Db } from "@/server/db";
import { resetServerEnvCache } from "@/server/env";
import { testId, waitFor } from "@/server/testing/bus";
import { acceptedMychartWorkload } from "@/server/testing/demo-database";
import { contextFor, makeUser, uniq } from "@/server/testing/factories";
import { intOption, printFigures, scenarioSeed, seeded, WorkerFleet } from "@/server/testing/reliability";
import { sessionCookie } from "@/server/testing/session-cookie";
import { createTrpcHttpHandler } from "@/server/api/trpc-http";
import { GET as listInstancesRoute, POST as createInstanceRoute } from "@/app/api/v1/instance/route";
import { openDemoDatabaseOn, startThrowawayPostgres, type ThrowawayPostgres } from "./services";

// PostgreSQL goes away mid-traffic and comes back: a server of this file's
// own (services.ts) is stopped (`pg_ctl stop -m fast`) for a seeded few
// seconds while REST and tRPC requests run in this process through the route
// handlers Next mounts, and the real orchestrator, IBMC controller, IBMC
// agent and evaluator processes deploy what was asked. Meanwhile every
// answer is 200/201 or 503 with Retry-After and no stack or driver text;
// workers log, back off and carry on (none exits); afterwards requests
// succeed again, every instance is DEPLOYED on its one cluster with one
// Placement and one Deployment event, each instance has its one `run`
// message, there is no instance nobody was told about, and the outbox drains.
const SEED = scenarioSeed("RELIABILITY_SEED", 20_261_207);
const REQUESTS_BEFORE = intOption("RELIABILITY_DB_REQUESTS_BEFORE", 30);
const REQUESTS_AFTER = intOption("RELIABILITY_DB_REQUESTS_AFTER", 30);
/** How long the database stays down (ms), seeded in this range. */
const DOWN_MS = [4_000, 8_000] as const;
const QUIESCE_MS = 150_000;
const ROLES = ["orchestrator", "ibmc-controller", "ibmc-agent", "evaluator"] as const;
const BASE = "http://localhost:3000";
/** What no answer may carry: a stack, driver or SQL text, where the database lives. */
const LEAK = /\n\s+at |prisma|ECONNREFUSED|127\.0\.0\.1|postgres|terminat|SQLSTATE|invocation|stack/i;

let pgServer: ThrowawayPostgres | undefined;
let db: Db | undefined;
let fleet: WorkerFleet | undefined;
let provider: SessionUser;
let cookie: string;
let workloadId: number;

beforeAll(async () => {
  pgServer = await startThrowawayPostgres();
  const demo = await openDemoDatabaseOn(pgServer, "nemo_db_restart");
  const url = demo.url;
  db = demo.db;
  // The route handlers reach the database through the process-wide client (db/client.ts), made from
  // DATABASE_URL on first use: point it at the throwaway server before any handler runs.
  process.env.DATABASE_URL = url;
  resetServerEnvCache();
  provider = await makeUser(db, [Role.SERVICE_PROVIDER]);
  cookie = `next-auth.session-token=${await sessionCookie(provider)}`;
  workloadId = await acceptedMychartWorkload(db, provider, "dbr");
  fleet = new WorkerFleet({
    DATABASE_URL: url,
    AMQP_PREFIX: `${process.env.AMQP_PREFIX ?? ""}${testId()}.`,
    LOG_LEVEL: "info",
    NODE_ENV: "production",
    MIGRATION_STEP_TIMEOUT_MS: "120000",
    METRICS_PERIOD_MS: "2000",
    INSTANCE_REDRIVE_PERIOD_MS: "5000",
    INSTANCE_STUCK_AFTER_MS: "20000",
  });
  await Promise.all(ROLES.map((role) => fleet!.start(role)));
}, 240_000);

afterAll(async () => {
  // Each step runs whatever an earlier one threw: the server must go even if a worker would not stop.
  await fleet?.stopAll().catch(() => undefined);
  await db?.$disconnect().catch(() => undefined);
  await processDb()
    .$disconnect()
    .catch(() => undefined);
  await pgServer?.close();
}, 120_000);

interface Answer {
  kind: "REST create" | "REST list" | "tRPC list";
  startedAt: number;
  endedAt: number;
  status: number;
  retryAfter: string | null;
  text: string;
  /** The instance a 201 created. */
  id?: string;
}

/**
 * The tRPC endpoint as mounted, with the session given (next-auth reads it from Next's request scope,
 * which a test has not); the context holds the process-wide client the REST routes use too.
 */
const trpc = createTrpcHttpHandler(() => Promise.resolve(contextFor(processDb(), provider)));

const createdBody = z.object({ id: z.string() });

async function call(kind: Answer["kind"], releaseName: string): Promise<Answer> {
  const startedAt = performance.now();
  let response: Response;
  if (kind === "REST create") {
    const body = JSON.stringify({ workloadId, releaseName });
    response = await createInstanceRoute(
      new Request(`${BASE}/api/v1/instance/`, {
        method: "POST",
        headers: {
          cookie,
          origin: BASE,
          "content-type": "application/json",
          "content-length": String(Buffer.byteLength(body)),
        },
        body,
      }),
      { params: Promise.resolve(undefined) },
    );
  } else if (kind === "REST list") {
    response = await listInstancesRoute(
      new Request(`${BASE}/api/v1/instance/`, { headers: { cookie, origin: BASE } }),
      { params: Promise.resolve(undefined) },
    );
  } else {
    const input = encodeURIComponent(JSON.stringify({ json: {} }));
    response = await trpc(new Request(`${BASE}/api/trpc/instance.list?input=${input}`));
  }
  const text = await response.text();
  const answer: Answer = {
    kind,
    startedAt,
    endedAt: performance.now(),
    status: response.status,
    retryAfter: response.headers.get("retry-after"),
    text,
  };
  if (response.status === 201) answer.id = createdBody.parse(JSON.parse(text)).id;
  return answer;
}

const snapshotNamespaces = z.object({ namespaces: z.array(z.object({ name: z.string() })) });

describe("database restart mid-traffic", () => {
  it("answers 503 meanwhile, workers recover, traffic succeeds again, nothing half-written", async () => {
    const random = seeded(SEED);
    const database = db!;
    const started = performance.now();
    const s = (at: number) => Math.round((at - started) / 100) / 10;
    const answers: Answer[] = [];
    const kinds: Array<Answer["kind"]> = ["REST create", "REST list", "tRPC list"];
    let stopping = false;
    let n = 0;

    /** One request at a time in a seeded mix, a seeded 50–250 ms apart, until `until()` says stop. */
    async function traffic(until: () => boolean): Promise<void> {
      while (!until()) {
        answers.push(await call(random.pick(kinds), uniq(`r${n++}`)));
        await sleep(random.int(50, 250));
      }
    }
    const count = (from: number) => answers.filter((a) => a.startedAt >= from).length;

    // 1. Traffic with the database up.
    await traffic(() => count(started) >= REQUESTS_BEFORE);
    const samplesBefore = await database.clusterMetricSample.count();

    // 2. The outage, with traffic running through it.
    const downMs = random.int(...DOWN_MS);
    const during = traffic(() => stopping);
    await sleep(500);
    const stopAt = performance.now();
    const stopWall = Date.now();
    const stopMs = await pgServer!.stop();
    const downFrom = performance.now();
    await sleep(downMs);
    const downUntil = performance.now();
    const startMs = await pgServer!.start();
    const upAt = performance.now();
    const upWall = new Date();
    await sleep(500);
    stopping = true;
    await during;

    // 3. After the restart: traffic until REQUESTS_AFTER requests have succeeded.
    const succeededAfter = () => answers.filter((a) => a.startedAt >= upAt && a.status < 300).length;
    const afterDeadline = performance.now() + 60_000;
    await traffic(() => succeededAfter() >= REQUESTS_AFTER || performance.now() > afterDeadline);
    const firstSuccess = answers.find((a) => a.startedAt >= upAt && a.status < 300);
    const trafficDoneAt = performance.now();

    // 4. Quiescence: everything asked for deployed, the outbox drained, every worker heartbeating again.
    const createdIds = answers.flatMap((a) => (a.id ? [a.id] : []));
    const pids = fleet!.all.map((w) => w.child.pid!);
    const pendingWork = async () => ({
      activeInstances: await database.workloadInstance.count({
        where: { status: { in: ["CREATED", "RENDERED", "DEPLOYING", "MIGRATING", "DELETING"] } },
      }),
      outbox: await database.outboxMessage.count({ where: { status: { not: "PUBLISHED" } } }),
      workersNotHeartbeatingSinceRestart:
        pids.length -
        (await database.workerHeartbeat.count({ where: { pid: { in: pids }, seenAt: { gt: upWall } } })),
      metricSamplesSinceRestart: (await database.clusterMetricSample.count()) > samplesBefore ? 0 : 1,
    });
    await waitFor(
      async () => Object.values(await pendingWork()).every((v) => v === 0),
      QUIESCE_MS,
      "quiescence (instances deployed, outbox drained, heartbeats and metrics since the restart)",
    ).catch(async (error: unknown) => {
      printFigures("Database restart: still pending at the deadline", [await pendingWork()]);
      throw error;
    });
    const quiescedAt = performance.now();

    // 5. The verdict.
    const inOutage = answers.filter((a) => a.startedAt >= downFrom && a.endedAt <= downUntil);
    const around = answers.filter((a) => a.endedAt > stopAt && a.startedAt < upAt);
    const badStatus = answers.filter((a) => ![200, 201, 503].includes(a.status));
    const unavailable = answers.filter((a) => a.status === 503);
    const unavailableBadly = unavailable.filter(
      (a) =>
        a.retryAfter === null ||
        !/temporarily unavailable/.test(a.text) ||
        (a.kind !== "tRPC list" && JSON.parse(a.text).error !== "unavailable"),
    );
    const leaks = answers.filter((a) => LEAK.test(a.text.replace(/"[0-9a-f-]{36}"/g, "")) && a.status >= 300);
    const failedAfter = answers.filter((a) => a.startedAt >= upAt + 5_000 && a.status >= 300);

    const instances = await database.workloadInstance.findMany({
      where: { workloadId },
      include: { cluster: true },
    });
    const instanceIds = new Set(instances.map((i) => i.id));
    const snapshots = await database.simulatedClusterState.findMany();
    const onClusters = snapshots.map(
      (row) =>
        [row.name, new Set(snapshotNamespaces.parse(row.state).namespaces.map((ns) => ns.name))] as const,
    );
    const halfWritten = instances.flatMap((instance) => {
      const holders = onClusters.filter(([, names]) => names.has(instance.namespace)).map(([c]) => c);
      return instance.status === "DEPLOYED" && holders.length === 1 && holders[0] === instance.cluster?.name
        ? []
        : [`${instance.id} (${instance.status} on ${instance.cluster?.name}): on [${holders.join(", ")}]`];
    });
    const unannounced = instances.filter((i) => !createdIds.includes(i.id)).map((i) => i.id);
    const runMessages = (await database.outboxMessage.findMany({ where: { routingKey: "run" } })).map((row) =>
      workloadRunSchema.parse(row.payload),
    );
    const deployMessages = new Map<string, number>();
    for (const message of runMessages.filter((m) => m.status === "deploy"))
      deployMessages.set(message.workload_id, (deployMessages.get(message.workload_id) ?? 0) + 1);
    // One written with the instance; the reconciler may add one for an instance left DEPLOYING.
    const withoutRun = instances.filter((i) => (deployMessages.get(i.id) ?? 0) < 1).map((i) => i.id);
    const redriven = [...deployMessages.values()].filter((k) => k > 1).length;
    const events = await database.lifecycleEvent.groupBy({
      by: ["instanceId", "type"],
      where: { instanceId: { in: [...instanceIds] } },
      _count: { _all: true },
    });
    const eventsOf = (type: string) => events.filter((e) => e.type === type);
    const badEvents = instances.filter(
      (i) =>
        eventsOf("Placement").find((e) => e.instanceId === i.id)?._count._all !== 1 ||
        eventsOf("Deployment").find((e) => e.instanceId === i.id)?._count._all !== 1,
    );
    const failedEvents = eventsOf("Failed").length;
    // A message written without its instance (or the other way round) is the half-write to look for.
    const orphanMessages = runMessages.filter((m) => !instanceIds.has(m.workload_id)).length;
    const exited = fleet!.all.filter((w) => w.child.exitCode !== null || w.child.signalCode !== null);
    const workerLines = fleet!.all.flatMap((w) => w.lines);
    const fatal = workerLines.filter((l) => l.level === 60 || l.msg === "worker failed to start");
    // Pino stamps `time` (ISO): the warnings each worker logged while the database was away.
    const upWallMs = upWall.getTime();
    const outageWarnings = fleet!.all.map((w) => ({
      worker: w.name,
      warnings: w.lines.filter(
        (l) =>
          Number(l.level) >= 40 &&
          Date.parse(String(l.time)) >= stopWall &&
          Date.parse(String(l.time)) <= upWallMs + 5_000,
      ).length,
    }));

    printFigures(`Database restart (seed ${SEED}; RELIABILITY_SEED overrides): the outage`, [
      {
        databaseDownMs: downMs,
        stopMs,
        startMs,
        requestsDuringOutage: inOutage.length,
        requestsAroundOutage: around.length,
        firstSuccessAfterRestartMs: firstSuccess ? Math.round(firstSuccess.endedAt - upAt) : -1,
      },
    ]);
    printFigures("Database restart: answers by phase (status: count)", [
      ...(["before", "outage", "after"] as const).map((phase) => {
        const of = answers.filter((a) =>
          phase === "before"
            ? a.endedAt <= stopAt
            : phase === "after"
              ? a.startedAt >= upAt
              : a.endedAt > stopAt && a.startedAt < upAt,
        );
        const byStatus: Record<string, number> = {};
        for (const a of of) byStatus[String(a.status)] = (byStatus[String(a.status)] ?? 0) + 1;
        return { phase, requests: of.length, ...byStatus };
      }),
    ]);
    printFigures("Database restart: expected vs found", [
      {
        what: "requests wholly inside the outage answered 503",
        expected: inOutage.length,
        found: inOutage.filter((a) => a.status === 503).length,
      },
      { what: "answers other than 200/201/503", expected: 0, found: badStatus.length },
      {
        what: "503 without Retry-After or the unavailable body",
        expected: 0,
        found: unavailableBadly.length,
      },
      { what: "error answers with stack/driver/SQL text", expected: 0, found: leaks.length },
      { what: "failed requests from 5 s after the restart", expected: 0, found: failedAfter.length },
      { what: "instances created (201)", expected: "-", found: createdIds.length },
      { what: "instance rows", expected: createdIds.length, found: instances.length },
      { what: "instances nobody got a 201 for", expected: 0, found: unannounced.length },
      { what: "instances not DEPLOYED on exactly their cluster", expected: 0, found: halfWritten.length },
      { what: "instances without their deploy message", expected: 0, found: withoutRun.length },
      { what: "  instances re-driven (a second deploy message)", expected: "-", found: redriven },
      {
        what: "instances without one Placement + one Deployment event",
        expected: 0,
        found: badEvents.length,
      },
      { what: "Failed events", expected: 0, found: failedEvents },
      { what: "run messages of no instance", expected: 0, found: orphanMessages },
      { what: "outbox rows not PUBLISHED", expected: 0, found: (await pendingWork()).outbox },
      { what: "workers that exited", expected: 0, found: exited.length },
      { what: "fatal worker log lines", expected: 0, found: fatal.length },
      {
        what: "workers that logged the outage",
        expected: ROLES.length,
        found: outageWarnings.filter((w) => w.warnings > 0).length,
      },
    ]);
    printFigures("Database restart: warnings each worker logged during the outage", outageWarnings);
    printFigures("Database restart: timings (s since start)", [
      { stopped: s(downFrom), started: s(upAt), trafficDone: s(trafficDoneAt), quiesced: s(quiescedAt) },
    ]);

    expect(inOutage.length).toBeGreaterThan(0);
    expect(inOutage.filter((a) => a.status !== 503).map((a) => `${a.kind}: ${a.status}`)).toEqual([]);
    expect(badStatus.map((a) => `${a.kind}: ${a.status} ${a.text.slice(0, 200)}`)).toEqual([]);
    expect(unavailableBadly.map((a) => `${a.kind}: ${a.retryAfter} ${a.text.slice(0, 200)}`)).toEqual([]);
    expect(leaks.map((a) => `${a.kind}: ${a.status} ${a.text.slice(0, 200)}`)).toEqual([]);
    expect(failedAfter.map((a) => `${a.kind}: ${a.status} ${a.text.slice(0, 200)}`)).toEqual([]);
    expect(succeededAfter()).toBeGreaterThanOrEqual(REQUESTS_AFTER);
    expect(unannounced).toEqual([]);
    expect(instances).toHaveLength(createdIds.length);
    expect(halfWritten).toEqual([]);
    expect(withoutRun).toEqual([]);
    expect(badEvents.map((i) => i.id)).toEqual([]);
    expect(failedEvents).toBe(0);
    expect(orphanMessages).toBe(0);
    expect(exited.map((w) => `${w.name}: ${w.child.exitCode ?? w.child.signalCode}`)).toEqual([]);
    expect(fatal).toEqual([]);
    expect(outageWarnings.filter((w) => w.warnings === 0)).toEqual([]);
  });
});
