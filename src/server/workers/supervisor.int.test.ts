import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "@/server/testing/bus";
import { createDb, type Db } from "@/server/db/client";
import { applyMigrations, dropDatabase, ensureDatabase } from "@/server/db/migrate";
import { databaseUrlFor, runId } from "@/server/testing/services";
import { WORKER_ROLES } from "./roles";

const root = path.resolve(import.meta.dirname, "../../..");
// A database of its own: the workers' outbox relays (woken by NOTIFY) and the evaluator's and
// controller's loops would otherwise act on rows other test files are exercising.
const url = databaseUrlFor(`nemo_supervisor_${runId()}`);
let db: Db;
beforeAll(async () => {
  await ensureDatabase(url);
  await applyMigrations(url);
  db = createDb(url);
});
afterAll(async () => {
  await db.$disconnect();
  await dropDatabase(url);
});

describe("the quick-start supervisor", () => {
  it("runs one process per worker role and stops them all gracefully", async () => {
    const supervisor = spawn(process.execPath, ["--import", "tsx", "workers/supervisor.ts"], {
      cwd: root,
      env: {
        ...process.env,
        DATABASE_URL: url,
        NEMO_SUPERVISE: WORKER_ROLES.join(","),
        LOG_LEVEL: "warn",
        NODE_ENV: "production",
      },
      stdio: "ignore",
    });
    const exited = new Promise<number | null>((resolve) => supervisor.on("exit", (code) => resolve(code)));
    try {
      // Other test files run worker processes too: only count rows newer than this supervisor.
      const since = new Date();
      const heartbeats = () => db.workerHeartbeat.findMany({ where: { startedAt: { gte: since } } });
      await waitFor(
        async () => new Set((await heartbeats()).map((h) => h.role)).size === WORKER_ROLES.length,
        90_000,
        "a heartbeat from every role",
      );
      const started = await heartbeats();
      expect([...new Set(started.map((h) => h.role))].sort()).toEqual([...WORKER_ROLES].sort());

      supervisor.kill("SIGTERM");
      expect(await exited).toBe(0);
      // Every worker removed its heartbeat on the way out: none was killed.
      expect(
        await db.workerHeartbeat.count({ where: { workerId: { in: started.map((h) => h.workerId) } } }),
      ).toBe(0);
    } finally {
      if (supervisor.exitCode === null) supervisor.kill("SIGKILL");
    }
  }, 120_000);

  it("stops every process it started when its parent dies without passing a signal on", async () => {
    // What a process manager does to `npm run quickstart`: the shell between it and the supervisor is killed.
    const shell = spawn(
      "/bin/sh",
      ["-c", `"${process.execPath}" --import tsx workers/supervisor.ts; echo supervisor ended`],
      {
        cwd: root,
        env: {
          ...process.env,
          DATABASE_URL: url,
          NEMO_SUPERVISE: "moca",
          NEMO_SUPERVISOR_PARENT_CHECK_MS: "200",
          LOG_LEVEL: "warn",
          NODE_ENV: "production",
        },
        stdio: ["ignore", "pipe", "ignore"],
      },
    );
    let output = "";
    shell.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const pidOf = (name: string) => {
      const line = output
        .split("\n")
        .find((l) => l.includes('"msg":"started"') && l.includes(`"process":"${name}"`));
      return line ? (JSON.parse(line) as { pid: number }).pid : null;
    };
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    let workerPid: number | null = null;
    let supervisorPid: number | null = null;
    try {
      await waitFor(
        () => Promise.resolve((workerPid = pidOf("moca")) !== null),
        30_000,
        "the worker started",
      );
      const since = new Date(Date.now() - 60_000);
      await waitFor(
        async () =>
          (await db.workerHeartbeat.count({ where: { role: "moca", startedAt: { gte: since } } })) > 0,
        60_000,
        "the worker's heartbeat",
      );
      supervisorPid = Number(readFileSync(`/proc/${shell.pid}/task/${shell.pid}/children`, "utf8").trim());
      shell.kill("SIGKILL");
      await waitFor(() => Promise.resolve(!alive(workerPid!)), 30_000, "the worker stopped");
      expect(output).toContain('"msg":"parent process gone"');
      await waitFor(
        () => Promise.resolve(output.includes('"msg":"all processes stopped"')),
        10_000,
        "the supervisor stopped",
      );
    } finally {
      for (const pid of [supervisorPid, workerPid]) if (pid && alive(pid)) process.kill(pid, "SIGKILL");
    }
  }, 120_000);
});
