import { mulberry32, type Random } from "@/server/clusters/simulated/prng";
import { waitFor } from "./bus";
import { spawnWorkerProcess, type WorkerProcess } from "./worker-process";

/**
 * Shared pieces of the reliability scenarios (`src/reliability/*.rel.ts`):
 * a seeded random stream whose seed is printed and overridable, integer
 * options from the environment, a figures table for the CI log, and a fleet
 * of real worker processes that can be SIGKILLed and restarted as the
 * supervisor would.
 */

/** The scenario's seed: `env` when set (to replay a failure), else `fallback`. */
export function scenarioSeed(env: string, fallback: number): number {
  const raw = process.env[env];
  if (raw === undefined || raw === "") return fallback;
  const seed = Number(raw);
  if (!Number.isInteger(seed)) throw new Error(`${env} must be an integer seed, got "${raw}"`);
  return seed;
}

/** A positive integer option from the environment (scenario sizes), `fallback` when unset. */
export function intOption(env: string, fallback: number): number {
  const raw = process.env[env];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`${env} must be a positive integer, got "${raw}"`);
  return value;
}

/** Seeded helpers over one mulberry32 stream (the simulated continuum's generator). */
export interface Seeded {
  readonly seed: number;
  next: Random;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  shuffle<T>(items: readonly T[]): T[];
}

export function seeded(seed: number): Seeded {
  const next = mulberry32(seed);
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return {
    seed,
    next,
    int,
    pick: (items) => {
      if (items.length === 0) throw new Error("pick from an empty list");
      return items[int(0, items.length - 1)]!;
    },
    shuffle: (items) => {
      const out = [...items];
      for (let i = out.length - 1; i > 0; i--) {
        const j = int(0, i);
        [out[i], out[j]] = [out[j]!, out[i]!];
      }
      return out;
    },
  };
}

/** Prints a scenario's figures as a table, so a CI log reader sees expected vs found. */
export function printFigures(
  title: string,
  rows: ReadonlyArray<Record<string, string | number | boolean>>,
): void {
  // The figures are the scenario's output for the CI log, not diagnostics.
  // eslint-disable-next-line no-console
  console.log(`\n[reliability] ${title}`);
  // eslint-disable-next-line no-console
  console.table(rows);
}

const exited = (worker: WorkerProcess) => worker.child.exitCode !== null || worker.child.signalCode !== null;

/** Real worker processes by role, restarted after a kill as the supervisor would. */
export class WorkerFleet {
  private readonly running = new Map<string, WorkerProcess>();
  readonly all: WorkerProcess[] = [];
  readonly kills = new Map<string, number>();
  private closed = false;

  constructor(private readonly env: Readonly<Record<string, string>>) {}

  /** Starts `workers/<role>.ts` and waits for its "worker started" line. */
  async start(role: string, timeoutMs = 90_000): Promise<WorkerProcess> {
    // After stopAll nothing may start again (a late restart would outlive the test).
    if (this.closed) throw new Error(`the fleet is stopped: ${role} not started`);
    const worker = spawnWorkerProcess(role, [], this.env);
    this.running.set(role, worker);
    this.all.push(worker);
    await waitFor(
      () => worker.lines.some((l) => l.msg === "worker started") || exited(worker),
      timeoutMs,
      `${role}: "worker started"`,
    );
    if (exited(worker))
      throw new Error(`${role} exited at start (${worker.child.exitCode ?? worker.child.signalCode})`);
    return worker;
  }

  process(role: string): WorkerProcess | undefined {
    return this.running.get(role);
  }

  /** SIGKILL: no shutdown hook runs, unacknowledged deliveries go back to their queues. */
  async kill(role: string): Promise<void> {
    const worker = this.running.get(role);
    if (!worker || exited(worker)) return;
    worker.child.kill("SIGKILL");
    await worker.exited;
    this.kills.set(role, (this.kills.get(role) ?? 0) + 1);
  }

  /** SIGTERM every process still running, SIGKILL what outlives `graceMs`. */
  async stopAll(graceMs = 15_000): Promise<void> {
    this.closed = true;
    const live = this.all.filter((w) => !exited(w));
    for (const worker of live) worker.child.kill("SIGTERM");
    await Promise.race([
      Promise.all(live.map((w) => w.exited)),
      new Promise((resolve) => setTimeout(resolve, graceMs)),
    ]);
    for (const worker of live) if (!exited(worker)) worker.child.kill("SIGKILL");
  }
}
