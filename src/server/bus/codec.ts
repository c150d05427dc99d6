import { type z } from "zod";

/** Headers the bus sets on messages it moves between a queue, its retry queue and its DLQ. */
export const headers = {
  /** 1-based delivery attempt the message is on; absent on the first delivery. */
  attempt: "x-nemo-attempt",
  /** Why the previous attempt failed (retry queue) or why the message was dead-lettered (DLQ). */
  error: "x-nemo-error",
  /** The exchange and routing key the message was first published with (lost once it went through the retry queue). */
  originExchange: "x-nemo-exchange",
  originRoutingKey: "x-nemo-routing-key",
} as const;

/** Longest error text put into a header (header tables are limited to 64 KiB in total). */
const MAX_HEADER_ERROR = 2_000;

export function encodePayload(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), "utf8");
}

export type Decoded = { ok: true; value: unknown } | { ok: false; error: string };

/** JSON body to `unknown`; an empty body is `null` (SEE's "empty payload = ok"). */
export function decodePayload(content: Buffer): Decoded {
  if (content.length === 0) return { ok: true, value: null };
  try {
    return { ok: true, value: JSON.parse(content.toString("utf8")) as unknown };
  } catch (err) {
    return { ok: false, error: `body is not JSON: ${errorMessage(err)}` };
  }
}

/** "pod.labels.l2sm: Invalid input; cpus: Too small…" — the path names the field, for the DLQ row and the log. */
export function formatZodError(error: z.ZodError): string {
  return error.issues
    .map(
      (issue) => `${issue.path.length > 0 ? issue.path.map(String).join(".") : "(root)"}: ${issue.message}`,
    )
    .join("; ");
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return typeof err === "string" ? err : (JSON.stringify(err) ?? String(err));
}

export function truncateForHeader(text: string): string {
  return text.length > MAX_HEADER_ERROR ? `${text.slice(0, MAX_HEADER_ERROR)}…` : text;
}

/** The attempt a delivery is on, from our header (1 when absent or garbled). */
export function attemptOf(messageHeaders: Record<string, unknown> | undefined): number {
  const raw = messageHeaders?.[headers.attempt];
  const n = typeof raw === "number" ? raw : typeof raw === "string" ? Number(raw) : NaN;
  return Number.isInteger(n) && n >= 1 ? n : 1;
}

/** Header values the bus forwards when it republishes (broker-managed death headers are dropped). */
export function forwardableHeaders(
  messageHeaders: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(messageHeaders ?? {})) {
    // RabbitMQ owns x-death / x-first-death-* / x-last-death-*; our attempt header is the retry truth.
    if (key === "x-death" || key.startsWith("x-first-death") || key.startsWith("x-last-death")) continue;
    out[key] = value;
  }
  return out;
}
