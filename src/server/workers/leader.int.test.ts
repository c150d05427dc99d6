import { randomUUID } from "node:crypto";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { logger } from "@/server/logger";
import { sleep } from "@/common/sleep";
import { advisoryLockKey, LeaderElection, runLeaderLoop } from "./leader";

const databaseUrl = () => process.env.DATABASE_URL!;
const election = (name: string) =>
  new LeaderElection({ databaseUrl: databaseUrl(), name, logger, retryMs: 50 });

describe("leader election", () => {
  it("derives a stable lock key per loop name", () => {
    expect(advisoryLockKey("evaluator:intents")).toBe(advisoryLockKey("evaluator:intents"));
    expect(advisoryLockKey("evaluator:intents")).not.toBe(advisoryLockKey("orchestrator:metrics"));
  });

  it("lets exactly one replica lead and hands over when the leader resigns", async () => {
    const name = `loop-${randomUUID()}`;
    const a = election(name);
    const b = election(name);
    expect(await a.tryLead()).toBe(true);
    expect(await b.tryLead()).toBe(false);
    expect(await a.tryLead()).toBe(true);
    await a.resign();
    expect(await b.tryLead()).toBe(true);
    await b.resign();
  });

  it("hands over when the leader's database session dies", async () => {
    const name = `loop-${randomUUID()}`;
    const a = election(name);
    const b = election(name);
    expect(await a.tryLead()).toBe(true);
    const admin = new pg.Client({ connectionString: databaseUrl() });
    await admin.connect();
    // Kill the session holding this advisory lock, as a crashed host would.
    const key = advisoryLockKey(name);
    const high = Number(BigInt.asIntN(32, key >> 32n));
    const low = Number(BigInt.asIntN(32, key));
    await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND classid::int = $1 AND objid::int = $2`,
      [high, low],
    );
    await admin.end();
    await sleep(100);
    expect(await b.tryLead()).toBe(true);
    expect(await a.tryLead()).toBe(false);
    await a.resign();
    await b.resign();
  });

  it("runs a periodic loop on one of several replicas only", async () => {
    const name = `loop-${randomUUID()}`;
    const ticks: string[] = [];
    const controllers = ["r1", "r2", "r3"].map(() => new AbortController());
    const loops = controllers.map((controller, i) =>
      runLeaderLoop({
        databaseUrl: databaseUrl(),
        name,
        logger,
        periodMs: 40,
        retryMs: 40,
        signal: controller.signal,
        tick: async () => {
          ticks.push(`r${i + 1}`);
        },
      }),
    );
    await sleep(600);
    const firstLeader = ticks[0];
    expect(ticks.length).toBeGreaterThan(5);
    expect(new Set(ticks)).toEqual(new Set([firstLeader]));
    // Stop the leader: another replica takes over.
    const leaderIndex = Number(firstLeader!.slice(1)) - 1;
    controllers[leaderIndex]!.abort();
    await loops[leaderIndex];
    const before = ticks.length;
    await sleep(600);
    const after = ticks.slice(before);
    expect(after.length).toBeGreaterThan(3);
    expect(after).not.toContain(firstLeader);
    expect(new Set(after).size).toBe(1);
    controllers.forEach((c) => c.abort());
    await Promise.all(loops);
  });
});
