import { type Channel, type ChannelModel, type ConsumeMessage, type Options } from "amqplib";
import { type z } from "zod";
import { type Prisma } from "@/generated/prisma/client";
import { type Db } from "@/server/db";
import { type Logger } from "@/server/logger";
import { sleep } from "@/common/sleep";
import { backoffDelay, type BackoffOptions } from "./backoff";
import {
  attemptOf,
  decodePayload,
  errorMessage,
  formatZodError,
  forwardableHeaders,
  headers,
  truncateForHeader,
} from "./codec";
import {
  brokerName,
  deadLetterQueueName,
  logicalName,
  retryQueueName,
  type QueueDefinition,
} from "./topology";

export type TransactionClient = Prisma.TransactionClient;

/** What a handler is told about the message it handles. */
export interface MessageContext<T> {
  payload: T;
  /** The AMQP message id; always set for idempotent consumers. */
  messageId: string | undefined;
  /** 1-based attempt this delivery is on (retries through the retry queue count; broker redeliveries do not). */
  attempt: number;
  maxAttempts: number;
  /** Routing key the message was originally published with. */
  routingKey: string;
  correlationId: string | undefined;
  replyTo: string | undefined;
  headers: Readonly<Record<string, unknown>>;
  /** Aborted when shutdown stops waiting for running handlers; the message then goes back to the queue. */
  signal: AbortSignal;
  log: Logger;
}

export interface IdempotentContext<T> extends MessageContext<T> {
  messageId: string;
  /** The handler's effect must go through this client: it commits together with the processed-message mark. */
  tx: TransactionClient;
}

export type IdempotentHandler<T> = (ctx: IdempotentContext<T>) => Promise<void>;
export type AtLeastOnceHandler<T> = (ctx: MessageContext<T>) => Promise<void>;

export interface ConsumerOptionsBase<S extends z.ZodType> {
  /** The queue (with its bindings and the schema its messages must satisfy). */
  queue: QueueDefinition<S>;
  /** Names the consumer in processed_messages and the logs; competing replicas share it. */
  consumerName: string;
  /** Deliveries before a failing message goes to the DLQ (default 5). */
  maxAttempts?: number;
  /** Unacknowledged messages this consumer holds at once (default 10). */
  prefetch?: number;
  /** Delay before a failed message's next attempt (default 1 s doubling to 60 s). */
  retry?: BackoffOptions;
}

export interface ConsumeOptions<S extends z.ZodType> extends ConsumerOptionsBase<S> {
  handler: IdempotentHandler<z.output<S>>;
  /** Interactive transaction timeout for one handler run (default 30 s). */
  transactionTimeoutMs?: number;
}

export interface AtLeastOnceConsumeOptions<S extends z.ZodType> extends ConsumerOptionsBase<S> {
  handler: AtLeastOnceHandler<z.output<S>>;
}

/** A running consumer; `stop` is its own graceful shutdown. */
export interface Consumer {
  readonly queue: string;
  readonly consumerName: string;
  stop(graceMs?: number): Promise<void>;
}

type Outcome = "acked" | "duplicate" | "retried" | "dead-lettered" | "requeued";

/** Runs the handler's effect; "duplicate" means the message id was already applied. */
export type Effect<T> = (ctx: MessageContext<T>) => Promise<"done" | "duplicate">;

export interface ConsumerSpec<S extends z.ZodType> {
  queue: QueueDefinition<S>;
  consumerName: string;
  maxAttempts: number;
  prefetch: number;
  retry: BackoffOptions;
  requireMessageId: boolean;
  effect: Effect<z.output<S>>;
}

