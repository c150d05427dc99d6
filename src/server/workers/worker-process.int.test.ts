import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enqueueOutbox, messages } from "@/server/bus";
import { waitFor } from "@/server/testing/bus";
import { createDb, type Db } from "@/server/db/client";
import { applyMigrations, dropDatabase, ensureDatabase } from "@/server/db/migrate";
import { databaseUrlFor, runId } from "@/server/testing/services";
import { spawnWorkerProcess, type WorkerProcess } from "@/server/testing/worker-process";

// A database of its own: the worker's outbox relay (woken by NOTIFY) would otherwise publish the
// rows other test files enqueue to exercise their own relays.
const url = databaseUrlFor(`nemo_worker_process_${runId()}`);
let db: Db;

/** A real worker process on this run's database and vhost. */
const startWorkerProcess = (role: string): WorkerProcess =>
  spawnWorkerProcess(role, [], { DATABASE_URL: url, LOG_LEVEL: "info", NODE_ENV: "production" });

beforeAll(async () => {
  await ensureDatabase(url);
  await applyMigrations(url);
  db = createDb(url);
});

afterAll(async () => {
  await db.$disconnect();
  await dropDatabase(url);
});

describe("a worker process", () => {
  it("starts, heartbeats, publishes the outbox and stops gracefully on SIGTERM", async () => {
    const worker = startWorkerProcess("orchestrator");
    try {
      await waitFor(
        async () =>
          (await db.workerHeartbeat.count({ where: { role: "orchestrator", pid: worker.child.pid } })) === 1,
        30_000,
        "the orchestrator's heartbeat",
      );
      await waitFor(
        () => worker.lines.some((l) => l.msg === "worker started" && l.worker === "orchestrator"),
        30_000,
        "the orchestrator's structured start line",
      );

      // A message written with its change goes outbox -> this process's relay -> broker ->
      // this process's metrics consumer -> a stored sample.
      const cluster = await db.cluster.create({
        data: {
          name: `wp-${randomUUID().slice(0, 8)}`,
          owner: { create: { subject: `wp-${randomUUID()}`, username: "wp", roles: [] } },
          managedApi: "sim://wp",
          cpus: 4,
          memoryGb: 8,
          storageGb: 10,
          availabilityPct: 99,
          greenEnergyPct: 0,
          cost: "low_cost",
          cpuBaseRate: 1,
          memoryBaseRate: 1,
        },
      });
      const sample = {
        cluster: cluster.name,
        cpu_usage: 3040.962,
        memory_usage: 48.4,
        disk_usage: 1.1,
        timestamp: "2025-05-29 10:48:03.547723+00:00",
      };
      const messageId = await db.$transaction((tx) => enqueueOutbox(tx, messages.clusterMetrics, [sample]));
      await waitFor(
        async () => (await db.clusterMetricSample.count({ where: { clusterId: cluster.id } })) === 1,
        15_000,
        "the sample recorded by the orchestrator",
      );
      const stored = await db.clusterMetricSample.findFirstOrThrow({ where: { clusterId: cluster.id } });
      expect(stored.cpuUsageMilli).toBeCloseTo(3040.962);
      expect(stored.sampledAt.toISOString()).toBe("2025-05-29T10:48:03.547Z");
      expect((await db.outboxMessage.findUniqueOrThrow({ where: { id: messageId } })).status).toBe(
        "PUBLISHED",
      );

      worker.child.kill("SIGTERM");
      expect(await worker.exited).toBe(0);
      expect(worker.lines.some((l) => l.msg === "worker stopped")).toBe(true);
      expect(await db.workerHeartbeat.count({ where: { pid: worker.child.pid } })).toBe(0);
    } finally {
      if (worker.child.exitCode === null) worker.child.kill("SIGKILL");
    }
  }, 60_000);

  it("exits at once on a second signal", async () => {
    const worker = startWorkerProcess("see");
    try {
      await waitFor(() => worker.lines.some((l) => l.msg === "worker started"), 30_000, "the see worker");
      worker.child.kill("SIGTERM");
      worker.child.kill("SIGTERM");
      const code = await worker.exited;
      expect([0, 130]).toContain(code);
    } finally {
      if (worker.child.exitCode === null) worker.child.kill("SIGKILL");
    }
  }, 60_000);
});
