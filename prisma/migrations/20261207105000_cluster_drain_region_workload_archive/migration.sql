-- Clusters and operations (issue 13): a cluster's optional region, the
-- cordon a drain sets (placement and migrations put nothing new on a
-- cordoned cluster) with when and by whom it was drained, and the archive
-- mark of a workload (hidden as inactive, no new instances).
ALTER TABLE "clusters" ADD COLUMN "region" TEXT;
ALTER TABLE "clusters" ADD COLUMN "cordoned" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "clusters" ADD COLUMN "drain_started_at" TIMESTAMPTZ(3);
ALTER TABLE "clusters" ADD COLUMN "drained_by" TEXT;
ALTER TABLE "workloads" ADD COLUMN "archived_at" TIMESTAMPTZ(3);
