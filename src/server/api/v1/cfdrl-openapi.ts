/**
 * The CFDRL part of the OpenAPI document (/api/v1/cfdrl/… and
 * /api/v1/instance/{id}/cfdrl/), merged by openapi.ts. Request bodies and
 * query parameters come from the handlers' own zod schemas.
 */
import { z } from "zod";
import { CFDRL_AGENTS, CFDRL_MAX_REPLICAS, CFDRL_OUTCOMES } from "@/common/cfdrl";
import { cfdrlRollbackSchema, cfdrlSettingsUpdateSchema, CFDRL_LOSS_POINTS } from "@/server/rl";
import { cfdrlDecisionQuery, cfdrlModelQuery } from "./cfdrl";
import {
  componentSchemas,
  errorResponse,
  json,
  listQueryParameters,
  ref,
  uuidPathParameter,
  type JsonObject,
} from "./openapi-parts";

export const cfdrlTags = [
  {
    name: "cfdrl",
    description:
      "CFDRL: deep-Q-network agents that scale instances (and move them between clusters), their decisions, " +
      "status, saved models and each instance's enable switches.",
  },
];

const agent = z.enum(CFDRL_AGENTS);

const settingsSchema = z.object({
  instanceId: z.uuid(),
  scalingEnabled: z.boolean().describe("The scaling agent scales the instance (off by default)."),
  migrationEnabled: z.boolean().describe("The migration agent may move the instance (off by default)."),
  minReplicas: z
    .number()
    .int()
    .min(0)
    .max(CFDRL_MAX_REPLICAS)
    .describe("Scaling never goes below (default 1)."),
  maxReplicas: z
    .number()
    .int()
    .min(0)
    .max(CFDRL_MAX_REPLICAS)
    .describe("Scaling never goes above (default 10)."),
  updatedAt: z.iso.datetime().nullable().describe("Null while the instance has the defaults."),
  updatedBy: z.string().nullable(),
  instanceStatus: z.string().describe("The agents act only while the instance is DEPLOYED."),
});

const decisionSchema = z.object({
  id: z.string().describe("Decision id (a decimal string)."),
  instanceId: z.uuid(),
  releaseName: z.string(),
  shortId: z.string(),
  agent,
  decidedAt: z.iso.datetime(),
  state: z
    .record(z.string(), z.unknown())
    .describe(
      "The observation: replicas, min/max, cpuMillicoresPerPod vs cpuTargetMillicores, memoryMiBPerPod vs " +
        "memoryTargetMiB, latencyP95Ms vs latencySloMs, requestRate (the migration agent adds the clusters).",
    ),
  stateSummary: z.string().describe("The observation in one line."),
  action: z.string().describe("scale_down | keep | scale_up, or stay | move."),
  fromReplicas: z.number().int().nullable(),
  toReplicas: z.number().int().nullable(),
  targetCluster: z.string().nullable().describe("Where the migration agent moves the instance."),
  reward: z.number().describe("The reward of the observed state (the documented formula of src/server/rl)."),
  modelVersion: z.number().int().nullable(),
  epsilon: z.number().nullable().describe("The exploration rate when it decided."),
  outcome: z
    .enum(CFDRL_OUTCOMES)
    .describe("pending: sent, waiting for the MO; applied; dropped (see outcomeReason); failed."),
  outcomeReason: z.string().nullable(),
  resolvedAt: z.iso.datetime().nullable(),
});

const decisionPageSchema = z.object({
  items: z.array(decisionSchema),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
});

const modelSchema = z.object({
  agent,
  version: z.number().int(),
  trainingSteps: z.number().int(),
  epsilon: z.number(),
  loss: z.number().nullable(),
  active: z.boolean().describe("The version the agent decides with (one per agent)."),
  createdBy: z.string().nullable(),
  createdAt: z.iso.datetime(),
});

const agentStatusSchema = z.object({
  agent,
  epsilon: z.number().nullable().describe("The exploration rate now; null before any training or model."),
  bufferSize: z.number().int().describe("Transitions in the persisted replay buffer."),
  activeModel: modelSchema.nullable(),
  trainingSteps: z.number().int(),
  lastTrainedAt: z.iso.datetime().nullable(),
  lossCurve: z
    .array(z.object({ step: z.number().int(), loss: z.number(), epsilon: z.number() }))
    .describe(`The training loss, at most ${CFDRL_LOSS_POINTS} points (each the mean of a slice of steps).`),
  lastDecisionAt: z.iso.datetime().nullable(),
});

export function cfdrlComponents(): JsonObject {
  return {
    ...componentSchemas([
      ["CfdrlSettings", settingsSchema],
      ["CfdrlDecision", decisionSchema],
      ["CfdrlDecisionPage", decisionPageSchema],
      ["CfdrlModel", modelSchema],
      ["CfdrlModelList", z.object({ items: z.array(modelSchema) })],
      ["CfdrlAgentStatus", agentStatusSchema],
      ["CfdrlStatus", z.object({ agents: z.array(agentStatusSchema) })],
    ]),
    ...componentSchemas(
      [
        ["CfdrlSettingsUpdate", cfdrlSettingsUpdateSchema],
        ["CfdrlRollback", cfdrlRollbackSchema],
      ],
      "input",
    ),
  };
}

