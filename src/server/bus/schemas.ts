import { z } from "zod";

/**
 * Wire shapes of every message the product exchanges, documented in docs/protocol.md. Field
 * names follow the reference deployment (snake_case here, PascalCase there)
 * so the console can talk to the reference components. Fields marked
 * "console addition" are ours, added where correlation or reliability needs
 * them; they are optional wherever a reference component might omit them.
 *
 * Schemas describe the wire format only (no transforms), so a publisher's
 * validated value is exactly what goes on the wire. Unknown extra fields are
 * stripped, not rejected: reference components may add fields we do not use.
 */

const percentString = z.string().regex(/^\d{1,3}(\.\d+)?%$/, 'expected a percentage such as "99.9%"');
const costClass = z.enum(["low_cost", "high_performance"]);
const isoTimestamp = z.iso.datetime({ offset: true });
/** Python collectors write "2025-05-29 10:48:03.547723+00:00": accept anything Date.parse understands. */
const looseTimestamp = z
  .string()
  .refine((s) => !Number.isNaN(Date.parse(s)), { message: "expected a date-time" });
/** Reference IBMC timestamps: yyyymmddhhmmss. */
const compactTimestamp = z.string().regex(/^\d{14}$/, "expected yyyymmddhhmmss");
const clusterName = z.string().min(1).max(200);
const workloadId = z.string().min(1);
const nonNegative = z.number().nonnegative();
const usagePercent = z.number().min(0).max(100);

// --- Cluster join (LCM/API -> MO, MO -> console) ---------------------------

/**
 * What the MO expects to join a cluster. The kubeconfig is not on the broker:
 * the MO reads it (encrypted) from the database by cluster name.
 */
export const clusterJoinRequestSchema = z.object({
  id: z.string().min(1),
  cluster_name: clusterName,
  managed_api: z.url(),
  cpus: z.number().int().positive(),
  memory: nonNegative,
  storage: nonNegative,
  vram: nonNegative,
  availability: percentString,
  green_energy: percentString,
  cost: costClass,
  cpu_base_rate: nonNegative,
  memory_base_rate: nonNegative,
  timestamp: isoTimestamp,
});
export type ClusterJoinRequest = z.infer<typeof clusterJoinRequestSchema>;

export const clusterJoinOkSchema = z.object({
  action: z.literal("join"),
  status: z.literal("ok"),
  cluster_name: clusterName,
  managed_api: z.url(),
  operation_id: z.string().min(1),
  timestamp: isoTimestamp,
  /** Console addition: the request id, so the reply matches its request. */
  id: z.string().min(1).optional(),
});

export const clusterJoinErrorSchema = z.object({
  action: z.literal("join"),
  status: z.literal("error"),
  cluster_name: clusterName,
  error: z.string().min(1),
  id: z.string().min(1),
  /** Console addition: the HTTP-like status (409 = already joined) when known. */
  code: z.number().int().optional(),
});

export const clusterJoinReplySchema = z.discriminatedUnion("status", [
  clusterJoinOkSchema,
  clusterJoinErrorSchema,
]);
export type ClusterJoinReply = z.infer<typeof clusterJoinReplySchema>;

// --- Cluster usage metrics (collector -> console), one message per collection

export const clusterUsageSampleSchema = z.object({
  cluster: clusterName,
  /** Millicores. */
  cpu_usage: nonNegative,
  memory_usage: usagePercent,
  disk_usage: usagePercent,
  timestamp: looseTimestamp,
});
export const clusterMetricsSchema = z.array(clusterUsageSampleSchema);
export type ClusterMetrics = z.infer<typeof clusterMetricsSchema>;

// --- Intent-based migration (IBMC) ------------------------------------------

const ibmcAgentCommon = {
  WorkloadID: workloadId,
  SourceCluster: clusterName,
  TargetCluster: clusterName,
  /** Console addition: the persisted migration this step belongs to. */
  MigrationID: z.string().min(1).optional(),
};

/** Controller -> agent, on exchange `mo` with the agent's cluster as routing key. */
export const ibmcAgentMessageSchema = z.discriminatedUnion("Action", [
  z.object({ ...ibmcAgentCommon, Action: z.literal("backup"), BackupName: z.string().min(1).optional() }),
  // The restore must name the backup it restores (reference: <source>-<workloadId>-<yyyymmddhhmmss>).
  z.object({ ...ibmcAgentCommon, Action: z.literal("restore"), BackupName: z.string().min(1) }),
]);
export type IbmcAgentMessage = z.infer<typeof ibmcAgentMessageSchema>;

