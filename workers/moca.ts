/**
 * MOCA accounting worker: credits and debits on the append-only, hash-chained
 * ledger.
 *
 * - Registration: consumes `mo.join.reply` and credits a cluster's
 *   registration reward when the MO accepts its join (once).
 * - Billing: every BILLING_PERIOD_MS the leader bills each period that has
 *   ended and not been billed, oldest first (src/server/accounting/billing.ts),
 *   then checks the budgets and retries the items whose cluster could not be
 *   read (billing-retry.ts). Its writes carry the leader's fencing token, so
 *   a deposed leader bills nothing; exactly-once holds anyway through the
 *   unique charge keys.
 */
import { queues } from "@/server/bus";
import { registerJoinedCluster, retryBillingFailures, runDueBillingPeriods } from "@/server/accounting";
import { runWorker } from "@/server/workers";

await runWorker("moca", async (worker) => {
  const bus = await worker.bus();
  await bus.consume({
    queue: queues.clusterJoinReply,
    consumerName: "moca.cluster-join-reply",
    handler: async ({ tx, payload, log }) => {
      await registerJoinedCluster(tx, payload, log);
    },
  });
  // The ledger's `accounting.transaction` events leave through the outbox.
  await worker.startOutboxRelay();
  const periodMs = worker.env.BILLING_PERIOD_MS;
  worker.every("billing", periodMs, async (_signal, fence) => {
    const runs = await runDueBillingPeriods(
      { db: worker.db, log: worker.logger, fence, worker: worker.workerId },
      periodMs,
    );
    if (runs.length > 1) worker.logger.info({ periods: runs.length }, "billing caught up on missed periods");
    // Items whose cluster could not be read are tried again, a bounded number of times with backoff.
    await retryBillingFailures(
      { db: worker.db, log: worker.logger, fence, worker: worker.workerId },
      periodMs,
    );
  });
});
