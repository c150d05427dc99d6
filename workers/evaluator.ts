/**
 * Evaluator worker: leader-elected periodic loops. Cluster metrics: every
 * METRICS_PERIOD_MS the leader reads the usage of every OK cluster through its
 * driver and publishes it on the `metrics` exchange. Intent evaluation arrives
 * with the intents flow.
 */
import { collectAndPublishClusterMetrics } from "@/server/clusters/usage-collector";
import { runWorker } from "@/server/workers/runtime";

await runWorker("evaluator", async (worker) => {
  const bus = await worker.bus();
  worker.every("cluster-metrics", worker.env.METRICS_PERIOD_MS, async () => {
    const published = await collectAndPublishClusterMetrics({ db: worker.db, bus, log: worker.logger });
    worker.logger.debug({ clusters: published }, "cluster metrics published");
  });
});
