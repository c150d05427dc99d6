/**
 * The cluster part of the OpenAPI document (/api/v1/cluster/…): its paths,
 * tags and component schemas, for openapi.ts to merge as it merges the
 * instance part. The request body comes from the zod schema the domain
 * validates with; the answers are written out here as zod (the domain returns
 * plain objects), so the document lists exactly what a response may carry —
 * and that never includes the kubeconfig.
 */
import { z } from "zod";
import { PAGE_SIZES } from "@/common/pagination";
import { CLUSTER_SORT_FIELDS, METRICS_RANGES, METRICS_WINDOW_MS } from "@/server/clusters";
import type { ClusterSummary } from "@/server/clusters";
import {
  AVAILABILITY_OPTIONS,
  COST_CLASSES,
  GREEN_ENERGY_OPTIONS,
  MAX_KUBECONFIG_BYTES,
  registerClusterInputSchema,
} from "@/common/cluster-registration";
import { KUBECONFIG_FIELD } from "./cluster";
import {
  errorResponse,
  json,
  type JsonObject,
  ref,
  uuidPathParameter,
  componentSchemas,
  inputJsonSchema,
} from "./openapi-parts";
import { INSTANCE_STATUSES } from "@/common/instance-status";

const clusterStatusSchema = z
  .enum(["PENDING", "OK", "ERROR", "DEREGISTERED"])
  .describe("PENDING until the Meta-Orchestrator answers the join; OK or ERROR (with statusReason) then.");

const clusterSchema = z.object({
  id: z.uuid(),
  shortId: z.string().describe("The first 7 hex digits of the id, as tables show it."),
  name: z.string(),
  status: clusterStatusSchema,
  statusReason: z
    .string()
    .nullable()
    .describe("Why it is ERROR (or who deregistered it); null when `withheld`."),
  managedApi: z
    .string()
    .nullable()
    .describe("The cluster's API URL (sim://<name> for a simulated cluster); null when `withheld`."),
  driver: z.enum(["SIMULATED", "KUBERNETES"]),
  cpus: z.number().int(),
  memoryGb: z.number().int(),
  storageGb: z.number().int(),
  vramGb: z.number().int(),
  availabilityPct: z.number(),
  greenEnergyPct: z.number().int(),
  cost: z.enum(COST_CLASSES),
  cpuBaseRate: z.number().int().describe("Millitokens per CPU and period."),
  memoryBaseRate: z.number().int().describe("Millitokens per GB of memory and period."),
  kubeconfigContentId: z
    .string()
    .nullable()
    .describe(
      "sha256 of the kubeconfig (its content id; null once deregistered or when `withheld`). The kubeconfig itself is never returned.",
    ),
  region: z
    .string()
    .describe(
      'Where the cluster is, as registered (free text; "default" when not given). Its pricing data is the accounting region of that name.',
    ),
  gridIntensity: z
    .number()
    .int()
    .nullable()
    .describe(
      "Grid carbon intensity of the cluster's power, gCO2e/kWh (billing: energy × intensity); null when not given.",
    ),
  gridIntensityHourly: z
    .array(z.number().int())
    .describe("Empty, or 24 values (UTC hour 0 first) overriding gridIntensity hour by hour."),
  cordoned: z
    .boolean()
    .describe("Drained: placement and migrations put nothing new on it until it is uncordoned."),
  drainStartedAt: z.iso
    .datetime()
    .nullable()
    .describe("When the current drain started; null when not cordoned."),
  drainedBy: z.string().nullable().describe("Who drained it; null when not cordoned or when `withheld`."),
  owner: z.string().describe("Username of the infrastructure provider who registered it."),
  createdAt: z.iso.datetime(),
  withheld: z
    .boolean()
    .describe(
      "True when the caller neither owns the cluster nor is an admin: statusReason, managedApi and kubeconfigContentId are null.",
    ),
});

