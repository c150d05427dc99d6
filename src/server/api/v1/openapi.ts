/**
 * The OpenAPI 3.1 document of the REST API, generated from the same zod
 * schemas that validate requests (zod 4's JSON Schema output is 2020-12,
 * which is what OpenAPI 3.1 uses), so the document cannot drift from what
 * the handlers accept. Served at /api/v1/openapi.json; /api/v1/docs renders it.
 */
import { z } from "zod";
import { PAGE_SIZES } from "@/common/pagination";
import { REST_ERROR_CODES } from "@/server/api/rest";
import { CHART_ARCHIVE_LIMITS } from "@/server/workloads";
import {
  chartSummarySchema,
  chartUploadResultSchema,
  manifestSchema,
  problemSchema,
  renderOutcomeSchema,
  templateOptionsSchema,
  clusterScopedApprovalSchema,
  workloadCreateSchema,
  workloadListQuery,
  workloadPageSchema,
  workloadPatchSchema,
  workloadRowSchema,
  workloadSchema,
} from "@/server/workloads";
import { clusterComponents, clusterPaths, clusterTags } from "./cluster-openapi";
import { instanceComponents, instancePaths, instanceTags } from "./instance-openapi";
import { instanceInspectionComponents, instanceInspectionPaths } from "./instance-inspection-openapi";
import { driftComponents, driftPaths } from "./drift-openapi";
import { cfdrlComponents, cfdrlPaths, cfdrlTags } from "./cfdrl-openapi";
import { intentComponents, intentPaths, intentTags } from "./intent-openapi";
import { meSchema } from "./me";
import { migrationComponents, migrationPaths, migrationTags } from "./migration-openapi";
import { failedMessageComponents, failedMessagePaths, failedMessageTags } from "./failed-message-openapi";
import { notificationComponents, notificationPaths, notificationTags } from "./notification-openapi";
import {
  accountingPricingComponents,
  accountingPricingPaths,
  accountingPricingTags,
} from "./accounting-pricing-openapi";
import { ledgerComponents, ledgerPaths, ledgerTags } from "./ledger-openapi";
import {
  accountingBillingComponents,
  accountingBillingPaths,
  accountingBillingTags,
} from "./accounting-billing-openapi";
import { datasetComponents, datasetPaths, datasetTags } from "./dataset-openapi";
import { WORKLOAD_ID_FIELD } from "./workload";
import {
  componentSchemas,
  errorResponse,
  json,
  ref,
  withEdgeResponses,
  type JsonObject,
} from "./openapi-parts";

/** Drops what is noise in API docs: `$schema`/`$id`, ±2^53 integer bounds and the regex zod adds to date-times. */
function tidy(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(tidy);
  if (typeof schema !== "object" || schema === null) return schema;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === "$schema" || key === "$id") continue;
    if ((key === "minimum" || key === "maximum") && Math.abs(Number(value)) === Number.MAX_SAFE_INTEGER)
      continue;
    if (key === "pattern" && (schema as JsonObject).format === "date-time") continue;
    out[key] = tidy(value);
  }
  return out;
}

const successOutcome = renderOutcomeSchema.options[0];

export const errorSchema = z.object({
  error: z.enum(REST_ERROR_CODES as [string, ...string[]]).describe("Machine-readable error code."),
  message: z.string().describe("What went wrong, for a person."),
  field: z
    .string()
    .nullable()
    .optional()
    .describe("The request field the error is about, when there is one."),
  problems: z
    .array(problemSchema)
    .optional()
    .describe("Every problem of an invalid chart (file, line, message)."),
});

