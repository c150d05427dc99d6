import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeUser, uniq } from "@/server/testing/factories";
import { Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth/session";
import { testId, waitFor } from "@/server/testing/bus";
import { clearSimulatedFailures, driverFor, injectSimulatedFailure } from "@/server/clusters";
import { createDb, type Db } from "@/server/db/client";
import { applyMigrations, dropDatabase, ensureDatabase } from "@/server/db/migrate";
import { seedDemo } from "@/server/demo/seed";
import { createInstance } from "@/server/instances";
import { createIntent } from "@/server/intents/commands";
import { databaseUrlFor, runId } from "@/server/testing/services";
import { spawnWorkerProcess, type WorkerProcess } from "@/server/testing/worker-process";
import { createWorkload, uploadChart } from "@/server/workloads";
import { packChartDirectory } from "@/server/workloads/tar-writer";
import { parseSteps, type MigrationStateName } from "./index";

// The pipeline as deployed: real worker processes (ibmc-controller,
// orchestrator, ibmc-agent) on a database and AMQP prefix of this file's own,
// with agents SIGKILLed mid-backup and between backup and restore.
const url = databaseUrlFor(`nemo_migration_processes_${runId()}`);
const prefix = `${process.env.AMQP_PREFIX ?? ""}${testId()}.`;

const processes: WorkerProcess[] = [];
let db: Db;
let provider: SessionUser;
let workloadId: number;

function startWorker(role: string, ...args: string[]): WorkerProcess {
  const worker = spawnWorkerProcess(role, args, {
    DATABASE_URL: url,
    AMQP_PREFIX: prefix,
    LOG_LEVEL: "info",
    NODE_ENV: "production",
    MIGRATION_STEP_TIMEOUT_MS: "60000",
  });
  processes.push(worker);
  return worker;
}

async function started(worker: WorkerProcess, line = "worker started"): Promise<void> {
  await waitFor(() => worker.lines.some((l) => l.msg === line), 45_000, `${worker.name}: "${line}"`);
}

async function kill(worker: WorkerProcess): Promise<void> {
  worker.child.kill("SIGKILL");
  await worker.exited;
}

async function migrationIn(instanceId: string, states: readonly MigrationStateName[], timeoutMs = 30_000) {
  await waitFor(
    async () => (await db.migration.count({ where: { instanceId, state: { in: [...states] } } })) > 0,
    timeoutMs,
    `migration of ${instanceId} in ${states.join("/")}`,
  );
  return db.migration.findFirstOrThrow({ where: { instanceId }, orderBy: { createdAt: "desc" } });
}

async function namespaceNodes(cluster: string, namespace: string): Promise<number> {
  const row = await db.cluster.findUniqueOrThrow({ where: { name: cluster } });
  return (await driverFor(db, row).deploymentTree(namespace)).nodes.length;
}

beforeAll(async () => {
  await ensureDatabase(url);
  await applyMigrations(url);
  db = createDb(url);
  await seedDemo(db);
  await db.cluster.update({ where: { name: "nemo-smart-farming" }, data: { status: "ERROR" } });
  provider = await makeUser(db, [Role.SERVICE_PROVIDER]);
  const as = { db, user: provider };
  const workload = await createWorkload(as, {
    name: uniq("shop"),
    version: "1.0.0",
    supportedIntents: ["Availability"],
  });
  await uploadChart(
    as,
    workload.id,
    await packChartDirectory(path.resolve("src/server/charts/conformance-data/helm/create/mychart")),
  );
  workloadId = workload.id;
  const controller = startWorker("ibmc-controller");
  const orchestrator = startWorker("orchestrator");
  await Promise.all([started(controller), started(orchestrator)]);
}, 120_000);

afterAll(async () => {
  for (const worker of processes) if (worker.child.exitCode === null) worker.child.kill("SIGTERM");
  await Promise.race([
    Promise.all(processes.map((w) => w.exited)),
    new Promise((resolve) => setTimeout(resolve, 15_000)),
  ]);
  for (const worker of processes) if (worker.child.exitCode === null) worker.child.kill("SIGKILL");
  await db.$disconnect();
  await dropDatabase(url);
}, 60_000);

describe("migration across worker processes", () => {
  it("resumes after its agent is killed mid-backup and between backup and restore, and completes", async () => {
    const as = { db, user: provider };
    const created = await createInstance(as, {
      workloadId,
      releaseName: uniq("web"),
      clusterName: "dev-onelab",
    });
    await waitFor(
      async () =>
        (await db.workloadInstance.findUniqueOrThrow({ where: { id: created.id } })).status === "DEPLOYED",
      30_000,
      "the orchestrator process to deploy the instance",
    );
    const instance = await db.workloadInstance.findUniqueOrThrow({ where: { id: created.id } });

    // Sample both clusters for the whole migration: the instance must never be on neither.
    const samples: Array<[boolean, boolean]> = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        samples.push([
          (await namespaceNodes("dev-onelab", instance.namespace)) > 0,
          (await namespaceNodes("staging-onelab", instance.namespace)) > 0,
        ]);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    })();

    await injectSimulatedFailure(db, "dev-onelab", { type: "slow-backup", delayMs: 5_000 });
    const agentA = startWorker("ibmc-agent", "dev-onelab");
    await started(agentA, "serving clusters");
    await createIntent(as, {
      source: "form",
      instanceId: instance.id,
      intentType: "Availability",
      targets: [{ targetName: "availability", targetCondition: "IS_GREATER_THAN", targetValue: 95 }],
    });

    // 1. Killed in the middle of the backup: the unacknowledged command goes back to the queue.
    await migrationIn(instance.id, ["BACKING_UP"]);
    await kill(agentA);
    await clearSimulatedFailures(db, "dev-onelab");
    const agentB = startWorker("ibmc-agent", "dev-onelab");

    // 2. Killed between backup and restore: the restore command waits in the target's durable queue.
    const backedUp = await migrationIn(instance.id, ["BACKED_UP"]);
    await kill(agentB);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect((await db.migration.findUniqueOrThrow({ where: { id: backedUp.id } })).state).toBe("BACKED_UP");
    expect(await namespaceNodes("dev-onelab", instance.namespace)).toBeGreaterThan(0);

    // 3. An agent serving every cluster picks the restore up and the migration completes.
    const agentC = startWorker("ibmc-agent");
    await migrationIn(instance.id, ["COMPLETED", "ROLLED_BACK", "FAILED"], 45_000);
    await waitFor(
      async () =>
        (await db.migration.findUniqueOrThrow({ where: { id: backedUp.id } })).stepDeadline === null,
      15_000,
      "the source copy's removal",
    );
    sampling = false;
    await sampler;

    const migration = await db.migration.findUniqueOrThrow({ where: { id: backedUp.id } });
    expect(migration.state).toBe("COMPLETED");
    expect(parseSteps(migration.steps).map((s) => s.state)).toEqual([
      "REQUESTED",
      "BACKING_UP",
      "BACKED_UP",
      "RESTORING",
      "VERIFYING",
      "VERIFYING",
      "COMPLETED",
      "COMPLETED",
    ]);
    const moved = await db.workloadInstance.findUniqueOrThrow({
      where: { id: instance.id },
      include: { cluster: true },
    });
    expect(moved.status).toBe("DEPLOYED");
    expect(moved.cluster?.name).toBe("staging-onelab");
    expect(await namespaceNodes("dev-onelab", instance.namespace)).toBe(0);
    expect(await namespaceNodes("staging-onelab", instance.namespace)).toBeGreaterThan(0);
    expect(
      await db.lifecycleEvent.count({
        where: { instanceId: instance.id, message: "Migration dev-onelab → staging-onelab" },
      }),
    ).toBe(1);
    expect(samples.length).toBeGreaterThan(20);
    expect(samples.filter(([s, t]) => !s && !t)).toEqual([]);

    // The controller process said it in the reference wording, naming instance and cluster.
    const controller = processes.find((p) => p.name === "ibmc-controller")!;
    const said = controller.lines.filter((l) => l.instance === instance.id);
    expect(said.map((l) => l.msg)).toEqual(
      expect.arrayContaining([
        "Cluster dev-onelab does not meet intent availability requirement (offers 90 %, needs more than 95 %)",
        "Skipping cluster nemo-smart-farming due to invalid or missing Status: ERROR",
        "Cluster staging-onelab meets all intent requirements",
        "Migration triggered from dev-onelab to staging-onelab",
      ]),
    );
    expect(agentC.lines.some((l) => l.msg === "restored workload verified; completion announced")).toBe(true);
  }, 180_000);
});
