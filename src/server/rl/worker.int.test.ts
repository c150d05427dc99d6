import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth";
import { testId, waitFor } from "@/server/testing/bus";
import {
  acceptedMychartWorkload,
  closeDemoDatabase,
  openDemoDatabase,
  type DemoDatabase,
} from "@/server/testing/demo-database";
import { makeUser } from "@/server/testing/factories";
import { deployInstanceOn } from "@/server/testing/migration-pipeline";
import { spawnWorkerProcess, type WorkerProcess } from "@/server/testing/worker-process";

// The real processes, as the supervisor and Helm start them: the orchestrator
// (the MO: applies decisions) and two cfdrl replicas (one leads the decision
// loop, the other stands by and takes over when the leader goes), on a demo
// database and a broker prefix of this file's own.
let demo: DemoDatabase;
let provider: SessionUser;
let workloadId: number;
const workers: WorkerProcess[] = [];
const env = () => ({
  DATABASE_URL: demo.url,
  AMQP_PREFIX: `${process.env.AMQP_PREFIX ?? ""}${testId()}.`,
  CFDRL_PERIOD_MS: "1000",
  LOG_LEVEL: "info",
  NODE_ENV: "production",
});
let workerEnv: ReturnType<typeof env>;

function start(role: string): WorkerProcess {
  const worker = spawnWorkerProcess(role, [], workerEnv);
  workers.push(worker);
  return worker;
}

async function stop(worker: WorkerProcess): Promise<void> {
  if (worker.child.exitCode === null) worker.child.kill("SIGTERM");
  await worker.exited;
}

beforeAll(async () => {
  demo = await openDemoDatabase("cfdrl_worker");
  workerEnv = env();
  provider = await makeUser(demo.db, [Role.SERVICE_PROVIDER]);
  workloadId = await acceptedMychartWorkload(demo.db, provider, "shop", []);
}, 120_000);

afterAll(async () => {
  await Promise.all(workers.map(stop));
  await closeDemoDatabase(demo);
}, 60_000);

describe("the cfdrl worker process", () => {
  it("runs the decision loop on its leader only; the orchestrator scales; a standby takes over", async () => {
    const { db } = demo;
    const instance = await deployInstanceOn(db, provider, workloadId, "dev-onelab");
    expect(instance.status).toBe("DEPLOYED");
    await db.instanceCfdrlSettings.create({
      data: { instanceId: instance.id, scalingEnabled: true, minReplicas: 2, maxReplicas: 2 },
    });
    start("orchestrator");
    const first = start("cfdrl");
    const second = start("cfdrl");

    await waitFor(
      async () =>
        (await db.lifecycleEvent.count({
          where: { instanceId: instance.id, message: "Scaled 1 → 2 replicas (CFDRL)" },
        })) === 1,
      90_000,
      "the CFDRL scale to reach the timeline",
    );
    await waitFor(
      async () =>
        (await db.cfdrlDecision.count({ where: { instanceId: instance.id, outcome: "applied" } })) >= 2,
      30_000,
      "decisions of later periods",
    );
    // One leader among the two replicas. Heartbeats report leadership on their own beat, so the
    // leader's row may still say standby for a moment after its first decisions.
    await waitFor(
      async () => (await db.workerHeartbeat.count({ where: { role: "cfdrl", isLeader: true } })) === 1,
      30_000,
      "the leader's heartbeat",
    );
    const heartbeats = await db.workerHeartbeat.findMany({ where: { role: "cfdrl" } });
    expect(heartbeats).toHaveLength(2);
    expect(heartbeats.filter((h) => h.isLeader)).toHaveLength(1);
    const leader = heartbeats.find((h) => h.isLeader)!.pid === first.child.pid ? first : second;
    const standby = leader === first ? second : first;

    // The leader goes; the standby leads the next periods.
    await stop(leader);
    const before = await db.cfdrlDecision.count({ where: { instanceId: instance.id } });
    await waitFor(
      async () => (await db.cfdrlDecision.count({ where: { instanceId: instance.id } })) >= before + 2,
      60_000,
      "the standby's decisions",
    );
    expect(standby.lines.some((l) => l.msg === "became leader")).toBe(true);
    const rows = await db.cfdrlDecision.findMany({ where: { instanceId: instance.id } });
    expect(rows.filter((d) => d.outcome === "pending")).toHaveLength(0);
    expect(rows.filter((d) => d.toReplicas !== d.fromReplicas)).toHaveLength(1);
    const row = await db.workloadInstance.findUniqueOrThrow({ where: { id: instance.id } });
    expect(row.replicas).toBe(2);
  }, 240_000);
});
