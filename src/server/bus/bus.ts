import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import {
  connect,
  type Channel,
  type ChannelModel,
  type ConfirmChannel,
  type Message,
  type Options,
} from "amqplib";
import { type z } from "zod";
import { db as processDb, type Db } from "@/server/db";
import { serverEnv } from "@/server/env";
import { logger as rootLogger, type Logger } from "@/server/logger";
import { sleep } from "@/common/sleep";
import { backoffDelay, type BackoffOptions } from "./backoff";
import { encodePayload, errorMessage } from "./codec";
import {
  ConsumerRuntime,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_PREFETCH,
  DEFAULT_RETRY,
  idempotentEffect,
  type AtLeastOnceConsumeOptions,
  type ConsumeOptions,
  type Consumer,
  type ConsumerHost,
  type ConsumerOptionsBase,
  type Effect,
} from "./consumer";
import {
  brokerName,
  deadLetterQueueName,
  productTopology,
  resolveRoute,
  retryQueueName,
  type ExchangeDefinition,
  type MessageDefinition,
  type QueueDefinition,
} from "./topology";

export interface BusOptions {
  /** amqp:// URL, vhost included (default AMQP_URL). */
  url?: string;
  /** For processed messages and dead letters (default: the process-wide client). */
  db?: Db;
  /** Prepended to every exchange and queue name (default AMQP_PREFIX). */
  prefix?: string;
  logger?: Logger;
  /** Client-provided connection name, shown by the broker (default `<role>@<host>:<pid>`). */
  connectionName?: string;
  /** Asserted on every (re)connect; defaults to the whole product topology. */
  topology?: { exchanges?: readonly ExchangeDefinition[]; queues?: readonly QueueDefinition[] };
  /** Delay between reconnection attempts (default 250 ms doubling to 15 s, 20 % jitter). */
  reconnect?: BackoffOptions;
  /** How long a publish keeps trying, reconnection included, before it fails (default 30 s). */
  publishTimeoutMs?: number;
  /** How long `createBus` waits for the first connection (default 30 s). */
  connectTimeoutMs?: number;
  /** AMQP heartbeat, so a silently dead peer is noticed (default 15 s). */
  heartbeatSeconds?: number;
}

export interface PublishOptions {
  /** Defaults to a fresh UUID; consumers deduplicate on it. */
  messageId?: string;
  correlationId?: string;
  replyTo?: string;
  headers?: Record<string, string | number | boolean>;
  /** Overrides the bus's publish timeout for this message. */
  timeoutMs?: number;
}

/** A message with logical names, already encoded (the outbox relay's unit). */
export interface RawMessage {
  exchange: string;
  routingKey: string;
  content: Buffer;
  messageId: string;
  type?: string;
  correlationId?: string;
  replyTo?: string;
  headers?: Record<string, unknown>;
}

/** The broker accepted the message but no queue is bound for it: it would have been dropped. */
export class UnroutableError extends Error {
  override name = "UnroutableError";
}
export class BusClosedError extends Error {
  override name = "BusClosedError";
  constructor() {
    super("the bus is closed");
  }
}
export class PublishTimeoutError extends Error {
  override name = "PublishTimeoutError";
}

const DEFAULT_RECONNECT: BackoffOptions = { initialMs: 250, maxMs: 15_000, factor: 2, jitter: 0.2 };
const PUBLISH_RETRY: BackoffOptions = { initialMs: 50, maxMs: 1_000, factor: 2 };
const DEFAULT_TRANSACTION_TIMEOUT_MS = 30_000;

/**
 * The one connection of a process to RabbitMQ: asserts the topology, publishes
 * with confirms, runs consumers, and survives broker restarts by reconnecting
 * with capped backoff, re-asserting the topology and resubscribing.
 */
export class Bus {
  readonly prefix: string;
  readonly connectionName: string;
  private readonly url: string;
  private readonly dbClient: Db | undefined;
  private readonly log: Logger;
  private readonly reconnectBackoff: BackoffOptions;
  private readonly publishTimeoutMs: number;
  private readonly exchanges = new Map<string, ExchangeDefinition>();
  /** Every queue asserted so far, re-asserted after each reconnect. */
  private readonly queues = new Map<string, QueueDefinition>();
  private readonly consumers = new Set<ConsumerRuntime<z.ZodType>>();
  private model: ChannelModel | null = null;
  private ready = false;
  private publishChannel: ConfirmChannel | null = null;
  private publishChannelOpening: Promise<ConfirmChannel> | null = null;
  /** Message ids the broker returned as unroutable, per publish channel, until their confirm arrives. */
  private readonly returned = new WeakMap<ConfirmChannel, Set<string>>();
  private connecting: Promise<void> | null = null;
  private readonly readyWaiters = new Set<() => void>();
  private readonly closedSignal = new AbortController();
  private closing: Promise<void> | null = null;

