import { type Prisma } from "@/generated/prisma/client";
import { type Clock, systemClock } from "@/common/clock";
import { replayOutboxRow } from "@/server/bus";
import { DomainError, parseOrThrow } from "@/server/errors";
import { type Logger, logger as rootLogger } from "@/server/logger";
import { decodeBody, notFound, requireAdmin, storedProperties, type FailedMessageDeps } from "./queries";
import { failedMessageIdSchema, splitFailedMessageId, type FailedMessageKind } from "./schemas";

/**
 * An admin's Replay and Discard. Each is one transaction: a conditional
 * state change (so a second click, or two admins at once, finds nothing to
 * do and is told so), whatever the action sends, and its audit event.
 */

export interface FailedMessageActionDeps extends FailedMessageDeps {
  clock?: Clock;
  log?: Logger;
}

type Action = "replayed" | "discarded";

/**
 * What an action did. A replayed outbox row is an ordinary pending message
 * again (no longer a failed one); a dead letter stays, marked.
 */
export interface FailedMessageActionResult {
  id: string;
  kind: FailedMessageKind;
  status: "REPLAYED" | "DISCARDED";
  resolvedAt: Date;
  resolvedBy: string;
}

/**
 * Replay. An outbox row goes back to PENDING with its attempts reset, so
 * the relay publishes it again. A dead letter is sent again through the
 * outbox to the queue that failed it, with its original message id: the
 * consumer never recorded it as processed (its effect rolled back with the
 * failure), so it is applied once, and a duplicate of it is still recognised.
 * The copy on `<queue>.dlq` stays as the broker-side audit trail.
 */
export async function replayFailedMessage(
  deps: FailedMessageActionDeps,
  id: unknown,
): Promise<FailedMessageActionResult> {
  return act(deps, id, "replayed");
}

/** Discard: the item is kept, marked with who and when, until the retention removes it. */
export async function discardFailedMessage(
  deps: FailedMessageActionDeps,
  id: unknown,
): Promise<FailedMessageActionResult> {
  return act(deps, id, "discarded");
}

async function act(
  deps: FailedMessageActionDeps,
  id: unknown,
  action: Action,
): Promise<FailedMessageActionResult> {
  const { db, user } = deps;
  requireAdmin(user);
  const key = parseOrThrow(failedMessageIdSchema, id, "id");
  const parsed = splitFailedMessageId(key);
  const now = new Date((deps.clock ?? systemClock)());
  const log = (deps.log ?? rootLogger).child({ module: "failed-messages" });
  const summary = await db.$transaction(async (tx) => {
    const detail: Prisma.InputJsonObject =
      parsed.kind === "outbox"
        ? await actOnOutbox(tx, parsed.id, key, action, user.username, now)
        : await actOnDeadLetter(tx, parsed.id, key, action, user.username, now);
    await tx.auditEvent.create({
      data: {
        actorId: user.id,
        actorName: user.username,
        action: `failed-message.${action}`,
        subjectType: parsed.kind === "outbox" ? "outbox-message" : "dead-letter",
        subjectId: key,
        detail,
        createdAt: now,
      },
    });
    return detail;
  });
  log.info({ id: key, action, actor: user.username, ...summary }, `failed message ${action}`);
  return {
    id: key,
    kind: parsed.kind,
    status: action === "replayed" ? "REPLAYED" : "DISCARDED",
    resolvedAt: now,
    resolvedBy: user.username,
  };
}

function alreadyHandled(key: string): DomainError {
  return new DomainError("conflict", `Failed message ${key} was already replayed or discarded.`, "id");
}

async function actOnOutbox(
  tx: Prisma.TransactionClient,
  rowId: string,
  key: string,
  action: Action,
  actor: string,
  now: Date,
): Promise<Prisma.InputJsonObject> {
  const row = await tx.outboxMessage.findUnique({
    where: { id: rowId },
    select: { status: true, exchange: true, routingKey: true, attempts: true, headers: true },
  });
  if (!row || (row.status !== "FAILED" && row.status !== "DISCARDED")) throw notFound(key);
  const changed = await tx.outboxMessage.updateMany({
    where: { id: rowId, status: "FAILED" },
    data:
      action === "replayed"
        ? { status: "PENDING", attempts: 0, nextAttemptAt: now }
        : { status: "DISCARDED", discardedAt: now, discardedBy: actor },
  });
  if (changed.count === 0) throw alreadyHandled(key);
  const props = storedProperties(row.headers);
  return {
    exchange: row.exchange,
    routingKey: row.routingKey,
    messageType: props.type ?? null,
    attempts: row.attempts,
  };
}

async function actOnDeadLetter(
  tx: Prisma.TransactionClient,
  rowId: bigint,
  key: string,
  action: Action,
  actor: string,
  now: Date,
): Promise<Prisma.InputJsonObject> {
  const row = await tx.deadLetter.findUnique({ where: { id: rowId } });
  if (!row) throw notFound(key);
  const body = decodeBody(row.payload);
  if (action === "replayed" && !body.ok)
    throw new DomainError(
      "unprocessable",
      `Failed message ${key} cannot be replayed: its body is not JSON, so no consumer would accept it. Discard it.`,
      "id",
    );
  const changed = await tx.deadLetter.updateMany({
    where: { id: rowId, status: "DEAD" },
    data: { status: action === "replayed" ? "REPLAYED" : "DISCARDED", resolvedAt: now, resolvedBy: actor },
  });
  if (changed.count === 0) throw alreadyHandled(key);
  let outboxId: string | null = null;
  if (action === "replayed" && body.ok) {
    const props = storedProperties(row.properties);
    const outbox = replayOutboxRow({
      queue: row.queue,
      messageId: row.messageId,
      payload: body.value,
      type: row.messageType,
      correlationId: props.correlationId,
      replyTo: props.replyTo,
      headers: props.headers,
      origin: { exchange: row.exchange, routingKey: row.routingKey },
    });
    await tx.outboxMessage.create({ data: outbox });
    outboxId = outbox.id;
  }
  return {
    queue: row.queue,
    exchange: row.exchange,
    routingKey: row.routingKey,
    messageType: row.messageType,
    messageId: row.messageId,
    attempts: row.attempts,
    ...(outboxId !== null && { outboxId }),
  };
}