function components(): Record<string, unknown> {
  const out = componentSchemas([
    ["Problem", problemSchema],
    ["ChartSummary", chartSummarySchema],
    ["Workload", workloadSchema],
    ["WorkloadRow", workloadRowSchema],
    ["WorkloadPage", workloadPageSchema],
    ["ChartUploadResult", chartUploadResultSchema],
    ["Manifest", manifestSchema],
    ["TemplateResult", successOutcome],
    ["Error", errorSchema],
    ["Me", meSchema],
  ]);
  const inp = componentSchemas(
    [
      ["WorkloadCreate", workloadCreateSchema],
      ["WorkloadPatch", workloadPatchSchema],
      ["TemplateOptions", templateOptionsSchema],
      ["ClusterScopedApproval", clusterScopedApprovalSchema],
    ],
    "input",
  );
  return tidy({
    ...out,
    ...inp,
    ...instanceComponents(),
    ...instanceInspectionComponents(),
    ...driftComponents(),
    ...cfdrlComponents(),
    ...intentComponents(),
    ...migrationComponents(),
    ...failedMessageComponents(),
    ...notificationComponents(),
    ...accountingPricingComponents(),
    ...ledgerComponents(),
    ...accountingBillingComponents(),
    ...datasetComponents(),
    ...clusterComponents(),
    ChartUpload: {
      type: "object",
      required: [WORKLOAD_ID_FIELD, "file"],
      properties: {
        [WORKLOAD_ID_FIELD]: {
          type: "integer",
          minimum: 1,
          description: "The PENDING workload the chart is for.",
        },
        file: {
          type: "string",
          contentMediaType: "application/gzip",
          description: `The packaged chart (helm package → .tgz), at most ${CHART_ARCHIVE_LIMITS.maxCompressedBytes / (1024 * 1024)} MiB.`,
        },
      },
    },
  }) as Record<string, unknown>;
}

function listParameters(): JsonObject[] {
  return Object.entries(workloadListQuery.shape).map(([name, schema]) => ({
    name,
    in: "query",
    required: false,
    schema:
      name === "pageSize"
        ? { type: "integer", enum: [...PAGE_SIZES], default: 10 }
        : name === "showInactive"
          ? { type: "boolean", default: false, description: "Also list archived workloads." }
          : tidy(z.toJSONSchema(schema, { target: "draft-2020-12", io: "input" })),
  }));
}

const COMMON_ERRORS = {
  "401": errorResponse("Not signed in, or the bearer token is missing, expired or not an access token."),
  "403": errorResponse("The caller's role may not use workloads (needs nemo-admin or service-provider)."),
};
const ID_ERRORS = {
  ...COMMON_ERRORS,
  "400": errorResponse("Invalid id or body; `field` names the input."),
  "404": errorResponse("No such workload, or it belongs to another service provider."),
};

const idParameter = {
  name: "id",
  in: "path",
  required: true,
  schema: { type: "integer", minimum: 1 },
  description: "Workload id.",
};

