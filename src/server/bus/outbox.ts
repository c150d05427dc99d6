import { randomUUID } from "node:crypto";
import pg from "pg";
import { z } from "zod";
import { Prisma } from "@/generated/prisma/client";
import { type Db } from "@/server/db";
import { logger as rootLogger, type Logger } from "@/server/logger";
import { sleep } from "@/common/sleep";
import { backoffDelay, type BackoffOptions } from "./backoff";
import { type Bus } from "./bus";
import { errorMessage, headers as busHeaders } from "./codec";
import { type TransactionClient } from "./consumer";
import { DEFAULT_EXCHANGE, type MessageDefinition } from "./topology";

/**
 * Transactional outbox: a state change and the message announcing it are
 * written in one transaction; the relay publishes committed messages with
 * confirms, using the row id as the AMQP message id so that a re-publish
 * after a crash is deduplicated by idempotent consumers.
 */

export interface EnqueueOptions {
  /** A UUID (the row id); defaults to a fresh one. Reuse it to make the enqueue itself idempotent. */
  messageId?: string;
  correlationId?: string;
  replyTo?: string;
  headers?: Record<string, string | number | boolean>;
}

/** Anything that can write outbox rows: the caller's transaction client (or the plain client). */
export type OutboxWriter = Pick<TransactionClient, "outboxMessage">;

/** AMQP properties kept in the row's `headers` column until the relay publishes. */
const envelopeSchema = z.object({
  type: z.string().optional(),
  /** The AMQP message id when it is not the row id: a replayed dead letter keeps its original id. */
  messageId: z.string().optional(),
  correlationId: z.string().optional(),
  replyTo: z.string().optional(),
  headers: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});
type Envelope = z.infer<typeof envelopeSchema>;

/** A message as it is stored in outbox_messages until the relay publishes it. */
export interface OutboxRow {
  id: string;
  /** Logical names: the relay's bus applies the prefix. */
  exchange: string;
  routingKey: string;
  payload: Prisma.InputJsonValue | typeof Prisma.JsonNull;
  headers: Envelope;
}

/**
 * Validates `payload` against the message's schema and builds its outbox
 * row (message id, envelope); throws before anything is written.
 */
export function outboxRow<S extends z.ZodType>(
  definition: MessageDefinition<S>,
  payload: z.input<S>,
  options: EnqueueOptions = {},
): OutboxRow {
  const valid = definition.schema.parse(payload);
  const id = options.messageId ?? randomUUID();
  if (!z.guid().safeParse(id).success) throw new Error(`outbox message id must be a UUID, got "${id}"`);
  return {
    id,
    exchange: definition.exchange?.name ?? "",
    routingKey: definition.routingKey,
    payload: toJson(valid),
    headers: {
      type: definition.name,
      ...(options.correlationId !== undefined && { correlationId: options.correlationId }),
      ...(options.replyTo !== undefined && { replyTo: options.replyTo }),
      ...(options.headers !== undefined && { headers: options.headers }),
    },
  };
}

/**
 * Validates `payload` against the message's schema and writes it to
 * outbox_messages inside `tx`; nothing is published unless `tx` commits.
 * Returns the message id.
 */
export async function enqueueOutbox<S extends z.ZodType>(
  tx: OutboxWriter,
  definition: MessageDefinition<S>,
  payload: z.input<S>,
  options: EnqueueOptions = {},
): Promise<string> {
  const row = outboxRow(definition, payload, options);
  await tx.outboxMessage.create({ data: row });
  return row.id;
}

/**
 * Writes many rows made by `outboxRow` with one statement, on a pg client
 * inside the caller's transaction: for bulk writers (the intent evaluator can
 * announce thousands of violations in one cycle), where one insert per
 * message would dominate.
 */
export async function enqueueOutboxRows(client: pg.ClientBase, rows: readonly OutboxRow[]): Promise<void> {
  if (rows.length === 0) return;
  await client.query(
    `INSERT INTO outbox_messages (id, exchange, routing_key, payload, headers)
     SELECT id, exchange, "routingKey", payload, headers
     FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, exchange text, "routingKey" text, payload jsonb, headers jsonb)`,
    [
      JSON.stringify(
        rows.map((row) => ({ ...row, payload: row.payload === Prisma.JsonNull ? null : row.payload })),
      ),
    ],
  );
}