// The documented answer has exactly the fields the domain returns (a compile error otherwise).
type SameKeys<A, B> = [keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : false) : false;
const documentsEverySummaryField: SameKeys<z.infer<typeof clusterSchema>, ClusterSummary> = true;
void documentsEverySummaryField;

const clusterPageSchema = z.object({
  items: z.array(clusterSchema),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
});

const drainInstanceSchema = z.object({
  id: z.uuid(),
  shortId: z.string(),
  releaseName: z.string(),
  status: z.enum(INSTANCE_STATUSES),
  state: z
    .enum(["moved", "migrating", "stuck", "waiting", "running"])
    .describe(
      "moved: left through a migration since the drain started; migrating: a migration is in flight; " +
        "stuck: DEPLOYED here and no cluster can take it (`reason`); waiting: not DEPLOYED, so it cannot " +
        "migrate yet; running: the cluster is not being drained.",
    ),
  cluster: z
    .string()
    .nullable()
    .describe("Where it went or is going; another provider's cluster reads \"another provider's cluster\"."),
  migrationId: z.uuid().nullable(),
  reason: z
    .string()
    .nullable()
    .describe("Why it is still here (the placement's reason when nothing can take it)."),
});

const drainStatusSchema = z.object({
  clusterId: z.uuid(),
  cluster: z.string(),
  cordoned: z.boolean(),
  drainStartedAt: z.iso.datetime().nullable(),
  drainedBy: z.string().nullable(),
  total: z.number().int().describe("Instances the drain concerns: moved + remaining."),
  moved: z.number().int(),
  remaining: z.number().int().describe("Instances still on the cluster."),
  done: z.boolean().describe("Cordoned and nothing left on it: it can be deregistered."),
  instances: z.array(drainInstanceSchema).describe("Still on the cluster first, then the moved ones."),
});

const metricPointSchema = z.object({
  sampledAt: z.iso.datetime().describe("Start of the bucket (the sample's time when it holds one)."),
  cpuUsageMilli: z.number().describe("CPU in use, millicores."),
  memoryUsagePct: z.number(),
  diskUsagePct: z.number(),
  samples: z.number().int().describe("How many samples were averaged into this point."),
});

const clusterMetricsSchema = z.object({
  clusterId: z.uuid(),
  range: z.enum(METRICS_RANGES),
  from: z.iso.datetime(),
  to: z.iso.datetime(),
  bucketMs: z.number().int().describe("Width of the averaging buckets."),
  points: z.array(metricPointSchema).describe("Oldest first."),
  latest: metricPointSchema
    .omit({ samples: true })
    .nullable()
    .describe("The cluster's most recent sample, whatever the range; null before the first."),
  capacity: z.object({ cpuMilli: z.number().int() }),
  metricsPeriodMs: z.number().int().describe("How often the collector samples."),
});

/** The registration body: the domain's schema, with the choices it accepts spelled out. */
function registrationJsonSchema(): JsonObject {
  const schema = inputJsonSchema(registerClusterInputSchema);
  delete schema.$schema;
  const properties = schema.properties as Record<string, JsonObject>;
  properties.availabilityPct = { type: "number", enum: [...AVAILABILITY_OPTIONS] };
  properties.greenEnergyPct = { type: "integer", enum: [...GREEN_ENERGY_OPTIONS] };
  properties.kubeconfig = {
    type: "string",
    minLength: 1,
    description: `The kubeconfig (YAML), at most ${MAX_KUBECONFIG_BYTES / 1024} KiB. Encrypted at rest; never returned.`,
  };
  properties.managedApi = {
    ...properties.managedApi,
    format: "uri",
    examples: ["https://api.cluster.example:6443"],
  };
  return schema;
}

