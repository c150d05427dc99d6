/**
 * The failed-message part of the OpenAPI document (/api/v1/failed-message/):
 * its paths, tag and component schemas, merged by openapi.ts. The list
 * parameters come from the zod schema the handler validates with; the
 * answers are written out here in zod, as the domain returns TypeScript
 * interfaces (FailedMessageRow, FailedMessageDetail).
 */
import { z } from "zod";
import { FAILED_MESSAGE_KINDS, failedMessageListQuery } from "@/server/failed-messages";
import {
  componentSchemas,
  errorResponse,
  json,
  listQueryParameters,
  ref,
  type JsonObject,
} from "./openapi-parts";

const STATUSES = ["FAILED", "DEAD", "REPLAYED", "DISCARDED"] as const;

const failedMessageRowSchema = z.object({
  id: z.string().describe("`outbox-<uuid>` (an outbox row) or `dead-letter-<number>` (a dead letter)."),
  kind: z.enum(FAILED_MESSAGE_KINDS),
  status: z
    .enum(STATUSES)
    .describe(
      "FAILED (outbox) and DEAD (dead letter) wait for an admin; REPLAYED and DISCARDED are resolved.",
    ),
  exchange: z
    .string()
    .describe('The exchange it was published to (logical name; "" = the default exchange).'),
  queue: z.string().nullable().describe("The queue whose consumer dead-lettered it; null for outbox rows."),
  routingKey: z.string(),
  messageType: z.string().nullable().describe("The message type (`workload.run`, …)."),
  messageId: z.string().nullable(),
  error: z.string().describe("The last publish error (outbox) or why the consumer gave up (dead letter)."),
  attempts: z.number().int(),
  createdAt: z.iso.datetime(),
  resolvedAt: z.iso.datetime().nullable(),
  resolvedBy: z.string().nullable().describe("The admin who replayed or discarded it."),
});

const failedMessagePageSchema = z.object({
  items: z.array(failedMessageRowSchema),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
});

const failedMessageDetailSchema = failedMessageRowSchema.extend({
  payload: z.unknown().describe("The body, with secret values replaced by `<redacted>`; null when not JSON."),
  payloadNote: z.string().nullable().describe("Why the body is not shown (it is not JSON)."),
  correlationId: z.string().nullable(),
  replyTo: z.string().nullable(),
  headers: z.record(z.string(), z.unknown()).describe("The message's own headers, secrets redacted."),
  replayable: z.boolean().describe("Whether Replay can send it again (open, body is JSON)."),
});

const failedMessageActionSchema = z.object({
  id: z.string(),
  kind: z.enum(FAILED_MESSAGE_KINDS),
  status: z.enum(["REPLAYED", "DISCARDED"]),
  resolvedAt: z.iso.datetime(),
  resolvedBy: z.string(),
});

export function failedMessageComponents(): JsonObject {
  return componentSchemas([
    ["FailedMessageRow", failedMessageRowSchema],
    ["FailedMessagePage", failedMessagePageSchema],
    ["FailedMessageDetail", failedMessageDetailSchema],
    ["FailedMessageAction", failedMessageActionSchema],
  ]);
}

export const failedMessageTags = [
  {
    name: "failed-message",
    description:
      "Dead letters & failed messages (NEMO admins only): outbox rows the relay gave up on and messages " +
      "consumers dead-lettered, with Replay and Discard; every action is audited.",
  },
];

const ERRORS = {
  "401": errorResponse("Not signed in, or the bearer token is missing, expired or not an access token."),
  "403": errorResponse("Only NEMO admins (nemo-admin) may see and handle failed messages."),
};
const idParameter = {
  name: "id",
  in: "path",
  required: true,
  schema: { type: "string", pattern: "^(outbox-[0-9a-f-]{36}|dead-letter-[0-9]+)$" },
  description: "`outbox-<uuid>` or `dead-letter-<number>`.",
};
const ITEM_ERRORS = {
  ...ERRORS,
  "400": errorResponse("Not a failed message id (`field`: id)."),
  "404": errorResponse("No such failed message (a replayed outbox row is an ordinary message again)."),
};

function action(operationId: string, summary: string, description: string): JsonObject {
  return {
    parameters: [idParameter],
    post: {
      tags: ["failed-message"],
      operationId,
      summary,
      description,
      responses: {
        "200": { description: "Done.", content: json(ref("FailedMessageAction")) },
        ...ITEM_ERRORS,
        "409": errorResponse("Already replayed or discarded."),
        "422": errorResponse("Its body is not JSON, so it cannot be replayed (discard it)."),
      },
    },
  };
}

export function failedMessagePaths(): JsonObject {
  return {
    "/api/v1/failed-message/": {
      get: {
        tags: ["failed-message"],
        operationId: "listFailedMessages",
        summary: "List failed messages",
        description:
          "One page of outbox rows that exhausted their attempts and dead letters, newest first by default. " +
          "`state` open (default), resolved or all; filters by kind, exchange, queue, routing key and message " +
          "type; searches error, message id, routing key and queue.",
        parameters: listQueryParameters(failedMessageListQuery.shape),
        responses: {
          "200": { description: "One page.", content: json(ref("FailedMessagePage")) },
          "400": errorResponse("Invalid query parameter; `field` names it."),
          ...ERRORS,
        },
      },
    },
    "/api/v1/failed-message/{id}/": {
      parameters: [idParameter],
      get: {
        tags: ["failed-message"],
        operationId: "getFailedMessage",
        summary: "One failed message",
        description: "Its body and headers (secret values redacted), error, attempts and times.",
        responses: {
          "200": { description: "The item.", content: json(ref("FailedMessageDetail")) },
          ...ITEM_ERRORS,
        },
      },
    },
    "/api/v1/failed-message/{id}/replay/": action(
      "replayFailedMessage",
      "Replay a failed message",
      "An outbox row goes back to pending with its attempts reset; a dead letter is sent again through the " +
        "outbox to the queue that failed it, with its original message id. 422 when its body is not JSON.",
    ),
    "/api/v1/failed-message/{id}/discard/": action(
      "discardFailedMessage",
      "Discard a failed message",
      "Marks it discarded (kept with who and when until the retention removes it).",
    ),
  };
}
