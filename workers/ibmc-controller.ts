/**
 * Intent-Based Migration Controller: consumes the `notify` queue (new,
 * changed and violated intents; migration completions) idempotently, picks a
 * compliant target cluster and starts the migration (backup command to the
 * source cluster's agent through the outbox). A leader-elected watchdog fails
 * or rolls back migrations that overstay a step (MIGRATION_STEP_TIMEOUT_MS)
 * and retries owed cleanups. Runs an outbox relay, and declares the agent
 * queue of every OK cluster so commands wait for agents that are not up yet.
 */
import { sleep } from "@/common/sleep";
import {
  consumeIntentNotifications,
  declareAgentQueues,
  runMigrationWatchdog,
  watchdogPeriodMs,
} from "@/server/cluster-migration";
import { runWorker } from "@/server/workers";

/** How often newly joined clusters get their agent queue declared. */
const RESCAN_MS = 30_000;

await runWorker("ibmc-controller", async (worker) => {
  const bus = await worker.bus();
  await worker.startOutboxRelay();
  const deps = {
    db: worker.db,
    bus,
    log: worker.logger,
    stepTimeoutMs: worker.env.MIGRATION_STEP_TIMEOUT_MS,
  };
  const clusters = await declareAgentQueues(deps);
  worker.logger.info({ clusters }, "agent queues declared");
  await consumeIntentNotifications(deps);
  worker.every("migration-watchdog", watchdogPeriodMs(deps.stepTimeoutMs), async (_signal, fence) => {
    const result = await runMigrationWatchdog(deps, new Date(), fence);
    if (result.timedOut > 0 || result.cleanedUp > 0) worker.logger.info(result, "migration watchdog pass");
  });
  worker.track(
    (async () => {
      while (!worker.signal.aborted) {
        await sleep(RESCAN_MS, worker.signal);
        if (worker.signal.aborted) break;
        await declareAgentQueues(deps).catch((error: unknown) =>
          worker.logger.warn({ err: error }, "could not declare agent queues"),
        );
      }
    })(),
  );
});
