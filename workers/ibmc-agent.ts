/**
 * IBMC agent: backs up and restores instance namespaces on the clusters it
 * serves (`mo` exchange, routing key = cluster name; queue `mo.agent.<cluster>`).
 * One process serves every OK cluster (default; newly joined clusters are
 * picked up every 30 s) or one named cluster: `tsx workers/ibmc-agent.ts <cluster>`.
 * Runs an outbox relay for the restore commands and completions it enqueues.
 */
import { sleep } from "@/common/sleep";
import { IbmcAgents } from "@/server/cluster-migration";
import { runWorker } from "@/server/workers";

const onlyCluster = process.argv[2];
const RESCAN_MS = 30_000;

await runWorker("ibmc-agent", async (worker) => {
  const bus = await worker.bus();
  await worker.startOutboxRelay();
  const agents = new IbmcAgents(
    { db: worker.db, bus, log: worker.logger, stepTimeoutMs: worker.env.MIGRATION_STEP_TIMEOUT_MS },
    onlyCluster,
  );
  await agents.rescan();
  worker.logger.info({ clusters: agents.served }, "serving clusters");
  if (onlyCluster) return;
  worker.track(
    (async () => {
      while (!worker.signal.aborted) {
        await sleep(RESCAN_MS, worker.signal);
        if (worker.signal.aborted) break;
        await agents
          .rescan()
          .catch((error: unknown) => worker.logger.warn({ err: error }, "could not look for new clusters"));
      }
    })(),
  );
});
