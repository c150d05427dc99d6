/**
 * The instance part of the OpenAPI document (/api/v1/instance/…): its paths,
 * tags and component schemas, merged by openapi.ts. Request schemas come
 * from the zod schemas the handlers validate with; answer schemas from the
 * driver's and list's zod schemas where they exist, written out here where
 * the domain returns Prisma rows.
 */
import { z } from "zod";
import { deploymentTreeSchema } from "@/server/clusters";
import { INTENT_TYPE_NAMES } from "@/common/intent-catalogue";
import {
  createInstanceInputSchema,
  instanceChangeInputSchema,
  instanceListQuery,
  instanceRowSchema,
  instanceStatusSchema,
} from "@/server/instances";
import { LIFECYCLE_EVENT_TYPES } from "@/server/instances";
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

const instanceSchema = z.object({
  id: z.uuid(),
  shortId: z.string().describe("7-character instance id; the namespace is `<releaseName>-<shortId>`."),
  releaseName: z.string(),
  workloadId: z.number().int(),
  namespace: z.string(),
  status: instanceStatusSchema,
  statusReason: z.string().nullable().describe("Why it FAILED, when it did."),
  proposedCluster: z
    .string()
    .nullable()
    .describe("The cluster the user proposed, if any: a preference unless `pinProposedCluster`."),
  pinProposedCluster: z
    .boolean()
    .describe(
      "Only the proposed cluster may take the instance (the ProposedCluster filter); false: the proposal is a preference (the PreferredCluster prioritizer).",
    ),
  valuesOverride: z
    .string()
    .nullable()
    .describe(
      'Values override as YAML; the value of every key named like a secret (secret, token, password, key, credential, authorization; case and `-` `_` `.` ignored) reads "<redacted>" unless the owner asked for `reveal=secrets`.',
    ),
  canRevealSecrets: z
    .boolean()
    .describe("Whether the caller owns the instance and so may ask for its secrets with `reveal=secrets`."),
  includeCrds: z.boolean(),
  isUpgrade: z.boolean(),
  noHooks: z.boolean(),
  replicas: z
    .number()
    .int()
    .describe(
      "Desired replicas: `spec.replicas` of the rendered Deployments and StatefulSets, summed (absent counts 1, as Kubernetes defaults it).",
    ),
  readyReplicas: z
    .number()
    .int()
    .nullable()
    .optional()
    .describe(
      "Ready replicas from the cluster's live state (GET only); null while the instance is not DEPLOYED or its cluster does not answer.",
    ),
  workloadReplicas: z
    .array(
      z.object({
        kind: z.enum(["Deployment", "StatefulSet"]),
        name: z.string(),
        desired: z.number().int(),
        ready: z.number().int().nullable(),
      }),
    )
    .optional()
    .describe("Desired and ready replicas per Deployment / StatefulSet (GET only)."),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  cluster: z
    .object({ id: z.uuid(), name: z.string() })
    .nullable()
    .describe("Where it runs; null until placed."),
  workload: z.object({ name: z.string(), version: z.string() }),
  owner: z.object({ username: z.string() }),
  placement: z
    .object({
      requests: z.object({ cpuMillicores: z.number(), memoryBytes: z.number(), gpus: z.number() }),
      decision: z.lazy(() => placementDecisionSchema),
    })
    .nullable()
    .optional()
    .describe("The orchestrator's decision (GET only); null until placed."),
});

const createdInstanceSchema = instanceSchema.extend({
  intents: z
    .array(
      z.object({
        id: z.uuid().describe("The intent's id: GET /api/v1/intent/{id}/."),
        intentType: z.string(),
      }),
    )
    .describe("The intents created from the `intent` template (empty without one)."),
});

const diffLineSchema = z.object({
  op: z.enum(["same", "added", "removed"]),
  text: z.string(),
});

const changePreviewSchema = z.object({
  changed: z.boolean().describe("False when the new manifests equal the current ones: nothing is applied."),
  upgrade: z.boolean().describe("Re-rendered (new values and / or version) with Is Upgrade."),
  valuesChanged: z.boolean(),
  from: z.object({ workloadId: z.number().int(), version: z.string() }),
  to: z.object({ workloadId: z.number().int(), version: z.string() }),
  replicas: z.array(
    z.object({ kind: z.enum(["Deployment", "StatefulSet"]), name: z.string(), replicas: z.number().int() }),
  ),
  diff: z.object({
    objects: z
      .array(
        z.object({
          kind: z.string(),
          name: z.string(),
          change: z.enum(["added", "removed", "changed"]),
          secret: z.boolean(),
          secretValuesChanged: z
            .boolean()
            .describe('A Secret whose values differ; they read "<redacted>" on both sides of the diff.'),
          added: z.number().int().describe("Lines added."),
          removed: z.number().int().describe("Lines removed."),
          lines: z.array(diffLineSchema).describe("The object's line diff, in order."),
        }),
      )
      .describe("Every object added, removed or changed, by kind and name."),
    unchanged: z.number().int().describe("Objects the change leaves as they are."),
  }),
});