export function openApiDocument(): JsonObject {
  return withEdgeResponses({
    openapi: "3.1.0",
    info: {
      title: "NEMO Intent-Based API",
      version: "1.0.0",
      description:
        "REST API of the NEMO Console. Authenticate with an access token from the identity provider " +
        "(`Authorization: Bearer <token>`) or the console's session cookie. Errors are JSON " +
        "`{error, message, field?}` with the HTTP status saying which kind.",
    },
    servers: [{ url: "/" }],
    security: [{ bearerAuth: [] }, { sessionCookie: [] }],
    tags: [
      { name: "workload", description: "Workload registration: name + version, Helm chart, rendering." },
      ...instanceTags,
      ...intentTags,
      ...migrationTags,
      ...failedMessageTags,
      ...notificationTags,
      ...accountingPricingTags,
      ...ledgerTags,
      ...accountingBillingTags,
      ...datasetTags,
      ...clusterTags,
      ...cfdrlTags,
      { name: "me", description: "The caller." },
    ],
    paths: {
      ...(tidy(instancePaths()) as JsonObject),
      ...(tidy(instanceInspectionPaths()) as JsonObject),
      ...(tidy(driftPaths()) as JsonObject),
      ...(tidy(cfdrlPaths()) as JsonObject),
      ...(tidy(intentPaths()) as JsonObject),
      ...(tidy(migrationPaths()) as JsonObject),
      ...(tidy(failedMessagePaths()) as JsonObject),
      ...(tidy(notificationPaths()) as JsonObject),
      ...(tidy(accountingPricingPaths()) as JsonObject),
      ...(tidy(ledgerPaths()) as JsonObject),
      ...(tidy(accountingBillingPaths()) as JsonObject),
      ...(tidy(datasetPaths()) as JsonObject),
      ...(tidy(clusterPaths()) as JsonObject),
      "/api/v1/me/": {
        get: {
          tags: ["me"],
          operationId: "getMe",
          summary: "The caller's user and roles",
          responses: {
            "200": { description: "The caller.", content: json(ref("Me")) },
            "401": COMMON_ERRORS["401"],
          },
        },
      },
      "/api/v1/workload/": {
        get: {
          tags: ["workload"],
          operationId: "listWorkloads",
          summary: "List workloads",
          description:
            "One page of registered workloads: a service provider's own, or every one for an admin. " +
            "Searches name, version, user and id.",
          parameters: listParameters(),
          responses: {
            "200": { description: "One page of workloads.", content: json(ref("WorkloadPage")) },
            "400": errorResponse("Invalid query parameter; `field` names it."),
            ...COMMON_ERRORS,
          },
        },
        post: {
          tags: ["workload"],
          operationId: "createWorkload",
          summary: "Register a workload",
          description: "Registers a workload as PENDING; upload its Helm chart to have it ACCEPTED.",
          requestBody: { required: true, content: json(ref("WorkloadCreate")) },
          responses: {
            "201": {
              description: "Registered (PENDING). `Location` is the workload's URL.",
              headers: { Location: { schema: { type: "string" } } },
              content: json(ref("Workload")),
            },
            "400": errorResponse("Invalid field; `field` names it."),
            "409": errorResponse(
              "The caller's tenant already has a workload with this name and version (`field`: version).",
            ),
            ...COMMON_ERRORS,
          },
        },
      },
      "/api/v1/workload/{id}/": {
        parameters: [idParameter],
        get: {
          tags: ["workload"],
          operationId: "getWorkload",
          summary: "Read a workload",
          responses: {
            "200": { description: "The workload.", content: json(ref("Workload")) },
            ...ID_ERRORS,
          },
        },
        put: {
          tags: ["workload"],
          operationId: "replaceWorkload",
          summary: "Replace a PENDING workload's fields",
          requestBody: { required: true, content: json(ref("WorkloadCreate")) },
          responses: {
            "200": { description: "The changed workload.", content: json(ref("Workload")) },
            ...ID_ERRORS,
            "409": errorResponse(
              "The workload is ACCEPTED (immutable: register a new version), or the name + version is taken.",
            ),
          },
        },
        patch: {
          tags: ["workload"],
          operationId: "patchWorkload",
          summary: "Change some fields of a PENDING workload",
          requestBody: { required: true, content: json(ref("WorkloadPatch")) },
          responses: {
            "200": { description: "The changed workload.", content: json(ref("Workload")) },
            ...ID_ERRORS,
            "409": errorResponse(
              "The workload is ACCEPTED (immutable: register a new version), or the name + version is taken.",
            ),
          },
        },
        delete: {
          tags: ["workload"],
          operationId: "deleteWorkload",
          summary: "Delete a PENDING workload",
          responses: {
            "204": { description: "Deleted, with its chart." },
            ...ID_ERRORS,
            "409": errorResponse("The workload is ACCEPTED and cannot be deleted."),
          },
        },
      },
      "/api/v1/workload/upload/": {
        post: {
          tags: ["workload"],
          operationId: "uploadChart",
          summary: "Upload a workload's Helm chart",
          description:
            "Uploads a packaged chart (.tgz) for a PENDING workload. The archive is extracted safely " +
            `(at most ${CHART_ARCHIVE_LIMITS.maxCompressedBytes / (1024 * 1024)} MiB compressed, ` +
            `${CHART_ARCHIVE_LIMITS.maxUncompressedBytes / (1024 * 1024)} MiB uncompressed, ` +
            `${CHART_ARCHIVE_LIMITS.maxEntries} entries; no links, devices, absolute paths or ".."), ` +
            "Chart.yaml and values are validated and the templates rendered with default values. " +
            "A valid chart makes the workload ACCEPTED; an invalid one is stored with its problems and " +
            "the workload stays PENDING (422).",
          requestBody: { required: true, content: { "multipart/form-data": { schema: ref("ChartUpload") } } },
          responses: {
            "200": {
              description: "The chart is valid; the workload is ACCEPTED.",
              content: json(ref("ChartUploadResult")),
            },
            "400": errorResponse("Not multipart, or a field is missing (`field`: workload_id or file)."),
            "404": errorResponse("No such workload, or it belongs to another service provider."),
            "409": errorResponse("The workload is ACCEPTED and immutable."),
            "413": errorResponse("The archive is over a size or entry limit."),
            "422": errorResponse(
              "The archive or chart is invalid; `message` is the first problem with file:line, `problems` all of them.",
            ),
            ...COMMON_ERRORS,
          },
        },
      },
      "/api/v1/workload/{id}/cluster-scoped-approval/": {
        parameters: [idParameter],
        put: {
          tags: ["workload"],
          operationId: "setClusterScopedApproval",
          summary: "Approve or revoke cluster-scoped resources for a workload (admins)",
          description:
            "By default a workload's charts may only create objects in their instance's namespace: " +
            "cluster-scoped kinds (ClusterRole, CRDs, webhooks, …) and other namespaces are refused when an " +
            "instance is created or deployed. An admin can approve them for one workload; every decision " +
            "is recorded in the audit log. Instances deployed afterwards follow the current decision.",
          requestBody: { required: true, content: json(ref("ClusterScopedApproval")) },
          responses: {
            "200": { description: "The workload with its approval.", content: json(ref("Workload")) },
            ...ID_ERRORS,
            "403": errorResponse("Only a NEMO admin can decide this."),
          },
        },
      },
      "/api/v1/workload/{id}/archive/": {
        parameters: [idParameter],
        post: {
          tags: ["workload"],
          operationId: "archiveWorkload",
          summary: "Archive an accepted workload",
          description:
            "Hides an ACCEPTED workload whose instances are all DELETED: lists leave it out unless " +
            "`showInactive=true`, and it takes no new instances (409) until unarchived. No request body.",
          responses: {
            "200": {
              description: "The archived workload (`archivedAt` set).",
              content: json(ref("Workload")),
            },
            ...ID_ERRORS,
            "409": errorResponse("The workload is PENDING, or some of its instances are not deleted."),
          },
        },
      },
      "/api/v1/workload/{id}/unarchive/": {
        parameters: [idParameter],
        post: {
          tags: ["workload"],
          operationId: "unarchiveWorkload",
          summary: "Unarchive a workload",
          description: "The workload is listed and takes instances again. No request body.",
          responses: {
            "200": { description: "The workload (`archivedAt` null).", content: json(ref("Workload")) },
            ...ID_ERRORS,
          },
        },
      },
      "/api/v1/workload/{id}/template/": {
        parameters: [idParameter],
        post: {
          tags: ["workload"],
          operationId: "templateWorkload",
          summary: "Render a workload's chart (helm template)",
          description: "Renders the stored chart with the given options and returns the manifests.",
          requestBody: { required: false, content: json(ref("TemplateOptions")) },
          responses: {
            "200": { description: "The rendered manifests.", content: json(ref("TemplateResult")) },
            ...ID_ERRORS,
            "409": errorResponse("The workload has no chart yet."),
            "422": errorResponse(
              "Rendering failed (template error, values override, schema); see `problems`.",
            ),
          },
        },
      },
    },
    components: {
      schemas: components(),
      securitySchemes: {
        bearerAuth: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description: "An access token issued by the console's identity provider (Keycloak realm).",
        },
        sessionCookie: {
          type: "apiKey",
          in: "cookie",
          name: "next-auth.session-token",
          description: "The console's session (sign in at /signin).",
        },
      },
    },
  });
}
