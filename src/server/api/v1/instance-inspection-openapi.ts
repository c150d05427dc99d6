/**
 * The inspection part of the OpenAPI document: a pod's log, events and an
 * object's live YAML of an instance (src/server/api/v1/instance-inspection.ts),
 * merged by openapi.ts. Answer schemas are the driver's zod schemas.
 */
import { z } from "zod";
import {
  eventListSchema,
  POD_LOG_STREAM_LIMITS,
  podLogsSchema,
  podLogStreamEventSchema,
} from "@/server/clusters";
import { POD_LOG_STREAMS_PER_USER } from "@/server/instances";
import { eventsQuery, liveObjectQuery, podLogsQuery, podLogStreamQuery } from "./instance-inspection";
import {
  componentSchemas,
  errorResponse,
  json,
  type JsonObject,
  listQueryParameters,
  ref,
  uuidPathParameter,
} from "./openapi-parts";

const liveObjectSchema = z.object({
  kind: z.string(),
  name: z.string(),
  object: z
    .record(z.string(), z.unknown())
    .describe(
      "The object as the cluster holds it (metadata, spec, status); a Secret's values read `<redacted>`.",
    ),
  yaml: z.string().describe("The same object as YAML."),
  redacted: z.boolean().describe("Whether values were replaced by `<redacted>` (Secrets)."),
});

export function instanceInspectionComponents(): JsonObject {
  return componentSchemas([
    ["PodLogs", podLogsSchema.omit({ podLabels: true })],
    ["PodLogStreamEvent", podLogStreamEventSchema],
    ["KubernetesEventList", eventListSchema],
    ["LiveObject", liveObjectSchema],
  ]);
}

const idParameter = uuidPathParameter("Instance id.");
const pathParameter = (name: string, description: string) => ({
  name,
  in: "path",
  required: true,
  schema: { type: "string" },
  description,
});
const ERRORS = {
  "400": errorResponse(
    "Invalid parameter; `field` names it (pod, container, tailLines, sinceCursor, kind, name).",
  ),
  "401": errorResponse("Not signed in, or the bearer token is missing, expired or not an access token."),
  "403": errorResponse("The caller's role may not inspect instances."),
  "404": errorResponse(
    "No such instance (or not the caller's: the owner, admins and the provider of its cluster may read), " +
      "or no such object in it.",
  ),
  "409": errorResponse(
    "The instance has nothing on a cluster (not deployed yet, or deleted), or its cluster did not answer.",
  ),
};
const WHO =
  "The instance's owner, NEMO admins and the infrastructure provider whose cluster runs it may read; anyone else gets 404.";

export function instanceInspectionPaths(): JsonObject {
  return {
    "/api/v1/instance/{id}/pods/{pod}/logs/": {
      parameters: [idParameter, pathParameter("pod", "Pod name (a Pod of the instance's namespace).")],
      get: {
        tags: ["instance"],
        operationId: "instancePodLogs",
        summary: "A pod's container log: the last lines, or those after a cursor (follow)",
        description:
          "Read live from the instance's cluster (simulated clusters generate deterministic lines). Each answer " +
          "holds at most 256 KiB (`truncated` says when it was cut) and lines of at most 4,096 characters. To " +
          `follow, pass the answer's \`cursor\` as \`sinceCursor\` every few seconds. ${WHO}`,
        parameters: listQueryParameters(podLogsQuery.shape),
        responses: { "200": { description: "The lines.", content: json(ref("PodLogs")) }, ...ERRORS },
      },
    },
    "/api/v1/instance/{id}/pods/{pod}/logs/stream/": {
      parameters: [idParameter, pathParameter("pod", "Pod name (a Pod of the instance's namespace).")],
      get: {
        tags: ["instance"],
        operationId: "instancePodLogStream",
        summary: "Follow a pod's container log as Server-Sent Events",
        description:
          "A `text/event-stream` held open while the container writes: first `event: open` " +
          "(`{container, containers, notice}`), then `event: lines` (`{lines, cursor}`) as lines are written and " +
          "`event: dropped` (`{count}`) when more than " +
          `${POD_LOG_STREAM_LIMITS.defaultLinesPerSecond} lines a second were written, last \`event: end\` ` +
          "(`{reason, message}`: `ended` when the cluster closed the log, `waiting` when the container has not " +
          `started, \`max-duration\` after ${POD_LOG_STREAM_LIMITS.defaultMaxDurationMs / 60_000} minutes, ` +
          "`error`). Each event's `data` is one PodLogStreamEvent without its `type`. To go on after an end, " +
          "ask again with the last `cursor` as `sinceCursor`. Lines are cut at 4,096 characters. At most " +
          `${POD_LOG_STREAMS_PER_USER} follows per person at once (429 beyond). Refusals come before the stream, ` +
          `as JSON errors. ${WHO}`,
        parameters: listQueryParameters(podLogStreamQuery.shape),
        responses: {
          "200": {
            description: "The event stream.",
            content: { "text/event-stream": { schema: { type: "string" } } },
          },
          ...ERRORS,
          "429": errorResponse(
            `The caller already follows ${POD_LOG_STREAMS_PER_USER} pod logs (\`too_many_requests\`, Retry-After).`,
          ),
        },
      },
    },
    "/api/v1/instance/{id}/events/": {
      parameters: [idParameter],
      get: {
        tags: ["instance"],
        operationId: "instanceEvents",
        summary: "Kubernetes events of the instance's namespace, or of one of its objects",
        description: `Oldest first, at most 500 (the newest). ${WHO}`,
        parameters: listQueryParameters(eventsQuery.shape),
        responses: {
          "200": { description: "The events.", content: json(ref("KubernetesEventList")) },
          ...ERRORS,
        },
      },
    },
    "/api/v1/instance/{id}/objects/{kind}/{name}/": {
      parameters: [
        idParameter,
        pathParameter("kind", "Kubernetes kind: Deployment, ReplicaSet, Pod, Service, ConfigMap, Secret, …"),
        pathParameter("name", "Object name."),
      ],
      get: {
        tags: ["instance"],
        operationId: "instanceLiveObject",
        summary: "One object of the instance as its cluster holds it now (live YAML)",
        description: `A Secret's data, stringData and last-applied annotation read \`<redacted>\` for everyone. ${WHO}`,
        parameters: listQueryParameters(liveObjectQuery.shape),
        responses: { "200": { description: "The object.", content: json(ref("LiveObject")) }, ...ERRORS },
      },
    },
  };
}
