-- MOCA billing (issue 14): the periodic billing run's record, one row per
-- charge (instance, rule, period — unique, which is what makes a charge
-- exactly once whatever is redelivered, restarted or run twice), the items
-- that could not be billed, the carbon beside the credits (energy × the
-- cluster's grid intensity), and service providers' budgets with the alerts
-- raised once per threshold per window. See src/server/accounting/README.md.

-- Grid carbon intensity where the cluster draws its power, gCO2e/kWh; an
-- optional 24-value profile (UTC hour 0..23) overrides it hour by hour.
ALTER TABLE "clusters" ADD COLUMN "grid_intensity" INTEGER;
ALTER TABLE "clusters" ADD COLUMN "grid_intensity_hourly" INTEGER[] NOT NULL DEFAULT '{}';
ALTER TABLE "clusters" ADD CONSTRAINT "clusters_grid_intensity_range"
    CHECK ("grid_intensity" IS NULL OR "grid_intensity" BETWEEN 0 AND 5000);
ALTER TABLE "clusters" ADD CONSTRAINT "clusters_grid_intensity_hourly_shape"
    CHECK (cardinality("grid_intensity_hourly") IN (0, 24)
           AND 0 <= ALL ("grid_intensity_hourly") AND 5000 >= ALL ("grid_intensity_hourly"));

-- One row per billing period; a run interrupted mid-way stays RUNNING and the
-- next tick finishes the same period (what was billed is skipped).
CREATE TABLE "billing_runs" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "period_start" TIMESTAMPTZ(3) NOT NULL,
    "period_end" TIMESTAMPTZ(3) NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'RUNNING',
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "finished_at" TIMESTAMPTZ(3),
    "instances" INTEGER NOT NULL DEFAULT 0,
    "items_billed" INTEGER NOT NULL DEFAULT 0,
    "items_failed" INTEGER NOT NULL DEFAULT 0,
    "amount" BIGINT NOT NULL DEFAULT 0,
    "gco2e" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "worker" TEXT,
    CONSTRAINT "billing_runs_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "billing_runs_status" CHECK ("status" IN ('RUNNING', 'COMPLETED')),
    CONSTRAINT "billing_runs_period" CHECK ("period_end" > "period_start")
);
CREATE UNIQUE INDEX "billing_runs_period_start_key" ON "billing_runs"("period_start");

CREATE TABLE "billing_items" (
    "id" BIGSERIAL NOT NULL,
    "run_id" UUID NOT NULL,
    "instance_id" UUID NOT NULL,
    "workload_id" INTEGER NOT NULL,
    "owner_id" UUID NOT NULL,
    "cluster_id" UUID NOT NULL,
    "region" TEXT NOT NULL,
    "rule" TEXT NOT NULL,
    "period_start" TIMESTAMPTZ(3) NOT NULL,
    "period_end" TIMESTAMPTZ(3) NOT NULL,
    "amount" BIGINT NOT NULL,
    "energy_wh" DOUBLE PRECISION,
    "grid_intensity" INTEGER,
    "gco2e" DOUBLE PRECISION,
    "green_reward" BIGINT,
    "gco2e_avoided" DOUBLE PRECISION,
    "ledger_sequence" BIGINT,
    "inputs" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "billing_items_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "billing_items_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "billing_runs"("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "billing_items_amount_unsigned" CHECK ("amount" >= 0)
);
-- Exactly once: one charge per instance, rule and period.
CREATE UNIQUE INDEX "billing_items_instance_id_rule_period_start_key" ON "billing_items"("instance_id", "rule", "period_start");
CREATE INDEX "billing_items_owner_id_period_start_idx" ON "billing_items"("owner_id", "period_start");
CREATE INDEX "billing_items_workload_id_period_start_idx" ON "billing_items"("workload_id", "period_start");
CREATE INDEX "billing_items_cluster_id_period_start_idx" ON "billing_items"("cluster_id", "period_start");
CREATE INDEX "billing_items_run_id_idx" ON "billing_items"("run_id");

-- An item that could not be billed ("Data for region must be set", a cluster
-- that did not answer): shown to admins; nothing was charged for it.
CREATE TABLE "billing_failures" (
    "id" BIGSERIAL NOT NULL,
    "run_id" UUID NOT NULL,
    "instance_id" UUID NOT NULL,
    "cluster_id" UUID,
    "rule" TEXT NOT NULL,
    "period_start" TIMESTAMPTZ(3) NOT NULL,
    "reason" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "billing_failures_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "billing_failures_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "billing_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "billing_failures_instance_id_rule_period_start_key" ON "billing_failures"("instance_id", "rule", "period_start");
CREATE INDEX "billing_failures_run_id_idx" ON "billing_failures"("run_id");

-- A service provider's spending limit, in units per UTC day or month, for one
-- workload or (workload_id NULL) for all of theirs.
CREATE TABLE "budgets" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "owner_id" UUID NOT NULL,
    "workload_id" INTEGER,
    "period" TEXT NOT NULL,
    "amount" BIGINT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "budgets_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "budgets_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "budgets_workload_id_fkey" FOREIGN KEY ("workload_id") REFERENCES "workloads"("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "budgets_period" CHECK ("period" IN ('DAY', 'MONTH')),
    CONSTRAINT "budgets_amount_positive" CHECK ("amount" > 0)
);
CREATE INDEX "budgets_owner_id_idx" ON "budgets"("owner_id");
-- One budget per scope and window: per workload, and one "all my workloads" (NULL) per owner.
CREATE UNIQUE INDEX "budgets_owner_id_workload_id_period_key" ON "budgets"("owner_id", "workload_id", "period");
CREATE UNIQUE INDEX "budgets_owner_all_period_key" ON "budgets"("owner_id", "period") WHERE "workload_id" IS NULL;

-- A threshold crossed in a window: written once (primary key), which is what
-- keeps a budget from alerting twice for the same threshold and window.
CREATE TABLE "budget_alerts" (
    "budget_id" UUID NOT NULL,
    "window_start" TIMESTAMPTZ(3) NOT NULL,
    "threshold" INTEGER NOT NULL,
    "spent" BIGINT NOT NULL,
    "raised_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "budget_alerts_pkey" PRIMARY KEY ("budget_id", "window_start", "threshold"),
    CONSTRAINT "budget_alerts_budget_id_fkey" FOREIGN KEY ("budget_id") REFERENCES "budgets"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