/**
 * Console addition: agent -> controller, "backup done" / "restore done" /
 * failure, so the controller can drive the next step. The reference did this
 * out of band; the deliverable does not name it.
 */
export const ibmcAgentReportSchema = z.object({
  WorkloadID: workloadId,
  MigrationID: z.string().min(1).optional(),
  Action: z.enum(["backup", "restore"]),
  Cluster: clusterName,
  Status: z.enum(["done", "failed"]),
  BackupName: z.string().min(1).optional(),
  Error: z.string().optional(),
  Timestamp: compactTimestamp,
});
export type IbmcAgentReport = z.infer<typeof ibmcAgentReportSchema>;

/** Published to `nemo.api.workload` with routing keys `update` and `intent-notify`. */
export const migrationCompletionSchema = z.object({
  Type: z.literal("migration"),
  WorkloadID: workloadId,
  SourceCluster: clusterName,
  TargetCluster: clusterName,
  Timestamp: compactTimestamp,
  MigrationID: z.string().min(1).optional(),
});
export type MigrationCompletion = z.infer<typeof migrationCompletionSchema>;

/** Console addition: an intent was created, changed or found violated (evaluator / API -> IBMC). */
export const intentNotificationSchema = z.object({
  Type: z.literal("intent"),
  IntentID: z.string().min(1),
  WorkloadID: workloadId,
  Action: z.enum(["created", "updated", "activated", "deactivated", "deleted", "violated"]),
});
export type IntentNotification = z.infer<typeof intentNotificationSchema>;

/** Console addition: an instance's lifecycle status as reported by the MO. */
export const instanceStatusUpdateSchema = z.object({
  Type: z.literal("status"),
  WorkloadID: workloadId,
  Status: z.string().min(1),
  Cluster: clusterName.optional(),
  Reason: z.string().optional(),
  Timestamp: compactTimestamp,
});
export type InstanceStatusUpdate = z.infer<typeof instanceStatusUpdateSchema>;

/** Messages on `nemo.api.workload` / `intent-notify` (queue `notify`). */
export const intentNotifySchema = z.discriminatedUnion("Type", [
  migrationCompletionSchema,
  intentNotificationSchema,
]);
export type IntentNotifyMessage = z.infer<typeof intentNotifySchema>;

/** Messages on `nemo.api.workload` / `update`. */
export const workloadUpdateSchema = z.discriminatedUnion("Type", [
  migrationCompletionSchema,
  instanceStatusUpdateSchema,
]);
export type WorkloadUpdateMessage = z.infer<typeof workloadUpdateSchema>;

/**
 * `nemo.api.workload` / `run`: deploy or re-deploy an instance. The reference
 * only shows `"status": "updating"` after the IBA patched the manifests; the
 * other fields are the console's. Extra fields are kept for the MO.
 */
export const workloadRunSchema = z.looseObject({
  workload_id: workloadId,
  status: z.string().min(1),
  cluster: clusterName.optional(),
  manifests: z.array(z.record(z.string(), z.unknown())).optional(),
});
export type WorkloadRunMessage = z.infer<typeof workloadRunSchema>;

/**
 * `nemo.api.workload` / `network-intent`: a network intent in normal form.
 * Only what routing needs is checked here; the intents module parses the rest.
 */
export const networkIntentSchema = z.looseObject({
  id: z.string().min(1),
  userLabel: z.string().min(1),
});
export type NetworkIntentMessage = z.infer<typeof networkIntentSchema>;

// --- CFDRL <-> MO (horizontal scaling) ---------------------------------------

/**
 * CFDRL -> MO on `cfdrl_mo_hs`: `workload_id` is the instance (as on every
 * workload message), `number_replicas` its new total over the release's
 * Deployments and StatefulSets.
 */
