-- MOCA pricing data (issue 14): the region table the compute and ML rules
-- read, the green-energy reward table, and the single row of accounting
-- settings. Amounts are BIGINT units (1 token = 10^8 units; see
-- src/server/accounting/README.md for why bigint is wide enough).
CREATE TABLE "regions" (
    "name" TEXT NOT NULL,
    "high_demand" BOOLEAN NOT NULL DEFAULT false,
    "high_demand_cost" BIGINT NOT NULL DEFAULT 0,
    "regional_cpu_costs" BIGINT NOT NULL,
    "regional_memory_costs" BIGINT NOT NULL,
    "regional_gpu_costs" BIGINT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_by" TEXT,
    CONSTRAINT "regions_pkey" PRIMARY KEY ("name"),
    CONSTRAINT "regions_amounts_unsigned" CHECK (
        "high_demand_cost" >= 0 AND "regional_cpu_costs" >= 0
        AND "regional_memory_costs" >= 0 AND "regional_gpu_costs" >= 0
    )
);

CREATE TABLE "green_rewards" (
    "percent" INTEGER NOT NULL,
    "reward" BIGINT NOT NULL,
    CONSTRAINT "green_rewards_pkey" PRIMARY KEY ("percent"),
    CONSTRAINT "green_rewards_percent_range" CHECK ("percent" BETWEEN 0 AND 100),
    CONSTRAINT "green_rewards_reward_unsigned" CHECK ("reward" >= 0)
);

-- One row (id = 1): which green table is in force and the network price.
CREATE TABLE "accounting_settings" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "green_preset" TEXT NOT NULL DEFAULT 'default',
    "charge_per_gb" BIGINT NOT NULL DEFAULT 10000000,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_by" TEXT,
    CONSTRAINT "accounting_settings_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "accounting_settings_single_row" CHECK ("id" = 1),
    CONSTRAINT "accounting_settings_green_preset" CHECK ("green_preset" IN ('default', 'reference', 'custom')),
    CONSTRAINT "accounting_settings_charge_per_gb_unsigned" CHECK ("charge_per_gb" >= 0)
);

INSERT INTO "accounting_settings" ("id") VALUES (1);

-- The "default" preset: 0.2 token per 20 % of green energy, 1 token at 100 %.
INSERT INTO "green_rewards" ("percent", "reward") VALUES
    (0, 0), (20, 20000000), (40, 40000000), (60, 60000000), (80, 80000000), (100, 100000000);

-- Every cluster belongs to a region: those registered without one join
-- "default", which has data (no surcharge, no thresholds) so they bill.
INSERT INTO "regions" ("name", "regional_cpu_costs", "regional_memory_costs", "regional_gpu_costs", "updated_by")
VALUES ('default', 0, 0, 0, 'migration');
UPDATE "clusters" SET "region" = 'default' WHERE "region" IS NULL OR btrim("region") = '';
ALTER TABLE "clusters" ALTER COLUMN "region" SET DEFAULT 'default';
ALTER TABLE "clusters" ALTER COLUMN "region" SET NOT NULL;
CREATE INDEX "clusters_region_idx" ON "clusters"("region");