/** The same form as multipart: the kubeconfig as a file, the other fields as text. */
function multipartRegistrationJsonSchema(): JsonObject {
  const schema = registrationJsonSchema();
  const properties = { ...(schema.properties as Record<string, JsonObject>) };
  properties[KUBECONFIG_FIELD] = {
    type: "string",
    contentMediaType: "application/yaml",
    description: `The kubeconfig file, at most ${MAX_KUBECONFIG_BYTES / 1024} KiB.`,
  };
  return { ...schema, properties };
}

export function clusterComponents(): JsonObject {
  const out = componentSchemas([
    ["Cluster", clusterSchema],
    ["ClusterPage", clusterPageSchema],
    ["ClusterMetrics", clusterMetricsSchema],
    ["ClusterDrainStatus", drainStatusSchema],
  ]);
  return {
    ...out,
    ClusterRegistration: registrationJsonSchema(),
    ClusterRegistrationUpload: multipartRegistrationJsonSchema(),
  };
}

export const clusterTags = [
  {
    name: "cluster",
    description:
      "Resource provisioning: register Kubernetes clusters (the Meta-Orchestrator joins them), read " +
      "their capacity and usage metrics, drain (cordon and migrate everything away) and uncordon them, " +
      "deregister them.",
  },
];

const COMMON_ERRORS = {
  "401": errorResponse("Not signed in, or the bearer token is missing, expired or not an access token."),
  "403": errorResponse(
    "The caller's role may not do this (seeing clusters needs nemo-admin, infrastructure-provider or " +
      "service-provider; registering and deregistering, nemo-admin or infrastructure-provider).",
  ),
};
const ID_ERRORS = {
  ...COMMON_ERRORS,
  "404": errorResponse("No such cluster, or it belongs to another infrastructure provider."),
};
const idParameter = uuidPathParameter("Cluster id.");

function listParameters(): JsonObject[] {
  return [
    { name: "page", in: "query", required: false, schema: { type: "integer", minimum: 1, default: 1 } },
    {
      name: "pageSize",
      in: "query",
      required: false,
      schema: { type: "integer", enum: [...PAGE_SIZES], default: 10 },
    },
    {
      name: "sort",
      in: "query",
      required: false,
      schema: { type: "string", enum: [...CLUSTER_SORT_FIELDS], default: "name" },
    },
    {
      name: "direction",
      in: "query",
      required: false,
      schema: { type: "string", enum: ["asc", "desc"], default: "asc" },
    },
    {
      name: "search",
      in: "query",
      required: false,
      schema: { type: "string", maxLength: 100 },
      description: "Matches name, endpoint, owner, region, or a whole cluster id.",
    },
    {
      name: "showInactive",
      in: "query",
      required: false,
      schema: { type: "boolean", default: false },
      description: "Also list deregistered clusters (left out by default).",
    },
  ];
}

