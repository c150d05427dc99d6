/**
 * The migration part of the OpenAPI document (/api/v1/migration/ and an
 * instance's migrations, migration options and "Migrate now"): its paths,
 * tags and component schemas, merged by openapi.ts. The list parameters and
 * the request body come from the zod schemas the handlers validate with; the
 * answers are written out here in zod, as the domain returns TypeScript
 * interfaces (MigrationRow, MigrationOptions).
 */
import { z } from "zod";
import { instanceStatusSchema } from "@/server/instances";
import {
  INTENT_TRIGGER_ACTIONS,
  migrationListQuery,
  migrationStateSchema,
  migrationStepSchema,
  triggerTargetSchema,
  type MigrationVerdict,
} from "@/server/cluster-migration";
import { migrateBody } from "./migration";
import {
  errorResponse,
  json,
  type JsonObject,
  listQueryParameters,
  ref,
  uuidPathParameter,
  componentSchemas,
  inputJsonSchema,
} from "./openapi-parts";

const VERDICTS = [
  "current",
  "rejected",
  "skipped",
  "eligible",
  "chosen",
] as const satisfies readonly MigrationVerdict[];

const stepSchema = migrationStepSchema.describe(
  "One step of the migration's own timeline: the state it reached, when, on which cluster.",
);

const triggerSchema = z
  .object({
    kind: z
      .enum(["intent", "request", "cfdrl"])
      .describe(
        '"intent": the migration controller; "request": Migrate now (or a cluster drain); "cfdrl": the CFDRL migration agent.',
      ),
    intentId: z
      .uuid()
      .nullable()
      .describe("The intent that triggered it; null for a request or when `detailsHidden`."),
    intentType: z.string().nullable().describe('The intent\'s type ("Availability"), when known.'),
    action: z
      .enum(INTENT_TRIGGER_ACTIONS)
      .nullable()
      .describe("What happened to the intent: created, updated, activated or violated (its report)."),
    reportId: z
      .string()
      .nullable()
      .describe("The intent's newest report when the controller acted (GET /api/v1/intent/{id}/report/)."),
    target: triggerTargetSchema
      .extend({
        observed: triggerTargetSchema.shape.observed.describe("What the source cluster offered."),
      })
      .nullable()
      .describe(
        "The intent's target the source cluster no longer met: name, condition, value, unit, observed value.",
      ),
    requestedBy: z.string().nullable().describe("Who asked (Migrate now); null for an intent."),
    summary: z
      .string()
      .describe(
        'For people: "Availability intent 3f2a1b2c…: availability needs at least 95 %, observed 90 %", "Requested by admin".',
      ),
    detailsHidden: z
      .boolean()
      .describe(
        "An infrastructure provider's view of another tenant's instance: only that an intent triggered it (summary \"Intent-triggered\").",
      ),
  })
  .describe("Why the migration started.");

const migrationRowSchema = z.object({
  id: z.uuid(),
  instanceId: z.uuid(),
  instanceShortId: z.string().describe("7-character instance id."),
  releaseName: z.string().describe("The instance's release name."),
  intentId: z
    .uuid()
    .nullable()
    .describe('The intent that triggered it; null for a "Migrate now" and when `trigger.detailsHidden`.'),
  trigger: triggerSchema
    .nullable()
    .describe("Why it started; null for rows from before that recorded neither an intent nor who asked."),
  sourceCluster: z
    .string()
    .nullable()
    .describe("Null when it is another provider's cluster the caller may not name (`sourceClusterHidden`)."),
  sourceClusterHidden: z
    .boolean()
    .describe(
      "An infrastructure provider's view of another tenant's instance: the source is another provider's cluster.",
    ),
  targetCluster: z
    .string()
    .nullable()
    .describe("Null when it is another provider's cluster the caller may not name (`targetClusterHidden`)."),
  targetClusterHidden: z
    .boolean()
    .describe(
      "An infrastructure provider's view of another tenant's instance: the target is another provider's cluster.",
    ),
  state: migrationStateSchema.describe(
    "REQUESTED → BACKING_UP → BACKED_UP → RESTORING → VERIFYING → COMPLETED, or FAILED / ROLLED_BACK.",
  ),
  reason: z
    .string()
    .nullable()
    .describe("Why it failed or was rolled back; a hidden cluster's name and endpoint are replaced."),
  backupName: z
    .string()
    .nullable()
    .describe("Named after the source cluster: null when the source is hidden."),
  steps: z.array(stepSchema).describe("The migration's timeline, oldest first."),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  requestedBy: z.string().nullable().describe('Who asked: a user name, or "ibmc-controller" for an intent.'),
  active: z.boolean().describe("Still in flight (the instance is MIGRATING)."),
  stepDeadline: z.iso.datetime().nullable().describe("When the current step times out (in flight only)."),
});

