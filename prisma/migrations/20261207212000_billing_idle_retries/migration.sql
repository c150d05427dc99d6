-- MOCA billing (issue 14), two additions:
-- * idle capacity per cluster and period ("capacity paid by nobody"): the
--   cluster's registered CPU and memory less what its billed instances used,
--   valued at the cluster's rates; written when the period's run finishes
--   (and again if a retry reopens it), shown to the cluster's provider.
-- * retries of items a run could not bill because their cluster could not be
--   read: the failure says it is retryable, and `billing_retries` counts the
--   attempts (bounded, with backoff) and keeps the outcome for the admin.

ALTER TABLE "billing_failures" ADD COLUMN "retryable" BOOLEAN NOT NULL DEFAULT false;

CREATE TABLE "billing_retries" (
    "instance_id" UUID NOT NULL,
    "period_start" TIMESTAMPTZ(3) NOT NULL,
    "cluster_id" UUID,
    -- Attempts made so far, the run's first one included.
    "attempts" INTEGER NOT NULL,
    -- When the next attempt is due; null once the item was billed or given up.
    "next_attempt_at" TIMESTAMPTZ(3),
    -- RETRYING | BILLED | GAVE_UP
    "outcome" TEXT NOT NULL DEFAULT 'RETRYING',
    "last_reason" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "billing_retries_pkey" PRIMARY KEY ("instance_id", "period_start"),
    CONSTRAINT "billing_retries_outcome" CHECK ("outcome" IN ('RETRYING', 'BILLED', 'GAVE_UP')),
    CONSTRAINT "billing_retries_attempts" CHECK ("attempts" >= 1)
);
CREATE INDEX "billing_retries_outcome_next_attempt_at_idx" ON "billing_retries"("outcome", "next_attempt_at");

CREATE TABLE "billing_cluster_idle" (
    "cluster_id" UUID NOT NULL,
    "period_start" TIMESTAMPTZ(3) NOT NULL,
    "period_end" TIMESTAMPTZ(3) NOT NULL,
    "run_id" UUID NOT NULL,
    "capacity_cpu_millicores" BIGINT NOT NULL,
    "capacity_memory_mib" BIGINT NOT NULL,
    "used_cpu_millicores" BIGINT NOT NULL,
    "used_memory_mib" BIGINT NOT NULL,
    "idle_cpu_millicores" BIGINT NOT NULL,
    "idle_memory_mib" BIGINT NOT NULL,
    -- Units the idle capacity is worth at the cluster's rates (README: idle capacity).
    "amount" BIGINT NOT NULL,
    "instances_billed" INTEGER NOT NULL,
    "instances_failed" INTEGER NOT NULL,
    "inputs" JSONB NOT NULL,
    CONSTRAINT "billing_cluster_idle_pkey" PRIMARY KEY ("cluster_id", "period_start"),
    CONSTRAINT "billing_cluster_idle_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "billing_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "billing_cluster_idle_nonnegative" CHECK (
        "idle_cpu_millicores" >= 0 AND "idle_memory_mib" >= 0 AND "amount" >= 0)
);
CREATE INDEX "billing_cluster_idle_period_start_idx" ON "billing_cluster_idle"("period_start");
CREATE INDEX "billing_cluster_idle_run_id_idx" ON "billing_cluster_idle"("run_id");
