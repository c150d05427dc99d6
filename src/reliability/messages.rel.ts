import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { connect, type ChannelModel, type ConfirmChannel } from "amqplib";
import { Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth/session";
import {
  brokerName,
  deadLetterQueueName,
  ibmcAgentMessage,
  ibmcAgentQueue,
  messages,
  productTopology,
  resolveRoute,
  type MessageDefinition,
} from "@/server/bus";
import { compactTimestamp, migrationMessageId, requestMigration } from "@/server/cluster-migration";
import { clearSimulatedFailures, injectSimulatedFailure } from "@/server/clusters";
import { serverEnv } from "@/server/env";
import { listFailedMessages } from "@/server/failed-messages";
import { createInstance, deleteInstance } from "@/server/instances";
import { createIntent } from "@/server/intents/commands";
import { testId, waitFor } from "@/server/testing/bus";
import {
  acceptedMychartWorkload,
  closeDemoDatabase,
  openDemoDatabase,
  type DemoDatabase,
} from "@/server/testing/demo-database";
import { makeUser, uniq } from "@/server/testing/factories";
import { printFigures, WorkerFleet } from "@/server/testing/reliability";

// Duplicate, reordered and poison messages of every message type, against the
// real worker processes that consume them (orchestrator, IBMC controller, IBMC
// agent, MOCA, CFDRL) on a database and AMQP prefix of this file's own. Messages are
// published behind the product's back on a plain channel, with the message ids
// chosen here: a duplicate is the same id twice (the broker redelivering, a
// relay re-publishing) or the same content under a fresh id (a sender
// retrying); reordered is a message arriving before the one it follows.

const PREFIX = `${process.env.AMQP_PREFIX ?? ""}${testId()}.`;
const ROLES = ["orchestrator", "ibmc-controller", "ibmc-agent", "moca", "cfdrl"] as const;
/** Deliveries before a failing message is dead-lettered (the bus default every product consumer keeps). */
const MAX_ATTEMPTS = 5;

/**
 * Every message type of src/server/bus/topology.ts (plus the per-cluster agent
 * command), with the queue a product consumer takes it from, or why nothing
 * consumes it. Typed by `messages`' keys: a new type without an entry does not
 * compile, and the first test checks the broker agrees about consumers.
 */
type MessageType = keyof typeof messages | "ibmcAgentCommand";
const CASES: Record<
  MessageType,
  { queue: string; consumed: true } | { queue: string; consumed: false; why: string }
> = {
  workloadRun: { queue: "nemo.api.workload.run", consumed: true },
  workloadUpdate: { queue: "nemo.api.workload.update", consumed: true },
  intentNotify: { queue: "notify", consumed: true },
  clusterJoinRequest: { queue: "mo.join", consumed: true },
  clusterJoinReply: { queue: "mo.join.reply", consumed: true },
  clusterMetrics: { queue: "metrics", consumed: true },
  ibmcAgentCommand: { queue: "mo.agent.dev-onelab", consumed: true },
  networkIntent: { queue: "nemo.api.workload.network-intent", consumed: false, why: "for mNCC (external)" },
  mnccNetwork: { queue: "mncc.ibs", consumed: false, why: "for the IBA (external)" },
  cfdrlScalingDecision: { queue: "cfdrl_mo_hs", consumed: true },
  cfdrlScalingReply: { queue: "cfdrl_mo_hs.reply", consumed: true },
  ibmcAgentReport: { queue: "ibmc.agent-report", consumed: false, why: "agents advance the migration row" },
  seeCreate: { queue: "nemo.see.create", consumed: false, why: "the SEE flow has not landed" },
  seeApply: { queue: "nemo.see.apply", consumed: false, why: "the SEE flow has not landed" },
  seeDelete: { queue: "nemo.see.delete", consumed: false, why: "the SEE flow has not landed" },
  seeReply: { queue: "see-interface-response", consumed: false, why: "the SEE flow has not landed" },
  accountingTransaction: {
    queue: "nemo.accounting.transaction",
    consumed: false,
    why: "a bounded feed for subscribers (the ledger is the record)",
  },
};

let demo: DemoDatabase;
let fleet: WorkerFleet;
let provider: SessionUser;
let admin: SessionUser;
let workloadId: number;
let model: ChannelModel;
let channel: ConfirmChannel;
/** Figures per message type, printed at the end. */
const figures: Array<Record<string, string | number>> = [];

beforeAll(async () => {
  demo = await openDemoDatabase("messages");
  provider = await makeUser(demo.db, [Role.SERVICE_PROVIDER]);
  admin = await makeUser(demo.db, [Role.NEMO_ADMIN]);
  workloadId = await acceptedMychartWorkload(demo.db, provider, "msgs");
  fleet = new WorkerFleet({
    DATABASE_URL: demo.url,
    AMQP_PREFIX: PREFIX,
    // Outcomes are read from the consumers' log lines; a periodic queue's (cluster metrics) are at debug.
    LOG_LEVEL: "debug",
    NODE_ENV: "production",
    MIGRATION_STEP_TIMEOUT_MS: "60000",
  });
  await Promise.all(ROLES.map((role) => fleet.start(role)));
  // The agent declares its queues at start; wait until it consumes dev-onelab's.
  await waitFor(
    () => fleet.process("ibmc-agent")!.lines.some((l) => l.msg === "serving clusters"),
    30_000,
    "the agent serving its clusters",
  );
  model = await connect(serverEnv().AMQP_URL);
  channel = await model.createConfirmChannel();
}, 180_000);

afterAll(async () => {
  printFigures("Duplicate / reordered / poison messages: expected vs found", figures);
  await model?.close().catch(() => undefined);
  await fleet?.stopAll();
  if (demo) await closeDemoDatabase(demo);
}, 60_000);

/** Publishes `body` (JSON, or raw text for a string) as message `def` with this message id. */
async function publish(
  def: Pick<MessageDefinition, "name" | "exchange" | "routingKey">,
  body: unknown,
  messageId: string = randomUUID(),
): Promise<string> {
  const route = resolveRoute(PREFIX, { exchange: def.exchange?.name ?? "", routingKey: def.routingKey });
  const content = Buffer.from(typeof body === "string" ? body : JSON.stringify(body));
  channel.publish(route.exchange, route.routingKey, content, {
    messageId,
    type: def.name,
    contentType: "application/json",
    persistent: true,
  });
  await channel.waitForConfirms();
  return messageId;
}

/** The consumer outcomes logged for a message id by any worker (acked, duplicate, retried, dead-lettered…). */
function outcomes(messageId: string): string[] {
  return fleet.all
    .flatMap((w) => w.lines)
    .filter((l) => l.messageId === messageId && typeof l.outcome === "string")
    .map((l) => l.outcome as string)
    .sort();
}

/** Waits for `expected` outcomes of a message id, beyond the `earlier` ones logged before this test published it. */
async function settled(
  messageId: string,
  expected: readonly string[],
  { earlier = 0, timeoutMs = 30_000 } = {},
): Promise<void> {
  const want = [...expected].sort();
  const found = () => outcomes(messageId).length - earlier;
  await waitFor(
    () => found() >= want.length,
    timeoutMs,
    `outcomes ${want.join(", ")} for ${messageId}`,
  ).catch(() => undefined);
  // Give a surplus delivery (a duplicate handled twice) a moment to show.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const all = fleet.all
    .flatMap((w) => w.lines)
    .filter((l) => l.messageId === messageId && typeof l.outcome === "string")
    .map((l) => l.outcome as string);
  expect(all.slice(earlier).sort(), `outcomes of ${messageId}`).toEqual(want);
}

async function deployed(releaseName: string, clusterName?: string) {
  const created = await createInstance(
    { db: demo.db, user: provider },
    { workloadId, releaseName: uniq(releaseName), ...(clusterName && { clusterName }) },
  );
  await waitFor(
    async () =>
      (await demo.db.workloadInstance.findUniqueOrThrow({ where: { id: created.id } })).status === "DEPLOYED",
    45_000,
    `${releaseName} DEPLOYED`,
  );
  return demo.db.workloadInstance.findUniqueOrThrow({
    where: { id: created.id },
    include: { cluster: true },
  });
}

const eventsOf = async (instanceId: string) =>
  (
    await demo.db.lifecycleEvent.findMany({
      where: { instanceId },
      orderBy: { id: "asc" },
      select: { type: true, message: true },
    })
  ).map((e) => `${e.type}: ${e.message}`);

const snapshotNamespaces = z.object({ namespaces: z.array(z.object({ name: z.string() })) });

/** The simulated clusters holding a namespace (leftovers included). */
async function holders(namespace: string): Promise<string[]> {
  const rows = await demo.db.simulatedClusterState.findMany();
  return rows
    .filter((row) => snapshotNamespaces.parse(row.state).namespaces.some((n) => n.name === namespace))
    .map((row) => row.name)
    .sort();
}

async function migrationEnded(migrationId: string) {
  await waitFor(
    async () => {
      const m = await demo.db.migration.findUniqueOrThrow({ where: { id: migrationId } });
      return ["COMPLETED", "FAILED", "ROLLED_BACK"].includes(m.state) && m.stepDeadline === null;
    },
    60_000,
    `migration ${migrationId} ended and cleaned up`,
  );
  return demo.db.migration.findUniqueOrThrow({ where: { id: migrationId } });
}

/** A poison message: dead-lettered after `attempts` deliveries, recorded in dead_letters, parked in `<queue>.dlq`. */
async function expectDeadLettered(queue: string, messageId: string, attempts: number, timeoutMs = 30_000) {
  await waitFor(
    () => outcomes(messageId).includes("dead-lettered"),
    timeoutMs,
    `${messageId} dead-lettered from ${queue}`,
  );
  const expected = [...Array(attempts - 1).fill("retried"), "dead-lettered"].sort();
  expect(outcomes(messageId)).toEqual(expected);
  const row = await demo.db.deadLetter.findFirst({ where: { messageId } });
  expect(row).toMatchObject({ queue, attempts });
  const parked = await channel.checkQueue(brokerName(PREFIX, deadLetterQueueName(queue)));
  expect(parked.messageCount).toBeGreaterThan(0);
  // What the admin's "Dead letters & failed messages" page lists: open, with its queue and attempts.
  const page = await listFailedMessages(
    { db: demo.db, user: admin },
    { kind: "dead-letter", state: "open", queue, search: messageId },
  );
  expect(page.items.map((item) => [item.messageId, item.queue, item.status, item.attempts])).toEqual([
    [messageId, queue, "DEAD", attempts],
  ]);
  return row!;
}

describe("every message type", () => {
  it("has a case here, and the broker agrees which queues a product worker consumes", async () => {
    const types = [...Object.keys(messages), "ibmcAgentCommand"].sort();
    expect(Object.keys(CASES).sort()).toEqual(types);
    const queueNames = [...productTopology.queues.map((q) => q.name), ibmcAgentQueue("dev-onelab").name];
    // Every queue of the topology is some type's queue, so a new queue cannot slip past either.
    expect([...new Set(Object.values(CASES).map((c) => c.queue))].sort()).toEqual(
      [...new Set(queueNames)].sort(),
    );
    for (const [type, c] of Object.entries(CASES)) {
      const { consumerCount } = await channel.checkQueue(brokerName(PREFIX, c.queue));
      figures.push({
        type,
        queue: c.queue,
        consumers: consumerCount,
        case: c.consumed ? "tested below" : c.why,
      });
      expect(consumerCount > 0, `${type} (${c.queue}) consumed`).toBe(c.consumed);
    }
  });
});

describe("workload.run (orchestrator)", () => {
  it("has one effect per duplicate, ignores a delete before its request and a deploy after it, dead-letters poison", async () => {
    // The handler throws on every delivery (the id is not a UUID): published first, as its retries take ~15 s.
    const thrower = await publish(messages.workloadRun, { workload_id: "not-a-uuid", status: "deploy" });
    const instance = await deployed("run");
    const before = await eventsOf(instance.id);

    const same = randomUUID();
    await publish(messages.workloadRun, { workload_id: instance.id, status: "deploy" }, same);
    await publish(messages.workloadRun, { workload_id: instance.id, status: "deploy" }, same);
    const fresh = await publish(messages.workloadRun, { workload_id: instance.id, status: "deploy" });
    await settled(same, ["acked", "duplicate"]);
    await settled(fresh, ["acked"]);
    expect(await demo.db.processedMessage.count({ where: { messageId: same } })).toBe(1);
    expect(await eventsOf(instance.id)).toEqual(before);

    // Reordered: a delete before the user asked for it does nothing; a deploy after the deletion resurrects nothing.
    const early = await publish(messages.workloadRun, { workload_id: instance.id, status: "delete" });
    await settled(early, ["acked"]);
    expect((await demo.db.workloadInstance.findUniqueOrThrow({ where: { id: instance.id } })).status).toBe(
      "DEPLOYED",
    );
    expect(await holders(instance.namespace)).toEqual([instance.cluster!.name]);
    await deleteInstance({ db: demo.db, user: provider }, instance.id);
    await waitFor(
      async () =>
        (await demo.db.workloadInstance.findUniqueOrThrow({ where: { id: instance.id } })).status ===
        "DELETED",
      30_000,
      "the instance DELETED",
    );
    const late = await publish(messages.workloadRun, { workload_id: instance.id, status: "deploy" });
    await settled(late, ["acked"]);
    expect((await demo.db.workloadInstance.findUniqueOrThrow({ where: { id: instance.id } })).status).toBe(
      "DELETED",
    );
    expect(await holders(instance.namespace)).toEqual([]);
    const after = await eventsOf(instance.id);
    expect(after.filter((e) => e.startsWith("Deletion:"))).toHaveLength(1);
    expect(after.filter((e) => e.startsWith("Deployment:"))).toHaveLength(1);

    const invalid = await publish(messages.workloadRun, { status: "deploy" });
    await expectDeadLettered("nemo.api.workload.run", invalid, 1);
    await expectDeadLettered("nemo.api.workload.run", thrower, MAX_ATTEMPTS, 90_000);
    figures.push({
      type: "workloadRun",
      duplicate: "1 effect",
      reordered: "no resurrection",
      poison: `DLQ after 1 / ${MAX_ATTEMPTS}`,
    });
  }, 180_000);
});

/** Publishes a message the product wrote to its outbox again, under its own id (what a relay re-publishing does). */
async function republish(outboxId: string, messageId: string = outboxId): Promise<string> {
  const row = await demo.db.outboxMessage.findUniqueOrThrow({ where: { id: outboxId } });
  const route = resolveRoute(PREFIX, { exchange: row.exchange, routingKey: row.routingKey });
  channel.publish(route.exchange, route.routingKey, Buffer.from(JSON.stringify(row.payload)), {
    messageId,
    contentType: "application/json",
    persistent: true,
  });
  await channel.waitForConfirms();
  return messageId;
}

describe("workload.update (orchestrator) and ibmc.agent-command (agents)", () => {
  it("a completed migration's messages again change nothing; early ones are ignored or wait; poison is dead-lettered", async () => {
    const { db } = demo;
    const instance = await deployed("mig", "dev-onelab");
    const started = await requestMigration({ db, user: admin }, instance.id, "staging-onelab");
    const migration = await migrationEnded(started.id);
    expect(migration.state).toBe("COMPLETED");
    const events = await eventsOf(instance.id);
    const steps = JSON.stringify(migration.steps);

    // Duplicates of every message of the migration: same id twice, then a fresh id.
    const purposes = ["backup", "restore", "completion-update"] as const;
    const sent: Array<[string, number, number]> = [];
    for (const purpose of purposes) {
      const id = migrationMessageId(migration.id, purpose);
      const earlier = outcomes(id).length;
      await republish(id);
      await republish(id);
      sent.push([id, 2, earlier]);
      sent.push([await republish(id, randomUUID()), 1, 0]);
    }
    // At-least-once consumers: every delivery is handled, and finding the migration ended, none has an effect.
    for (const [id, n, earlier] of sent) await settled(id, Array<string>(n).fill("acked"), { earlier });
    await migrationEnded(migration.id);
    const again = await db.migration.findUniqueOrThrow({ where: { id: migration.id } });
    expect(again.state).toBe("COMPLETED");
    expect(JSON.stringify(again.steps)).toBe(steps);
    expect(await eventsOf(instance.id)).toEqual(events);
    const moved = await db.workloadInstance.findUniqueOrThrow({
      where: { id: instance.id },
      include: { cluster: true },
    });
    expect([moved.status, moved.cluster?.name]).toEqual(["DEPLOYED", "staging-onelab"]);
    // The live copy survives a stale restore's "migration ended: remove what I restored", the source stays removed.
    expect(await holders(instance.namespace)).toEqual(["staging-onelab"]);

    // Reordered: while the backup is still running, the completion and the restore arrive first.
    const second = await deployed("early", "dev-onelab");
    await injectSimulatedFailure(db, "dev-onelab", { type: "slow-backup", delayMs: 6_000 });
    try {
      const slow = await requestMigration({ db, user: admin }, second.id, "staging-onelab");
      await waitFor(
        async () => (await db.migration.findUniqueOrThrow({ where: { id: slow.id } })).state === "BACKING_UP",
        30_000,
        "the slow backup running",
      );
      const common = {
        WorkloadID: second.id,
        SourceCluster: "dev-onelab",
        TargetCluster: "staging-onelab",
        MigrationID: slow.id,
      };
      const earlyCompletion = await publish(messages.workloadUpdate, {
        Type: "migration",
        ...common,
        Timestamp: compactTimestamp(),
      });
      const earlyRestore = await publish(ibmcAgentMessage("staging-onelab"), {
        ...common,
        Action: "restore",
        BackupName: slow.backupName,
      });
      await settled(earlyCompletion, ["acked"]);
      const ended = await migrationEnded(slow.id);
      await waitFor(() => outcomes(earlyRestore).length > 0, 30_000, "the early restore handled");
      expect(ended.state).toBe("COMPLETED");
      const secondEvents = await eventsOf(second.id);
      expect(
        secondEvents.filter((e) => e.startsWith("Migration: Migration dev-onelab → staging-onelab")),
      ).toHaveLength(2);
      expect(await holders(second.namespace)).toEqual(["staging-onelab"]);
      figures.push({
        type: "workloadUpdate + ibmcAgentCommand",
        duplicate: "no effect after COMPLETED",
        reordered: `early completion ignored, early restore ${outcomes(earlyRestore).join("/")}; ${ended.state}`,
        poison: "DLQ after 1",
      });
    } finally {
      await clearSimulatedFailures(db, "dev-onelab");
    }

    const badUpdate = await publish(messages.workloadUpdate, { Type: "migration", WorkloadID: instance.id });
    await expectDeadLettered("nemo.api.workload.update", badUpdate, 1);
    const badCommand = await publish(ibmcAgentMessage("dev-onelab"), {
      Action: "restore",
      WorkloadID: instance.id,
    });
    await expectDeadLettered("mo.agent.dev-onelab", badCommand, 1);
  }, 240_000);
});

describe("workload.intent-notify (IBMC controller)", () => {
  it("starts one migration however often an intent is announced, ignores unknown intents, dead-letters poison", async () => {
    const { db } = demo;
    const instance = await deployed("intent", "dev-onelab");
    const intent = await createIntent(
      { db, user: provider },
      {
        source: "form",
        instanceId: instance.id,
        intentType: "Availability",
        targets: [{ targetName: "availability", targetCondition: "IS_GREATER_THAN", targetValue: 95 }],
      },
    );
    await waitFor(
      async () => (await db.migration.count({ where: { instanceId: instance.id } })) > 0,
      30_000,
      "a migration",
    );
    const first = await db.migration.findFirstOrThrow({ where: { instanceId: instance.id } });
    // The notification the API wrote, again: under its id while the migration runs, and under a fresh one after.
    const rows = await db.outboxMessage.findMany({ where: { routingKey: "intent-notify" } });
    const created = rows.find((r) => (r.payload as { IntentID?: string }).IntentID === intent.id);
    expect(created).toBeDefined();
    // The controller handled the original already (that is what started the migration).
    await settled(created!.id, ["acked"]);
    await republish(created!.id);
    await settled(created!.id, ["duplicate"], { earlier: 1 });
    const busy = await republish(created!.id, randomUUID());
    await settled(busy, ["acked"]);
    await migrationEnded(first.id);
    const after = await republish(created!.id, randomUUID());
    await settled(after, ["acked"]);
    expect(await db.migration.count({ where: { instanceId: instance.id } })).toBe(1);

    // An announcement that overtakes its intent (not committed yet, or gone): ignored.
    const unknown = await publish(messages.intentNotify, {
      Type: "intent",
      IntentID: randomUUID(),
      WorkloadID: instance.id,
      Action: "violated",
    });
    await settled(unknown, ["acked"]);
    expect(await db.migration.count({ where: { instanceId: instance.id } })).toBe(1);

    const bad = await publish(messages.intentNotify, {
      Type: "intent",
      IntentID: intent.id,
      Action: "exploded",
    });
    await expectDeadLettered("notify", bad, 1);
    figures.push({
      type: "intentNotify",
      duplicate: "1 migration",
      reordered: "unknown intent ignored",
      poison: "DLQ after 1",
    });
  }, 180_000);
});

describe("cluster.join (orchestrator) and cluster.join-reply (MOCA)", () => {
  it("answer and reward once per join whatever the duplicates, and dead-letter poison", async () => {
    const { db } = demo;
    const cluster = await db.cluster.findUniqueOrThrow({ where: { name: "k3s-onelab" } });
    const reference = `registration:cluster:${cluster.id}`;
    const rewardsBefore = await db.ledgerTransaction.count({ where: { reference } });
    const repliesBefore = await db.outboxMessage.count({ where: { routingKey: "mo.join.reply" } });
    const operationId = cluster.joinOperationId ?? randomUUID();
    if (!cluster.joinOperationId)
      await db.cluster.update({ where: { id: cluster.id }, data: { joinOperationId: operationId } });
    const request = {
      id: operationId,
      cluster_name: cluster.name,
      managed_api: cluster.managedApi,
      cpus: cluster.cpus,
      memory: Number(cluster.memoryGb),
      storage: Number(cluster.storageGb),
      vram: Number(cluster.vramGb),
      availability: `${Number(cluster.availabilityPct)}%`,
      green_energy: `${Number(cluster.greenEnergyPct)}%`,
      cost: cluster.cost,
      cpu_base_rate: Number(cluster.cpuBaseRate),
      memory_base_rate: Number(cluster.memoryBaseRate),
      timestamp: new Date().toISOString(),
    };
    const same = randomUUID();
    await publish(messages.clusterJoinRequest, request, same);
    await publish(messages.clusterJoinRequest, request, same);
    await settled(same, ["acked", "duplicate"]);
    // One answer for the one request handled.
    expect(await db.outboxMessage.count({ where: { routingKey: "mo.join.reply" } })).toBe(repliesBefore + 1);
    expect((await db.cluster.findUniqueOrThrow({ where: { id: cluster.id } })).status).toBe("OK");

    const reply = {
      action: "join",
      status: "ok",
      cluster_name: cluster.name,
      managed_api: cluster.managedApi,
      operation_id: operationId,
      timestamp: new Date().toISOString(),
      id: operationId,
    };
    const sameReply = randomUUID();
    await publish(messages.clusterJoinReply, reply, sameReply);
    await publish(messages.clusterJoinReply, reply, sameReply);
    const freshReply = await publish(messages.clusterJoinReply, reply);
    await settled(sameReply, ["acked", "duplicate"]);
    await settled(freshReply, ["acked"]);
    await waitFor(
      async () =>
        (await db.outboxMessage.count({ where: { routingKey: "mo.join.reply", status: "PENDING" } })) === 0,
      15_000,
      "the join replies published",
    );
    // The reward is per cluster, whatever the number of replies (the product's own reply included).
    expect(await db.ledgerTransaction.count({ where: { reference } })).toBe(1);

    const badJoin = await publish(messages.clusterJoinRequest, { ...request, cpus: -1 });
    await expectDeadLettered("mo.join", badJoin, 1);
    const badReply = await publish(messages.clusterJoinReply, { action: "join", status: "maybe" });
    await expectDeadLettered("mo.join.reply", badReply, 1);
    figures.push({
      type: "clusterJoinRequest + clusterJoinReply",
      duplicate: `1 answer, rewards ${rewardsBefore} → 1`,
      reordered: "reward keyed by cluster",
      poison: "DLQ after 1",
    });
  }, 120_000);
});

describe("cluster.metrics (orchestrator)", () => {
  it("stores a sample once however often it arrives, in any order, and dead-letters poison", async () => {
    const { db } = demo;
    const cluster = await db.cluster.findUniqueOrThrow({ where: { name: "pro-onelab" } });
    // Recent enough to survive the orchestrator's pruning; whole seconds like the collector's.
    const newer = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
    const older = new Date(newer.getTime() - 30_000);
    const sample = (at: Date, cpu: number) => [
      {
        cluster: cluster.name,
        cpu_usage: cpu,
        memory_usage: 10,
        disk_usage: 20,
        timestamp: at.toISOString(),
      },
    ];
    const same = randomUUID();
    await publish(messages.clusterMetrics, sample(newer, 500), same);
    await publish(messages.clusterMetrics, sample(newer, 500), same);
    const fresh = await publish(messages.clusterMetrics, sample(newer, 500));
    const late = await publish(messages.clusterMetrics, sample(older, 400));
    await settled(same, ["acked", "duplicate"]);
    await settled(fresh, ["acked"]);
    await settled(late, ["acked"]);
    const rows = await db.clusterMetricSample.findMany({
      where: { clusterId: cluster.id, sampledAt: { in: [newer, older] } },
      orderBy: { sampledAt: "desc" },
    });
    expect(rows.map((r) => [r.sampledAt.toISOString(), Number(r.cpuUsageMilli)])).toEqual([
      [newer.toISOString(), 500],
      [older.toISOString(), 400],
    ]);
    const bad = await publish(messages.clusterMetrics, [{ cluster: cluster.name, memory_usage: 500 }]);
    await expectDeadLettered("metrics", bad, 1);
    figures.push({
      type: "clusterMetrics",
      duplicate: "1 row",
      reordered: "both kept by time",
      poison: "DLQ after 1",
    });
  }, 60_000);
});

describe("cfdrl.scaling-decision (orchestrator) and cfdrl.scaling-reply (CFDRL)", () => {
  it("scale once whatever the duplicates, drop a decision for a cluster the instance is not on, ignore unknown replies, dead-letter poison", async () => {
    const { db } = demo;
    const instance = await deployed("cfdrl", "dev-onelab");
    const to = instance.replicas + 1;
    const scaled = `Scaled ${instance.replicas} → ${to} replicas (CFDRL)`;
    const on = instance.cluster!.name;
    const decision = { cluster_name: on, workload_id: instance.id, number_replicas: to };
    const same = randomUUID();
    await publish(messages.cfdrlScalingDecision, decision, same);
    await publish(messages.cfdrlScalingDecision, decision, same);
    await settled(same, ["acked", "duplicate"]);
    // The same decision again under a fresh id (a sender retrying): the instance has those replicas already.
    const fresh = await publish(messages.cfdrlScalingDecision, decision);
    await settled(fresh, ["acked"]);
    expect((await eventsOf(instance.id)).filter((e) => e.endsWith(scaled))).toHaveLength(1);
    expect((await db.workloadInstance.findUniqueOrThrow({ where: { id: instance.id } })).replicas).toBe(to);

    // Reordered: a decision made while the instance was on another cluster (it has moved since) is dropped.
    const stale = await publish(messages.cfdrlScalingDecision, {
      ...decision,
      cluster_name: on === "staging-onelab" ? "dev-onelab" : "staging-onelab",
      number_replicas: to + 1,
    });
    await settled(stale, ["acked"]);
    expect((await db.workloadInstance.findUniqueOrThrow({ where: { id: instance.id } })).replicas).toBe(to);

    // A reply for a decision CFDRL never made (or already resolved) changes nothing.
    const unknown = await publish(messages.cfdrlScalingReply, {
      ...decision,
      decision_id: "999999999",
      status: "applied",
    });
    await settled(unknown, ["acked"]);
    expect(await db.cfdrlDecision.count({ where: { instanceId: instance.id } })).toBe(0);

    const badDecision = await publish(messages.cfdrlScalingDecision, { cluster_name: "dev-onelab" });
    await expectDeadLettered("cfdrl_mo_hs", badDecision, 1);
    const badReply = await publish(messages.cfdrlScalingReply, { ...decision, status: "maybe" });
    await expectDeadLettered("cfdrl_mo_hs.reply", badReply, 1);
    figures.push({
      type: "cfdrlScalingDecision + cfdrlScalingReply",
      duplicate: "1 scale",
      reordered: "stale cluster dropped, unknown reply ignored",
      poison: "DLQ after 1",
    });
  }, 120_000);
});
