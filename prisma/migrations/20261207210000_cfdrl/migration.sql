-- CFDRL (issue 15): per-instance switches, decisions, the persisted replay
-- buffer, versioned Q-network weights, the loss curve and evaluation runs.
CREATE TYPE "CfdrlAgentKind" AS ENUM ('scaling', 'migration');
CREATE TYPE "CfdrlDecisionOutcome" AS ENUM ('pending', 'applied', 'dropped', 'failed');

CREATE TABLE "instance_cfdrl_settings" (
    "instance_id" UUID NOT NULL,
    "scaling_enabled" BOOLEAN NOT NULL DEFAULT false,
    "migration_enabled" BOOLEAN NOT NULL DEFAULT false,
    "min_replicas" INTEGER NOT NULL DEFAULT 1,
    "max_replicas" INTEGER NOT NULL DEFAULT 10,
    "updated_by" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "instance_cfdrl_settings_pkey" PRIMARY KEY ("instance_id"),
    CONSTRAINT "instance_cfdrl_settings_instance_id_fkey" FOREIGN KEY ("instance_id") REFERENCES "workload_instances"("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "instance_cfdrl_settings_replicas_check" CHECK ("min_replicas" >= 0 AND "max_replicas" >= "min_replicas")
);
CREATE INDEX "instance_cfdrl_settings_scaling_enabled_idx" ON "instance_cfdrl_settings"("scaling_enabled");
CREATE INDEX "instance_cfdrl_settings_migration_enabled_idx" ON "instance_cfdrl_settings"("migration_enabled");

CREATE TABLE "cfdrl_decisions" (
    "id" BIGSERIAL NOT NULL,
    "instance_id" UUID NOT NULL,
    "agent" "CfdrlAgentKind" NOT NULL,
    "decided_at" TIMESTAMPTZ(3) NOT NULL,
    "state" JSONB NOT NULL,
    "action" VARCHAR(20) NOT NULL,
    "from_replicas" INTEGER,
    "to_replicas" INTEGER,
    "target_cluster" TEXT,
    "reward" DOUBLE PRECISION NOT NULL,
    "model_version" INTEGER,
    "epsilon" DOUBLE PRECISION,
    "outcome" "CfdrlDecisionOutcome" NOT NULL DEFAULT 'pending',
    "outcome_reason" TEXT,
    "message_id" UUID,
    "migration_id" UUID,
    "in_flight_instance_id" UUID,
    "resolved_at" TIMESTAMPTZ(3),

    CONSTRAINT "cfdrl_decisions_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "cfdrl_decisions_instance_id_fkey" FOREIGN KEY ("instance_id") REFERENCES "workload_instances"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
-- At most one decision per instance waits for the MO.
CREATE UNIQUE INDEX "cfdrl_decisions_in_flight_instance_id_key" ON "cfdrl_decisions"("in_flight_instance_id");
CREATE INDEX "cfdrl_decisions_instance_id_decided_at_idx" ON "cfdrl_decisions"("instance_id", "decided_at" DESC);
CREATE INDEX "cfdrl_decisions_decided_at_idx" ON "cfdrl_decisions"("decided_at" DESC);

CREATE TABLE "cfdrl_transitions" (
    "id" BIGSERIAL NOT NULL,
    "agent" "CfdrlAgentKind" NOT NULL,
    "state" DOUBLE PRECISION[],
    "action" INTEGER NOT NULL,
    "reward" DOUBLE PRECISION NOT NULL,
    "next_state" DOUBLE PRECISION[],
    "done" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "cfdrl_transitions_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "cfdrl_transitions_agent_id_idx" ON "cfdrl_transitions"("agent", "id");

CREATE TABLE "cfdrl_models" (
    "id" SERIAL NOT NULL,
    "agent" "CfdrlAgentKind" NOT NULL,
    "version" INTEGER NOT NULL,
    "training_steps" INTEGER NOT NULL,
    "architecture" JSONB NOT NULL,
    "weights" BYTEA NOT NULL,
    "epsilon" DOUBLE PRECISION NOT NULL,
    "loss" DOUBLE PRECISION,
    "active" BOOLEAN NOT NULL DEFAULT false,
    "created_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "cfdrl_models_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "cfdrl_models_agent_version_key" ON "cfdrl_models"("agent", "version");
-- One active model per agent (a rollback flips it in one transaction).
CREATE UNIQUE INDEX "cfdrl_models_one_active_per_agent" ON "cfdrl_models"("agent") WHERE "active";

CREATE TABLE "cfdrl_training_stats" (
    "id" BIGSERIAL NOT NULL,
    "agent" "CfdrlAgentKind" NOT NULL,
    "step" INTEGER NOT NULL,
    "loss" DOUBLE PRECISION NOT NULL,
    "epsilon" DOUBLE PRECISION NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "cfdrl_training_stats_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "cfdrl_training_stats_agent_step_idx" ON "cfdrl_training_stats"("agent", "step");

CREATE TABLE "cfdrl_evaluations" (
    "id" SERIAL NOT NULL,
    "results" JSONB NOT NULL,
    "plot_png" BYTEA,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "cfdrl_evaluations_pkey" PRIMARY KEY ("id")
);
