/**
 * CFDRL worker: the reinforcement-learning scaler that observes replicas,
 * usage and latency and sends scale decisions to the MO (`cfdrl_mo_hs`).
 * Connected and heartbeating; its decision loop arrives with the RL flow.
 */
import { runWorker } from "@/server/workers";

await runWorker("cfdrl", async (worker) => {
  await worker.bus();
});
