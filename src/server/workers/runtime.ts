import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import { createBus, OutboxRelay, type Bus } from "@/server/bus";
import { createDb, workerDbTimeouts, type Db, type LeaderFence } from "@/server/db";
import { serverEnv, type ServerEnv } from "@/server/env";
import { logger as rootLogger, type Logger } from "@/server/logger";
import { sleep } from "@/common/sleep";
import { runLeaderLoop } from "./leader";
import type { WorkerRole } from "./roles";

/**
 * The harness every worker process runs in: one database client, structured
 * logs naming the role, heartbeats the console can show, leader-elected
 * periodic loops, and graceful shutdown (first signal: stop taking work and let
 * running work finish; after the grace period or a second signal: exit).
 */
export interface WorkerContext {
  readonly role: WorkerRole;
  readonly workerId: string;
  readonly logger: Logger;
  readonly db: Db;
  readonly env: ServerEnv;
  /** Aborted when shutdown begins; pass it to every long-running call. */
  readonly signal: AbortSignal;
  /**
   * Runs `tick` every `periodMs` on exactly one replica (PostgreSQL advisory
   * lock). `signal` also aborts when leadership ends; `fence` is the term's
   * fencing token for writes that must not happen twice (`assertLeaderFence`).
   */
  every(
    name: string,
    periodMs: number,
    tick: (signal: AbortSignal, fence: LeaderFence) => Promise<void>,
  ): void;
  /** Registers cleanup, run in reverse order once running work has finished. */
  onShutdown(cleanup: () => Promise<void>): void;
  /** Keeps the worker alive until `work` settles (consumers, relays). */
  track(work: Promise<unknown>): void;
  /** The broker connection (created on first use, reconnects by itself, closed gracefully on shutdown). */
  bus(): Promise<Bus>;
  /** Publishes this database's transactional outbox (several relays may run; rows are claimed with SKIP LOCKED). */
  startOutboxRelay(): Promise<void>;
}

export interface RunWorkerOptions {
  graceMs?: number;
  heartbeatMs?: number;
  /** For tests: do not install signal handlers or exit the process. */
  embedded?: boolean;
}

export interface RunningWorker {
  context: WorkerContext;
  /** Starts the graceful shutdown; resolves when everything has stopped. */
  stop(reason?: string): Promise<void>;
  /** Resolves when the worker has stopped, for whatever reason. */
  stopped: Promise<void>;
}

