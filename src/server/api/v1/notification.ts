/**
 * REST Intent-Based API, notifications (/api/v1/notification/): the caller's
 * own in-app notifications, newest first, and marking one read. Thin: the
 * same domain functions as the tRPC notification router. Every role has
 * notifications; an id that is not the caller's is 404, whoever asks.
 */
import { restHandler } from "@/server/api/rest";
import { ALL_ROLES } from "@/common/roles";
import { listNotifications, markNotificationRead, notificationListQuery } from "@/server/notifications";

const roles = ALL_ROLES;

/** GET /api/v1/notification/ — one page (`limit`, `before`, `unread`), with the unread count. */
export const listNotificationsRest = restHandler(
  { roles, query: notificationListQuery },
  ({ db, user, query }) =>
    listNotifications({ db, user }, { before: query.before, limit: query.limit, unreadOnly: query.unread }),
);

/** POST /api/v1/notification/{id}/read/ — mark one read (again is fine). */
export const markNotificationReadRest = restHandler({ roles }, ({ db, user, params }) =>
  markNotificationRead({ db, user }, { id: params.id ?? "" }),
);