export function clusterPaths(): JsonObject {
  const minutes = (range: (typeof METRICS_RANGES)[number]) => METRICS_WINDOW_MS[range] / 60_000;
  return {
    "/api/v1/cluster/": {
      get: {
        tags: ["cluster"],
        operationId: "listClusters",
        summary: "List clusters",
        description:
          "One page of clusters: an infrastructure provider's own; every cluster for admins and (read-only) " +
          "service providers.",
        parameters: listParameters(),
        responses: {
          "200": { description: "One page of clusters.", content: json(ref("ClusterPage")) },
          "400": errorResponse("Invalid query parameter; `field` names it."),
          ...COMMON_ERRORS,
        },
      },
      post: {
        tags: ["cluster"],
        operationId: "registerCluster",
        summary: "Register a cluster",
        description:
          "Stores the cluster PENDING (kubeconfig encrypted) and asks the Meta-Orchestrator to join it; the " +
          "cluster turns OK, or ERROR with statusReason, once it answers. JSON with the kubeconfig as a " +
          `string, or multipart/form-data with a \`${KUBECONFIG_FIELD}\` file.`,
        requestBody: {
          required: true,
          content: {
            ...json(ref("ClusterRegistration")),
            "multipart/form-data": { schema: ref("ClusterRegistrationUpload") },
          },
        },
        responses: {
          "201": {
            description: "Registered, PENDING. `Location` is the cluster's URL.",
            headers: { Location: { schema: { type: "string" } } },
            content: json(ref("Cluster")),
          },
          "400": errorResponse("Invalid field; `field` names it (name, kubeconfig, availabilityPct, …)."),
          "409": errorResponse("A cluster with this name is already registered (`field`: name)."),
          "413": errorResponse("The kubeconfig is too large (`field`: kubeconfig)."),
          ...COMMON_ERRORS,
        },
      },
    },
    "/api/v1/cluster/{id}/": {
      parameters: [idParameter],
      get: {
        tags: ["cluster"],
        operationId: "getCluster",
        summary: "Read a cluster",
        responses: { "200": { description: "The cluster.", content: json(ref("Cluster")) }, ...ID_ERRORS },
      },
      delete: {
        tags: ["cluster"],
        operationId: "deregisterCluster",
        summary: "Deregister a cluster",
        description:
          "The cluster leaves the continuum (DEREGISTERED) and its kubeconfig is deleted; its name stays taken.",
        responses: {
          "200": { description: "Deregistered.", content: json(ref("Cluster")) },
          "409": errorResponse(
            "Instances still run on the cluster: drain it first (POST …/drain/), or delete them.",
          ),
          ...ID_ERRORS,
        },
      },
    },
    "/api/v1/cluster/{id}/drain/": {
      parameters: [idParameter],
      get: {
        tags: ["cluster"],
        operationId: "getClusterDrain",
        summary: "Progress of a cluster's drain",
        description:
          "How many instances moved off the cluster since the drain started, and each instance still on it " +
          "with its state and, when nothing can take it, the placement's reason. Admins and the cluster's " +
          "infrastructure provider.",
        responses: {
          "200": { description: "The drain's progress.", content: json(ref("ClusterDrainStatus")) },
          ...ID_ERRORS,
        },
      },
      post: {
        tags: ["cluster"],
        operationId: "drainCluster",
        summary: "Drain a cluster",
        description:
          "Cordons the cluster (no new placements or migrations onto it) and starts a migration away for " +
          "every DEPLOYED instance on it, through the same protocol as an intent's migration (trigger " +
          '"Cluster <name> drained by <user>"). Instances no other cluster can take stay, listed with the ' +
          "reason. Calling it again retries what is left. No request body.",
        responses: {
          "200": { description: "Cordoned; the drain's progress.", content: json(ref("ClusterDrainStatus")) },
          "409": errorResponse("The cluster is deregistered."),
          ...ID_ERRORS,
        },
      },
    },
    "/api/v1/cluster/{id}/uncordon/": {
      parameters: [idParameter],
      post: {
        tags: ["cluster"],
        operationId: "uncordonCluster",
        summary: "Uncordon a cluster",
        description:
          "The cluster takes placements again. Migrations already started carry on. No request body.",
        responses: {
          "200": { description: "Uncordoned.", content: json(ref("Cluster")) },
          ...ID_ERRORS,
        },
      },
    },
    "/api/v1/cluster/{id}/metrics/": {
      parameters: [idParameter],
      get: {
        tags: ["cluster"],
        operationId: "getClusterMetrics",
        summary: "Usage metrics of a cluster",
        description:
          `CPU, memory and disk usage samples, oldest first: \`live\` = the last ${minutes("live")} minutes, ` +
          `\`hour\`, \`day\`. Long ranges average samples into buckets (a few hundred points at most).`,
        parameters: [
          {
            name: "range",
            in: "query",
            required: false,
            schema: { type: "string", enum: [...METRICS_RANGES], default: "live" },
          },
        ],
        responses: {
          "200": { description: "The samples.", content: json(ref("ClusterMetrics")) },
          "400": errorResponse("Unknown range (`field`: range)."),
          ...ID_ERRORS,
        },
      },
    },
  };
}
