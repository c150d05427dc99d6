/**
 * Meta-Orchestrator (MO) worker: publishes the transactional outbox, answers
 * cluster joins (validate the kubeconfig, connect through the driver), and
 * records the cluster metrics the collector publishes. Placement and
 * deployment of instances arrive with the instances flow.
 */
import { queues } from "@/server/bus";
import { handleClusterJoin } from "@/server/clusters/join";
import { pruneClusterMetrics, recordClusterMetrics } from "@/server/clusters/usage-collector";
import { runWorker } from "@/server/workers/runtime";

await runWorker("orchestrator", async (worker) => {
  const bus = await worker.bus();
  await worker.startOutboxRelay();
  await bus.consume({
    queue: queues.clusterJoin,
    consumerName: "orchestrator.cluster-join",
    handler: async ({ tx, payload, log }) => {
      await handleClusterJoin(tx, payload, { db: worker.db, log });
    },
  });
  await bus.consume({
    queue: queues.clusterMetrics,
    consumerName: "orchestrator.cluster-metrics",
    handler: async ({ tx, payload }) => {
      await recordClusterMetrics(tx, payload);
    },
  });
  worker.every("prune-cluster-metrics", 3_600_000, async () => {
    const removed = await pruneClusterMetrics(worker.db);
    if (removed > 0) worker.logger.info({ removed }, "pruned old cluster metrics");
  });
});
