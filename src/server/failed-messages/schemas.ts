import { z } from "zod";
import { listInputSchema, queryPageFields } from "@/common/pagination";

/**
 * Failed messages are of two kinds: an outbox row the relay gave up on (the
 * message never reached the broker) and a dead letter (a consumer gave up on
 * a delivered message). One list shows both, newest first.
 */
export const FAILED_MESSAGE_KINDS = ["outbox", "dead-letter"] as const;
export type FailedMessageKind = (typeof FAILED_MESSAGE_KINDS)[number];

/** `open`: waiting for an admin; `resolved`: replayed or discarded (kept for the retention). */
export const FAILED_MESSAGE_STATES = ["open", "resolved", "all"] as const;

/** What an item is now: FAILED (outbox) and DEAD (dead letter) are open. */
export type FailedMessageStatus = "FAILED" | "DEAD" | "REPLAYED" | "DISCARDED";

const name = (field: string) =>
  z
    .string()
    .trim()
    .max(255, { error: `${field} is at most 255 characters.` })
    .optional()
    .transform((s) => (s ? s : undefined));

export const failedMessageListInput = listInputSchema(["createdAt"], "createdAt", "desc").extend({
  kind: z.enum(FAILED_MESSAGE_KINDS).optional(),
  state: z.enum(FAILED_MESSAGE_STATES).default("open"),
  /** The exchange the message was published to (logical name). */
  exchange: name("exchange"),
  /** The queue whose consumer dead-lettered it (dead letters only). */
  queue: name("queue"),
  routingKey: name("routingKey"),
  /** The message type (`workload.run`, …). */
  messageType: name("messageType"),
});
export type FailedMessageListInput = z.input<typeof failedMessageListInput>;

/** The same list from a URL query string: numbers arrive as text. */
export const failedMessageListQuery = failedMessageListInput.extend({ ...queryPageFields });

/**
 * An item's id says its kind: `outbox-<uuid>` or `dead-letter-<number>`.
 */
export const failedMessageIdSchema = z
  .string({ error: "id must be a failed message id." })
  .regex(
    /^(outbox-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|dead-letter-[1-9][0-9]{0,17})$/,
    {
      error: "id must be a failed message id (outbox-<uuid> or dead-letter-<number>).",
    },
  );

export type ParsedFailedMessageId = { kind: "outbox"; id: string } | { kind: "dead-letter"; id: bigint };

export function splitFailedMessageId(id: string): ParsedFailedMessageId {
  return id.startsWith("outbox-")
    ? { kind: "outbox", id: id.slice("outbox-".length) }
    : { kind: "dead-letter", id: BigInt(id.slice("dead-letter-".length)) };
}

export const failedMessageActionInput = z.object({ id: failedMessageIdSchema });

export interface FailedMessageRow {
  id: string;
  kind: FailedMessageKind;
  status: FailedMessageStatus;
  /** Logical exchange name ("" = the default exchange, or unknown for old dead letters). */
  exchange: string;
  /** The queue that dead-lettered it; null for outbox rows. */
  queue: string | null;
  routingKey: string;
  messageType: string | null;
  messageId: string | null;
  error: string;
  attempts: number;
  createdAt: Date;
  resolvedAt: Date | null;
  resolvedBy: string | null;
}

export interface FailedMessageDetail extends FailedMessageRow {
  /** The body with secrets redacted; null when it is not JSON (then `payloadNote` says so). */
  payload: unknown;
  payloadNote: string | null;
  correlationId: string | null;
  replyTo: string | null;
  /** The message's own headers, secrets redacted. */
  headers: Record<string, unknown>;
  /** Whether Replay can send it again (an open item whose body is JSON). */
  replayable: boolean;
}
