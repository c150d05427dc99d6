/**
 * Evaluator worker: leader-elected periodic loops.
 *
 * - Cluster metrics: every METRICS_PERIOD_MS the leader reads the usage of
 *   every OK cluster through its driver and publishes it on `metrics`.
 * - Drift: every METRICS_PERIOD_MS the leader compares each DEPLOYED
 *   instance's live objects with its manifests and records a change of
 *   verdict (Drifted / In sync) on the instance and its timeline.
 * - Intents (PPEF): every INTENT_EVALUATION_TICK_MS the leader evaluates the
 *   active intents whose observation period has come round, stores their
 *   reports and announces violations through the outbox.
 * - Report retention (when INTENT_REPORT_RETENTION_DAYS is set): every
 *   INTENT_REPORT_PRUNE_PERIOD_MS the leader deletes intent reports older than
 *   that, keeping each intent's newest.
 *
 * It runs an outbox relay too, so violations are published even while no
 * orchestrator runs (relays share the outbox safely: rows are claimed with
 * SKIP LOCKED).
 */
import { collectAndPublishClusterMetrics } from "@/server/clusters";
import { checkDrift } from "@/server/drift";
import { createEvaluationCache, runEvaluationCycle } from "@/server/intents";
import { pruneIntentReports } from "@/server/intents";
import { runWorker } from "@/server/workers";

await runWorker("evaluator", async (worker) => {
  const bus = await worker.bus();
  await worker.startOutboxRelay();
  worker.every("cluster-metrics", worker.env.METRICS_PERIOD_MS, async () => {
    const published = await collectAndPublishClusterMetrics({ db: worker.db, bus, log: worker.logger });
    worker.logger.debug({ clusters: published }, "cluster metrics published");
  });
  worker.every("instance-drift", worker.env.METRICS_PERIOD_MS, async (signal) => {
    const round = await checkDrift({ db: worker.db, log: worker.logger }, { signal });
    // Changes of verdict are logged per instance; the round itself only when something was off.
    if (round.changed > 0 || round.failed > 0) worker.logger.info(round, "drift check round");
    else worker.logger.debug(round, "drift check round");
  });
  // Intent bodies read once are kept across cycles (re-read when an intent changes).
  const cache = createEvaluationCache();
  worker.every("intents", worker.env.INTENT_EVALUATION_TICK_MS, async () => {
    const cycle = await runEvaluationCycle({ db: worker.db, log: worker.logger, cache });
    // Most ticks find nothing due: only cycles that did something are worth a line, and a periodic
    // one at debug (violations are logged at info as they are found).
    if (cycle.evaluated > 0 || cycle.notified > 0)
      worker.logger.debug(
        {
          evaluated: cycle.evaluated,
          fulfilled: cycle.fulfilled,
          notFulfilled: cycle.notFulfilled,
          notified: cycle.notified,
          terminated: cycle.terminated,
          durationMs: cycle.durationMs,
        },
        "intent evaluation cycle",
      );
  });
  const retentionDays = worker.env.INTENT_REPORT_RETENTION_DAYS;
  if (retentionDays > 0)
    worker.every("intent-report-retention", worker.env.INTENT_REPORT_PRUNE_PERIOD_MS, async (signal) => {
      await pruneIntentReports({
        db: worker.db,
        log: worker.logger,
        retentionMs: retentionDays * 86_400_000,
        signal,
      });
    });
});