const UNAUTHENTICATED = errorResponse(
  "Not signed in, or the bearer token is missing, expired or not an access token.",
);
const INSTANCE_ERRORS = {
  "401": UNAUTHENTICATED,
  "403": errorResponse("The caller's role may not use instances (needs nemo-admin or service-provider)."),
  "404": errorResponse("No such instance, or it belongs to another service provider."),
};

export function cfdrlPaths(): JsonObject {
  return {
    "/api/v1/cfdrl/decisions/": {
      get: {
        tags: ["cfdrl"],
        operationId: "listCfdrlDecisions",
        summary: "CFDRL decisions, newest first",
        description:
          "The agents' decisions on the caller's instances (admins: every instance; an infrastructure provider has " +
          "none), or on one instance with `instanceId`: the state it saw, the action, the reward, and whether it " +
          "was applied, dropped (and why) or failed.",
        parameters: listQueryParameters(cfdrlDecisionQuery.shape),
        responses: {
          "200": { description: "One page of decisions.", content: json(ref("CfdrlDecisionPage")) },
          "400": errorResponse("Invalid query parameter; `field` names it."),
          "401": UNAUTHENTICATED,
          "403": errorResponse(
            "No console role; or `instanceId` given by a role that may not use instances.",
          ),
          "404": errorResponse("`instanceId`: no such instance, or another service provider's."),
        },
      },
    },
    "/api/v1/cfdrl/status/": {
      get: {
        tags: ["cfdrl"],
        operationId: "cfdrlStatus",
        summary: "Each CFDRL agent's status",
        description:
          "Per agent (scaling, migration): epsilon, replay-buffer size, the active model version, training steps " +
          "and the loss curve. Every console role may read it.",
        responses: {
          "200": { description: "Both agents.", content: json(ref("CfdrlStatus")) },
          "401": UNAUTHENTICATED,
          "403": errorResponse("The caller has no console role."),
        },
      },
    },
    "/api/v1/cfdrl/models/": {
      get: {
        tags: ["cfdrl"],
        operationId: "listCfdrlModels",
        summary: "Saved CFDRL model versions",
        description:
          "Newest first per agent (at most 200), without their weights. Every console role may read it.",
        parameters: listQueryParameters(cfdrlModelQuery.shape),
        responses: {
          "200": { description: "The versions.", content: json(ref("CfdrlModelList")) },
          "400": errorResponse("Invalid query parameter; `field` names it."),
          "401": UNAUTHENTICATED,
          "403": errorResponse("The caller has no console role."),
        },
      },
    },
    "/api/v1/cfdrl/models/{agent}/active/": {
      parameters: [
        {
          name: "agent",
          in: "path",
          required: true,
          schema: { type: "string", enum: [...CFDRL_AGENTS] },
          description: "The agent whose model to roll back.",
        },
      ],
      put: {
        tags: ["cfdrl"],
        operationId: "rollbackCfdrlModel",
        summary: "Make a saved version the active model (rollback, admins)",
        description:
          "The agent decides with this version from its next decision; later saves get new version numbers. " +
          "Recorded in the audit log with the version before and after.",
        requestBody: { required: true, content: json(ref("CfdrlRollback")) },
        responses: {
          "200": { description: "The now active version.", content: json(ref("CfdrlModel")) },
          "400": errorResponse("Unknown agent or invalid version; `field` names it."),
          "401": UNAUTHENTICATED,
          "403": errorResponse("Only a NEMO admin can roll a model back."),
          "404": errorResponse("The agent has no such version (`field`: version)."),
        },
      },
    },
    "/api/v1/instance/{id}/cfdrl/": {
      parameters: [uuidPathParameter("Instance id.")],
      get: {
        tags: ["cfdrl", "instance"],
        operationId: "instanceCfdrlSettings",
        summary: "An instance's CFDRL switches and replica bounds",
        description: "The defaults (both off, 1..10 replicas) until its owner or an admin changes them.",
        responses: {
          "200": { description: "The settings.", content: json(ref("CfdrlSettings")) },
          "400": errorResponse("Invalid id."),
          ...INSTANCE_ERRORS,
        },
      },
      put: {
        tags: ["cfdrl", "instance"],
        operationId: "updateInstanceCfdrlSettings",
        summary: "Enable or disable CFDRL on an instance, or change its replica bounds",
        description:
          `Any of the four fields; the rest keep their values. 0 ≤ minReplicas ≤ maxReplicas ≤ ${CFDRL_MAX_REPLICAS}. ` +
          "The owner or an admin; recorded in the audit log with before and after.",
        requestBody: { required: true, content: json(ref("CfdrlSettingsUpdate")) },
        responses: {
          "200": { description: "The settings now.", content: json(ref("CfdrlSettings")) },
          "400": errorResponse("An invalid field; `field` names it (maxReplicas when below minReplicas)."),
          ...INSTANCE_ERRORS,
          "409": errorResponse("The instance is DELETED or DELETING."),
        },
      },
    },
  };
}