/** The bus services a consumer needs. */
export interface ConsumerHost {
  readonly prefix: string;
  readonly db: Db;
  readonly log: Logger;
  /** The live connection when the bus is connected and set up, else null. */
  readyModel(): ChannelModel | null;
  assertQueueOn(channel: Channel, queue: QueueDefinition): Promise<void>;
  /** Publishes to broker names with confirms, waiting (bounded) for a reconnection if needed. */
  publishResolved(
    exchange: string,
    routingKey: string,
    content: Buffer,
    options: Options.Publish,
  ): Promise<void>;
  removeConsumer(consumer: ConsumerRuntime<z.ZodType>): void;
}

export const DEFAULT_MAX_ATTEMPTS = 5;
export const DEFAULT_PREFETCH = 10;
export const DEFAULT_RETRY: BackoffOptions = { initialMs: 1_000, maxMs: 60_000, factor: 2 };
const DEFAULT_GRACE_MS = 10_000;
/** After aborting handlers, how long to wait for them to notice before closing the channel. */
const ABORT_WAIT_MS = 2_000;
/** Pause before handing back a message we could not move (retry / DLQ), so a down database does not spin. */
const SETTLE_FAILURE_PAUSE_MS = 1_000;
const RESTART_BACKOFF: BackoffOptions = { initialMs: 200, maxMs: 15_000, jitter: 0.2 };