/** A dead letter to send again, as `dead_letters` keeps it. */
export interface DeadLetterReplay {
  /** The (logical) queue whose consumer dead-lettered it: the replay goes to that queue only. */
  queue: string;
  /** The original message id, kept so that idempotent consumers still recognise the message. */
  messageId: string | null;
  /** The body, decoded from JSON. */
  payload: unknown;
  type: string | null;
  correlationId?: string;
  replyTo?: string;
  headers?: Record<string, string | number | boolean>;
  /** Where it was first published: handlers see this routing key again. */
  origin: { exchange: string; routingKey: string };
}

/**
 * The outbox row that replays a dead letter. It goes through the default
 * exchange to the one queue that failed it, not to the original exchange:
 * the other queues bound there (monitors, other consumers) already had the
 * message. The origin headers keep the routing key the handler saw. The
 * payload is not validated here: the consumer validates it as before, and a
 * message that is still malformed is dead-lettered again.
 */
export function replayOutboxRow(replay: DeadLetterReplay): OutboxRow {
  return {
    id: randomUUID(),
    exchange: DEFAULT_EXCHANGE,
    routingKey: replay.queue,
    payload: toJson(replay.payload),
    headers: {
      ...(replay.type !== null && { type: replay.type }),
      ...(replay.messageId !== null && { messageId: replay.messageId }),
      ...(replay.correlationId !== undefined && { correlationId: replay.correlationId }),
      ...(replay.replyTo !== undefined && { replyTo: replay.replyTo }),
      headers: {
        ...replay.headers,
        [busHeaders.originExchange]: replay.origin.exchange,
        [busHeaders.originRoutingKey]: replay.origin.routingKey,
      },
    },
  };
}

/** Exactly what will go on the wire (JSON round trip), in the shape Prisma stores. */
function toJson(value: unknown): Prisma.InputJsonValue | typeof Prisma.JsonNull {
  const json = JSON.parse(JSON.stringify(value) ?? "null") as Prisma.InputJsonValue | null;
  return json === null ? Prisma.JsonNull : json;
}

export interface OutboxRelayOptions {
  db: Db;
  bus: Pick<Bus, "publishRaw" | "isConnected">;
  logger?: Logger;
  /** Pause between passes when there was nothing (or less than a batch) to send (default 200 ms). */
  pollMs?: number;
  /** Rows claimed per pass (default 100). */
  batchSize?: number;
  /** Publish attempts before a row is marked FAILED (default 10). */
  maxAttempts?: number;
  /** Per-row publish timeout, waiting for a reconnection included (default 5 s). */
  publishTimeoutMs?: number;
  /** Delay before a failed row is tried again (default 1 s doubling to 60 s). */
  retry?: BackoffOptions;
  /**
   * Wake up as soon as outbox rows are committed, instead of at the next poll:
   * a dedicated connection to this database LISTENs for the NOTIFY that the
   * outbox trigger sends on every insert. Polling stays as the fallback (a
   * notification lost while reconnecting costs at most one `pollMs`).
   */
  listen?: OutboxListenOptions;
}

export interface OutboxListenOptions {
  /** The database the outbox lives in (the same one `db` talks to). */
  databaseUrl: string;
  /** Delay between reconnection attempts of the listening connection (default 250 ms doubling to 10 s). */
  reconnect?: BackoffOptions;
}

/** The channel the `outbox_messages` AFTER INSERT trigger notifies (prisma/migrations/*_outbox_notify). */
export const OUTBOX_NOTIFY_CHANNEL = "outbox_messages";
/** `application_name` of the listening connection, so an operator (or a test) can find it in pg_stat_activity. */
export const OUTBOX_LISTENER_APPLICATION = "nemo-outbox-listener";

export interface RelayPass {
  claimed: number;
  published: number;
  failed: number;
}

const claimedRowSchema = z.object({
  id: z.string(),
  exchange: z.string(),
  routingKey: z.string(),
  payload: z.string(),
  headers: z.string().nullable(),
  attempts: z.number().int(),
});
type ClaimedRow = z.infer<typeof claimedRowSchema>;

/**
 * Publishes committed outbox rows. Any number of relays (one per process is
 * fine) can run: rows are claimed with FOR UPDATE SKIP LOCKED and stay locked
 * while they are published, so no two relays send the same row at once.
 */
