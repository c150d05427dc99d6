/**
 * MOCA accounting worker: credits and debits on the append-only, hash-chained
 * ledger. Today: the registration reward when the MO accepts a cluster's join.
 * Periodic CPU/memory charges arrive with the accounting flow.
 */
import { queues } from "@/server/bus";
import { rewardClusterRegistration } from "@/server/accounting";
import { runWorker } from "@/server/workers";

await runWorker("moca", async (worker) => {
  const bus = await worker.bus();
  await bus.consume({
    queue: queues.clusterJoinReply,
    consumerName: "moca.cluster-join-reply",
    handler: async ({ tx, payload, log }) => {
      await rewardClusterRegistration(tx, payload, log);
    },
  });
});
