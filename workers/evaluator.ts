/**
 * Evaluator worker: periodic, leader-elected loops over intents (fulfilment
 * reports) and cluster metrics.
 */
import { runWorker } from "@/server/workers/runtime";

await runWorker("evaluator", async (worker) => {
  await worker.bus();
});