export class OutboxRelay {
  private readonly db: Db;
  private readonly bus: Pick<Bus, "publishRaw" | "isConnected">;
  private readonly log: Logger;
  private readonly pollMs: number;
  private readonly batchSize: number;
  private readonly maxAttempts: number;
  private readonly publishTimeoutMs: number;
  private readonly retry: BackoffOptions;
  private readonly listen: OutboxListenOptions | null;
  private running: Promise<void> | null = null;
  private stopper: AbortController | null = null;
  private wakeUp: (() => void) | null = null;
  /** A wake-up that came while a pass was running: the next pause is skipped, so no commit waits a poll. */
  private wakePending = false;
  private listening = false;

  constructor(options: OutboxRelayOptions) {
    this.db = options.db;
    this.bus = options.bus;
    this.log = (options.logger ?? rootLogger).child({ component: "outbox-relay" });
    this.pollMs = options.pollMs ?? 200;
    this.batchSize = options.batchSize ?? 100;
    this.maxAttempts = options.maxAttempts ?? 10;
    this.publishTimeoutMs = options.publishTimeoutMs ?? 5_000;
    this.retry = options.retry ?? { initialMs: 1_000, maxMs: 60_000, factor: 2 };
    this.listen = options.listen ?? null;
  }

  /** Whether the LISTEN connection is up (a NOTIFY would wake this relay now). */
  get isListening(): boolean {
    return this.listening;
  }

  start(): void {
    if (this.running) return;
    const stopper = new AbortController();
    this.stopper = stopper;
    this.running = this.loop(stopper.signal);
  }

  /** Stops after the pass in progress (whose claimed rows are published or released). */
  async stop(): Promise<void> {
    this.stopper?.abort();
    this.wake();
    await this.running;
    this.running = null;
    this.stopper = null;
  }

  /** Skips the rest of the current pause, e.g. right after enqueueing in this process. */
  wake(): void {
    if (this.wakeUp) this.wakeUp();
    else this.wakePending = true;
  }

  async loop(signal: AbortSignal): Promise<void> {
    const listener = this.listen ? this.listenLoop(this.listen, signal) : null;
    try {
      await this.passLoop(signal);
    } finally {
      await listener;
    }
  }

