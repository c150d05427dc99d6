import { ALL_ROLES } from "@/common/roles";
import { createTRPCRouter, roleProcedure } from "@/server/api/trpc";
import {
  countUnread,
  listNotifications,
  markAllNotificationsRead,
  markNotificationRead,
  notificationIdInput,
  notificationListInput,
} from "@/server/notifications";

export type { NotificationItem, NotificationPage } from "@/server/notifications";

/**
 * The notification centre (the app bar's bell): every role has one, and each
 * call reads or marks only the caller's own notifications (the domain scopes
 * every query to the session's user; another user's id is NOT_FOUND).
 */
const anyRole = roleProcedure(...ALL_ROLES);

/** The list's input with tRPC's infinite-query `cursor` (the same as `before`). */
const listInput = notificationListInput.extend({ cursor: notificationIdInput.shape.id.nullish() });

export const notificationRouter = createTRPCRouter({
  /** One page, newest first; `before` = the previous page's `nextCursor` ("Show older"). */
  list: anyRole
    .input(listInput)
    .query(({ ctx, input: { cursor, ...input } }) =>
      listNotifications({ db: ctx.db, user: ctx.session.user }, { ...input, before: cursor ?? input.before }),
    ),

  /** The bell's badge, capped at UNREAD_CAP; polled. */
  unreadCount: anyRole.query(({ ctx }) => countUnread({ db: ctx.db, user: ctx.session.user })),

  markRead: anyRole
    .input(notificationIdInput)
    .mutation(({ ctx, input }) => markNotificationRead({ db: ctx.db, user: ctx.session.user }, input)),

  markAllRead: anyRole.mutation(({ ctx }) =>
    markAllNotificationsRead({ db: ctx.db, user: ctx.session.user }),
  ),
});