const changeResultSchema = changePreviewSchema.extend({ instance: instanceSchema });

const instancePageSchema = z.object({
  items: z.array(instanceRowSchema),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
});

const lifecycleEventSchema = z.object({
  id: z.string().describe("Event id (a 64-bit integer, as text)."),
  type: z.enum(LIFECYCLE_EVENT_TYPES),
  message: z.string().describe('For people: "Deployment on cluster staging-onelab".'),
  detail: z.record(z.string(), z.unknown()).nullable(),
  occurredAt: z.iso.datetime(),
});

const filteredClusterSchema = z.object({
  cluster: z.string(),
  plugin: z.string().describe("The filter that rejected it: Availability, GreenEnergy, Resources, …"),
  code: z.enum(["Warning", "Error", "Misconfigured"]),
  reason: z.string().describe('Machine-readable: "IntentTargetNotMet", "InsufficientCpu", …'),
  message: z.string(),
});

const placementDecisionSchema = z.object({
  instanceId: z.string().nullable(),
  winner: z.string().nullable().describe("The chosen cluster; null when none can take the instance."),
  winnerId: z.string().nullable(),
  feasible: z.boolean(),
  requests: z.object({ cpuMillicores: z.number(), memoryBytes: z.number(), gpus: z.number() }),
  currentCluster: z.string().nullable(),
  weights: z.record(z.string(), z.number()).describe("Prioritizer weights, −10..10."),
  ignoredTargets: z.array(
    z.object({
      intentType: z.string(),
      targetName: z.string(),
      reason: z.literal("NotAPlacementConstraint"),
      message: z.string(),
    }),
  ),
  proposal: z
    .object({
      cluster: z.string(),
      pinned: z
        .boolean()
        .optional()
        .describe("A hard requirement (pinned); false: a preference that passed the filters or not."),
      accepted: z.boolean(),
      plugin: z.string().nullable().optional(),
      reason: z.string().optional(),
      message: z.string().optional(),
    })
    .nullable(),
  filtered: z
    .array(filteredClusterSchema)
    .describe("Every rejected cluster, with the first filter that said no."),
  scores: z
    .array(
      z.object({
        cluster: z.string(),
        total: z.number().describe("Σ weight × score."),
        perPrioritizer: z.record(z.string(), z.number()).describe("Unweighted scores, −100..100."),
      }),
    )
    .describe("Clusters that passed the filters, best first."),
  reasonIfNone: z.string().nullable(),
  prioritizers: z
    .array(
      z.object({
        name: z.string().describe("LeastAllocatedCpu, GreenEnergy, PreferredCluster, …"),
        weight: z.number().describe("Its weight in this decision."),
        description: z
          .string()
          .nullable()
          .describe("What it rewards, in one line; null for a prioritizer the product no longer has."),
      }),
    )
    .describe('Every prioritizer the decision weighed, with a one-line explanation ("Why this cluster?").'),
});

/** The create body as JSON Schema: dates as date-time strings and the catalogue's intent types. */
function instanceCreateJsonSchema(): JsonObject {
  const schema = inputJsonSchema(createInstanceInputSchema);
  const properties = schema.properties as Record<string, JsonObject>;
  const intent = properties.intent;
  const intentProperties = intent?.properties as Record<string, JsonObject> | undefined;
  if (intentProperties) {
    intentProperties.intentType = { type: "string", enum: [...INTENT_TYPE_NAMES] };
    intentProperties.start = {
      type: "string",
      format: "date-time",
      description: "When the intent starts to apply.",
    };
    intentProperties.end = {
      type: "string",
      format: "date-time",
      description: "When it stops; after start.",
    };
  }
  if (properties.clusterName) {
    properties.clusterName.description =
      "Proposed cluster: a preference (chosen when it meets the intents and has room) unless `pinProposedCluster`.";
  }
  if (properties.valuesOverride) {
    properties.valuesOverride.description = "Values override as YAML, merged over the chart's values.yaml.";
  }
  return schema;
}

/** Component schemas, as zod output (answers) and the create body (input). */
export function instanceComponents(): JsonObject {
  const out = componentSchemas([
    ["Instance", instanceSchema],
    ["CreatedInstance", createdInstanceSchema],
    ["InstanceChangePreview", changePreviewSchema],
    ["InstanceChangeResult", changeResultSchema],
    ["InstanceRow", instanceRowSchema],
    ["InstancePage", instancePageSchema],
    ["LifecycleEvent", lifecycleEventSchema],
    ["PlacementDecision", placementDecisionSchema],
    ["DeploymentTree", deploymentTreeSchema],
  ]);
  return {
    ...out,
    InstanceCreate: instanceCreateJsonSchema(),
    InstanceChange: inputJsonSchema(instanceChangeInputSchema),
  };
}

