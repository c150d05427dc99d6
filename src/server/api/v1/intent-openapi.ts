/**
 * The intent part of the OpenAPI document (/api/v1/intent/…): its paths,
 * tags and component schemas, merged by openapi.ts. Request schemas come
 * from the zod schemas the handlers validate with (the form, the 3GPP normal
 * form, actions, target changes); answer schemas are written out here in zod
 * where the domain returns TypeScript interfaces.
 */
import { z } from "zod";
import {
  FeasibilityResult,
  FulfilmentStatus,
  IntentAdminState,
  NotFulfilledState,
} from "@/generated/prisma/enums";
import { CONDITIONS, INTENT_TYPE_NAMES } from "@/common/intent-catalogue";
import { changeTargetSchema, formIntentSchema, INTENT_ACTIONS, intentTemplateInput } from "@/server/intents";
import { intentSchema } from "@/server/intents";
import { intentListQuery } from "@/server/intents";
import { achievedValueSchema } from "@/server/intents";
import { conditionValueSchema } from "@/server/placement";
import { YAML_MEDIA_TYPES } from "./intent";
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

const enumOf = <T extends Record<string, string>>(values: T) =>
  z.enum(Object.values(values) as [T[keyof T], ...T[keyof T][]]);

const adminState = enumOf(IntentAdminState);
const fulfilmentStatus = enumOf(FulfilmentStatus);
const notFulfilledState = enumOf(NotFulfilledState);
const feasibility = enumOf(FeasibilityResult);

const targetSummarySchema = z.object({
  expectationId: z.string(),
  targetName: z.string(),
  targetCondition: z.string(),
  targetValueRange: conditionValueSchema.describe("A number, a text, or a [low, high] pair for ranges."),
  unit: z.string().nullable().describe("The catalogue's unit; null when unitless."),
  label: z.string(),
});

/** What to show instead of the latest report when it would mislead (issue 13: scheduled, re-evaluating). */
const displayFields = {
  reevaluating: z
    .boolean()
    .describe(
      "A target changed after the intent's last evaluation: the latest report judged the old value; the next evaluation judges the new one.",
    ),
  scheduledFrom: z.iso
    .datetime()
    .nullable()
    .describe("Active, with a validity that starts later: not evaluated before this time; null otherwise."),
};

const intentRowSchema = z.object({
  id: z.uuid(),
  externalId: z.string().nullable().describe("The id the intent's YAML gave it; null for form intents."),
  intentType: z.string(),
  typeDisplayName: z
    .string()
    .describe('The catalogue\'s display name of the type ("Green energy"), as the console shows it.'),
  instanceId: z.uuid(),
  instanceShortId: z.string(),
  releaseName: z.string(),
  adminState,
  fulfilmentStatus: fulfilmentStatus.nullable().describe("From the latest report."),
  notFulfilledState: notFulfilledState.nullable(),
  feasibility: feasibility.nullable(),
  lastUpdatedTime: z.iso.datetime().describe("When the latest report was written."),
  ...displayFields,
  targets: z.array(targetSummarySchema),
});

const intentPageSchema = z.object({
  items: z.array(intentRowSchema),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
});

const targetResultSchema = z.object({
  targetName: z.string(),
  targetCondition: z.string(),
  targetValueRange: conditionValueSchema,
  unit: z.string().nullable(),
  targetFulfilmentInfo: z.object({
    fulfilmentStatus,
    notFulfilledReason: z.string().nullable(),
  }),
  targetAchievedValue: achievedValueSchema,
});

const reportViewSchema = z
  .object({
    id: z.string().describe("Report id (a 64-bit integer, as text)."),
    intentId: z.uuid(),
    intentFulfilmentReport: z.object({
      intentFulfilmentInfo: z.object({
        fulfilmentStatus,
        notFulfilledState: notFulfilledState.nullable(),
        notFulfilledReasons: z.array(z.string()),
      }),
      expectationFulfilmentResult: z.array(
        z.object({
          expectationId: z.string(),
          expectationFulfilmentInfo: z.object({ fulfilmentStatus }),
          targetFulfilmentResult: z.array(targetResultSchema),
        }),
      ),
    }),
    intentFeasibilityCheckReport: z.object({
      feasibilityCheckResult: feasibility,
      infeasibilityReason: z.string().nullable(),
    }),
    lastUpdatedTime: z.iso.datetime(),
  })
  .describe("An intent report in the shape of 3GPP TS 28.312 IntentReport.");

