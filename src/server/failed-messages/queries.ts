import { z } from "zod";
import { Prisma } from "@/generated/prisma/client";
import { type ListPage } from "@/common/pagination";
import { Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth";
import { pageWindow, type Db } from "@/server/db";
import { DomainError, parseOrThrow } from "@/server/errors";
import { roleGuard } from "@/server/role-guards";
import { redactPayload } from "./redact";
import {
  failedMessageIdSchema,
  failedMessageListInput,
  splitFailedMessageId,
  type FailedMessageDetail,
  type FailedMessageKind,
  type FailedMessageListInput,
  type FailedMessageRow,
  type FailedMessageStatus,
} from "./schemas";

export interface FailedMessageDeps {
  db: Db;
  user: SessionUser;
}

/** Failed messages are the platform's, not a tenant's: admins only, whoever else asks is refused. */
export const requireAdmin = roleGuard(
  [Role.NEMO_ADMIN],
  "Only a NEMO admin can see and handle failed messages.",
);

const rowSchema = z.object({
  kind: z.enum(["outbox", "dead-letter"]),
  key: z.string(),
  status: z.enum(["FAILED", "DEAD", "REPLAYED", "DISCARDED"]),
  exchange: z.string(),
  queue: z.string().nullable(),
  routingKey: z.string(),
  messageType: z.string().nullable(),
  messageId: z.string().nullable(),
  error: z.string().nullable(),
  attempts: z.number().int(),
  createdAt: z.date(),
  resolvedAt: z.date().nullable(),
  resolvedBy: z.string().nullable(),
});

/**
 * Both kinds in one shape. An outbox row's message id is the row id unless
 * its envelope names another one (a replayed dead letter keeps its id).
 */
const UNIFIED = Prisma.sql`
  SELECT 'outbox' AS kind, id::text AS key, status::text AS status, exchange, NULL::text AS queue,
         routing_key AS "routingKey", headers->>'type' AS "messageType",
         COALESCE(headers->>'messageId', id::text) AS "messageId", last_error AS error, attempts,
         created_at AS "createdAt", discarded_at AS "resolvedAt", discarded_by AS "resolvedBy"
  FROM outbox_messages WHERE status IN ('FAILED', 'DISCARDED')
  UNION ALL
  SELECT 'dead-letter', id::text, status::text, exchange, queue, routing_key, message_type, message_id,
         error, attempts, created_at, resolved_at, resolved_by
  FROM dead_letters`;

function toRow(raw: unknown): FailedMessageRow {
  const row = rowSchema.parse(raw);
  return {
    id: `${row.kind}-${row.key}`,
    kind: row.kind,
    status: row.status,
    exchange: row.exchange,
    queue: row.queue,
    routingKey: row.routingKey,
    messageType: row.messageType,
    messageId: row.messageId,
    error: row.error ?? "",
    attempts: row.attempts,
    createdAt: row.createdAt,
    resolvedAt: row.resolvedAt,
    resolvedBy: row.resolvedBy,
  };
}

function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** One page of outbox rows that exhausted their attempts and dead letters, newest first by default. */
export async function listFailedMessages(
  deps: FailedMessageDeps,
  input: FailedMessageListInput,
): Promise<ListPage<FailedMessageRow>> {
  requireAdmin(deps.user);
  const query = parseOrThrow(failedMessageListInput, input);
  const filters: Prisma.Sql[] = [];
  if (query.kind) filters.push(Prisma.sql`kind = ${query.kind}`);
  if (query.state === "open") filters.push(Prisma.sql`status IN ('FAILED', 'DEAD')`);
  if (query.state === "resolved") filters.push(Prisma.sql`status IN ('REPLAYED', 'DISCARDED')`);
  if (query.exchange !== undefined) filters.push(Prisma.sql`exchange = ${query.exchange}`);
  if (query.queue !== undefined) filters.push(Prisma.sql`queue = ${query.queue}`);
  if (query.routingKey !== undefined) filters.push(Prisma.sql`"routingKey" = ${query.routingKey}`);
  if (query.messageType !== undefined) filters.push(Prisma.sql`"messageType" = ${query.messageType}`);
  if (query.search !== undefined) {
    const like = likePattern(query.search);
    filters.push(
      Prisma.sql`(error ILIKE ${like} OR "messageId" ILIKE ${like} OR "routingKey" ILIKE ${like} OR queue ILIKE ${like})`,
    );
  }
  const where = filters.length > 0 ? Prisma.sql`WHERE ${Prisma.join(filters, " AND ")}` : Prisma.empty;
  const order = query.direction === "asc" ? Prisma.sql`ASC` : Prisma.sql`DESC`;
  const { skip, take } = pageWindow(query);
  const [rows, counted] = await Promise.all([
    deps.db.$queryRaw<unknown[]>`
      SELECT * FROM (${UNIFIED}) f ${where}
      ORDER BY "createdAt" ${order}, kind, key ${order}
      LIMIT ${take}::int OFFSET ${skip}::int`,
    deps.db.$queryRaw<Array<{ total: number }>>`
      SELECT count(*)::int AS total FROM (${UNIFIED}) f ${where}`,
  ]);
  return {
    items: rows.map(toRow),
    total: counted[0]?.total ?? 0,
    page: query.page,
    pageSize: query.pageSize,
  };
}

const propertiesSchema = z
  .object({
    type: z.string().optional(),
    messageId: z.string().optional(),
    correlationId: z.string().optional(),
    replyTo: z.string().optional(),
    headers: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  })
  .nullable()
  .catch(null);
export type StoredProperties = NonNullable<z.infer<typeof propertiesSchema>>;

export function storedProperties(value: Prisma.JsonValue | null): StoredProperties {
  return propertiesSchema.parse(value) ?? {};
}

/** A dead letter's body: the JSON it was, or why it cannot be shown (and replayed). */
export function decodeBody(text: string): { ok: true; value: unknown } | { ok: false; note: string } {
  if (text.length === 0) return { ok: true, value: null };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    // Not JSON, so no field names to redact by: shown to nobody rather than risk a secret.
    return { ok: false, note: `The body is not JSON (${Buffer.byteLength(text)} bytes); it is not shown.` };
  }
}

