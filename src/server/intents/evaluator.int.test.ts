import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Prisma } from "@/generated/prisma/client";
import { makeUser, uniq } from "@/server/testing/factories";
import { Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth/session";
import { intentNotifySchema, OutboxRelay, type Bus, type IntentNotification } from "@/server/bus";
import { createTestBus, deleteQueues, drainQueue, testId, waitFor, withChannel } from "@/server/testing/bus";
import { driverFor, sharedDriverFactory, type ClusterDriver, type DriverFactory } from "@/server/clusters";
import { createDb, type Db } from "@/server/db/client";
import { applyMigrations, dropDatabase, ensureDatabase } from "@/server/db/migrate";
import { seedDemo } from "@/server/demo/seed";
import { createInstance, deleteInstance } from "@/server/instances";
import { logger } from "@/server/logger";
import { databaseUrlFor, runId } from "@/server/testing/services";
import { createWorkload, uploadChart } from "@/server/workloads";
import { packChartDirectory } from "@/server/workloads/tar-writer";
import { evaluateIntentsOnce, runEvaluationCycle } from "./evaluator";
import { storedTargetResults } from "./report";
import { orchestrateNewestRun } from "@/server/testing/orchestration";

// The cycle evaluates every due intent of its database: this file has a
// database of its own (the five demo clusters) so other files' intents stay out.
const url = databaseUrlFor(`nemo_evaluator_${runId()}`);
const queue = `${testId()}.intent-notify`;
let db: Db;
let bus: Bus | undefined;
let provider: SessionUser;
let workloadId: number;

const as = (user: SessionUser) => ({ db, user });

async function orchestrate(instanceId: string): Promise<void> {
  await orchestrateNewestRun(db, instanceId);
  // The orchestrator's messages are not this file's business: keep the relay to intent-notify.
  await db.outboxMessage.deleteMany({ where: { routingKey: "run" } });
}

async function deployed(releaseName: string) {
  const instance = await createInstance(as(provider), { workloadId, releaseName });
  await orchestrate(instance.id);
  const row = await db.workloadInstance.findUniqueOrThrow({ where: { id: instance.id } });
  expect(row.status).toBe("DEPLOYED");
  return row;
}

interface TargetInput {
  targetName: string;
  targetCondition: string;
  targetValueRange: string | number | string[] | number[];
}

/** The normal form as the intents flow stores it (values as strings, like the form writes them). */
function body(instanceId: string, targets: TargetInput[]): Prisma.InputJsonObject {
  return {
    userLabel: "test intent",
    intentExpectations: [
      {
        expectationId: "1",
        expectationVerb: "DELIVER",
        expectationObject: { objectType: "NEMO_WORKLOAD", objectInstance: instanceId, objectContexts: [] },
        expectationTargets: targets.map((t) => ({ ...t, targetContexts: [] })),
        expectationContexts: [],
      },
    ],
    intentContexts: [],
    contextSelectivity: "ALL_OF",
    intentPriority: 1,
    observationPeriod: 60,
    intentAdminState: "ACTIVATED",
  };
}

const cpuAbove = (value: string): TargetInput => ({
  targetName: "cpuUsage",
  targetCondition: "IS_GREATER_THAN",
  targetValueRange: value,
});

async function makeIntent(
  instanceId: string,
  intentType: string,
  targets: TargetInput[],
  extra: Partial<Prisma.IntentUncheckedCreateInput> = {},
) {
  return db.intent.create({
    data: {
      intentType,
      instanceId,
      ownerId: provider.id,
      contextSelectivity: "ALL_OF",
      observationPeriodS: 60,
      body: body(instanceId, targets),
      ...extra,
    },
  });
}

/** What the management flow does on "change target": new body, due now. */
async function changeTargets(intentId: string, instanceId: string, targets: TargetInput[]) {
  await db.intent.update({ where: { id: intentId }, data: { body: body(instanceId, targets) } });
  await dueNow(intentId);
}

const scheduleOf = (intentId: string) => db.intentSchedule.findUniqueOrThrow({ where: { intentId } });
const dueNow = (intentId: string) =>
  db.intentSchedule.update({ where: { intentId }, data: { nextEvaluationAt: new Date() } });

const reportsOf = (intentId: string) =>
  db.intentReport.findMany({ where: { intentId }, orderBy: { id: "asc" } });

const cycle = (now?: Date) => runEvaluationCycle({ db, log: logger, ...(now && { now }) });

/** Publishes this database's outbox and returns the `violated` messages that reached the test queue for the intent. */
async function published(intentId: string, expected: number): Promise<IntentNotification[]> {
  if (!bus) throw new Error("no bus: the set-up failed");
  const relay = new OutboxRelay({ db, bus });
  while ((await relay.runOnce()).claimed > 0);
  const seen: IntentNotification[] = [];
  const collect = async () => {
    for (const message of await drainQueue(queue)) {
      const payload = intentNotifySchema.parse(JSON.parse(message.content.toString("utf8")));
      if (payload.Type === "intent" && payload.IntentID === intentId) seen.push(payload);
    }
    return seen.length >= expected;
  };
  if (expected > 0) await waitFor(collect, 10_000, `${expected} notification(s) for ${intentId}`);
  else {
    // Nothing expected: give a stray message the time to arrive, then look once more.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await collect();
  }
  return seen;
}

/** Drivers that run `before` once, just before the cycle's first usage read (between its read and its write). */
function pausingOnce(before: () => Promise<void>): DriverFactory {
  const shared = sharedDriverFactory(db);
  let pending: (() => Promise<void>) | null = before;
  return (config) =>
    new Proxy<ClusterDriver>(shared(config), {
      get(target, property) {
        if (property === "instancesUsage")
          return async (namespaces: readonly string[]) => {
            const hook = pending;
            pending = null;
            await hook?.();
            return target.instancesUsage(namespaces);
          };
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
}

beforeAll(async () => {
  await ensureDatabase(url);
  await applyMigrations(url);
  db = createDb(url);
  await seedDemo(db);
  provider = await makeUser(db, [Role.SERVICE_PROVIDER]);
  const workload = await createWorkload(as(provider), { name: uniq("calc"), version: "1.0.0" });
  await uploadChart(
    as(provider),
    workload.id,
    await packChartDirectory(path.resolve("src/server/charts/conformance-data/helm/create/mychart")),
  );
  workloadId = workload.id;
  bus = await createTestBus(db);
  await withChannel(async (channel, name) => {
    await channel.assertExchange(name("nemo.api.workload"), "topic", { durable: true });
    await channel.assertQueue(name(queue), { durable: false });
    await channel.bindQueue(name(queue), name("nemo.api.workload"), "intent-notify");
  });
}, 180_000);

afterAll(async () => {
  // Runs after a failed set-up too: whatever was created goes.
  await deleteQueues(queue).catch(() => undefined);
  await bus?.close({ graceMs: 1_000 });
  await db?.$disconnect();
  await dropDatabase(url);
});

describe("the intent evaluator", () => {
  it("reports a met cpuUsage target FULFILLED and an impossible one INFEASIBLE, notifying once per violation", async () => {
    const instance = await deployed("calc");
    const intent = await makeIntent(instance.id, "DeliverComputingWorkload", [cpuAbove("2")]);

    const first = await cycle();
    expect(first.evaluated).toBeGreaterThanOrEqual(1);
    let reports = await reportsOf(intent.id);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({
      fulfilmentStatus: "FULFILLED",
      notFulfilledState: null,
      feasibility: "FEASIBLE",
      notFulfilledReasons: [],
    });
    const [measured] = storedTargetResults(reports[0]!.targetResults);
    expect(measured).toMatchObject({ targetName: "cpuUsage", unit: "millicores", targetValueRange: 2 });
    expect(measured!.targetAchievedValue).toBeGreaterThan(2);
    expect((await scheduleOf(intent.id)).lastFulfilment).toBe("FULFILLED");
    expect(await published(intent.id, 0)).toEqual([]);

    // Change the target beyond any registered cluster (the largest, dev-onelab, has 68 cores).
    await changeTargets(intent.id, instance.id, [cpuAbove("100000000")]);
    await cycle();
    reports = await reportsOf(intent.id);
    expect(reports).toHaveLength(2);
    const violated = reports[1]!;
    expect(violated).toMatchObject({
      fulfilmentStatus: "NOT_FULFILLED",
      notFulfilledState: "FULFILMENTFAILED",
      feasibility: "INFEASIBLE",
      infeasibilityReason:
        "no registered cluster has more than 100000000 millicores of CPU: the largest has 68000 millicores",
    });
    expect(violated.notFulfilledReasons).toContainEqual(
      expect.stringMatching(/^cpuUsage is [\d.]+ millicores, needs more than 100000000 millicores$/),
    );
    const notifications = await published(intent.id, 1);
    expect(notifications).toEqual([
      { Type: "intent", IntentID: intent.id, WorkloadID: instance.id, Action: "violated" },
    ]);
    // The owner's in-app notification, with the announcement.
    const inApp = () => db.notification.findMany({ where: { subjectId: intent.id } });
    expect(await inApp()).toEqual([
      expect.objectContaining({ kind: "INTENT_NOT_FULFILLED", userId: intent.ownerId }),
    ]);

    // Same state again: a new report for the history, no second notification.
    await dueNow(intent.id);
    await cycle();
    reports = await reportsOf(intent.id);
    expect(reports).toHaveLength(3);
    expect(reports[2]).toMatchObject({
      fulfilmentStatus: "NOT_FULFILLED",
      notFulfilledState: "FULFILMENTFAILED",
    });
    expect(await published(intent.id, 0)).toEqual([]);
    expect(await inApp()).toHaveLength(1);

    // Fulfilled again, then violated again: that is a new violation.
    await changeTargets(intent.id, instance.id, [cpuAbove("2")]);
    await cycle();
    expect((await reportsOf(intent.id)).at(-1)?.fulfilmentStatus).toBe("FULFILLED");
    await changeTargets(intent.id, instance.id, [cpuAbove("100000000")]);
    await cycle();
    expect((await reportsOf(intent.id)).at(-1)?.notFulfilledState).toBe("FULFILMENTFAILED");
    expect(await published(intent.id, 1)).toHaveLength(1);
    expect(await inApp()).toHaveLength(2);
    expect(
      await db.outboxMessage.count({
        where: { routingKey: "intent-notify", payload: { path: ["IntentID"], equals: intent.id } },
      }),
    ).toBe(2);
  });

  it("leaves suspended intents and intents outside their validity window alone", async () => {
    const instance = await deployed("idle");
    const now = new Date();
    const hour = 3_600_000;
    const suspended = await makeIntent(instance.id, "DeliverComputingWorkload", [cpuAbove("2")], {
      adminState: "DEACTIVATED",
    });
    const notYet = await makeIntent(instance.id, "DeliverComputingWorkload", [cpuAbove("2")], {
      validFrom: new Date(now.getTime() + hour),
    });
    const over = await makeIntent(instance.id, "DeliverComputingWorkload", [cpuAbove("2")], {
      validFrom: new Date(now.getTime() - 2 * hour),
      validUntil: new Date(now.getTime() - hour),
    });
    const current = await makeIntent(instance.id, "DeliverComputingWorkload", [cpuAbove("2")], {
      validFrom: new Date(now.getTime() - hour),
      validUntil: new Date(now.getTime() + hour),
    });
    // A moment later than the rows' creation, so that `current` is due.
    await cycle(new Date(now.getTime() + 1_000));
    for (const intent of [suspended, notYet, over]) {
      expect(await reportsOf(intent.id)).toEqual([]);
      expect((await scheduleOf(intent.id)).lastEvaluatedAt).toBeNull();
    }
    expect((await reportsOf(current.id)).map((r) => r.fulfilmentStatus)).toEqual(["FULFILLED"]);
  });

  it("evaluates an intent once per observation period", async () => {
    const instance = await deployed("steady");
    const intent = await makeIntent(instance.id, "Availability", [
      { targetName: "availability", targetCondition: "IS_EQUAL_TO_OR_GREATER_THAN", targetValueRange: "90" },
    ]);
    const t0 = new Date(Date.now() + 1_000);
    await cycle(t0);
    const schedule = await scheduleOf(intent.id);
    expect(schedule.nextEvaluationAt.getTime()).toBe(t0.getTime() + 60_000);
    expect(schedule.lastEvaluatedAt).toEqual(t0);
    await cycle(new Date(t0.getTime() + 30_000));
    expect(await reportsOf(intent.id)).toHaveLength(1);
    await cycle(new Date(t0.getTime() + 61_000));
    const reports = await reportsOf(intent.id);
    expect(reports).toHaveLength(2);
    const [availability] = storedTargetResults(reports[1]!.targetResults);
    const cluster = await db.cluster.findUniqueOrThrow({ where: { id: instance.clusterId! } });
    expect(availability).toMatchObject({ unit: "%", targetAchievedValue: Number(cluster.availabilityPct) });
  });

  it("acknowledges what it cannot measure yet without notifying, and ends the intents of a deleted instance", async () => {
    const instance = await deployed("net");
    const network = await makeIntent(instance.id, "cloud_continuum", [
      { targetName: "isolatedConnectivity", targetCondition: "IS_EQUAL_TO", targetValueRange: "true" },
    ]);
    await cycle();
    const [acknowledged] = await reportsOf(network.id);
    expect(acknowledged).toMatchObject({
      fulfilmentStatus: "NOT_FULFILLED",
      notFulfilledState: "ACKNOWLEDGED",
      feasibility: "FEASIBLE",
      notFulfilledReasons: [
        "isolated connectivity is enforced by the network controller, which is not available yet",
      ],
    });
    expect(await published(network.id, 0)).toEqual([]);

    await deleteInstance(as(provider), instance.id);
    await orchestrate(instance.id);
    // The deletion made its intents due at once (no waiting for the observation period).
    expect((await scheduleOf(network.id)).nextEvaluationAt.getTime()).toBeLessThanOrEqual(Date.now());
    await cycle();
    expect((await reportsOf(network.id)).at(-1)).toMatchObject({
      notFulfilledState: "TERMINATED",
      notFulfilledReasons: [`instance net-${instance.shortId} was deleted`],
    });
    const ended = await db.intent.findUniqueOrThrow({ where: { id: network.id } });
    expect(ended.adminState).toBe("DEACTIVATED");
    expect(ended.deletedAt).not.toBeNull();
    // No longer due: a later cycle leaves it alone.
    await cycle(new Date(Date.now() + 3_600_000));
    expect(await reportsOf(network.id)).toHaveLength(2);
  });

  it("judges the same way one intent at a time", async () => {
    const instance = await deployed("single");
    const intent = await makeIntent(instance.id, "MachineLearning", [
      { targetName: "vram", targetCondition: "IS_EQUAL_TO_OR_GREATER_THAN", targetValueRange: "100" },
    ]);
    const result = await evaluateIntentsOnce({ db, log: logger, intentIds: [intent.id] });
    expect(result).toMatchObject({ evaluated: 1, notFulfilled: 1, notified: 1 });
    const [report] = await reportsOf(intent.id);
    expect(report).toMatchObject({
      notFulfilledState: "FULFILMENTFAILED",
      feasibility: "INFEASIBLE",
      infeasibilityReason: expect.stringMatching(
        /^no registered cluster offers VRAM of at least 100 GB \(highest VRAM offered: [\d.]+ GB\)$/,
      ),
    });
    expect(await published(intent.id, 1)).toHaveLength(1);
    expect(await db.notification.findMany({ where: { subjectId: intent.id } })).toEqual([
      expect.objectContaining({ kind: "INTENT_NOT_FULFILLED", userId: intent.ownerId, readAt: null }),
    ]);
  });

  it("drops the result of an intent changed while it was evaluated, and evaluates it again", async () => {
    const instance = await deployed("moving");
    const intent = await makeIntent(instance.id, "DeliverComputingWorkload", [cpuAbove("2")]);
    const result = await runEvaluationCycle({
      db,
      log: logger,
      // The owner changes the target after the cycle read the intent, before it writes.
      driverFactory: pausingOnce(() => changeTargets(intent.id, instance.id, [cpuAbove("100000000")])),
    });
    expect(result.skipped).toBeGreaterThanOrEqual(1);
    expect(await reportsOf(intent.id)).toEqual([]);
    await cycle();
    const [report] = await reportsOf(intent.id);
    expect(report).toMatchObject({ notFulfilledState: "FULFILMENTFAILED", feasibility: "INFEASIBLE" });
    expect(await published(intent.id, 1)).toHaveLength(1);
  });

  it("reports and announces an intent once when two evaluators race", async () => {
    const instance = await deployed("race");
    const intent = await makeIntent(instance.id, "DeliverComputingWorkload", [cpuAbove("100000000")]);
    const [a, b] = await Promise.all([cycle(), cycle()]);
    expect(await reportsOf(intent.id)).toHaveLength(1);
    expect(a.notified + b.notified).toBeGreaterThanOrEqual(1);
    expect(
      await db.outboxMessage.count({
        where: { routingKey: "intent-notify", payload: { path: ["IntentID"], equals: intent.id } },
      }),
    ).toBe(1);
  });

  it("reads the usage of many namespaces of a cluster in one driver call", async () => {
    const instance = await deployed("batch");
    const cluster = await db.cluster.findUniqueOrThrow({ where: { id: instance.clusterId! } });
    const usage = await driverFor(db, cluster).instancesUsage([
      instance.namespace,
      "nowhere",
      instance.namespace,
    ]);
    expect(usage.cluster).toBe(cluster.name);
    expect(usage.usages.map((u) => u.namespace)).toEqual([instance.namespace]);
    expect(usage.usages[0]!.cpuMillicores).toBeGreaterThan(0);
    expect(usage.failures).toEqual([
      { namespace: "nowhere", error: expect.objectContaining({ type: "NOT_FOUND" }) },
    ]);
  });
});
