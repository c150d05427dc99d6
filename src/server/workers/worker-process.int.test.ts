import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { enqueueOutbox, messages } from "@/server/bus";
import { drainQueue, waitFor } from "@/server/bus/testing";
import { createDb } from "@/server/db/client";

const root = path.resolve(import.meta.dirname, "../../..");
const db = createDb(process.env.DATABASE_URL!);

interface WorkerProcess {
  child: ChildProcess;
  lines: Array<Record<string, unknown>>;
  exited: Promise<number | null>;
}

/** Starts a real worker process (as the supervisor and Helm do: one node process, tsx as a loader) on this run's database and vhost. */
function startWorkerProcess(role: string): WorkerProcess {
  const child = spawn(process.execPath, ["--import", "tsx", `workers/${role}.ts`], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: "info", NODE_ENV: "production" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: Array<Record<string, unknown>> = [];
  let buffer = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split("\n");
    buffer = parts.pop() ?? "";
    for (const line of parts) {
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        lines.push({ raw: line });
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, lines, exited };
}

afterAll(async () => db.$disconnect());

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

      // A message written with its change reaches the broker through the worker's outbox relay.
      const sample = {
        cluster: "dev-onelab",
        cpu_usage: 3040.962,
        memory_usage: 48.4,
        disk_usage: 1.1,
        timestamp: "2025-05-29 10:48:03.547723+00:00",
      };
      const messageId = await db.$transaction((tx) => enqueueOutbox(tx, messages.clusterMetrics, [sample]));
      let received: unknown[] = [];
      await waitFor(
        async () => {
          received = [...received, ...(await drainQueue("metrics"))];
          return received.length > 0;
        },
        15_000,
        "the outbox message on the metrics queue",
      );
      // The relay marks the row after the broker's confirm.
      await waitFor(
        async () => (await db.outboxMessage.findUniqueOrThrow({ where: { id: messageId } })).status === "PUBLISHED",
        10_000,
        "the outbox row marked PUBLISHED",
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
