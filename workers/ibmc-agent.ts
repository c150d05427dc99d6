/**
 * IBMC agent: backs up and restores instance namespaces on the clusters it
 * serves (`mo` exchange, routing key = cluster name). One process can serve
 * every cluster (default) or one named cluster: `tsx workers/ibmc-agent.ts <cluster>`.
 */
import { ibmcAgentQueue } from "@/server/bus";
import { runWorker } from "@/server/workers/runtime";

const onlyCluster = process.argv[2];

await runWorker("ibmc-agent", async (worker) => {
  const bus = await worker.bus();
  // Declare each served cluster's queue so migration requests are routable
  // before the first agent message is published.
  const clusters = await worker.db.cluster.findMany({
    where: { status: "OK", ...(onlyCluster ? { name: onlyCluster } : {}) },
    select: { name: true },
  });
  for (const cluster of clusters) await bus.assertQueue(ibmcAgentQueue(cluster.name));
  worker.logger.info({ clusters: clusters.map((c) => c.name) }, "serving clusters");
});
