import { spawn } from "node:child_process";
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
});
