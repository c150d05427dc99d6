import { randomUUID } from "node:crypto";
import net from "node:net";
import pg from "pg";
import { afterAll, describe, expect, it, vi } from "vitest";
import { assertLeaderFence, createDb, StaleLeaderError, type LeaderFence } from "@/server/db";
import { logger } from "@/server/logger";
import { sleep } from "@/common/sleep";
import { advisoryLockKey, LeaderElection, leaderClientConfig, runLeaderLoop } from "./leader";

const databaseUrl = () => process.env.DATABASE_URL!;
const election = (name: string, options: { databaseUrl?: string; livenessCheckMs?: number } = {}) =>
  new LeaderElection({
    databaseUrl: options.databaseUrl ?? databaseUrl(),
    name,
    logger,
    retryMs: 50,
    livenessCheckMs: options.livenessCheckMs,
    livenessTimeoutMs: 200,
  });
const db = createDb(databaseUrl());
afterAll(() => db.$disconnect());

/** Kills the session holding this loop's advisory lock, as a crashed host (or PostgreSQL's own timeout) would. */
async function terminateLockHolder(name: string): Promise<number> {
  const admin = new pg.Client({ connectionString: databaseUrl() });
  await admin.connect();
  try {
    const key = advisoryLockKey(name);
    const high = Number(BigInt.asIntN(32, key >> 32n));
    const low = Number(BigInt.asIntN(32, key));
    const result = await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND classid::int = $1 AND objid::int = $2`,
      [high, low],
    );
    return result.rowCount ?? 0;
  } finally {
    await admin.end();
  }
}

/** Polls `check` every 20 ms until it holds or `ms` pass. */
async function eventually(check: () => Promise<boolean> | boolean, ms = 5_000): Promise<boolean> {
  for (let waited = 0; waited < ms; waited += 20) {
    if (await check()) return true;
    await sleep(20);
  }
  return check();
}

/**
 * A guarded write as the leader's loops make them: one heartbeat row,
 * written only if the fence is still current.
 */
async function fencedWrite(fence: LeaderFence, workerId: string): Promise<void> {
  await db.$transaction(async (tx) => {
    await assertLeaderFence(tx, fence);
    await tx.workerHeartbeat.create({
      data: { workerId, role: "test", hostname: "h", pid: 1, startedAt: new Date(0), seenAt: new Date(0) },
    });
  });
}

/**
 * A TCP relay to PostgreSQL that can go silent without closing: the
 * half-dead connection a partition or a frozen host leaves behind.
 */
async function silenceableProxy(): Promise<{ url: string; silence(): void; close(): Promise<void> }> {
  const target = new URL(databaseUrl());
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("error", () => undefined);
      socket.on("close", () => sockets.delete(socket));
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = new URL(databaseUrl());
  url.hostname = "127.0.0.1";
  url.port = String((server.address() as net.AddressInfo).port);
  return {
    url: url.toString(),
    silence() {
      for (const socket of sockets) {
        socket.unpipe();
        socket.pause();
      }
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

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
    await terminateLockHolder(name);
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

  it("sets TCP keepalive on the lock connection", async () => {
    expect(
      leaderClientConfig({ databaseUrl: "postgresql://x/y", keepAliveInitialDelayMs: 1_234 }),
    ).toMatchObject({
      keepAlive: true,
      keepAliveInitialDelayMillis: 1_234,
    });
    const setKeepAlive = vi.spyOn(net.Socket.prototype, "setKeepAlive");
    try {
      const a = new LeaderElection({
        databaseUrl: databaseUrl(),
        name: `loop-${randomUUID()}`,
        logger,
        keepAliveInitialDelayMs: 1_234,
      });
      expect(await a.tryLead()).toBe(true);
      // The effect on the socket itself, not only the configuration.
      expect(setKeepAlive).toHaveBeenCalledWith(true, 1_234);
      await a.resign();
    } finally {
      setKeepAlive.mockRestore();
    }
  });

  it("gives each term a higher lease and refuses the writes of a leader whose session died", async () => {
    const name = `loop-${randomUUID()}`;
    const a = election(name);
    const b = election(name);
    expect(await a.tryLead()).toBe(true);
    const oldFence = a.fence()!;
    expect(oldFence.name).toBe(name);
    expect(await terminateLockHolder(name)).toBe(1);
    expect(await eventually(() => b.tryLead())).toBe(true);
    const newFence = b.fence()!;
    expect(newFence.lease).toBeGreaterThan(oldFence.lease);

    const stale = `stale-${randomUUID()}`;
    const error = await fencedWrite(oldFence, stale).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StaleLeaderError);
    expect((error as StaleLeaderError).currentLease).toBe(newFence.lease);
    expect(await db.workerHeartbeat.count({ where: { workerId: stale } })).toBe(0);

    const current = `current-${randomUUID()}`;
    await fencedWrite(newFence, current);
    expect(await db.workerHeartbeat.count({ where: { workerId: current } })).toBe(1);
    await db.workerHeartbeat.deleteMany({ where: { workerId: { in: [stale, current] } } });
    await a.resign();
    await b.resign();
  });

  it("gives leadership up when its lock connection stops answering, before PostgreSQL notices", async () => {
    const name = `loop-${randomUUID()}`;
    const proxy = await silenceableProxy();
    try {
      const a = election(name, { databaseUrl: proxy.url, livenessCheckMs: 50 });
      const b = election(name);
      expect(await a.tryLead()).toBe(true);
      const oldFence = a.fence()!;
      const term = a.termSignal!;
      proxy.silence();
      // The periodic check times out (200 ms) without any tryLead call.
      expect(await eventually(() => !a.isLeader, 3_000)).toBe(true);
      expect(term.aborted).toBe(true);
      expect(a.fence()).toBeNull();
      // PostgreSQL still sees the session, so the lock is held: the fence is what stops a zombie.
      expect(await b.tryLead()).toBe(false);
      await proxy.close();
      expect(await eventually(() => b.tryLead())).toBe(true);
      expect(b.fence()!.lease).toBeGreaterThan(oldFence.lease);
      await expect(fencedWrite(oldFence, `zombie-${randomUUID()}`)).rejects.toBeInstanceOf(StaleLeaderError);
      await a.resign();
      await b.resign();
    } finally {
      await proxy.close();
    }
  });

  it("aborts the running tick when leadership ends and hands it the term's fence", async () => {
    const name = `loop-${randomUUID()}`;
    const controller = new AbortController();
    const fences: LeaderFence[] = [];
    let tickAborted = false;
    const loop = runLeaderLoop({
      databaseUrl: databaseUrl(),
      name,
      logger,
      periodMs: 40,
      retryMs: 40,
      livenessCheckMs: 50,
      livenessTimeoutMs: 200,
      signal: controller.signal,
      tick: async (signal, fence) => {
        fences.push(fence);
        if (fences.length > 1) return;
        // The first tick runs until leadership ends.
        await new Promise<void>((resolve) =>
          signal.addEventListener("abort", () => resolve(), { once: true }),
        );
        tickAborted = !controller.signal.aborted;
      },
    });
    expect(await eventually(() => fences.length === 1)).toBe(true);
    await terminateLockHolder(name);
    expect(await eventually(() => tickAborted)).toBe(true);
    // The replica leads again (nobody else competes), in a new term with a higher lease.
    expect(await eventually(() => fences.length > 1)).toBe(true);
    expect(fences[1]!.lease).toBeGreaterThan(fences[0]!.lease);
    controller.abort();
    await loop;
  });

  it("gives leadership up when a tick's guarded write finds the lease stale", async () => {
    const name = `loop-${randomUUID()}`;
    const controller = new AbortController();
    const leases: bigint[] = [];
    const loop = runLeaderLoop({
      databaseUrl: databaseUrl(),
      name,
      logger,
      periodMs: 40,
      retryMs: 40,
      signal: controller.signal,
      tick: async (_signal, fence) => {
        leases.push(fence.lease);
        if (leases.length === 1) {
          // Someone else's term began meanwhile (as after a partition): this replica must stand down.
          await db.$executeRaw`UPDATE leader_leases SET lease = lease + 1 WHERE name = ${name}`;
          await fencedWrite(fence, `refused-${randomUUID()}`);
        }
      },
    });
    expect(await eventually(() => leases.length > 1)).toBe(true);
    // It stood down and took a new term: lease 1, bumped to 2 by the intruder, then 3.
    expect(leases.slice(0, 2)).toEqual([1n, 3n]);
    controller.abort();
    await loop;
  });
});