function listParameters(): JsonObject[] {
  return listQueryParameters(instanceListQuery.shape, {
    workloadId: { type: "integer", minimum: 1, description: "Only this workload's instances." },
    showInactive: {
      type: "boolean",
      default: false,
      description:
        "Also list DELETED instances (left out by default, unless `status=DELETED` asks for them).",
    },
  });
}

const COMMON_ERRORS = {
  "401": errorResponse("Not signed in, or the bearer token is missing, expired or not an access token."),
  "403": errorResponse("The caller's role may not use instances (needs nemo-admin or service-provider)."),
};
const ID_ERRORS = {
  ...COMMON_ERRORS,
  "404": errorResponse("No such instance, or it belongs to another service provider."),
};
const idParameter = uuidPathParameter("Instance id.");
const revealParameter = {
  name: "reveal",
  in: "query",
  required: false,
  schema: { type: "string", enum: ["secrets"] },
  description:
    "`secrets`: show the values override and the data / stringData of Secret manifests in clear. Only the " +
    "instance's owner may ask (an admin gets 403 and reads them redacted); every reveal is recorded in the " +
    'audit log. Without it those values read "<redacted>".',
};
const REVEAL_ERRORS = {
  ...ID_ERRORS,
  "403": errorResponse(
    "The caller's role may not use instances, or `reveal=secrets` was asked by someone other than the owner.",
  ),
  "400": errorResponse('`reveal` has a value other than "secrets" (`field`: reveal).'),
};

export const instanceTags = [
  {
    name: "instance",
    description:
      "Workload instances: render a workload's chart with options and intents, placement by the " +
      "Meta-Orchestrator, deployment, timeline, resource tree and deletion.",
  },
];

