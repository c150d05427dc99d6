-- Drift of an instance's live objects from the manifests the console applied
-- (src/server/drift): the periodic check stores the verdict, when it looked,
-- and a bounded summary of the drifted objects and fields (no Secret values).
CREATE TYPE "DriftStatus" AS ENUM ('unknown', 'in_sync', 'drifted');

ALTER TABLE "workload_instances"
    ADD COLUMN "drift_status" "DriftStatus" NOT NULL DEFAULT 'unknown',
    ADD COLUMN "drift_checked_at" TIMESTAMPTZ(3),
    ADD COLUMN "drift_summary" JSONB;
