import type { Prisma } from "@/generated/prisma/client";
import { isUuid } from "@/common/ids";
import { hasRole, Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth";
import { readRows, SqlParams, type Db } from "@/server/db";
import { DomainError } from "@/server/errors";

/** One entry of an instance's timeline (newest first). */
export interface TimelineEvent {
  id: bigint;
  type: string;
  message: string;
  detail: Prisma.JsonValue | null;
  occurredAt: Date;
}

interface TimelineRow {
  /** int8 as text; null on the one row of an instance without events. */
  id: string | null;
  type: string;
  message: string;
  detail: Prisma.JsonValue | null;
  occurredAt: Date;
}

/**
 * An instance's lifecycle events, newest first, in one statement: the
 * instance row in the caller's scope, its events left-joined. No row at all is
 * "not found" (another tenant's instance included); one row without an event
 * is an empty timeline. Manifests and placement are never read.
 */
export async function readTimeline(db: Db, user: SessionUser, id: string): Promise<TimelineEvent[]> {
  if (typeof id !== "string" || !isUuid(id)) throw notFound();
  const params = new SqlParams();
  const scope = hasRole(user.roles, Role.NEMO_ADMIN) ? "" : ` AND wi.owner_id = ${params.add(user.id)}::uuid`;
  const rows = await readRows<TimelineRow>(
    db,
    `SELECT e.id, e.type, e.message, e.detail, e.occurred_at AS "occurredAt"
     FROM workload_instances wi
     LEFT JOIN lifecycle_events e ON e.instance_id = wi.id
     WHERE wi.id = ${params.add(id)}::uuid${scope}
     ORDER BY e.occurred_at DESC, e.id DESC`,
    params.values,
  );
  if (rows.length === 0) throw notFound();
  const events: TimelineEvent[] = [];
  for (const row of rows) {
    if (row.id === null) continue;
    events.push({
      id: BigInt(row.id),
      type: row.type,
      message: row.message,
      detail: row.detail,
      occurredAt: row.occurredAt,
    });
  }
  return events;
}

function notFound(): DomainError {
  return new DomainError("not_found", "No such workload instance.");
}