  constructor(options: BusOptions) {
    this.url = withHeartbeat(options.url ?? serverEnv().AMQP_URL, options.heartbeatSeconds ?? 15);
    this.dbClient = options.db;
    this.prefix = options.prefix ?? serverEnv().AMQP_PREFIX;
    this.connectionName = options.connectionName ?? `nemo@${hostname()}:${process.pid}`;
    this.log = (options.logger ?? rootLogger).child({ component: "bus", connection: this.connectionName });
    this.reconnectBackoff = options.reconnect ?? DEFAULT_RECONNECT;
    this.publishTimeoutMs = options.publishTimeoutMs ?? 30_000;
    const topology = options.topology ?? productTopology;
    for (const exchange of topology.exchanges ?? []) this.exchanges.set(exchange.name, exchange);
    for (const queue of topology.queues ?? []) this.queues.set(queue.name, queue);
  }

  /** Starts connecting; resolves once connected with the topology asserted. */
  async start(timeoutMs: number): Promise<void> {
    this.ensureConnecting();
    try {
      await this.waitUntilUsable(Date.now() + timeoutMs);
    } catch (err) {
      await this.close({ graceMs: 0 });
      throw new Error(`could not connect to the broker within ${timeoutMs} ms: ${errorMessage(err)}`);
    }
  }

  private get db(): Db {
    return this.dbClient ?? processDb();
  }

  /** The broker name of a logical exchange or queue name. */
  brokerName(name: string): string {
    return brokerName(this.prefix, name);
  }

  isConnected(): boolean {
    return this.ready;
  }

  /** Resolves when connected (immediately if already); rejects after `timeoutMs` or when closed. */
  waitForConnection(timeoutMs: number = this.publishTimeoutMs): Promise<void> {
    return this.waitUntilUsable(Date.now() + timeoutMs);
  }