export const cfdrlScalingDecisionSchema = z.looseObject({
  cluster_name: clusterName,
  workload_id: workloadId,
  number_replicas: z.number().int().nonnegative(),
  action: z.enum(["scale_up", "scale_down", "keep"]).optional(),
  migration_target: clusterName.optional(),
  /** Console addition: the `cfdrl_decisions` row, so the reply resolves it. */
  decision_id: z
    .string()
    .regex(/^\d{1,19}$/, "expected a decision id")
    .optional(),
});
export type CfdrlScalingDecision = z.infer<typeof cfdrlScalingDecisionSchema>;

/** What became of a scaling decision at the MO (console addition). */
export const cfdrlScalingStatuses = ["applied", "dropped", "failed"] as const;

/**
 * MO -> CFDRL reply; the reference shows more fields ("…"), which are kept.
 * `number_replicas` is what the instance has after the MO acted.
 */
export const cfdrlScalingReplySchema = z.looseObject({
  cluster_name: clusterName,
  workload_id: workloadId,
  number_replicas: z.number().int().nonnegative(),
  /** Console additions: the decision answered, its outcome, why (dropped / failed) and the replicas before. */
  decision_id: z
    .string()
    .regex(/^\d{1,19}$/, "expected a decision id")
    .optional(),
  status: z.enum(cfdrlScalingStatuses).optional(),
  reason: z.string().max(1000).optional(),
  previous_replicas: z.number().int().nonnegative().optional(),
});
export type CfdrlScalingReply = z.infer<typeof cfdrlScalingReplySchema>;

// --- Network intents (mNCC / L2S-M) ------------------------------------------

/** mNCC -> IBA on exchange `mncc`, routing key and queue `mncc.ibs`. */
export const mnccNetworkMessageSchema = z.object({
  workload: workloadId,
  pod: z.object({
    labels: z.record(z.string(), z.union([z.string(), z.boolean()])),
    annotations: z.record(z.string(), z.string()),
    env: z.record(z.string(), z.string()),
  }),
});
export type MnccNetworkMessage = z.infer<typeof mnccNetworkMessageSchema>;

// --- SEE (unikernels) ----------------------------------------------------------

export const seeVerbs = ["create", "apply", "delete"] as const;
export type SeeVerb = (typeof seeVerbs)[number];

function seeRequestSchemaFor<V extends SeeVerb>(verb: V) {
  return z.object({
    verb: z.literal(verb),
    /** The Kubernetes object (unikernel pod) to create / apply / delete. */
    body: z.record(z.string(), z.unknown()),
    reply_to: z.string().min(1),
  });
}
export const seeRequestSchemas = {
  create: seeRequestSchemaFor("create"),
  apply: seeRequestSchemaFor("apply"),
  delete: seeRequestSchemaFor("delete"),
} as const;
export type SeeRequest = z.infer<(typeof seeRequestSchemas)[SeeVerb]>;

export const kubernetesStatusSchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  code: z.number().int(),
  details: z.looseObject({ kind: z.string().optional(), name: z.string().optional() }).optional(),
  message: z.string().optional(),
  reason: z.string().optional(),
  status: z.string(),
});

/**
 * Reply on `see-interface-response` (correlated by the AMQP correlation id):
 * an empty body (decoded as null) or `{}` means ok, `{ ErrStatus }` an error.
 */
export const seeReplySchema = z.union([z.null(), z.object({ ErrStatus: kubernetesStatusSchema.optional() })]);
export type SeeReply = z.infer<typeof seeReplySchema>;

/** The Kubernetes error of a SEE reply, or null when the request succeeded. */
export function seeReplyError(reply: SeeReply): z.infer<typeof kubernetesStatusSchema> | null {
  return reply?.ErrStatus ?? null;
}

// --- Accounting (moca / console -> subscribers) -----------------------------

const decimalUnits = z.string().regex(/^\d{1,20}$/, "expected a decimal number of units");

/**
 * Console addition: one MOCA ledger transaction, announced after it committed.
 * Amounts are units (1 token = 10^8) as decimal strings; `sequence` and
 * `hash` place it on the hash-chained ledger.
 */
export const accountingTransactionSchema = z.object({
  sequence: decimalUnits,
  from: z.string().min(1).max(120),
  to: z.string().min(1).max(120),
  amount: decimalUnits,
  rule: z.string().min(1).max(32),
  period_start: isoTimestamp.nullable(),
  reference: z.string().min(1).max(300),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  created_at: isoTimestamp,
});
export type AccountingTransactionEvent = z.infer<typeof accountingTransactionSchema>;
