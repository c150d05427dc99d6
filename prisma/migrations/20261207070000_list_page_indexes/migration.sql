-- The Workload Instances and Intents lists read one page of one owner's rows in
-- their default order (newest instance first; intents by id). With an index on
-- owner_id alone PostgreSQL fetched and sorted all of that owner's rows for
-- every page; these indexes hand the page over in order (bench/api-load.bench.ts).
-- They replace the owner_id indexes, whose lookups they serve as well.
CREATE INDEX "workload_instances_owner_id_created_at_id_idx" ON "workload_instances"("owner_id", "created_at" DESC, "id" DESC);
DROP INDEX "workload_instances_owner_id_idx";

CREATE INDEX "intents_owner_id_id_idx" ON "intents"("owner_id", "id");
DROP INDEX "intents_owner_id_idx";
