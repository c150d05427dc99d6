-- CreateEnum
CREATE TYPE "Role" AS ENUM ('NEMO_ADMIN', 'INFRASTRUCTURE_PROVIDER', 'SERVICE_PROVIDER');
CREATE TYPE "ClusterStatus" AS ENUM ('PENDING', 'OK', 'ERROR', 'DEREGISTERED');
CREATE TYPE "CostClass" AS ENUM ('low_cost', 'high_performance');
CREATE TYPE "ClusterDriverKind" AS ENUM ('SIMULATED', 'KUBERNETES');
CREATE TYPE "WorkloadStatus" AS ENUM ('PENDING', 'ACCEPTED');
CREATE TYPE "InstanceStatus" AS ENUM ('CREATED', 'RENDERED', 'DEPLOYING', 'DEPLOYED', 'MIGRATING', 'DELETING', 'DELETED', 'FAILED');
CREATE TYPE "IntentAdminState" AS ENUM ('ACTIVATED', 'DEACTIVATED');
CREATE TYPE "FulfilmentStatus" AS ENUM ('FULFILLED', 'NOT_FULFILLED');
CREATE TYPE "NotFulfilledState" AS ENUM ('ACKNOWLEDGED', 'COMPLIANT', 'DEGRADED', 'SUSPENDED', 'TERMINATED', 'FULFILMENTFAILED');
CREATE TYPE "FeasibilityResult" AS ENUM ('FEASIBLE', 'INFEASIBLE');
CREATE TYPE "MigrationState" AS ENUM ('REQUESTED', 'BACKING_UP', 'BACKED_UP', 'RESTORING', 'VERIFYING', 'COMPLETED', 'FAILED', 'ROLLED_BACK');
CREATE TYPE "LedgerAccountKind" AS ENUM ('INFRASTRUCTURE_PROVIDER', 'SERVICE_PROVIDER', 'PLATFORM');
CREATE TYPE "OutboxStatus" AS ENUM ('PENDING', 'PUBLISHED', 'FAILED');