/** The idempotent path: mark the message id and run the handler in one transaction. */
export function idempotentEffect<T>(
  db: Db,
  consumerName: string,
  handler: IdempotentHandler<T>,
  transactionTimeoutMs: number,
): Effect<T> {
  return (ctx) => {
    const messageId = ctx.messageId;
    if (messageId === undefined) throw new Error("idempotent consumption needs a message id");
    return db.$transaction(
      async (tx) => {
        // A concurrent duplicate blocks here until the first commits (then inserts nothing) or rolls back (then proceeds).
        const inserted = await tx.$executeRaw`
          INSERT INTO processed_messages (consumer, message_id) VALUES (${consumerName}, ${messageId})
          ON CONFLICT DO NOTHING`;
        if (inserted === 0) return "duplicate" as const;
        await handler({ ...ctx, messageId, tx });
        return "done" as const;
      },
      { timeout: transactionTimeoutMs, maxWait: 10_000 },
    );
  };
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

/** One subscription: its channel across reconnects, and the per-message pipeline. */
export class ConsumerRuntime<S extends z.ZodType> implements Consumer {
  readonly queue: string;
  readonly consumerName: string;
  private channel: Channel | null = null;
  private consumerTag: string | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private stopping: Promise<void> | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private restartAttempt = 0;
  private starting: Promise<void> | null = null;
  private readonly log: Logger;

  constructor(
    private readonly host: ConsumerHost,
    private readonly spec: ConsumerSpec<S>,
  ) {
    this.queue = spec.queue.name;
    this.consumerName = spec.consumerName;
    this.log = host.log.child({ queue: spec.queue.name, consumer: spec.consumerName });
  }

  get stopped(): boolean {
    return this.stopping !== null;
  }

  /** Opens a channel on `model`, (re)asserts the queue and starts consuming (once, however often called). */
  start(model: ChannelModel): Promise<void> {
    if (this.stopped || this.channel) return Promise.resolve();
    // A reconnect and a pending resubscribe may both ask: never subscribe twice.
    this.starting ??= this.subscribe(model).finally(() => {
      this.starting = null;
    });
    return this.starting;
  }

  private async subscribe(model: ChannelModel): Promise<void> {
    const channel = await model.createChannel();
    channel.on("error", (err: Error) => this.log.warn({ err: errorMessage(err) }, "consumer channel error"));
    channel.on("close", () => this.onChannelClosed(channel));
    try {
      await this.host.assertQueueOn(channel, this.spec.queue);
      await channel.prefetch(this.spec.prefetch);
      this.channel = channel;
      const { consumerTag } = await channel.consume(
        brokerName(this.host.prefix, this.spec.queue.name),
        (msg) => this.onDelivery(channel, msg),
        { noAck: false },
      );
      this.consumerTag = consumerTag;
      this.restartAttempt = 0;
      this.log.debug("consuming");
    } catch (err) {
      if (this.channel === channel) this.channel = null;
      await channel.close().catch(() => undefined);
      throw err;
    }
  }

  /** The connection went away: the bus calls `start` again after reconnecting. */
  connectionLost(): void {
    this.channel = null;
    this.consumerTag = null;
    this.clearRestart();
  }

  stop(graceMs: number = DEFAULT_GRACE_MS): Promise<void> {
    this.stopping ??= this.shutdown(graceMs);
    return this.stopping;
  }

  private async shutdown(graceMs: number): Promise<void> {
    this.clearRestart();
    // A subscription in progress finishes first, so that it is cancelled below rather than left running.
    await this.starting?.catch(() => undefined);
    const channel = this.channel;
    const tag = this.consumerTag;
    // 1. No new deliveries.
    if (channel && tag) await channel.cancel(tag).catch(() => undefined);
    // 2. Let running handlers finish; 3. then tell them to stop and give them a moment.
    if (!(await settledWithin(this.inFlight, graceMs))) {
      this.log.warn(
        { running: this.inFlight.size },
        "handlers still running after grace period; aborting them",
      );
      this.abort.abort(new Error("consumer shutting down"));
      await settledWithin(this.inFlight, ABORT_WAIT_MS);
    }
    // 4. Anything still unacknowledged goes back to the queue when the channel closes.
    this.channel = null;
    this.consumerTag = null;
    if (channel) await channel.close().catch(() => undefined);
    this.host.removeConsumer(this);
  }

  private onChannelClosed(channel: Channel): void {
    if (this.channel !== channel) return;
    this.channel = null;
    this.consumerTag = null;
    if (this.stopped) return;
    // The channel died but the connection lives (e.g. the queue was deleted): resubscribe on our own.
    if (this.host.readyModel()) this.retryLater();
  }

  /** Subscribes again after a backoff, as long as the connection stays up. */
  retryLater(): void {
    if (this.stopped) return;
    this.clearRestart();
    this.restartAttempt += 1;
    const delayMs = backoffDelay(this.restartAttempt, RESTART_BACKOFF);
    this.log.warn({ delayMs }, "consumer not subscribed; resubscribing");
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      const model = this.host.readyModel();
      if (!model || this.stopped || this.channel) return;
      this.start(model).catch((err: unknown) => {
        this.log.warn({ err: errorMessage(err) }, "resubscribe failed");
        if (this.host.readyModel()) this.retryLater();
      });
    }, delayMs);
  }

  private clearRestart(): void {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
  }

  private onDelivery(channel: Channel, msg: ConsumeMessage | null): void {
    if (msg === null) {
      // The broker cancelled us (queue deleted or similar): close and resubscribe, which re-asserts the queue.
      this.log.warn("consumer cancelled by the broker");
      void channel.close().catch(() => undefined);
      return;
    }
    const running: Promise<void> = this.process(channel, msg)
      .catch((err: unknown) => this.log.error({ err: errorMessage(err) }, "unexpected consumer failure"))
      .finally(() => this.inFlight.delete(running));
    this.inFlight.add(running);
  }

  private async process(channel: Channel, msg: ConsumeMessage): Promise<void> {
    const started = performance.now();
    const props = msg.properties;
    const messageHeaders = (props.headers ?? {}) as Record<string, unknown>;
    const attempt = attemptOf(messageHeaders);
    const { maxAttempts } = this.spec;
    const messageId = stringOrUndefined(props.messageId);
    const origin = {
      exchange: stringOrUndefined(messageHeaders[headers.originExchange]) ?? msg.fields.exchange,
      routingKey: stringOrUndefined(messageHeaders[headers.originRoutingKey]) ?? msg.fields.routingKey,
    };
    const log = this.log.child({ messageId, routingKey: origin.routingKey });

    let outcome: Outcome;
    let error: string | undefined;
    let ackLost = false;
    try {
      const checked = this.check(msg, messageId);
      if (!checked.ok) {
        // Malformed messages never get better: straight to the DLQ, whatever the attempt.
        error = checked.error;
        ackLost = !(await this.deadLetter(channel, msg, { messageId, attempt, error, origin }));
        outcome = "dead-lettered";
      } else {
        try {
          const result = await this.spec.effect({
            payload: checked.payload,
            messageId,
            attempt,
            maxAttempts,
            routingKey: origin.routingKey,
            correlationId: stringOrUndefined(props.correlationId),
            replyTo: stringOrUndefined(props.replyTo),
            headers: messageHeaders,
            signal: this.abort.signal,
            log,
          });
          ackLost = !settle(channel, msg, "ack");
          outcome = result === "duplicate" ? "duplicate" : "acked";
        } catch (err) {
          error = errorMessage(err);
          if (this.abort.signal.aborted) {
            // Shutdown interrupted it: not the message's fault, so no attempt is used up.
            settle(channel, msg, "requeue");
            outcome = "requeued";
          } else if (attempt >= maxAttempts) {
            ackLost = !(await this.deadLetter(channel, msg, { messageId, attempt, error, origin }));
            outcome = "dead-lettered";
          } else {
            ackLost = !(await this.retry(channel, msg, { attempt, error, origin }));
            outcome = "retried";
          }
        }
      }
    } catch (err) {
      // Moving the message (retry queue, DLQ, dead_letters row) failed: hand it back unchanged.
      error = [error, `could not settle: ${errorMessage(err)}`].filter(Boolean).join("; ");
      await sleep(SETTLE_FAILURE_PAUSE_MS, this.abort.signal);
      settle(channel, msg, "requeue");
      outcome = "requeued";
    }

    // queue, consumer, messageId and routingKey come from the child logger's bindings.
    const line = {
      attempt,
      maxAttempts,
      outcome,
      durationMs: Math.round(performance.now() - started),
      ...(error !== undefined && { error }),
      // The broker will redeliver it; the processed-message mark makes that harmless.
      ...(ackLost && { ackLost }),
    };
    if (outcome === "dead-lettered") log.error(line, "message dead-lettered");
    else if (outcome === "retried" || outcome === "requeued") log.warn(line, "message failed");
    // Periodic samples (every metrics period, per cluster) would drown the terminal at info.
    else if (this.spec.queue.periodic) log.debug(line, "message handled");
    else log.info(line, "message handled");
  }

  private check(
    msg: ConsumeMessage,
    messageId: string | undefined,
  ): { ok: true; payload: z.output<S> } | { ok: false; error: string } {
    if (this.spec.requireMessageId && messageId === undefined) {
      return { ok: false, error: "message has no messageId property (required for idempotent consumption)" };
    }
    const decoded = decodePayload(msg.content);
    if (!decoded.ok) return { ok: false, error: decoded.error };
    const parsed = this.spec.queue.schema.safeParse(decoded.value);
    if (!parsed.success) return { ok: false, error: `invalid payload: ${formatZodError(parsed.error)}` };
    return { ok: true, payload: parsed.data };
  }

  /** Schedules the next attempt through the retry queue; returns whether the original was acked. */
  private async retry(
    channel: Channel,
    msg: ConsumeMessage,
    failure: { attempt: number; error: string; origin: { exchange: string; routingKey: string } },
  ): Promise<boolean> {
    // Per-message TTL only expires at the head of the retry queue, so a short delay can wait behind a
    // longer one; the backoff cap bounds that wait.
    const delayMs = backoffDelay(failure.attempt, this.spec.retry);
    await this.host.publishResolved(
      "",
      brokerName(this.host.prefix, retryQueueName(this.spec.queue.name)),
      msg.content,
      {
        ...republishProperties(msg, failure.origin, {
          [headers.attempt]: failure.attempt + 1,
          [headers.error]: truncateForHeader(failure.error),
        }),
        expiration: String(delayMs),
      },
    );
    return settle(channel, msg, "ack");
  }

  /** Records the dead letter, moves the message to `<queue>.dlq`; returns whether the original was acked. */
  private async deadLetter(
    channel: Channel,
    msg: ConsumeMessage,
    failure: {
      messageId: string | undefined;
      attempt: number;
      error: string;
      origin: { exchange: string; routingKey: string };
    },
  ): Promise<boolean> {
    await this.host.db.deadLetter.create({
      data: {
        queue: this.spec.queue.name,
        messageId: failure.messageId ?? null,
        routingKey: failure.origin.routingKey,
        payload: msg.content.toString("utf8"),
        error: failure.error,
        attempts: failure.attempt,
        // What an admin's replay needs to send the same message again (dead-letters/replay).
        exchange: logicalName(this.host.prefix, failure.origin.exchange),
        messageType: stringOrUndefined(msg.properties.type) ?? null,
        properties: deadLetterProperties(msg),
      },
    });
    await this.host.publishResolved(
      "",
      brokerName(this.host.prefix, deadLetterQueueName(this.spec.queue.name)),
      msg.content,
      republishProperties(msg, failure.origin, {
        [headers.attempt]: failure.attempt,
        [headers.error]: truncateForHeader(failure.error),
      }),
    );
    return settle(channel, msg, "ack");
  }
}

