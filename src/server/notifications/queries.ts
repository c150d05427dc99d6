import { z } from "zod";
import { type Clock, systemClock } from "@/common/clock";
import type { SessionUser } from "@/server/auth";
import type { Db } from "@/server/db";
import { DomainError, parseOrThrow } from "@/server/errors";
import { type Logger, logger as rootLogger } from "@/server/logger";
import { isNotificationKind, type NotificationKind, type NotificationSubject } from "./kinds";

/**
 * A user's own notifications: the list (newest first, "show older" below a
 * cursor), the unread count the bell polls, and marking read. Every query is
 * scoped to the caller's user id: nobody reads or marks another's, admins
 * included (an id that is not the caller's is "not found").
 */

export interface NotificationDeps {
  db: Db;
  user: Pick<SessionUser, "id" | "username">;
  clock?: Clock;
  log?: Logger;
}

/** What the console and REST return of one notification. */
export interface NotificationItem {
  /** A decimal string: ids are 64-bit. */
  id: string;
  kind: NotificationKind;
  title: string;
  message: string;
  subject: { type: NotificationSubject; id: string };
  /** The console path that opens the subject. */
  link: string;
  createdAt: Date;
  readAt: Date | null;
}

export interface NotificationPage {
  items: NotificationItem[];
  /** Pass as `before` for the next (older) page; null when this page is the last. */
  nextCursor: string | null;
  /** The caller's unread notifications, capped at UNREAD_CAP. */
  unread: number;
}

export const DEFAULT_PAGE_SIZE = 10;
export const MAX_PAGE_SIZE = 50;
/** The bell shows "99+" above this: counting stops there, so the poll stays cheap for anyone. */
export const UNREAD_CAP = 100;

const idSchema = z
  .string({ error: "The notification id is required." })
  .trim()
  .regex(/^[1-9]\d{0,18}$/, { error: "The notification id is a positive whole number." });

const limitMessage = `Show between 1 and ${MAX_PAGE_SIZE} notifications at a time.`;

export const notificationListInput = z.object({
  /** Only notifications older than this id (the previous page's `nextCursor`). */
  before: idSchema.optional(),
  limit: z
    .number({ error: limitMessage })
    .int({ error: limitMessage })
    .min(1, { error: limitMessage })
    .max(MAX_PAGE_SIZE, { error: limitMessage })
    .default(DEFAULT_PAGE_SIZE),
  unreadOnly: z.boolean({ error: "unreadOnly is true or false." }).default(false),
});
export type NotificationListInput = z.input<typeof notificationListInput>;

/** The list's REST query parameters (strings). */
export const notificationListQuery = z.object({
  before: idSchema.optional(),
  limit: z.coerce
    .number({ error: limitMessage })
    .int({ error: limitMessage })
    .min(1, { error: limitMessage })
    .max(MAX_PAGE_SIZE, { error: limitMessage })
    .default(DEFAULT_PAGE_SIZE),
  unread: z
    .enum(["true", "false"], { error: "unread is true or false." })
    .default("false")
    .transform((v) => v === "true"),
});

export const notificationIdInput = z.object({ id: idSchema });

type Row = {
  id: bigint;
  kind: string;
  title: string;
  message: string;
  subjectType: string;
  subjectId: string;
  link: string;
  createdAt: Date;
  readAt: Date | null;
};

function item(row: Row): NotificationItem {
  return {
    id: row.id.toString(),
    // Rows are written only by record.ts with these kinds; anything else would be a bug there.
    kind: isNotificationKind(row.kind) ? row.kind : "INSTANCE_FAILED",
    title: row.title,
    message: row.message,
    subject: {
      type: row.subjectType === "intent" || row.subjectType === "cluster" ? row.subjectType : "instance",
      id: row.subjectId,
    },
    link: row.link,
    createdAt: row.createdAt,
    readAt: row.readAt,
  };
}

const SELECT = {
  id: true,
  kind: true,
  title: true,
  message: true,
  subjectType: true,
  subjectId: true,
  link: true,
  createdAt: true,
  readAt: true,
} as const;

/** The caller's unread count, at most UNREAD_CAP (an index-only walk of the unread rows). */
export async function countUnread(deps: Pick<NotificationDeps, "db" | "user">): Promise<number> {
  const rows = await deps.db.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM (
      SELECT 1 FROM notifications WHERE user_id = ${deps.user.id}::uuid AND read_at IS NULL
      LIMIT ${UNREAD_CAP}::int) unread`;
  return rows[0]?.n ?? 0;
}

/** One page of the caller's notifications, newest first. */
export async function listNotifications(
  deps: Pick<NotificationDeps, "db" | "user">,
  rawInput: unknown,
): Promise<NotificationPage> {
  const input = parseOrThrow(notificationListInput, rawInput ?? {});
  const rows = await deps.db.notification.findMany({
    where: {
      userId: deps.user.id,
      ...(input.before !== undefined && { id: { lt: BigInt(input.before) } }),
      ...(input.unreadOnly && { readAt: null }),
    },
    orderBy: { id: "desc" },
    take: input.limit + 1,
    select: SELECT,
  });
  const page = rows.slice(0, input.limit);
  const last = page[page.length - 1];
  return {
    items: page.map(item),
    nextCursor: rows.length > input.limit && last ? last.id.toString() : null,
    unread: await countUnread(deps),
  };
}

/** Marks one of the caller's notifications read (again is fine: the first time stays). */
export async function markNotificationRead(
  deps: NotificationDeps,
  rawInput: unknown,
): Promise<NotificationItem> {
  const { id } = parseOrThrow(notificationIdInput, rawInput);
  const now = new Date((deps.clock ?? systemClock)());
  const key = BigInt(id);
  const changed = await deps.db.notification.updateMany({
    where: { id: key, userId: deps.user.id, readAt: null },
    data: { readAt: now },
  });
  const row = await deps.db.notification.findFirst({
    where: { id: key, userId: deps.user.id },
    select: SELECT,
  });
  if (!row) throw new DomainError("not_found", `There is no notification ${id}.`, "id");
  if (changed.count > 0)
    (deps.log ?? rootLogger)
      .child({ module: "notifications" })
      .debug({ user: deps.user.username, id }, "notification read");
  return item(row);
}

/** Marks every unread notification of the caller read; how many it marked. */
export async function markAllNotificationsRead(deps: NotificationDeps): Promise<{ marked: number }> {
  const now = new Date((deps.clock ?? systemClock)());
  const { count } = await deps.db.notification.updateMany({
    where: { userId: deps.user.id, readAt: null },
    data: { readAt: now },
  });
  if (count > 0)
    (deps.log ?? rootLogger)
      .child({ module: "notifications" })
      .info({ user: deps.user.username, marked: count }, "notifications marked read");
  return { marked: count };
}
