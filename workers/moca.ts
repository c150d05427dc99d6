/**
 * MOCA accounting worker: turns usage into credits and debits on the
 * append-only, hash-chained ledger. Connected and heartbeating; its pricing
 * loop arrives with the accounting flow.
 */
import { runWorker } from "@/server/workers/runtime";

await runWorker("moca", async (worker) => {
  await worker.bus();
});