export function instancePaths(): JsonObject {
  return {
    "/api/v1/instance/": {
      get: {
        tags: ["instance"],
        operationId: "listInstances",
        summary: "List workload instances",
        description:
          "One page of instances: a service provider's own, or every one for an admin. Searches release " +
          "name, short id, cluster, workload name, id and workload id; filters by status and workload.",
        parameters: listParameters(),
        responses: {
          "200": { description: "One page of instances.", content: json(ref("InstancePage")) },
          "400": errorResponse("Invalid query parameter; `field` names it."),
          ...COMMON_ERRORS,
        },
      },
      post: {
        tags: ["instance"],
        operationId: "createInstance",
        summary: "Create a workload instance",
        description:
          "Renders the ACCEPTED workload's chart with the options and stores the instance RENDERED, with " +
          "its intent when a template is given. The orchestrator then places it on a cluster that meets " +
          "the intents and deploys it (DEPLOYED), or marks it FAILED with the reason.",
        requestBody: { required: true, content: json(ref("InstanceCreate")) },
        responses: {
          "201": {
            description: "Rendered. `Location` is the instance's URL; `intents` the intents it created.",
            headers: { Location: { schema: { type: "string" } } },
            content: json(ref("CreatedInstance")),
          },
          "400": errorResponse(
            "Invalid field (`field`: releaseName, valuesOverride, intent.targets.0.targetValue, …).",
          ),
          "404": errorResponse(
            "No such workload, or it belongs to another service provider (`field`: workloadId).",
          ),
          "409": errorResponse("The workload is not ACCEPTED yet (`field`: workloadId)."),
          "422": errorResponse("The chart does not render with these options; `problems` has file and line."),
          ...COMMON_ERRORS,
        },
      },
    },
    "/api/v1/instance/{id}/": {
      parameters: [idParameter],
      get: {
        tags: ["instance"],
        operationId: "getInstance",
        summary: "Read a workload instance",
        description:
          'Secret values of the values override read "<redacted>" unless the owner asks `reveal=secrets`.',
        parameters: [revealParameter],
        responses: {
          "200": { description: "The instance.", content: json(ref("Instance")) },
          ...REVEAL_ERRORS,
        },
      },
      patch: {
        tags: ["instance"],
        operationId: "changeInstance",
        summary: "Change a running instance: upgrade (values, version) and / or scale by hand",
        description:
          "A DEPLOYED instance gets a new values override and / or another ACCEPTED version of the same " +
          "workload (re-rendered with Is Upgrade), and / or replicas set by hand per Deployment / StatefulSet. " +
          "The answer carries the manifest diff per object. The new manifests are stored and the instance is " +
          "DEPLOYING until the orchestrator applied them on its cluster (then DEPLOYED; the timeline records an " +
          "Upgrade or Scaling event). `dryRun=true` answers the diff and changes nothing.",
        parameters: [
          {
            name: "dryRun",
            in: "query",
            required: false,
            schema: { type: "string", enum: ["true", "false"] },
            description:
              "`true`: answer what the change would do (200, its diff); nothing is stored or applied.",
          },
        ],
        requestBody: { required: true, content: json(ref("InstanceChange")) },
        responses: {
          "202": {
            description: "Change stored; the orchestrator applies it.",
            content: json(ref("InstanceChangeResult")),
          },
          "200": {
            description:
              "`dryRun=true`: the diff (InstanceChangePreview). Otherwise the change changes nothing (`changed: false`).",
            content: json(ref("InstanceChangeResult")),
          },
          "400": errorResponse(
            "Invalid field (`field`: valuesOverride, workloadId, replicas.0.replicas, replicas.0.name, …).",
          ),
          ...ID_ERRORS,
          "404": errorResponse(
            "No such instance or workload version, or it belongs to another service provider (`field`: workloadId for the version).",
          ),
          "409": errorResponse("The instance is not DEPLOYED, or the workload version is not ACCEPTED."),
          "422": errorResponse("The chart does not render with these options; `problems` has file and line."),
        },
      },
      delete: {
        tags: ["instance"],
        operationId: "deleteInstance",
        summary: "Delete a workload instance",
        description:
          "Marks the instance DELETING; the orchestrator removes it from its cluster and marks it DELETED. " +
          "Deleting a DELETING or DELETED instance changes nothing.",
        responses: {
          "202": { description: "Deletion requested.", content: json(ref("Instance")) },
          ...ID_ERRORS,
          "409": errorResponse("The instance is being deployed or migrated; try again when it settles."),
        },
      },
    },
    "/api/v1/instance/{id}/retry/": {
      parameters: [idParameter],
      post: {
        tags: ["instance"],
        operationId: "retryInstance",
        summary: "Retry a FAILED instance",
        description:
          "Back to RENDERED: the orchestrator places it again over the clusters as they are now and deploys " +
          "it (what a failed attempt left on another cluster is removed there). The timeline records a Retry event.",
        responses: {
          "202": { description: "Retry requested.", content: json(ref("Instance")) },
          ...ID_ERRORS,
          "409": errorResponse("Only a FAILED instance can be retried."),
        },
      },
    },
    "/api/v1/instance/{id}/timeline/": {
      parameters: [idParameter],
      get: {
        tags: ["instance"],
        operationId: "instanceTimeline",
        summary: "Lifecycle events of an instance, newest first",
        responses: {
          "200": {
            description: "The events.",
            content: json({ type: "array", items: ref("LifecycleEvent") }),
          },
          ...ID_ERRORS,
        },
      },
    },
    "/api/v1/instance/{id}/manifests/": {
      parameters: [idParameter],
      get: {
        tags: ["instance"],
        operationId: "instanceManifests",
        summary: "The manifests the instance was rendered with",
        description:
          'The data and stringData values of `Secret` documents read "<redacted>" unless the owner asks `reveal=secrets`.',
        parameters: [revealParameter],
        responses: {
          "200": {
            description: "The rendered documents.",
            content: json({ type: "array", items: ref("Manifest") }),
          },
          ...REVEAL_ERRORS,
        },
      },
    },
    "/api/v1/instance/{id}/tree/": {
      parameters: [idParameter],
      get: {
        tags: ["instance"],
        operationId: "instanceTree",
        summary: "The live resource tree (Deployment → ReplicaSets → Pods)",
        description: "Read from the instance's cluster. An unreachable cluster answers `reachable: false`.",
        responses: {
          "200": { description: "The tree.", content: json(ref("DeploymentTree")) },
          ...ID_ERRORS,
          "409": errorResponse("The instance is not deployed on a cluster (yet, or any more)."),
        },
      },
    },
    "/api/v1/instance/{id}/placement/": {
      parameters: [idParameter],
      get: {
        tags: ["instance"],
        operationId: "instancePlacement",
        summary: "Why this cluster: the stored placement explanation",
        description:
          "The orchestrator's decision: the winner with per-prioritizer scores, every rejected cluster " +
          "with the filter that rejected it, intent targets that are not placement constraints.",
        responses: {
          "200": { description: "The decision.", content: json(ref("PlacementDecision")) },
          ...ID_ERRORS,
          "404": errorResponse("No such instance, or the orchestrator has not placed it yet."),
        },
      },
    },
    "/api/v1/instance/{id}/placement/dry-run/": {
      parameters: [idParameter],
      post: {
        tags: ["instance"],
        operationId: "instancePlacementDryRun",
        summary: "Where the instance would be placed now, without moving it",
        responses: {
          "200": {
            description: "The decision over the clusters as they are now.",
            content: json(ref("PlacementDecision")),
          },
          ...ID_ERRORS,
        },
      },
    },
  };
}
