/**
 * Secure Execution Environment hand-off: forwards unikernel create / apply /
 * delete requests to the `nemo.see.*` queues and relays the replies.
 * Connected and heartbeating; its request flow arrives with the SEE issue.
 */
import { runWorker } from "@/server/workers";

await runWorker("see", async (worker) => {
  await worker.bus();
});
