/**
 * The drift part of the OpenAPI document (/api/v1/instance/{id}/drift/ and
 * …/resync/): paths and component schemas, merged by openapi.ts. The summary
 * schema is the one the domain stores and validates (src/server/drift).
 */
import { z } from "zod";
import { driftSummarySchema } from "@/server/drift";
import {
  componentSchemas,
  errorResponse,
  json,
  ref,
  uuidPathParameter,
  type JsonObject,
} from "./openapi-parts";

const instanceDriftSchema = z.object({
  instanceId: z.uuid(),
  status: z
    .enum(["unknown", "in_sync", "drifted"])
    .describe(
      "in_sync: every field the console applied is as applied; drifted: some object was changed or deleted by hand " +
        "(see `summary`); unknown: not checked yet, or the instance is not DEPLOYED.",
    ),
  checkedAt: z.iso
    .datetime()
    .nullable()
    .describe("When the periodic check (every metrics period) last looked."),
  summary: driftSummarySchema
    .describe(
      "The drifted objects (at most 50; `moreObjects` counts the rest) with their fields (at most 20 each): " +
        "`expected` is the applied value, `actual` the live one (short JSON; null = absent; a Secret's values " +
        'read "<redacted>"); `changedBy` names the field manager that changed it on a Kubernetes cluster. ' +
        "Status, server metadata and defaulted fields are never reported; replicas only when scaled outside the " +
        "console (not for a workload an HPA of the instance targets).",
    )
    .nullable(),
  canResync: z.boolean().describe("Whether Re-sync is possible now (the instance is DEPLOYED)."),
});

const resyncAnswerSchema = instanceDriftSchema.extend({
  applied: z.number().int().describe("Objects re-applied (manifests and the namespace's guardrails)."),
});

export function driftComponents(): JsonObject {
  return componentSchemas([
    ["InstanceDrift", instanceDriftSchema],
    ["InstanceResync", resyncAnswerSchema],
  ]);
}

const idParameter = uuidPathParameter("Instance id.");
const ERRORS = {
  "400": errorResponse("Invalid id."),
  "401": errorResponse("Not signed in, or the bearer token is missing, expired or not an access token."),
  "403": errorResponse("The caller's role may not use instances (needs nemo-admin or service-provider)."),
  "404": errorResponse("No such instance, or it belongs to another service provider."),
};

export function driftPaths(): JsonObject {
  return {
    "/api/v1/instance/{id}/drift/": {
      parameters: [idParameter],
      get: {
        tags: ["instance"],
        operationId: "instanceDrift",
        summary: "Whether the instance's live objects still match its manifests",
        description:
          "The verdict of the periodic drift check: each DEPLOYED instance's live objects are compared with the " +
          "fields the console applied every metrics period. A change of verdict is recorded on the timeline " +
          "(`Drifted`, `In sync`) and notifies the owner.",
        responses: { "200": { description: "The verdict.", content: json(ref("InstanceDrift")) }, ...ERRORS },
      },
    },
    "/api/v1/instance/{id}/resync/": {
      parameters: [idParameter],
      post: {
        tags: ["instance"],
        operationId: "resyncInstance",
        summary: "Re-apply the stored manifests (Re-sync)",
        description:
          "Applies the instance's rendered manifests to its cluster again, as its deployment did: fields changed by " +
          "hand get the applied values back, objects deleted by hand are recreated. Then checks drift at once. " +
          "The timeline records a `Re-sync` event (and `In sync` when it was drifted). No request body.",
        responses: {
          "200": { description: "Re-applied; the new verdict.", content: json(ref("InstanceResync")) },
          ...ERRORS,
          "409": errorResponse(
            "The instance is not DEPLOYED, or its cluster refused or could not be reached (the message says which).",
          ),
        },
      },
    },
  };
}
