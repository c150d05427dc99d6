import { type z } from "zod";
import {
  accountingTransactionSchema,
  cfdrlScalingDecisionSchema,
  cfdrlScalingReplySchema,
  clusterJoinReplySchema,
  clusterJoinRequestSchema,
  clusterMetricsSchema,
  ibmcAgentMessageSchema,
  ibmcAgentReportSchema,
  intentNotifySchema,
  mnccNetworkMessageSchema,
  networkIntentSchema,
  seeReplySchema,
  seeRequestSchemas,
  workloadRunSchema,
  workloadUpdateSchema,
  type SeeVerb,
} from "./schemas";

/**
 * The product's whole message topology: every exchange, queue, binding and
 * message, by its logical name (docs/protocol.md, checked against this module by a test).
 *
 * Logical names are what code and database rows (outbox, dead letters) use;
 * only the bus turns them into broker names, with `brokerName()`, so the
 * AMQP_PREFIX is applied in exactly one place.
 */

export type ExchangeType = "direct" | "topic" | "fanout";

export interface ExchangeDefinition {
  readonly name: string;
  readonly type: ExchangeType;
}

export interface Binding {
  readonly exchange: ExchangeDefinition;
  readonly routingKey: string;
}

/** A durable queue, its bindings, and the schema every message on it must satisfy. */
export interface QueueDefinition<S extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly bindings: readonly Binding[];
  readonly schema: S;
  /** Carries periodic samples (cluster metrics): a handled message is logged at debug, not info. */
  readonly periodic?: boolean;
  /**
   * Keeps only the newest this many messages (the broker drops the oldest): a feed for optional
   * subscribers, whose source of truth is elsewhere, must not grow without bound when nobody reads it.
   */
  readonly maxLength?: number;
}

/**
 * Where a kind of message is published and what it must look like.
 * `exchange: null` means the default exchange, where the routing key is the
 * (logical) name of the target queue.
 */
export interface MessageDefinition<S extends z.ZodType = z.ZodType> {
  /** Stable type name, sent as the AMQP `type` property. */
  readonly name: string;
  readonly exchange: ExchangeDefinition | null;
  readonly routingKey: string;
  readonly schema: S;
}

/** The default exchange's name: publishing there addresses a queue by name. */
export const DEFAULT_EXCHANGE = "";

// --- Naming ------------------------------------------------------------------

/** The one place a logical exchange or queue name becomes a broker name. */
export function brokerName(prefix: string, name: string): string {
  // The default exchange has no name to prefix.
  return name === DEFAULT_EXCHANGE ? name : `${prefix}${name}`;
}

/** The logical name of a broker name (the inverse of `brokerName`; a name without the prefix is returned as is). */
export function logicalName(prefix: string, name: string): string {
  return prefix !== "" && name.startsWith(prefix) ? name.slice(prefix.length) : name;
}

/** Broker exchange and routing key for a logical (exchange, routing key) pair. */
export function resolveRoute(
  prefix: string,
  route: { exchange: string; routingKey: string },
): { exchange: string; routingKey: string } {
  if (route.exchange === DEFAULT_EXCHANGE) {
    // On the default exchange the routing key is a queue name, so it carries the prefix too.
    return { exchange: DEFAULT_EXCHANGE, routingKey: brokerName(prefix, route.routingKey) };
  }
  return { exchange: brokerName(prefix, route.exchange), routingKey: route.routingKey };
}

/** Where a queue's failed messages wait before going back to it (logical name). */
export function retryQueueName(queue: string): string {
  return `${queue}.retry`;
}

/** Where a queue's messages go after their last attempt or when malformed (logical name). */
export function deadLetterQueueName(queue: string): string {
  return `${queue}.dlq`;
}

// --- Builders ----------------------------------------------------------------

export function defineExchange(name: string, type: ExchangeType): ExchangeDefinition {
  return { name, type };
}

export function defineQueue<S extends z.ZodType>(queue: QueueDefinition<S>): QueueDefinition<S> {
  return queue;
}

export function defineMessage<S extends z.ZodType>(message: MessageDefinition<S>): MessageDefinition<S> {
  return message;
}

/** A message addressed straight to a queue through the default exchange. */
export function messageToQueue<S extends z.ZodType>(
  name: string,
  queue: QueueDefinition<S>,
): MessageDefinition<S> {
  return { name, exchange: null, routingKey: queue.name, schema: queue.schema };
}

