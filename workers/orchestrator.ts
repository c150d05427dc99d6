/**
 * Meta-Orchestrator (MO) worker: publishes the transactional outbox and, as the
 * flows land, consumes cluster joins and `run` requests to place and deploy
 * instances through the cluster drivers.
 */
import { runWorker } from "@/server/workers/runtime";

await runWorker("orchestrator", async (worker) => {
  await worker.bus();
  await worker.startOutboxRelay();
});