const intentDetailSchema = z.object({
  id: z.uuid(),
  externalId: z.string().nullable(),
  name: z.string().describe("The intent's userLabel."),
  intentType: z.string(),
  typeDisplayName: z
    .string()
    .describe('The catalogue\'s display name of the type ("Green energy"), as the console shows it.'),
  instanceId: z.uuid(),
  instance: z.object({ shortId: z.string(), releaseName: z.string(), status: z.string() }),
  owner: z.string().describe("Username of the instance's owner."),
  adminState,
  priority: z.number().int(),
  observationPeriodS: z.number().int().describe("Seconds between two evaluations."),
  contextSelectivity: z.string().nullable(),
  validFrom: z.iso.datetime().nullable(),
  validUntil: z.iso.datetime().nullable(),
  lastFulfilment: fulfilmentStatus.nullable(),
  nextEvaluationAt: z.iso.datetime(),
  ...displayFields,
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  deletedAt: z.iso.datetime().nullable().describe("Set only in the answer to a delete."),
  hasSecrets: z
    .boolean()
    .describe(
      'Whether secret contexts (an attribute whose name, ignoring case and `-` `_` `.`, contains secret, token, password, passwd, key, credential or authorization) were stored encrypted; they read "<redacted>".',
    ),
  intent: intentSchema.nullable().describe("The normal form, secrets redacted."),
  targets: z.array(targetSummarySchema),
  latest: reportViewSchema.nullable(),
});

const intentReportSchema = z.object({
  intent: z.object({
    id: z.uuid(),
    externalId: z.string().nullable(),
    name: z.string(),
    intentType: z.string(),
    typeDisplayName: z
      .string()
      .describe('The catalogue\'s display name of the type ("Green energy"), as the console shows it.'),
    instanceId: z.uuid(),
    adminState,
    validFrom: z.iso.datetime().nullable(),
    validUntil: z.iso.datetime().nullable(),
    observationPeriodS: z.number().int(),
    ...displayFields,
    targets: z.array(targetSummarySchema),
  }),
  latest: reportViewSchema.nullable(),
  history: z
    .array(
      z.object({
        time: z.iso.datetime(),
        fulfilmentStatus,
        targets: z
          .record(z.string(), z.number().nullable())
          .describe("Achieved value per target name; null when not measured or not a number."),
      }),
    )
    .describe("The last 30 reports, oldest first."),
});

const intentTypeSchema = z.object({
  type: z.enum(INTENT_TYPE_NAMES),
  label: z.string(),
  description: z.string(),
  targets: z.array(
    z.object({
      name: z.string(),
      label: z.string(),
      valueType: z.enum(["number", "boolean"]),
      unit: z.string().nullable(),
      min: z.number().optional(),
      max: z.number().optional(),
      conditions: z.array(z.enum(CONDITIONS)),
    }),
  ),
});

const intentTemplateSchema = z.object({
  intentType: z.string(),
  intent: intentSchema,
  yaml: z.string().describe("The same intent as YAML."),
});

/** The form body as JSON Schema: no `source` (the REST handler adds it), dates as date-time strings. */
function intentFormJsonSchema(): JsonObject {
  const schema = inputJsonSchema(formIntentSchema);
  const properties = schema.properties as Record<string, JsonObject>;
  delete properties.source;
  schema.required = (schema.required as string[]).filter((key) => key !== "source");
  properties.instanceId = { type: "string", format: "uuid", description: "The workload instance." };
  properties.start = { type: "string", format: "date-time", description: "When the intent starts to apply." };
  properties.end = { type: "string", format: "date-time", description: "When it stops; after start." };
  schema.description =
    "An intent in the console form's terms. Targets are checked against the catalogue " +
    "(GET /api/v1/intent/types/): known name, accepted condition, number within the unit's bounds, " +
    '[low, high] for IS_WITHIN_RANGE / IS_OUTSIDE_RANGE, "true" / "false" for isolatedConnectivity.';
  return schema;
}

/** Component schemas, as zod output (answers) and the request bodies (input). */
export function intentComponents(): JsonObject {
  const out = componentSchemas([
    ["Intent", intentSchema],
    ["IntentTargetSummary", targetSummarySchema],
    ["IntentRow", intentRowSchema],
    ["IntentPage", intentPageSchema],
    ["IntentReportView", reportViewSchema],
    ["IntentDetail", intentDetailSchema],
    ["IntentReport", intentReportSchema],
    ["IntentType", intentTypeSchema],
    ["IntentTemplate", intentTemplateSchema],
  ]);
  const normalForm = inputJsonSchema(intentSchema);
  normalForm.description =
    "An intent in the 3GPP TS 28.312 normal form. Secret contexts " +
    "(an attribute whose name, ignoring case and `-` `_` `.`, contains secret, token, password, passwd, key, " +
    'credential or authorization: bearer_token, apiKey, X-Auth-Token, …) are stored encrypted and read back as "<redacted>".';
  return {
    ...out,
    IntentNormalForm: normalForm,
    IntentForm: intentFormJsonSchema(),
    IntentAction: inputJsonSchema(z.object({ action: z.enum(INTENT_ACTIONS) })),
    IntentTargetChange: inputJsonSchema(changeTargetSchema),
    IntentTemplateRequest: inputJsonSchema(intentTemplateInput),
  };
}