/**
 * The properties a replay sends again: correlation, reply-to and the
 * producer's headers, without the bus's own bookkeeping (attempt, error,
 * origin) and the broker's death records.
 */
function deadLetterProperties(msg: ConsumeMessage): Prisma.InputJsonObject {
  const own = new Set<string>(Object.values(headers));
  const kept: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(forwardableHeaders(msg.properties.headers))) {
    if (own.has(key)) continue;
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
      kept[key] = value;
  }
  const correlationId = stringOrUndefined(msg.properties.correlationId);
  const replyTo = stringOrUndefined(msg.properties.replyTo);
  return {
    ...(correlationId !== undefined && { correlationId }),
    ...(replyTo !== undefined && { replyTo }),
    headers: kept,
  };
}

/** The original message's properties, plus our bookkeeping headers, for a copy on another queue. */
function republishProperties(
  msg: ConsumeMessage,
  origin: { exchange: string; routingKey: string },
  extraHeaders: Record<string, unknown>,
): Options.Publish {
  const p = msg.properties;
  return {
    messageId: stringOrUndefined(p.messageId),
    correlationId: stringOrUndefined(p.correlationId),
    replyTo: stringOrUndefined(p.replyTo),
    type: stringOrUndefined(p.type),
    appId: stringOrUndefined(p.appId),
    contentType: stringOrUndefined(p.contentType),
    contentEncoding: stringOrUndefined(p.contentEncoding),
    timestamp: typeof p.timestamp === "number" ? p.timestamp : undefined,
    headers: {
      ...forwardableHeaders(p.headers),
      [headers.originExchange]: origin.exchange,
      [headers.originRoutingKey]: origin.routingKey,
      ...extraHeaders,
    },
  };
}

/** Acks or requeues; false when the channel is already gone (the broker then redelivers by itself). */
function settle(channel: Channel, msg: ConsumeMessage, how: "ack" | "requeue"): boolean {
  try {
    if (how === "ack") channel.ack(msg);
    else channel.nack(msg, false, true);
    return true;
  } catch {
    return false;
  }
}

/** Waits until every promise in the (live) set has settled, or `ms` passed; true if they all settled. */
async function settledWithin(running: Set<Promise<void>>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (running.size > 0) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) return false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, remaining);
    });
    await Promise.race([Promise.allSettled([...running]), timeout]);
    clearTimeout(timer);
  }
  return true;
}