// --- Exchanges ---------------------------------------------------------------

export const exchanges = {
  /** LCM / API workload events; topic so that monitors can bind `#`. */
  workload: defineExchange("nemo.api.workload", "topic"),
  /** IBMC agents, one routing key per cluster name. */
  mo: defineExchange("mo", "direct"),
  /** mNCC network updates for the IBA. */
  mncc: defineExchange("mncc", "direct"),
  /** Cluster usage metrics from collectors. */
  metrics: defineExchange("metrics", "topic"),
  /** MOCA ledger transactions, announced after commit; topic so that auditors and budgets can bind by rule. */
  accounting: defineExchange("nemo.accounting", "topic"),
} as const;

export const routingKeys = {
  run: "run",
  update: "update",
  intentNotify: "intent-notify",
  networkIntent: "network-intent",
  mnccIbs: "mncc.ibs",
  clusterUsage: "cluster.usage",
  accountingTransaction: "transaction",
} as const;

// --- Queues ------------------------------------------------------------------

export const queues = {
  /** Intents and migration completions for the IBMC controller. */
  notify: defineQueue({
    name: "notify",
    bindings: [{ exchange: exchanges.workload, routingKey: routingKeys.intentNotify }],
    schema: intentNotifySchema,
  }),
  /** Deploy / re-deploy requests for the MO. */
  workloadRun: defineQueue({
    name: "nemo.api.workload.run",
    bindings: [{ exchange: exchanges.workload, routingKey: routingKeys.run }],
    schema: workloadRunSchema,
  }),
  /** Instance status and migration results for the console's lifecycle history. */
  workloadUpdate: defineQueue({
    name: "nemo.api.workload.update",
    bindings: [{ exchange: exchanges.workload, routingKey: routingKeys.update }],
    schema: workloadUpdateSchema,
  }),
  /** Network intents for mNCC. */
  networkIntent: defineQueue({
    name: "nemo.api.workload.network-intent",
    bindings: [{ exchange: exchanges.workload, routingKey: routingKeys.networkIntent }],
    schema: networkIntentSchema,
  }),
  /** Cluster join requests for the MO. */
  clusterJoin: defineQueue({ name: "mo.join", bindings: [], schema: clusterJoinRequestSchema }),
  /** The MO's join replies, consumed by the console. */
  clusterJoinReply: defineQueue({ name: "mo.join.reply", bindings: [], schema: clusterJoinReplySchema }),
  /** Cluster usage samples for the evaluator. */
  clusterMetrics: defineQueue({
    name: "metrics",
    bindings: [{ exchange: exchanges.metrics, routingKey: routingKeys.clusterUsage }],
    schema: clusterMetricsSchema,
    periodic: true,
  }),
  /** mNCC network updates for the IBA. */
  mnccIbs: defineQueue({
    name: "mncc.ibs",
    bindings: [{ exchange: exchanges.mncc, routingKey: routingKeys.mnccIbs }],
    schema: mnccNetworkMessageSchema,
  }),
  /** CFDRL scaling decisions for the MO. */
  cfdrlScaling: defineQueue({ name: "cfdrl_mo_hs", bindings: [], schema: cfdrlScalingDecisionSchema }),
  /** The MO's scaling replies for CFDRL. */
  cfdrlScalingReply: defineQueue({
    name: "cfdrl_mo_hs.reply",
    bindings: [],
    schema: cfdrlScalingReplySchema,
  }),
  /** Agent step reports (backup / restore done or failed) for the IBMC controller. */
  ibmcAgentReport: defineQueue({ name: "ibmc.agent-report", bindings: [], schema: ibmcAgentReportSchema }),
  seeCreate: defineQueue({ name: "nemo.see.create", bindings: [], schema: seeRequestSchemas.create }),
  seeApply: defineQueue({ name: "nemo.see.apply", bindings: [], schema: seeRequestSchemas.apply }),
  seeDelete: defineQueue({ name: "nemo.see.delete", bindings: [], schema: seeRequestSchemas.delete }),
  /** SEE replies, correlated by the AMQP correlation id. */
  seeResponse: defineQueue({ name: "see-interface-response", bindings: [], schema: seeReplySchema }),
  /** Every ledger transaction, for subscribers (budgets, auditors); the ledger itself is the record. */
  accountingTransactions: defineQueue({
    name: "nemo.accounting.transaction",
    bindings: [{ exchange: exchanges.accounting, routingKey: routingKeys.accountingTransaction }],
    schema: accountingTransactionSchema,
    maxLength: 100_000,
  }),
} as const;