function listParameters(): JsonObject[] {
  return listQueryParameters(intentListQuery.shape, {
    instanceId: { type: "string", format: "uuid", description: "Only this instance's intents." },
  });
}

const COMMON_ERRORS = {
  "401": errorResponse("Not signed in, or the bearer token is missing, expired or not an access token."),
  "403": errorResponse("The caller's role may not use intents (needs nemo-admin or service-provider)."),
};
const ID_ERRORS = {
  ...COMMON_ERRORS,
  "404": errorResponse("No such intent, it was deleted, or it belongs to another service provider."),
};
const idParameter = uuidPathParameter("Intent id.");

export const intentTags = [
  {
    name: "intent",
    description:
      "3GPP TS 28.312 intents on workload instances: create from a form, YAML or JSON; start, suspend, " +
      "delete; change a target value; fulfilment and feasibility reports.",
  },
];

const yamlBody = Object.fromEntries(
  YAML_MEDIA_TYPES.map((type) => [
    type,
    {
      schema: {
        type: "string",
        description:
          "The intent as YAML, normal form or the expectationTarget / targetAttribute variant. The " +
          "instance is its NEMO_WORKLOAD context (or a NEMO_WORKLOAD expectation object), else `?instanceId=`.",
      },
    },
  ]),
);

export function intentPaths(): JsonObject {
  return {
    "/api/v1/intent/": {
      get: {
        tags: ["intent"],
        operationId: "listIntents",
        summary: "List intents",
        description:
          "One page of intents (deleted ones excluded): a service provider's own, or every one for an admin, " +
          "with the latest report's fulfilment, not-fulfilled state and feasibility. Searches intent type, " +
          "external id, release name, instance short id and ids; filters by instance.",
        parameters: listParameters(),
        responses: {
          "200": { description: "One page of intents.", content: json(ref("IntentPage")) },
          "400": errorResponse("Invalid query parameter; `field` names it."),
          ...COMMON_ERRORS,
        },
      },
      post: {
        tags: ["intent"],
        operationId: "createIntent",
        summary: "Create an intent",
        description:
          "Creates an intent on one of the caller's instances (not one being deleted). JSON bodies: the form " +
          "(`IntentForm`), the normal form itself (`IntentNormalForm`, optionally with `instanceId`), or " +
          "`{intent, instanceId?}`; YAML bodies with a YAML media type. The intent gets an ACKNOWLEDGED " +
          "report, is evaluated within a second and announced on `intent-notify` (created).",
        parameters: [
          {
            name: "instanceId",
            in: "query",
            required: false,
            schema: { type: "string", format: "uuid" },
            description: "The instance, for a YAML or JSON intent that does not name it.",
          },
          {
            name: "replace",
            in: "query",
            required: false,
            schema: { type: "string", enum: ["true", "false"] },
            description:
              "For a YAML or JSON intent whose `id` names one of the tenant's intents (an exported intent " +
              "imported back): `true` updates that intent in place (same id, reports kept, evaluated again " +
              "now; 200) instead of answering 409.",
          },
        ],
        requestBody: {
          required: true,
          content: {
            "application/json": {
              schema: {
                oneOf: [
                  ref("IntentForm"),
                  ref("IntentNormalForm"),
                  {
                    type: "object",
                    required: ["intent"],
                    properties: {
                      intent: ref("IntentNormalForm"),
                      instanceId: { type: "string", format: "uuid" },
                    },
                  },
                ],
              },
            },
            ...yamlBody,
          },
        },
        responses: {
          "200": {
            description: "Replaced (`?replace=true`): the intent the document's id names, updated in place.",
            content: json(ref("IntentDetail")),
          },
          "201": {
            description: "Created. `Location` is the intent's URL.",
            headers: { Location: { schema: { type: "string" } } },
            content: json(ref("IntentDetail")),
          },
          "400": errorResponse(
            "Invalid field (`field`: targets.0.targetValue, instanceId, …); an invalid YAML or normal form " +
              "lists every problem in `problems` with field and (YAML) line; an intent type the instance's " +
              "workload does not list in its Supported Intents (`field`: intentType, or userLabel for YAML/JSON).",
          ),
          "404": errorResponse(
            "No such instance, or it belongs to another service provider (`field`: instanceId).",
          ),
          "409": errorResponse(
            "An intent with this id exists (`field`: id; `?replace=true` updates it), a replace names an intent " +
              "of another instance, or the instance is being deleted (`field`: instanceId).",
          ),
          "413": errorResponse("The body is larger than 1 MiB."),
          ...COMMON_ERRORS,
        },
      },
    },
    "/api/v1/intent/types/": {
      get: {
        tags: ["intent"],
        operationId: "intentTypes",
        summary: "The intent catalogue",
        description: "Intent types with their targets, units, bounds and accepted conditions.",
        responses: {
          "200": {
            description: "The intent types.",
            content: json({ type: "array", items: ref("IntentType") }),
          },
          ...COMMON_ERRORS,
        },
      },
    },
    "/api/v1/intent/template/": {
      post: {
        tags: ["intent"],
        operationId: "intentTemplate",
        summary: "A ready-to-edit intent for an instance",
        description:
          "The intent type's first target with a sample condition and value, and the NEMO_WORKLOAD context, " +
          "as JSON and YAML. Without `intentType`: the first type the instance's workload supports.",
        requestBody: { required: true, content: json(ref("IntentTemplateRequest")) },
        responses: {
          "200": { description: "The template.", content: json(ref("IntentTemplate")) },
          "400": errorResponse("Unknown intent type (`field`: intentType)."),
          "404": errorResponse("No such instance (`field`: instanceId)."),
          "409": errorResponse("The instance is being deleted."),
          ...COMMON_ERRORS,
        },
      },
    },
    "/api/v1/intent/{id}/": {
      parameters: [idParameter],
      get: {
        tags: ["intent"],
        operationId: "getIntent",
        summary: "Read an intent",
        description: "The intent in normal form (secrets redacted) with its latest report.",
        responses: {
          "200": { description: "The intent.", content: json(ref("IntentDetail")) },
          ...ID_ERRORS,
        },
      },
    },
    "/api/v1/intent/{id}/action/": {
      parameters: [idParameter],
      put: {
        tags: ["intent"],
        operationId: "intentAction",
        summary: "Start, suspend or delete an intent",
        description:
          "start: ACTIVATED, evaluated again now. suspend: DEACTIVATED, report SUSPENDED. delete: the intent " +
          "leaves every list, report TERMINATED. Each is announced on `intent-notify`.",
        requestBody: { required: true, content: json(ref("IntentAction")) },
        responses: {
          "200": { description: "The intent after the action.", content: json(ref("IntentDetail")) },
          "400": errorResponse("Unknown action (`field`: action)."),
          ...ID_ERRORS,
          "409": errorResponse("Starting an active intent or suspending a suspended one."),
        },
      },
    },
    "/api/v1/intent/{id}/target/": {
      parameters: [idParameter],
      put: {
        tags: ["intent"],
        operationId: "changeIntentTarget",
        summary: "Change a target value",
        description:
          "A new value (and optionally condition) for one target, checked against the catalogue; the " +
          "intent is evaluated again within a second. Name `expectationId` when the target name repeats.",
        requestBody: { required: true, content: json(ref("IntentTargetChange")) },
        responses: {
          "200": { description: "The changed intent.", content: json(ref("IntentDetail")) },
          "400": errorResponse(
            "Invalid value, condition or unknown target (`field`: targetValue, targetCondition, targetName, expectationId).",
          ),
          ...ID_ERRORS,
          "409": errorResponse("The intent predates the normal form and cannot be changed."),
        },
      },
    },
    "/api/v1/intent/{id}/report/": {
      parameters: [idParameter],
      get: {
        tags: ["intent"],
        operationId: "intentReport",
        summary: "The intent's fulfilment report and history",
        description:
          "The latest report in the 3GPP IntentReport shape (fulfilment per intent, expectation and target; " +
          "feasibility) and the achieved values of the last 30 reports.",
        responses: {
          "200": { description: "The report.", content: json(ref("IntentReport")) },
          ...ID_ERRORS,
        },
      },
    },
    "/api/v1/intent/{id}/yaml/": {
      parameters: [idParameter],
      get: {
        tags: ["intent"],
        operationId: "exportIntentYaml",
        summary: "Export an intent as YAML",
        description:
          "The intent in normal form as YAML, as a download (`intent-<id>.yaml`): what a YAML import " +
          'reads back. Secret contexts (bearer_token, apiKey, client_secret, … — any attribute named like a secret) read "<redacted>".',
        responses: {
          "200": {
            description: "The intent as YAML.",
            headers: {
              "Content-Disposition": {
                schema: { type: "string" },
                description: 'attachment; filename="intent-<id>.yaml"',
              },
            },
            content: {
              "text/yaml": {
                schema: { type: "string", description: "The intent in normal form, secrets redacted." },
              },
            },
          },
          ...ID_ERRORS,
          "409": errorResponse("The intent predates the normal form and has no YAML to export."),
        },
      },
    },
  };
}
