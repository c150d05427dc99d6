-- A tenant's chart may only put objects into its instance's namespace. An
-- admin can approve cluster-scoped resources (RBAC for the cluster, CRDs,
-- webhooks, …) for one workload; who approved it and when is kept with the
-- workload, and every such decision is in the audit log.
ALTER TABLE "workloads"
  ADD COLUMN "cluster_scoped_approved_at" TIMESTAMPTZ(3),
  ADD COLUMN "cluster_scoped_approved_by" UUID;

-- Security-relevant decisions by people (approvals, revocations). No foreign
-- key to users: the record outlives the account that made the decision.
CREATE TABLE "audit_events" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "actor_id" UUID,
  "actor_name" TEXT NOT NULL,
  "action" TEXT NOT NULL,
  "subject_type" TEXT NOT NULL,
  "subject_id" TEXT NOT NULL,
  "detail" JSONB,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "audit_events_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "audit_events_subject_type_subject_id_created_at_idx"
  ON "audit_events" ("subject_type", "subject_id", "created_at");