const migrationPageSchema = z.object({
  items: z.array(migrationRowSchema),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
});

const clusterEvaluationSchema = z.object({
  cluster: z.string(),
  verdict: z
    .enum(VERDICTS)
    .describe(
      "current: where the instance runs; rejected: fails an intent target or has no room; skipped: " +
        "not OK; eligible: qualifies; chosen: the recommended target.",
    ),
  reason: z.string().describe('Machine-readable: "IntentTargetNotMet", "ClusterNotReady", "Chosen", …'),
  message: z.string().describe('For people: "Cluster dev-onelab does not meet intent availability …".'),
});

const migrationOptionsSchema = z.object({
  instanceId: z.uuid(),
  status: instanceStatusSchema,
  currentCluster: z.string().nullable(),
  currentMeetsTargets: z
    .boolean()
    .describe("Whether the current cluster meets every cluster-property target of the instance's intents."),
  target: z.string().nullable().describe("The recommended cluster; null when none qualifies."),
  evaluations: z
    .array(clusterEvaluationSchema)
    .describe("The current cluster first, then every other registered cluster in name order."),
  messages: z.array(z.string()).describe("The lines the IBMC controller would log."),
  reasonIfNone: z.string().nullable().describe("Why no cluster qualifies; null when one does."),
  activeMigration: z
    .object({ id: z.uuid(), state: migrationStateSchema, targetCluster: z.string() })
    .nullable()
    .describe("The migration in flight, if any."),
  canRequest: z.boolean().describe("Whether the instance can be migrated now (DEPLOYED, nothing in flight)."),
});

/** Component schemas, as zod output (answers) and the migrate body (input). */
export function migrationComponents(): JsonObject {
  const out = componentSchemas([
    ["MigrationStep", stepSchema],
    ["MigrationTrigger", triggerSchema],
    ["MigrationRow", migrationRowSchema],
    ["MigrationPage", migrationPageSchema],
    ["MigrationClusterEvaluation", clusterEvaluationSchema],
    ["MigrationOptions", migrationOptionsSchema],
  ]);
  const request = inputJsonSchema(migrateBody);
  const properties = request.properties as Record<string, JsonObject>;
  if (properties.targetCluster) {
    properties.targetCluster.description =
      "The registered cluster to move the instance to (GET …/migration-options/ judges every one).";
  }
  return { ...out, MigrationRequest: request };
}

function listParameters(): JsonObject[] {
  return listQueryParameters(migrationListQuery.shape, {
    instanceId: { type: "string", format: "uuid", description: "Only this instance's migrations." },
    cluster: {
      type: "string",
      minLength: 1,
      maxLength: 200,
      description: "Only migrations leaving or reaching this cluster (by name).",
    },
  });
}