  /** Asserts a queue not in the startup topology (e.g. a cluster's agent queue) now and after every reconnect. */
  async assertQueue(queue: QueueDefinition): Promise<void> {
    this.queues.set(queue.name, queue);
    const deadline = Date.now() + this.publishTimeoutMs;
    await this.waitUntilUsable(deadline);
    const model = this.model;
    if (!model) throw new Error("broker connection lost while asserting a queue");
    const channel = await model.createChannel();
    channel.on("error", (err: Error) => this.log.warn({ err: errorMessage(err) }, "setup channel error"));
    try {
      await this.assertQueueOn(channel, queue);
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  /**
   * Validates `payload` against the message's schema, publishes it, and
   * resolves once the broker confirmed it (after waiting, bounded, for a
   * reconnection if needed). Returns the message id.
   */
  async publish<S extends z.ZodType>(
    definition: MessageDefinition<S>,
    payload: z.input<S>,
    options: PublishOptions = {},
  ): Promise<string> {
    const valid = definition.schema.parse(payload);
    const messageId = options.messageId ?? randomUUID();
    await this.publishRaw(
      {
        exchange: definition.exchange?.name ?? "",
        routingKey: definition.routingKey,
        content: encodePayload(valid),
        messageId,
        type: definition.name,
        correlationId: options.correlationId,
        replyTo: options.replyTo,
        headers: options.headers,
      },
      { timeoutMs: options.timeoutMs },
    );
    return messageId;
  }

  /** Publishes an encoded message addressed by logical names, with confirms. */
  async publishRaw(message: RawMessage, options: { timeoutMs?: number } = {}): Promise<void> {
    const route = resolveRoute(this.prefix, message);
    await this.publishResolved(
      route.exchange,
      route.routingKey,
      message.content,
      {
        messageId: message.messageId,
        type: message.type,
        correlationId: message.correlationId,
        replyTo: message.replyTo,
        headers: message.headers,
        contentType: "application/json",
        timestamp: Math.floor(Date.now() / 1000),
      },
      options.timeoutMs,
    );
  }

  /**
   * Idempotent consumption: the handler's effect and the message id's
   * processed mark commit in one transaction; a duplicate is acked unapplied.
   */
  consume<S extends z.ZodType>(options: ConsumeOptions<S>): Promise<Consumer> {
    const effect = idempotentEffect(
      this.db,
      options.consumerName,
      options.handler,
      options.transactionTimeoutMs ?? DEFAULT_TRANSACTION_TIMEOUT_MS,
    );
    return this.addConsumer(options, effect, true);
  }

  /**
   * Same retry / DLQ handling without the transaction: the handler may see a
   * message more than once and must tolerate it (e.g. upserts). Messages
   * without a message id are accepted, for publishers outside the product.
   */
  consumeAtLeastOnce<S extends z.ZodType>(options: AtLeastOnceConsumeOptions<S>): Promise<Consumer> {
    const handler = options.handler;
    const effect: Effect<z.output<S>> = async (ctx) => {
      await handler(ctx);
      return "done";
    };
    return this.addConsumer(options, effect, false);
  }

  /**
   * Graceful shutdown: consumers stop taking messages and running handlers
   * finish (aborted after `graceMs`); pending publishes settle; then the
   * connection closes.
   */
  close(options: { graceMs?: number } = {}): Promise<void> {
    this.closing ??= this.shutdown(options.graceMs ?? 10_000);
    return this.closing;
  }

  // --- Connection ------------------------------------------------------------

  private ensureConnecting(): void {
    if (this.connecting || this.closedSignal.signal.aborted) return;
    this.connecting = this.connectLoop().finally(() => {
      this.connecting = null;
      // A drop between the last setup step and this line must not go unnoticed.
      if (!this.ready && !this.closedSignal.signal.aborted) this.ensureConnecting();
    });
  }

  private async connectLoop(): Promise<void> {
    for (let attempt = 1; !this.closedSignal.signal.aborted; attempt++) {
      try {
        await this.connectOnce();
        return;
      } catch (err) {
        if (this.closedSignal.signal.aborted) return;
        const delayMs = backoffDelay(attempt, this.reconnectBackoff);
        this.log.warn({ err: errorMessage(err), attempt, delayMs }, "broker connection failed; retrying");
        await sleep(delayMs, this.closedSignal.signal);
      }
    }
  }

  private async connectOnce(): Promise<void> {
    const model = await connect(this.url, {
      clientProperties: { connection_name: this.connectionName },
      // A publish is several small frames: with Nagle the later ones wait for the broker's delayed ACK (~40 ms).
      noDelay: true,
    });
    this.model = model;
    model.on("error", (err: Error) => this.log.warn({ err: errorMessage(err) }, "broker connection error"));
    model.on("close", (err?: Error) => this.onConnectionClosed(model, err));
    model.on("blocked", (reason: string) => this.log.warn({ reason }, "broker blocked publishing"));
    model.on("unblocked", () => this.log.info("broker unblocked publishing"));
    try {
      if (this.closedSignal.signal.aborted) throw new BusClosedError();
      const setup = await model.createChannel();
      setup.on("error", (err: Error) => this.log.warn({ err: errorMessage(err) }, "setup channel error"));
      for (const exchange of this.exchanges.values()) await this.assertExchangeOn(setup, exchange);
      for (const queue of this.queues.values()) await this.assertQueueOn(setup, queue);
      await setup.close();
      const publishChannel = await this.openPublishChannel(model);
      if (this.model !== model) throw new Error("connection lost during setup");
      this.publishChannel = publishChannel;
      this.ready = true;
      this.log.info({ consumers: this.consumers.size }, "broker connected");
      for (const consumer of this.consumers) this.startConsumer(consumer, model);
      this.wakeWaiters();
    } catch (err) {
      if (this.model === model) this.model = null;
      await model.close().catch(() => undefined);
      throw err;
    }
  }

  private onConnectionClosed(model: ChannelModel, err?: Error): void {
    if (this.model !== model) return;
    const wasReady = this.ready;
    this.model = null;
    this.ready = false;
    this.publishChannel = null;
    this.publishChannelOpening = null;
    for (const consumer of this.consumers) consumer.connectionLost();
    if (this.closedSignal.signal.aborted) return;
    if (wasReady) this.log.warn({ err: err && errorMessage(err) }, "broker connection lost; reconnecting");
    this.ensureConnecting();
  }

  private startConsumer(consumer: ConsumerRuntime<z.ZodType>, model: ChannelModel): void {
    // One consumer failing to subscribe (e.g. a mis-declared queue) must not take the others down.
    consumer.start(model).catch((err: unknown) => {
      this.log.error({ err: errorMessage(err), queue: consumer.queue }, "consumer could not subscribe");
      consumer.retryLater();
    });
  }

  private async assertExchangeOn(channel: Channel, exchange: ExchangeDefinition): Promise<void> {
    await channel.assertExchange(this.brokerName(exchange.name), exchange.type, { durable: true });
  }

  /** The queue, its retry queue (TTL then back to the queue) and its DLQ, and its bindings. */
  private async assertQueueOn(channel: Channel, queue: QueueDefinition): Promise<void> {
    const name = this.brokerName(queue.name);
    await channel.assertQueue(name, {
      durable: true,
      ...(queue.maxLength !== undefined && { maxLength: queue.maxLength }),
    });
    await channel.assertQueue(this.brokerName(retryQueueName(queue.name)), {
      durable: true,
      deadLetterExchange: "",
      deadLetterRoutingKey: name,
    });
    await channel.assertQueue(this.brokerName(deadLetterQueueName(queue.name)), { durable: true });
    for (const binding of queue.bindings) {
      await this.assertExchangeOn(channel, binding.exchange);
      await channel.bindQueue(name, this.brokerName(binding.exchange.name), binding.routingKey);
    }
  }

  // --- Publishing --------------------------------------------------------------

  private async openPublishChannel(model: ChannelModel): Promise<ConfirmChannel> {
    const channel = await model.createConfirmChannel();
    const returned = new Set<string>();
    this.returned.set(channel, returned);
    channel.on("error", (err: Error) => this.log.warn({ err: errorMessage(err) }, "publish channel error"));
    channel.on("close", () => {
      if (this.publishChannel === channel) this.publishChannel = null;
    });
    // With `mandatory`, an unroutable message comes back (before its confirm) instead of vanishing.
    channel.on("return", (msg: Message) => {
      const id: unknown = msg.properties.messageId;
      if (typeof id === "string") returned.add(id);
    });
    return channel;
  }

  private async publishChannelFor(deadline: number): Promise<ConfirmChannel> {
    for (let attempt = 1; ; attempt++) {
      await this.waitUntilUsable(deadline);
      const model = this.model;
      if (this.publishChannel) return this.publishChannel;
      if (model) {
        try {
          // The channel closed on its own (e.g. publishing to a missing exchange): open another on the same connection.
          this.publishChannelOpening ??= this.openPublishChannel(model).finally(() => {
            this.publishChannelOpening = null;
          });
          const channel = await this.publishChannelOpening;
          if (this.model === model) {
            this.publishChannel ??= channel;
            return this.publishChannel;
          }
        } catch (err) {
          this.log.debug({ err: errorMessage(err) }, "could not open a publish channel");
        }
      }
      if (Date.now() >= deadline) throw new PublishTimeoutError("no publish channel before the deadline");
      await sleep(Math.min(backoffDelay(attempt, PUBLISH_RETRY), Math.max(0, deadline - Date.now())));
    }
  }

  /** Publishes to broker names until confirmed or the deadline passes; unroutable fails at once. */
  private async publishResolved(
    exchange: string,
    routingKey: string,
    content: Buffer,
    properties: Options.Publish,
    timeoutMs: number = this.publishTimeoutMs,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (let attempt = 1; ; attempt++) {
      const channel = await this.publishChannelFor(deadline);
      try {
        await this.confirmPublish(channel, exchange, routingKey, content, properties, deadline);
        return;
      } catch (err) {
        if (err instanceof UnroutableError || err instanceof BusClosedError) throw err;
        if (Date.now() >= deadline) {
          throw new PublishTimeoutError(
            `publish to ${exchange || "(default)"}/${routingKey} not confirmed within ${timeoutMs} ms: ${errorMessage(err)}`,
          );
        }
        // Unconfirmed (channel or connection lost, or nacked): publish again; consumers deduplicate by message id.
        this.log.debug(
          { err: errorMessage(err), exchange, routingKey, attempt },
          "publish not confirmed; retrying",
        );
        await sleep(Math.min(backoffDelay(attempt, PUBLISH_RETRY), Math.max(0, deadline - Date.now())));
      }
    }
  }

  private confirmPublish(
    channel: ConfirmChannel,
    exchange: string,
    routingKey: string,
    content: Buffer,
    properties: Options.Publish,
    deadline: number,
  ): Promise<void> {
    const returned = this.returned.get(channel);
    const messageId = typeof properties.messageId === "string" ? properties.messageId : undefined;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new PublishTimeoutError("no confirm before the deadline")),
        Math.max(0, deadline - Date.now()),
      );
      const done = (err?: Error): void => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      };
      try {
        // `false` only means the socket buffer is full; the message is queued and its confirm still comes.
        channel.publish(
          exchange,
          routingKey,
          content,
          { ...properties, persistent: true, mandatory: true },
          (err: unknown) => {
            if (err) return done(err instanceof Error ? err : new Error(errorMessage(err)));
            if (messageId !== undefined && returned?.delete(messageId)) {
              return done(new UnroutableError(`no queue bound for ${exchange || "(default)"}/${routingKey}`));
            }
            done();
          },
        );
      } catch (err) {
        done(err instanceof Error ? err : new Error(errorMessage(err)));
      }
    });
  }

  // --- Waiting -----------------------------------------------------------------

  /** Waits until connected; rejects at the deadline or once the bus is closed. */
  private async waitUntilUsable(deadline: number): Promise<void> {
    while (!this.ready) {
      if (this.closedSignal.signal.aborted) throw new BusClosedError();
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new PublishTimeoutError("the broker is not reachable");
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(timer);
          this.readyWaiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, remaining);
        this.readyWaiters.add(wake);
      });
    }
    if (this.closedSignal.signal.aborted) throw new BusClosedError();
  }

  private wakeWaiters(): void {
    for (const wake of [...this.readyWaiters]) wake();
  }

  // --- Consumers and shutdown --------------------------------------------------

  private async addConsumer<S extends z.ZodType>(
    options: ConsumerOptionsBase<S>,
    effect: Effect<z.output<S>>,
    requireMessageId: boolean,
  ): Promise<Consumer> {
    if (this.closing) throw new BusClosedError();
    const runtime = new ConsumerRuntime<S>(this.consumerHost(), {
      queue: options.queue,
      consumerName: options.consumerName,
      maxAttempts: Math.max(1, options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS),
      prefetch: Math.max(1, options.prefetch ?? DEFAULT_PREFETCH),
      retry: options.retry ?? DEFAULT_RETRY,
      requireMessageId,
      effect,
    });
    this.queues.set(options.queue.name, options.queue);
    this.consumers.add(runtime);
    const model = this.model;
    // Subscribe now when connected, so the caller knows its queue exists; otherwise the reconnect subscribes it.
    if (this.ready && model) {
      try {
        await runtime.start(model);
      } catch (err) {
        // Lost the connection meanwhile: the reconnect subscribes it. Still connected: a real error, e.g. a
        // queue declared elsewhere with other arguments.
        if (this.model === model && this.ready) {
          this.consumers.delete(runtime);
          throw err;
        }
      }
    }
    return runtime;
  }

  private consumerHost(): ConsumerHost {
    return {
      prefix: this.prefix,
      db: this.db,
      log: this.log,
      readyModel: () => (this.ready ? this.model : null),
      assertQueueOn: (channel, queue) => this.assertQueueOn(channel, queue),
      publishResolved: (exchange, routingKey, content, properties) =>
        this.publishResolved(exchange, routingKey, content, properties),
      removeConsumer: (consumer) => {
        this.consumers.delete(consumer);
      },
    };
  }

  private async shutdown(graceMs: number): Promise<void> {
    // Consumers first, while publishing still works: their handlers may need to retry or dead-letter.
    await Promise.all([...this.consumers].map((consumer) => consumer.stop(graceMs)));
    const channel = this.publishChannel;
    if (channel && this.ready) await channel.waitForConfirms().catch(() => undefined);
    this.closedSignal.abort();
    this.wakeWaiters();
    const model = this.model;
    this.model = null;
    this.ready = false;
    this.publishChannel = null;
    if (model) await model.close().catch(() => undefined);
    // A connection attempt in flight notices the close when it returns; do not wait on a hung one forever.
    if (this.connecting) {
      const stopWaiting = new AbortController();
      await Promise.race([this.connecting.catch(() => undefined), sleep(5_000, stopWaiting.signal)]);
      stopWaiting.abort();
    }
    this.log.info("bus closed");
  }
}

/** Adds `heartbeat` to the URL unless it already sets one. */
function withHeartbeat(url: string, seconds: number): string {
  try {
    const parsed = new URL(url);
    if (!parsed.searchParams.has("heartbeat")) parsed.searchParams.set("heartbeat", String(seconds));
    return parsed.toString();
  } catch {
    return url;
  }
}

/** Creates the process's bus and waits for its first connection. */
export async function createBus(options: BusOptions): Promise<Bus> {
  const bus = new Bus(options);
  await bus.start(options.connectTimeoutMs ?? 30_000);
  return bus;
}
