/**
 * CFDRL worker: the reinforcement-learning scaler and migrator. Its leader
 * (advisory lock; a second replica stays hot standby) runs the decision loop
 * every CFDRL_PERIOD_MS for the instances with CFDRL enabled
 * (src/server/rl/loop.ts): observe, store the transition, decide, send a
 * scale to the MO on `cfdrl_mo_hs` or start a migration, train between
 * decisions, save model versions. Every replica consumes the MO's replies
 * (`cfdrl_mo_hs.reply`) and resolves the decisions.
 */
import { CfdrlLoop, consumeScalingReplies } from "@/server/rl";
import { runWorker } from "@/server/workers";

await runWorker("cfdrl", async (worker) => {
  const bus = await worker.bus();
  // Its decisions reach the MO even while the orchestrator's relay is down.
  await worker.startOutboxRelay();
  await consumeScalingReplies({ bus, log: worker.logger });
  const loop = new CfdrlLoop({
    db: worker.db,
    log: worker.logger,
    periodMs: worker.env.CFDRL_PERIOD_MS,
    migrationEveryPeriods: worker.env.CFDRL_MIGRATION_EVERY_PERIODS,
    trainSteps: worker.env.CFDRL_TRAIN_STEPS,
    saveEverySteps: worker.env.CFDRL_SAVE_EVERY_STEPS,
    replyTimeoutMs: worker.env.CFDRL_REPLY_TIMEOUT_MS,
  });
  let term: bigint | null = null;
  worker.every("decisions", worker.env.CFDRL_PERIOD_MS, async (signal, fence) => {
    // A new term (this replica just took over): the agents come from the database, as the last leader left them.
    if (term !== fence.lease) loop.reset();
    term = fence.lease;
    const summary = await loop.tick(signal, fence);
    if (summary.decisions > 0 || summary.timedOut > 0)
      worker.logger.info(summary, "CFDRL period: decisions taken");
  });
});