export function notFound(id: string): DomainError {
  return new DomainError("not_found", `No failed message ${id}.`, "id");
}

/** One item with its body (secrets redacted), properties, error, attempts and times. */
export async function failedMessageDetail(
  deps: FailedMessageDeps,
  id: unknown,
): Promise<FailedMessageDetail> {
  requireAdmin(deps.user);
  const key = parseOrThrow(failedMessageIdSchema, id, "id");
  const parsed = splitFailedMessageId(key);
  if (parsed.kind === "outbox") {
    const row = await deps.db.outboxMessage.findFirst({
      where: { id: parsed.id, status: { in: ["FAILED", "DISCARDED"] } },
    });
    if (!row) throw notFound(key);
    const props = storedProperties(row.headers);
    return {
      ...base("outbox", key, row.status === "FAILED" ? "FAILED" : "DISCARDED"),
      exchange: row.exchange,
      routingKey: row.routingKey,
      messageType: props.type ?? null,
      messageId: props.messageId ?? row.id,
      error: row.lastError ?? "",
      attempts: row.attempts,
      createdAt: row.createdAt,
      resolvedAt: row.discardedAt,
      resolvedBy: row.discardedBy,
      payload: redactPayload(row.payload),
      payloadNote: null,
      correlationId: props.correlationId ?? null,
      replyTo: props.replyTo ?? null,
      headers: redactHeaders(props.headers),
      replayable: row.status === "FAILED",
    };
  }
  const row = await deps.db.deadLetter.findUnique({ where: { id: parsed.id } });
  if (!row) throw notFound(key);
  const props = storedProperties(row.properties);
  const body = decodeBody(row.payload);
  return {
    ...base("dead-letter", key, row.status),
    exchange: row.exchange,
    queue: row.queue,
    routingKey: row.routingKey,
    messageType: row.messageType,
    messageId: row.messageId,
    error: row.error,
    attempts: row.attempts,
    createdAt: row.createdAt,
    resolvedAt: row.resolvedAt,
    resolvedBy: row.resolvedBy,
    payload: body.ok ? redactPayload(body.value) : null,
    payloadNote: body.ok ? null : body.note,
    correlationId: props.correlationId ?? null,
    replyTo: props.replyTo ?? null,
    headers: redactHeaders(props.headers),
    replayable: row.status === "DEAD" && body.ok,
  };
}

function base(kind: FailedMessageKind, id: string, status: FailedMessageStatus) {
  return { id, kind, status, queue: null };
}

function redactHeaders(headers: Record<string, unknown> | undefined): Record<string, unknown> {
  const redacted = redactPayload(headers ?? {});
  return typeof redacted === "object" && redacted !== null ? (redacted as Record<string, unknown>) : {};
}
