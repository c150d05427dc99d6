/**
 * The notification part of the OpenAPI document (/api/v1/notification/):
 * its paths, tag and component schemas, merged by openapi.ts. The list's
 * parameters come from the zod schema the handler validates with; the
 * answers are written out here in zod (the domain returns TypeScript
 * interfaces: NotificationItem, NotificationPage).
 */
import { z } from "zod";
import {
  MAX_PAGE_SIZE,
  NOTIFICATION_KINDS,
  NOTIFICATION_SUBJECTS,
  notificationListQuery,
  UNREAD_CAP,
} from "@/server/notifications";
import {
  componentSchemas,
  errorResponse,
  json,
  listQueryParameters,
  ref,
  type JsonObject,
} from "./openapi-parts";

const notificationSchema = z.object({
  id: z.string().describe("A decimal number (64-bit), as a string."),
  kind: z
    .enum(NOTIFICATION_KINDS)
    .describe(
      "What happened: an instance of yours FAILED or drifted, a migration of it started, completed or failed " +
        "(rolled back), an intent of yours turned NOT_FULFILLED, a cluster you own (admins: any cluster) went to ERROR.",
    ),
  title: z.string(),
  message: z.string().describe("The reason, as the event recorded it (at most 500 characters)."),
  subject: z.object({ type: z.enum(NOTIFICATION_SUBJECTS), id: z.string().describe("Its UUID.") }),
  link: z.string().describe("The console path that opens the subject (relative to the console's base URL)."),
  createdAt: z.iso.datetime(),
  readAt: z.iso.datetime().nullable().describe("When the caller marked it read; null while unread."),
});

const notificationPageSchema = z.object({
  items: z.array(notificationSchema).describe("Newest first."),
  nextCursor: z
    .string()
    .nullable()
    .describe("Pass as `before` for the next, older page; null on the last page."),
  unread: z.number().int().describe(`The caller's unread notifications, counted up to ${UNREAD_CAP}.`),
});

export function notificationComponents(): JsonObject {
  return componentSchemas([
    ["Notification", notificationSchema],
    ["NotificationPage", notificationPageSchema],
  ]);
}

export const notificationTags = [
  {
    name: "notification",
    description:
      "The caller's in-app notifications (the console's bell): only your own, whatever your role. Written in " +
      "the transaction of the change they tell about, once per event.",
  },
];

const ERRORS = {
  "401": errorResponse("Not signed in, or the bearer token is missing, expired or not an access token."),
  "403": errorResponse("The caller has none of the console's roles."),
};

export function notificationPaths(): JsonObject {
  return {
    "/api/v1/notification/": {
      get: {
        tags: ["notification"],
        operationId: "listNotifications",
        summary: "List your notifications",
        description:
          `One page of the caller's notifications, newest first (\`limit\` 1–${MAX_PAGE_SIZE}, default 10); ` +
          "`before` = the previous page's `nextCursor`; `unread=true` lists unread ones only. " +
          "The answer also carries the unread count.",
        parameters: listQueryParameters(notificationListQuery.shape, {
          before: { type: "string", pattern: "^[1-9][0-9]{0,18}$" },
          unread: { type: "string", enum: ["true", "false"], default: "false" },
        }),
        responses: {
          "200": { description: "One page.", content: json(ref("NotificationPage")) },
          "400": errorResponse("Invalid query parameter; `field` names it."),
          ...ERRORS,
        },
      },
    },
    "/api/v1/notification/{id}/read/": {
      parameters: [
        {
          name: "id",
          in: "path",
          required: true,
          schema: { type: "string", pattern: "^[1-9][0-9]{0,18}$" },
          description: "The notification's id.",
        },
      ],
      post: {
        tags: ["notification"],
        operationId: "markNotificationRead",
        summary: "Mark one notification read",
        description: "Marks one of the caller's notifications read; marking it again keeps the first time.",
        responses: {
          "200": { description: "The notification, read.", content: json(ref("Notification")) },
          "400": errorResponse("Not a notification id (`field`: id)."),
          ...ERRORS,
          "404": errorResponse("No such notification, or it is another user's."),
        },
      },
    },
  };
}