-- CreateTable
CREATE TABLE "users" (
    "id" UUID NOT NULL,
    "subject" TEXT NOT NULL,
    "username" TEXT NOT NULL,
    "display_name" TEXT,
    "email" TEXT,
    "roles" "Role"[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "clusters" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "owner_id" UUID NOT NULL,
    "status" "ClusterStatus" NOT NULL DEFAULT 'PENDING',
    "status_reason" TEXT,
    "driver" "ClusterDriverKind" NOT NULL DEFAULT 'SIMULATED',
    "managed_api" TEXT NOT NULL,
    "kubeconfig_cipher" BYTEA,
    "kubeconfig_sha256" TEXT,
    "cpus" INTEGER NOT NULL,
    "memory_gb" INTEGER NOT NULL,
    "storage_gb" INTEGER NOT NULL,
    "vram_gb" INTEGER NOT NULL DEFAULT 0,
    "availability_pct" DECIMAL(5,2) NOT NULL,
    "green_energy_pct" INTEGER NOT NULL,
    "cost" "CostClass" NOT NULL,
    "cpu_base_rate" INTEGER NOT NULL,
    "memory_base_rate" INTEGER NOT NULL,
    "join_operation_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "clusters_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "cluster_metric_samples" (
    "id" BIGSERIAL NOT NULL,
    "cluster_id" UUID NOT NULL,
    "cpu_usage_milli" DOUBLE PRECISION NOT NULL,
    "memory_usage_pct" DOUBLE PRECISION NOT NULL,
    "disk_usage_pct" DOUBLE PRECISION NOT NULL,
    "sampled_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "cluster_metric_samples_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "workloads" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "owner_id" UUID NOT NULL,
    "status" "WorkloadStatus" NOT NULL DEFAULT 'PENDING',
    "supported_intents" TEXT[],
    "ingress_support" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "workloads_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "charts" (
    "id" UUID NOT NULL,
    "workload_id" INTEGER NOT NULL,
    "chart_name" TEXT NOT NULL,
    "chart_version" TEXT NOT NULL,
    "archive" BYTEA NOT NULL,
    "archive_sha256" TEXT NOT NULL,
    "size_bytes" INTEGER NOT NULL,
    "valid" BOOLEAN NOT NULL,
    "validation_errors" JSONB,
    "uploaded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "charts_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "workload_instances" (
    "id" UUID NOT NULL,
    "short_id" TEXT NOT NULL,
    "release_name" TEXT NOT NULL,
    "workload_id" INTEGER NOT NULL,
    "owner_id" UUID NOT NULL,
    "cluster_id" UUID,
    "proposed_cluster" TEXT,
    "namespace" TEXT NOT NULL,
    "status" "InstanceStatus" NOT NULL DEFAULT 'CREATED',
    "status_reason" TEXT,
    "values_override" TEXT,
    "include_crds" BOOLEAN NOT NULL DEFAULT false,
    "is_upgrade" BOOLEAN NOT NULL DEFAULT false,
    "no_hooks" BOOLEAN NOT NULL DEFAULT false,
    "manifests" JSONB,
    "placement" JSONB,
    "replicas" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "workload_instances_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "lifecycle_events" (
    "id" BIGSERIAL NOT NULL,
    "instance_id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "detail" JSONB,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "lifecycle_events_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "intents" (
    "id" UUID NOT NULL,
    "external_id" TEXT,
    "intent_type" TEXT NOT NULL,
    "instance_id" UUID NOT NULL,
    "owner_id" UUID NOT NULL,
    "admin_state" "IntentAdminState" NOT NULL DEFAULT 'ACTIVATED',
    "priority" INTEGER NOT NULL DEFAULT 1,
    "observation_period_s" INTEGER NOT NULL DEFAULT 60,
    "context_selectivity" TEXT,
    "valid_from" TIMESTAMPTZ(3),
    "valid_until" TIMESTAMPTZ(3),
    "body" JSONB NOT NULL,
    "secrets_cipher" BYTEA,
    "deleted_at" TIMESTAMPTZ(3),
    "next_evaluation_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_fulfilment" "FulfilmentStatus",
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "intents_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "intent_reports" (
    "id" BIGSERIAL NOT NULL,
    "intent_id" UUID NOT NULL,
    "fulfilment_status" "FulfilmentStatus" NOT NULL,
    "not_fulfilled_state" "NotFulfilledState",
    "not_fulfilled_reasons" TEXT[],
    "feasibility" "FeasibilityResult" NOT NULL,
    "infeasibility_reason" TEXT,
    "target_results" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "intent_reports_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "migrations" (
    "id" UUID NOT NULL,
    "instance_id" UUID NOT NULL,
    "intent_id" UUID,
    "source_cluster" TEXT NOT NULL,
    "target_cluster" TEXT NOT NULL,
    "state" "MigrationState" NOT NULL DEFAULT 'REQUESTED',
    "reason" TEXT,
    "backup_name" TEXT,
    "steps" JSONB NOT NULL DEFAULT '[]',
    "active_instance_id" UUID,
    "step_deadline" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "migrations_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "ledger_entries" (
    "sequence" BIGSERIAL NOT NULL,
    "account_id" TEXT NOT NULL,
    "account_kind" "LedgerAccountKind" NOT NULL,
    "amount_milli" BIGINT NOT NULL,
    "kind" TEXT NOT NULL,
    "reference" TEXT,
    "detail" JSONB,
    "prev_hash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ledger_entries_pkey" PRIMARY KEY ("sequence")
);

CREATE TABLE "outbox_messages" (
    "id" UUID NOT NULL,
    "exchange" TEXT NOT NULL,
    "routing_key" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "headers" JSONB,
    "status" "OutboxStatus" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_at" TIMESTAMPTZ(3),
    CONSTRAINT "outbox_messages_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "processed_messages" (
    "consumer" TEXT NOT NULL,
    "message_id" TEXT NOT NULL,
    "processed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "processed_messages_pkey" PRIMARY KEY ("consumer","message_id")
);

CREATE TABLE "dead_letters" (
    "id" BIGSERIAL NOT NULL,
    "queue" TEXT NOT NULL,
    "message_id" TEXT,
    "routing_key" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "error" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "dead_letters_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "worker_heartbeats" (
    "worker_id" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "hostname" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    "is_leader" BOOLEAN NOT NULL DEFAULT false,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "seen_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "worker_heartbeats_pkey" PRIMARY KEY ("worker_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_subject_key" ON "users"("subject");
CREATE UNIQUE INDEX "clusters_name_key" ON "clusters"("name");
CREATE INDEX "clusters_owner_id_idx" ON "clusters"("owner_id");
CREATE INDEX "clusters_status_idx" ON "clusters"("status");
CREATE UNIQUE INDEX "cluster_metric_samples_cluster_id_sampled_at_key" ON "cluster_metric_samples"("cluster_id", "sampled_at");
CREATE INDEX "cluster_metric_samples_cluster_id_sampled_at_idx" ON "cluster_metric_samples"("cluster_id", "sampled_at" DESC);
CREATE UNIQUE INDEX "workloads_name_version_key" ON "workloads"("name", "version");
CREATE INDEX "workloads_owner_id_idx" ON "workloads"("owner_id");
CREATE UNIQUE INDEX "charts_workload_id_key" ON "charts"("workload_id");
CREATE UNIQUE INDEX "workload_instances_short_id_key" ON "workload_instances"("short_id");
CREATE UNIQUE INDEX "workload_instances_release_name_short_id_key" ON "workload_instances"("release_name", "short_id");
CREATE INDEX "workload_instances_owner_id_idx" ON "workload_instances"("owner_id");
CREATE INDEX "workload_instances_cluster_id_idx" ON "workload_instances"("cluster_id");
CREATE INDEX "workload_instances_status_idx" ON "workload_instances"("status");
CREATE INDEX "lifecycle_events_instance_id_occurred_at_idx" ON "lifecycle_events"("instance_id", "occurred_at" DESC);
CREATE INDEX "lifecycle_events_occurred_at_idx" ON "lifecycle_events"("occurred_at" DESC);
CREATE UNIQUE INDEX "intents_external_id_key" ON "intents"("external_id");
CREATE INDEX "intents_instance_id_idx" ON "intents"("instance_id");
CREATE INDEX "intents_owner_id_idx" ON "intents"("owner_id");
CREATE INDEX "intents_admin_state_next_evaluation_at_idx" ON "intents"("admin_state", "next_evaluation_at");
CREATE INDEX "intent_reports_intent_id_created_at_idx" ON "intent_reports"("intent_id", "created_at" DESC);
CREATE UNIQUE INDEX "migrations_active_instance_id_key" ON "migrations"("active_instance_id");
CREATE INDEX "migrations_instance_id_created_at_idx" ON "migrations"("instance_id", "created_at" DESC);
CREATE INDEX "migrations_state_idx" ON "migrations"("state");
CREATE UNIQUE INDEX "ledger_entries_hash_key" ON "ledger_entries"("hash");
CREATE INDEX "ledger_entries_account_id_sequence_idx" ON "ledger_entries"("account_id", "sequence");
CREATE INDEX "outbox_messages_status_created_at_idx" ON "outbox_messages"("status", "created_at");
CREATE INDEX "dead_letters_created_at_idx" ON "dead_letters"("created_at" DESC);
CREATE INDEX "worker_heartbeats_role_idx" ON "worker_heartbeats"("role");

-- AddForeignKey
ALTER TABLE "clusters" ADD CONSTRAINT "clusters_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "cluster_metric_samples" ADD CONSTRAINT "cluster_metric_samples_cluster_id_fkey" FOREIGN KEY ("cluster_id") REFERENCES "clusters"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "workloads" ADD CONSTRAINT "workloads_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "charts" ADD CONSTRAINT "charts_workload_id_fkey" FOREIGN KEY ("workload_id") REFERENCES "workloads"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "workload_instances" ADD CONSTRAINT "workload_instances_workload_id_fkey" FOREIGN KEY ("workload_id") REFERENCES "workloads"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "workload_instances" ADD CONSTRAINT "workload_instances_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "workload_instances" ADD CONSTRAINT "workload_instances_cluster_id_fkey" FOREIGN KEY ("cluster_id") REFERENCES "clusters"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "lifecycle_events" ADD CONSTRAINT "lifecycle_events_instance_id_fkey" FOREIGN KEY ("instance_id") REFERENCES "workload_instances"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "intents" ADD CONSTRAINT "intents_instance_id_fkey" FOREIGN KEY ("instance_id") REFERENCES "workload_instances"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "intents" ADD CONSTRAINT "intents_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "intent_reports" ADD CONSTRAINT "intent_reports_intent_id_fkey" FOREIGN KEY ("intent_id") REFERENCES "intents"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "migrations" ADD CONSTRAINT "migrations_instance_id_fkey" FOREIGN KEY ("instance_id") REFERENCES "workload_instances"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "migrations" ADD CONSTRAINT "migrations_intent_id_fkey" FOREIGN KEY ("intent_id") REFERENCES "intents"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- The lifecycle history and the ledger are append-only: refuse UPDATE and DELETE
-- at the database so no code path can rewrite history.
CREATE FUNCTION "nemo_refuse_change"() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER "lifecycle_events_append_only" BEFORE UPDATE ON "lifecycle_events" FOR EACH ROW EXECUTE FUNCTION "nemo_refuse_change"();
CREATE TRIGGER "ledger_entries_append_only" BEFORE UPDATE OR DELETE ON "ledger_entries" FOR EACH ROW EXECUTE FUNCTION "nemo_refuse_change"();
