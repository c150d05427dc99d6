/**
 * Intent-Based Migration Controller: consumes the `notify` queue (new and
 * violated intents) and drives migrations between clusters. Connected to the
 * broker with the product topology asserted; its consumer arrives with the
 * migration flow.
 */
import { runWorker } from "@/server/workers/runtime";

await runWorker("ibmc-controller", async (worker) => {
  await worker.bus();
});
