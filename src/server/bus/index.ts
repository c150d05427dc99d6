/**
 * The message bus: the product's one topology, a reconnecting RabbitMQ
 * connection with publisher confirms, idempotent consumers with bounded retry
 * and dead-lettering, and the transactional outbox.
 */
export { backoffDelay, type BackoffOptions } from "./backoff";
export {
  Bus,
  BusClosedError,
  createBus,
  PublishTimeoutError,
  UnroutableError,
  type BusOptions,
  type PublishOptions,
  type RawMessage,
} from "./bus";
export { errorMessage, formatZodError, headers as busHeaders } from "./codec";
export {
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_PREFETCH,
  DEFAULT_RETRY,
  type AtLeastOnceConsumeOptions,
  type AtLeastOnceHandler,
  type ConsumeOptions,
  type Consumer,
  type IdempotentContext,
  type IdempotentHandler,
  type MessageContext,
  type TransactionClient,
} from "./consumer";
export {
  enqueueOutbox,
  enqueueOutboxRows,
  outboxRow,
  OUTBOX_LISTENER_APPLICATION,
  OUTBOX_NOTIFY_CHANNEL,
  OutboxRelay,
  replayOutboxRow,
  runOutboxRelay,
  type DeadLetterReplay,
  type EnqueueOptions,
  type OutboxListenOptions,
  type OutboxRelayOptions,
  type OutboxRow,
  type OutboxWriter,
  type RelayPass,
} from "./outbox";
export {
  pruneBusBookkeeping,
  type BusBookkeepingTable,
  type BusRetention,
  type PruneBusOptions,
  type PruneBusResult,
} from "./retention";
export * from "./schemas";
export * from "./topology";