const CLUSTER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

function checkClusterName(cluster: string): string {
  // The name becomes a routing key and part of a queue name: refuse anything that could collide or overflow.
  if (!CLUSTER_NAME.test(cluster)) throw new Error(`invalid cluster name for the mo exchange: "${cluster}"`);
  return cluster;
}

/** The queue of the IBMC agent of one cluster (`mo.agent.<cluster>`, bound to `mo` with the cluster name). */
export function ibmcAgentQueue(cluster: string): QueueDefinition<typeof ibmcAgentMessageSchema> {
  const key = checkClusterName(cluster);
  return defineQueue({
    name: `mo.agent.${key}`,
    bindings: [{ exchange: exchanges.mo, routingKey: key }],
    schema: ibmcAgentMessageSchema,
  });
}

// --- Messages ----------------------------------------------------------------

export const messages = {
  workloadRun: defineMessage({
    name: "workload.run",
    exchange: exchanges.workload,
    routingKey: routingKeys.run,
    schema: workloadRunSchema,
  }),
  workloadUpdate: defineMessage({
    name: "workload.update",
    exchange: exchanges.workload,
    routingKey: routingKeys.update,
    schema: workloadUpdateSchema,
  }),
  intentNotify: defineMessage({
    name: "workload.intent-notify",
    exchange: exchanges.workload,
    routingKey: routingKeys.intentNotify,
    schema: intentNotifySchema,
  }),
  networkIntent: defineMessage({
    name: "workload.network-intent",
    exchange: exchanges.workload,
    routingKey: routingKeys.networkIntent,
    schema: networkIntentSchema,
  }),
  clusterJoinRequest: messageToQueue("cluster.join", queues.clusterJoin),
  clusterJoinReply: messageToQueue("cluster.join-reply", queues.clusterJoinReply),
  clusterMetrics: defineMessage({
    name: "cluster.metrics",
    exchange: exchanges.metrics,
    routingKey: routingKeys.clusterUsage,
    schema: clusterMetricsSchema,
  }),
  mnccNetwork: defineMessage({
    name: "mncc.network",
    exchange: exchanges.mncc,
    routingKey: routingKeys.mnccIbs,
    schema: mnccNetworkMessageSchema,
  }),
  cfdrlScalingDecision: messageToQueue("cfdrl.scaling-decision", queues.cfdrlScaling),
  cfdrlScalingReply: messageToQueue("cfdrl.scaling-reply", queues.cfdrlScalingReply),
  ibmcAgentReport: messageToQueue("ibmc.agent-report", queues.ibmcAgentReport),
  seeCreate: messageToQueue("see.create", queues.seeCreate),
  seeApply: messageToQueue("see.apply", queues.seeApply),
  seeDelete: messageToQueue("see.delete", queues.seeDelete),
  seeReply: messageToQueue("see.reply", queues.seeResponse),
  accountingTransaction: defineMessage({
    name: "accounting.transaction",
    exchange: exchanges.accounting,
    routingKey: routingKeys.accountingTransaction,
    schema: accountingTransactionSchema,
  }),
} as const;

const seeRequestMessages = {
  create: messages.seeCreate,
  apply: messages.seeApply,
  delete: messages.seeDelete,
} as const;

/** The SEE request message for a verb (queue `nemo.see.<verb>`). */
export function seeRequestMessage<V extends SeeVerb>(verb: V): (typeof seeRequestMessages)[V] {
  return seeRequestMessages[verb];
}

/** A backup / restore command for the IBMC agent of `cluster` (exchange `mo`, routing key = cluster). */
export function ibmcAgentMessage(cluster: string): MessageDefinition<typeof ibmcAgentMessageSchema> {
  return defineMessage({
    name: "ibmc.agent-command",
    exchange: exchanges.mo,
    routingKey: checkClusterName(cluster),
    schema: ibmcAgentMessageSchema,
  });
}

/** What every process asserts on (re)connect. Per-cluster agent queues are asserted by whoever uses them. */
export const productTopology: {
  readonly exchanges: readonly ExchangeDefinition[];
  readonly queues: readonly QueueDefinition[];
} = {
  exchanges: Object.values(exchanges),
  queues: Object.values(queues),
};
