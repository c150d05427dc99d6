import type { LeaderFence } from "@/server/db";
import { settleCleanup } from "./cleanup";
import { failureStateFor, isActiveState } from "./state-machine";
import { endMigration, stepTimeoutOf, type MigrationDeps } from "./store";

/**
 * The IBMC controller's watchdog (leader-elected, `worker.every`): a
 * migration that overstays its step's deadline — an agent that crashed and
 * never came back, a cluster that stopped answering, a completion nobody
 * committed — is ended: FAILED before the target was touched, ROLLED_BACK
 * (partial copy removed) after. It also retries the cleanups terminal
 * migrations still owe. Every write is conditional, so an agent finishing the
 * step at the same moment either wins (the watchdog then sees nothing
 * expired) or finds the migration ended and cleans up after itself.
 */

export interface WatchdogResult {
  timedOut: number;
  cleanedUp: number;
}

const BATCH = 100;

/** How often the watchdog looks: a fraction of the step timeout, between 250 ms and 5 s. */
export function watchdogPeriodMs(stepTimeoutMs: number): number {
  return Math.max(250, Math.min(5_000, Math.floor(stepTimeoutMs / 5)));
}

export async function runMigrationWatchdog(
  deps: MigrationDeps,
  now: Date = new Date(),
  /** The leader's fencing token: a stale leader's ending is refused (StaleLeaderError). */
  fence?: LeaderFence,
): Promise<WatchdogResult> {
  const { db } = deps;
  const result: WatchdogResult = { timedOut: 0, cleanedUp: 0 };
  const expired = await db.migration.findMany({
    where: { activeInstanceId: { not: null }, stepDeadline: { lte: now } },
    orderBy: { stepDeadline: "asc" },
    take: BATCH,
  });
  for (const migration of expired) {
    if (!isActiveState(migration.state)) continue;
    const log = deps.log.child({
      component: "migration-watchdog",
      migration: migration.id,
      instance: migration.instanceId,
      cluster: migration.sourceCluster,
    });
    const to = failureStateFor(migration.state);
    const reason =
      `${migration.state} step timed out: no progress by ${migration.stepDeadline?.toISOString()} ` +
      `(step timeout ${Math.round(stepTimeoutOf(deps) / 1000)} s)`;
    const ended = await endMigration(db, {
      migration,
      from: migration.state,
      to,
      reason,
      expiredBy: now,
      fence,
    });
    if (!ended) continue;
    result.timedOut += 1;
    log.warn(
      { state: migration.state, to, reason },
      `migration ${to === "FAILED" ? "failed" : "rolled back"} by the watchdog`,
    );
    if (to === "ROLLED_BACK") await settleCleanup(deps, { ...migration, state: "ROLLED_BACK" });
  }

  const owed = await db.migration.findMany({
    where: {
      activeInstanceId: null,
      state: { in: ["COMPLETED", "ROLLED_BACK"] },
      stepDeadline: { lte: now },
    },
    orderBy: { stepDeadline: "asc" },
    take: BATCH,
  });
  for (const migration of owed) {
    const outcome = await settleCleanup(deps, migration);
    if (outcome !== "failed") result.cleanedUp += 1;
  }
  return result;
}