  private async passLoop(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      let more = false;
      try {
        // During a broker outage, claiming rows would only burn their attempts.
        if (this.bus.isConnected()) {
          const pass = await this.runOnce();
          more = pass.claimed >= this.batchSize;
        }
        failures = 0;
      } catch (err) {
        failures += 1;
        this.log.warn({ err: errorMessage(err), failures }, "outbox pass failed");
        await sleep(backoffDelay(failures, { initialMs: this.pollMs, maxMs: 10_000 }), signal);
      }
      if (!more) await this.pause(signal);
    }
  }

  private pause(signal: AbortSignal): Promise<void> {
    if (this.wakePending) {
      this.wakePending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        this.wakeUp = null;
        resolve();
      };
      const timer = setTimeout(done, this.pollMs);
      signal.addEventListener("abort", done, { once: true });
      this.wakeUp = done;
    });
  }

  /**
   * Keeps a LISTEN connection open until `signal` aborts, reconnecting with
   * backoff when it drops; every notification (and every reconnect, for rows
   * committed while deaf) wakes the relay.
   */
  private async listenLoop(options: OutboxListenOptions, signal: AbortSignal): Promise<void> {
    const backoff = options.reconnect ?? { initialMs: 250, maxMs: 10_000, factor: 2, jitter: 0.2 };
    for (let attempt = 0; !signal.aborted;) {
      const client = new pg.Client({
        connectionString: options.databaseUrl,
        application_name: OUTBOX_LISTENER_APPLICATION,
      });
      let onAbort: (() => void) | undefined;
      const lost = new Promise<Error>((resolve) => {
        client.on("error", resolve);
        client.on("end", () => resolve(new Error("listening connection ended")));
        onAbort = () => resolve(new Error("stopped"));
        signal.addEventListener("abort", onAbort, { once: true });
      });
      client.on("notification", () => this.wake());
      try {
        await client.connect();
        await client.query(`LISTEN "${OUTBOX_NOTIFY_CHANNEL}"`);
        this.listening = true;
        if (attempt > 0) this.log.info({ attempts: attempt }, "outbox listener reconnected");
        attempt = 0;
        // Rows committed while nobody listened are published now rather than at the next poll.
        this.wake();
        const error = await lost;
        if (!signal.aborted)
          this.log.warn({ err: errorMessage(error) }, "outbox listener lost; reconnecting");
      } catch (err) {
        if (!signal.aborted) this.log.warn({ err: errorMessage(err) }, "outbox listener could not connect");
      } finally {
        this.listening = false;
        if (onAbort) signal.removeEventListener("abort", onAbort);
        client.removeAllListeners("notification");
        await client.end().catch(() => undefined);
      }
      if (signal.aborted) return;
      attempt += 1;
      await sleep(backoffDelay(attempt, backoff), signal);
    }
  }

  /** One pass: claim a batch, publish it, record the outcome, in one transaction. */
  async runOnce(): Promise<RelayPass> {
    return this.db.$transaction(
      async (tx) => {
        const raw = await tx.$queryRaw<unknown[]>`
          SELECT id::text AS id, exchange, routing_key AS "routingKey", payload::text AS payload,
                 headers::text AS headers, attempts
          FROM outbox_messages
          WHERE status = 'PENDING' AND next_attempt_at <= now()
          ORDER BY created_at
          LIMIT ${this.batchSize}
          FOR UPDATE SKIP LOCKED`;
        const rows = raw.map((row) => claimedRowSchema.parse(row));
        if (rows.length === 0) return { claimed: 0, published: 0, failed: 0 };

        // Published together so confirms pipeline; the channel keeps their order.
        const results = await Promise.allSettled(rows.map((row) => this.publishRow(row)));
        const published: string[] = [];
        let failed = 0;
        for (const [i, result] of results.entries()) {
          const row = rows[i];
          if (!row) continue;
          if (result.status === "fulfilled") published.push(row.id);
          else {
            failed += 1;
            await this.recordFailure(tx, row, errorMessage(result.reason));
          }
        }
        if (published.length > 0) {
          await tx.outboxMessage.updateMany({
            where: { id: { in: published } },
            data: {
              status: "PUBLISHED",
              publishedAt: new Date(),
              attempts: { increment: 1 },
              lastError: null,
            },
          });
        }
        if (published.length > 0 || failed > 0) {
          this.log.debug({ claimed: rows.length, published: published.length, failed }, "outbox pass");
        }
        return { claimed: rows.length, published: published.length, failed };
      },
      // Rows stay locked while they are published: allow for a full publish timeout.
      { timeout: this.publishTimeoutMs + 15_000, maxWait: 10_000 },
    );
  }

  private async publishRow(row: ClaimedRow): Promise<void> {
    const envelope = envelopeSchema.parse(row.headers === null ? {} : JSON.parse(row.headers));
    await this.bus.publishRaw(
      {
        exchange: row.exchange,
        routingKey: row.routingKey,
        content: Buffer.from(row.payload, "utf8"),
        messageId: envelope.messageId ?? row.id,
        type: envelope.type,
        correlationId: envelope.correlationId,
        replyTo: envelope.replyTo,
        headers: envelope.headers,
      },
      { timeoutMs: this.publishTimeoutMs },
    );
  }

  private async recordFailure(tx: TransactionClient, row: ClaimedRow, error: string): Promise<void> {
    const attempts = row.attempts + 1;
    const gaveUp = attempts >= this.maxAttempts;
    // The backoff lives in the row, so every relay replica honours it.
    const nextAttemptAt = new Date(Date.now() + backoffDelay(attempts, this.retry));
    await tx.outboxMessage.update({
      where: { id: row.id },
      data: {
        attempts,
        lastError: error.slice(0, 4_000),
        status: gaveUp ? "FAILED" : "PENDING",
        nextAttemptAt,
      },
    });
    const line = { outboxId: row.id, exchange: row.exchange, routingKey: row.routingKey, attempts, error };
    if (gaveUp) {
      this.log.error(line, "outbox message failed for good");
    } else {
      this.log.warn(line, "outbox publish failed; will retry");
    }
  }
}

/** Runs a relay until `signal` aborts. */
export async function runOutboxRelay(options: OutboxRelayOptions & { signal: AbortSignal }): Promise<void> {
  const relay = new OutboxRelay(options);
  await relay.loop(options.signal);
}