const UNAUTHORIZED = errorResponse(
  "Not signed in, or the bearer token is missing, expired or not an access token.",
);
const READ_ERRORS = {
  "401": UNAUTHORIZED,
  "403": errorResponse(
    "The caller's role may not see migrations (needs nemo-admin, service-provider or infrastructure-provider).",
  ),
};
const ADMIN_ERRORS = {
  "401": UNAUTHORIZED,
  "403": errorResponse("Only NEMO admins (nemo-admin) may judge targets and migrate instances."),
  "404": errorResponse("No such instance."),
};
const idParameter = uuidPathParameter("Instance id.");

export const migrationTags = [
  {
    name: "migration",
    description:
      "Intent-based migrations (IBMC) between clusters: the persisted state machine of each move, " +
      "every cluster's verdict as a target, and an admin's \"Migrate now\". An admin sees every " +
      "migration, a service provider their instances', an infrastructure provider those leaving or " +
      "reaching their clusters.",
  },
];

export function migrationPaths(): JsonObject {
  return {
    "/api/v1/migration/": {
      get: {
        tags: ["migration"],
        operationId: "listMigrations",
        summary: "List migrations",
        description:
          "One page of the migrations the caller may see, newest first by default, with their steps. " +
          "Filters by state, cluster (source or target) and instance; searches release name, short id, " +
          "clusters, backup name, reason and ids.",
        parameters: listParameters(),
        responses: {
          "200": { description: "One page of migrations.", content: json(ref("MigrationPage")) },
          "400": errorResponse("Invalid query parameter; `field` names it."),
          ...READ_ERRORS,
        },
      },
    },
    "/api/v1/instance/{id}/migrations/": {
      parameters: [idParameter],
      get: {
        tags: ["migration"],
        operationId: "instanceMigrations",
        summary: "An instance's migrations, newest first",
        description:
          "Every migration of the instance for an admin or its owner; an infrastructure provider sees " +
          "those leaving or reaching their clusters, naming only their own (the other end is null with " +
          "`…ClusterHidden`), and gets 404 for an instance that neither runs on nor migrated through one of them.",
        responses: {
          "200": {
            description: "The migrations.",
            content: json({ type: "array", items: ref("MigrationRow") }),
          },
          ...READ_ERRORS,
          "404": errorResponse(
            "No such instance, it belongs to another service provider, or (an infrastructure provider) " +
              "it neither runs on nor migrated through one of your clusters.",
          ),
        },
      },
    },
    "/api/v1/instance/{id}/migration-options/": {
      parameters: [idParameter],
      get: {
        tags: ["migration"],
        operationId: "instanceMigrationOptions",
        summary: "Every cluster judged as a migration target for the instance",
        description:
          "The target selection the IBMC controller would make now: the current cluster against the " +
          "instance's intent targets, every other cluster with its verdict and message, the recommended " +
          "one marked; and whether a migration can be requested now.",
        responses: {
          "200": { description: "The verdicts.", content: json(ref("MigrationOptions")) },
          ...ADMIN_ERRORS,
        },
      },
    },
    "/api/v1/instance/{id}/migrate/": {
      parameters: [idParameter],
      post: {
        tags: ["migration"],
        operationId: "migrateInstance",
        summary: "Migrate an instance now",
        description:
          "Starts a migration of a DEPLOYED instance to the named cluster through the same path the IBMC " +
          "controller uses: the migration is REQUESTED, the instance MIGRATING, and the source cluster's " +
          "agent is asked to back it up. Follow it at GET /api/v1/instance/{id}/migrations/.",
        requestBody: { required: true, content: json(ref("MigrationRequest")) },
        responses: {
          "202": {
            description: "Requested. `Location` is the instance's migrations.",
            headers: { Location: { schema: { type: "string" } } },
            content: json(ref("MigrationRow")),
          },
          "400": errorResponse(
            "Invalid body, or the target does not qualify: not registered, the current cluster, not OK, " +
              "no room or misses an intent target (`field`: targetCluster).",
          ),
          ...ADMIN_ERRORS,
          "409": errorResponse("The instance is not DEPLOYED, or a migration of it is in flight."),
        },
      },
    },
  };
}