export async function startWorker(
  role: WorkerRole,
  setup: (context: WorkerContext) => Promise<void> | void,
  options: RunWorkerOptions = {},
): Promise<RunningWorker> {
  const env = serverEnv();
  const workerId = `${role}-${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const logger = rootLogger.child({ worker: role, workerId });
  // Bulk writes (the evaluator's COPY) and pruning outlast a web request: the workers' longer statement limit.
  const db = createDb(env.DATABASE_URL, workerDbTimeouts(env));
  const controller = new AbortController();
  const cleanups: Array<() => Promise<void>> = [];
  const work: Array<Promise<unknown>> = [];
  const leaders = new Set<string>();
  const startedAt = new Date();
  let busPromise: Promise<Bus> | null = null;

  const context: WorkerContext = {
    role,
    workerId,
    logger,
    db,
    env,
    signal: controller.signal,
    every(name, periodMs, tick) {
      const loopLogger = logger.child({ loop: name });
      work.push(
        runLeaderLoop({
          databaseUrl: env.DATABASE_URL,
          name: `${role}:${name}`,
          logger: loopLogger,
          periodMs,
          signal: controller.signal,
          tick: async (signal, fence) => {
            leaders.add(name);
            await tick(signal, fence);
          },
        }).finally(() => leaders.delete(name)),
      );
    },
    onShutdown(cleanup) {
      cleanups.push(cleanup);
    },
    track(promise) {
      work.push(promise.catch((error: unknown) => logger.error({ err: error }, "worker task failed")));
    },
    bus() {
      if (!busPromise) {
        busPromise = createBus({
          url: env.AMQP_URL,
          prefix: env.AMQP_PREFIX,
          db,
          logger,
          connectionName: `${role}@${hostname()}:${process.pid}`,
        });
        const created = busPromise;
        // Closed last: consumers stop taking messages and running handlers finish first.
        cleanups.unshift(async () => (await created).close({ graceMs: options.graceMs ?? 10_000 }));
      }
      return busPromise;
    },
    async startOutboxRelay() {
      // LISTEN/NOTIFY wakes the relay when rows commit (a hop costs ms, not half a poll); polling stays the fallback.
      const relay = new OutboxRelay({
        db,
        bus: await context.bus(),
        listen: { databaseUrl: env.DATABASE_URL },
      });
      relay.start();
      cleanups.push(() => relay.stop());
    },
  };

  async function beat(): Promise<void> {
    const now = new Date();
    await db.workerHeartbeat.upsert({
      where: { workerId },
      create: {
        workerId,
        role,
        hostname: hostname(),
        pid: process.pid,
        isLeader: leaders.size > 0,
        startedAt,
        seenAt: now,
      },
      update: { isLeader: leaders.size > 0, seenAt: now },
    });
  }
  const heartbeatMs = options.heartbeatMs ?? 5_000;
  work.push(
    (async () => {
      while (!controller.signal.aborted) {
        await beat().catch((error: unknown) => logger.warn({ err: error }, "heartbeat failed"));
        await sleep(heartbeatMs, controller.signal);
      }
    })(),
  );

  try {
    await setup(context);
  } catch (error) {
    // Leave nothing behind (heartbeat row, loops, connections) before failing.
    controller.abort();
    await Promise.allSettled(work);
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    await db.workerHeartbeat.deleteMany({ where: { workerId } }).catch(() => undefined);
    await db.$disconnect().catch(() => undefined);
    throw error;
  }
  logger.info("worker started");

  let stopping: Promise<void> | null = null;
  let resolveStopped: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));

  function stop(reason = "stop requested"): Promise<void> {
    if (stopping) return stopping;
    stopping = (async () => {
      logger.info({ reason }, "worker stopping: finishing running work");
      controller.abort();
      const grace = options.graceMs ?? 10_000;
      const finished = Promise.allSettled(work).then(async () => {
        for (const cleanup of cleanups.reverse()) {
          await cleanup().catch((error: unknown) => logger.error({ err: error }, "cleanup failed"));
        }
      });
      const timedOut = await Promise.race([finished.then(() => false), sleep(grace).then(() => true)]);
      if (timedOut) logger.warn({ graceMs: grace }, "grace period over: stopping with work still running");
      await db.workerHeartbeat.deleteMany({ where: { workerId } }).catch(() => undefined);
      await db.$disconnect().catch(() => undefined);
      logger.info("worker stopped");
      resolveStopped();
    })();
    return stopping;
  }

  return { context, stop, stopped };
}

/** Entry point for a worker process: starts it and wires SIGTERM/SIGINT. */
export async function runWorker(
  role: WorkerRole,
  setup: (context: WorkerContext) => Promise<void> | void,
  options: RunWorkerOptions = {},
): Promise<void> {
  // Handlers go in before start-up work, so a signal that arrives while the
  // worker is still connecting stops it gracefully too (after start-up ends).
  let running: RunningWorker | undefined;
  let signals = 0;
  let pendingSignal: NodeJS.Signals | undefined;
  const stopAndExit = (worker: RunningWorker, reason: string) =>
    void worker.stop(reason).then(() => process.exit(0));
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) {
      rootLogger.warn({ worker: role, signal }, "second signal: exiting now");
      process.exit(130);
    }
    if (running) stopAndExit(running, signal);
    else pendingSignal = signal;
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  try {
    running = await startWorker(role, setup, options);
  } catch (error) {
    rootLogger.fatal({ err: error, worker: role }, "worker failed to start");
    process.exit(1);
  }
  if (pendingSignal) stopAndExit(running, pendingSignal);
}
