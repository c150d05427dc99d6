import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { messages, type Consumer } from "@/server/bus";
import { driverFor } from "@/server/clusters";
import { acquireLeaderLease, StaleLeaderError, type Db } from "@/server/db";
import { captureLogs, testId, waitFor } from "@/server/testing/bus";
import { openMigrationTestBed, type MigrationTestBed } from "@/server/testing/migration-pipeline";
import {
  CfdrlLoop,
  consumeScalingDecisions,
  consumeScalingReplies,
  enabledInstances,
  rollbackModel,
  type CfdrlLoopOptions,
} from "./index";

// The CFDRL live loop against the real broker and a database of its own with
// the demo continuum: decisions go through the outbox to the MO's consumer,
// which scales the simulated cluster and replies; the reply consumer resolves
// the decision. The migration pipeline runs too (the migration agent's moves).
const prefix = `${process.env.AMQP_PREFIX ?? ""}${testId()}.`;
const { logger: log, lines } = captureLogs();

let bed: MigrationTestBed;
let db: Db;
let mo: Consumer;
let replies: Consumer;

/** The loop's clock: one period per tick, no wall clock. */
const PERIOD_MS = 60_000;
let now = Date.parse("2026-03-02T10:00:00Z"); // fixed-date: the loop's injected clock, any date does.

function loop(overrides: Partial<CfdrlLoopOptions> = {}): CfdrlLoop {
  return new CfdrlLoop({
    db,
    log,
    clock: () => now,
    periodMs: PERIOD_MS,
    trainSteps: 2,
    saveEverySteps: 4,
    replyTimeoutMs: 10 * PERIOD_MS,
    migrationEveryPeriods: 2,
    agents: { scaling: { dqn: { batchSize: 4, seed: 11 } }, migration: { dqn: { batchSize: 4, seed: 12 } } },
    ...overrides,
  });
}

async function tick(l: CfdrlLoop, fence?: Parameters<CfdrlLoop["tick"]>[1]) {
  now += PERIOD_MS;
  return l.tick(new AbortController().signal, fence);
}

async function enable(instanceId: string, bounds: { min: number; max: number }, migration = false) {
  await db.instanceCfdrlSettings.upsert({
    where: { instanceId },
    create: {
      instanceId,
      scalingEnabled: !migration,
      migrationEnabled: migration,
      minReplicas: bounds.min,
      maxReplicas: bounds.max,
    },
    update: {
      scalingEnabled: !migration,
      migrationEnabled: migration,
      minReplicas: bounds.min,
      maxReplicas: bounds.max,
    },
  });
}

async function disable(instanceId: string) {
  await db.instanceCfdrlSettings.update({
    where: { instanceId },
    data: { scalingEnabled: false, migrationEnabled: false },
  });
}

const decisionsOf = (instanceId: string) =>
  db.cfdrlDecision.findMany({ where: { instanceId }, orderBy: { id: "asc" } });

async function settled(instanceId: string) {
  await waitFor(
    async () => (await db.cfdrlDecision.count({ where: { instanceId, outcome: "pending" } })) === 0,
    30_000,
    "the instance's CFDRL decision to be answered",
  );
  return decisionsOf(instanceId);
}

beforeAll(async () => {
  bed = await openMigrationTestBed("cfdrl_loop", { prefix, log });
  db = bed.db;
  mo = await consumeScalingDecisions({ db, bus: bed.pipeline.bus, log });
  replies = await consumeScalingReplies({ bus: bed.pipeline.bus, log });
}, 120_000);

afterAll(async () => {
  await replies?.stop();
  await mo?.stop();
  await bed?.close();
}, 60_000);

describe("CFDRL scaling through the MO", () => {
  it("sends a decision through the broker, the MO scales the simulated cluster, the reply resolves it, the timeline shows it", async () => {
    const instance = await bed.deployedOn("dev-onelab");
    expect(instance.replicas).toBe(1);
    // Bounds 3..3: whatever the untrained agent picks, the instance must go to 3 replicas.
    await enable(instance.id, { min: 3, max: 3 });
    const l = loop();
    const summary = await tick(l);
    expect(summary.sent).toBe(1);

    const [decision] = await settled(instance.id);
    expect(decision).toMatchObject({
      agent: "scaling",
      outcome: "applied",
      fromReplicas: 1,
      toReplicas: 3,
      inFlightInstanceId: null,
    });
    expect(decision?.messageId).not.toBeNull();
    expect(decision?.state).toMatchObject({ replicas: 1, minReplicas: 3, maxReplicas: 3 });

    const row = await db.workloadInstance.findUniqueOrThrow({
      where: { id: instance.id },
      include: { cluster: true },
    });
    expect(row.replicas).toBe(3);
    expect(row.status).toBe("DEPLOYED");
    const load = await driverFor(db, row.cluster!).instanceLoad(row.namespace);
    expect(load.replicas).toBe(3);
    const events = await db.lifecycleEvent.findMany({ where: { instanceId: instance.id, type: "Scaling" } });
    expect(events.map((e) => e.message)).toEqual(["Scaled 1 → 3 replicas (CFDRL)"]);

    // Next period: already at 3, every action keeps it there: recorded as applied, no message.
    const next = await tick(l);
    expect(next.sent).toBe(0);
    const all = await decisionsOf(instance.id);
    expect(all).toHaveLength(2);
    expect(all[1]).toMatchObject({ fromReplicas: 3, toReplicas: 3, outcome: "applied", messageId: null });
    await disable(instance.id);
  }, 60_000);

  it("keeps one action per instance in flight; a decision for an instance deleted meanwhile is dropped by the MO", async () => {
    const instance = await bed.deployedOn("dev-onelab");
    await enable(instance.id, { min: 2, max: 2 });
    await mo.stop();
    try {
      const l = loop();
      expect((await tick(l)).sent).toBe(1);
      // The MO has not answered: the next periods decide nothing for it.
      const second = await tick(l);
      expect(second.sent).toBe(0);
      expect(second.skipped).toBe(1);
      const pending = await decisionsOf(instance.id);
      expect(pending).toHaveLength(1);
      expect(pending[0]).toMatchObject({ outcome: "pending", inFlightInstanceId: instance.id });
      // Deleted before the MO reads the decision.
      await db.workloadInstance.update({ where: { id: instance.id }, data: { status: "DELETED" } });
    } finally {
      mo = await consumeScalingDecisions({ db, bus: bed.pipeline.bus, log });
    }
    const [decision] = await settled(instance.id);
    expect(decision).toMatchObject({
      outcome: "dropped",
      outcomeReason: "instance deleted",
      inFlightInstanceId: null,
    });
    const row = await db.workloadInstance.findUniqueOrThrow({ where: { id: instance.id } });
    expect(row.replicas).toBe(1);
    expect(lines.some((l) => l.msg === "CFDRL scaling decision dropped: instance deleted")).toBe(true);
    // And the loop itself decides nothing more for it.
    expect((await tick(loop())).decisions).toBe(0);
  }, 60_000);

  it("the MO drops a decision whose instance moved to another cluster before it arrived", async () => {
    const instance = await bed.deployedOn("dev-onelab");
    await enable(instance.id, { min: 2, max: 2 });
    await mo.stop();
    const staging = await db.cluster.findUniqueOrThrow({ where: { name: "staging-onelab" } });
    try {
      expect((await tick(loop())).sent).toBe(1);
      // As a completed migration leaves it: DEPLOYED, on its target cluster.
      await db.workloadInstance.update({ where: { id: instance.id }, data: { clusterId: staging.id } });
    } finally {
      mo = await consumeScalingDecisions({ db, bus: bed.pipeline.bus, log });
    }
    const [decision] = await settled(instance.id);
    expect(decision).toMatchObject({
      outcome: "dropped",
      outcomeReason: "instance migrated to staging-onelab",
    });
    expect(await db.lifecycleEvent.count({ where: { instanceId: instance.id, type: "Scaling" } })).toBe(0);
    await db.workloadInstance.update({ where: { id: instance.id }, data: { clusterId: instance.clusterId } });
    await disable(instance.id);
  }, 60_000);

  it("drops at send time a decision whose instance left DEPLOYED after it was listed", async () => {
    const instance = await bed.deployedOn("dev-onelab");
    await enable(instance.id, { min: 2, max: 2 });
    const l = loop();
    const all = await enabledInstances(db);
    const target = all.find((i) => i.id === instance.id)!;
    await db.workloadInstance.update({ where: { id: instance.id }, data: { status: "MIGRATING" } });
    now += PERIOD_MS;
    expect(await l.decideScaling(target, new Date(now), log)).toBe("recorded");
    const [decision] = await decisionsOf(instance.id);
    expect(decision).toMatchObject({ outcome: "dropped", outcomeReason: "instance is mid-migration" });
    await db.workloadInstance.update({ where: { id: instance.id }, data: { status: "DEPLOYED" } });
    await disable(instance.id);
  }, 60_000);

  it("drops a scale-up when the owner's budget is exhausted", async () => {
    const instance = await bed.deployedOn("dev-onelab");
    await enable(instance.id, { min: 2, max: 2 });
    const budget = await db.budget.create({
      data: { ownerId: instance.ownerId, workloadId: instance.workloadId, period: "DAY", amount: 1n },
    });
    const day = new Date(now + PERIOD_MS);
    const windowStart = new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate()));
    await db.budgetAlert.create({
      data: { budgetId: budget.id, windowStart, threshold: 100, spent: 2n, raisedAt: day },
    });
    try {
      expect((await tick(loop())).sent).toBe(0);
      const [decision] = await decisionsOf(instance.id);
      expect(decision).toMatchObject({
        outcome: "dropped",
        outcomeReason: "budget exhausted",
        toReplicas: 2,
      });
    } finally {
      await db.budget.delete({ where: { id: budget.id } });
      await disable(instance.id);
    }
  }, 60_000);

  it("the MO applies a redelivered decision once, and a repeated one changes nothing", async () => {
    const instance = await bed.deployedOn("dev-onelab");
    const decision = { cluster_name: "dev-onelab", workload_id: instance.id, number_replicas: 3 };
    const messageId = crypto.randomUUID();
    await bed.pipeline.bus.publish(messages.cfdrlScalingDecision, decision, { messageId });
    await bed.pipeline.bus.publish(messages.cfdrlScalingDecision, decision, { messageId });
    await bed.pipeline.bus.publish(messages.cfdrlScalingDecision, decision);
    const replies = () =>
      lines.filter(
        (l) =>
          l.instance === instance.id &&
          l.msg === "CFDRL scaling reply without a decision id: nothing to resolve",
      );
    // One reply per message the MO handled: the duplicate is not handled again.
    await waitFor(() => replies().length >= 2, 30_000, "the MO's replies");
    // A later message's reply as a barrier: by then the duplicate has been seen (and skipped).
    const sentinel = await bed.deployedOn("dev-onelab");
    await bed.pipeline.bus.publish(messages.cfdrlScalingDecision, {
      ...decision,
      workload_id: sentinel.id,
    });
    await waitFor(
      () =>
        lines.some((l) => l.instance === sentinel.id && l.msg?.toString().startsWith("CFDRL scaling reply")),
      30_000,
      "the sentinel's reply",
    );
    expect(replies()).toHaveLength(2);
    const events = await db.lifecycleEvent.findMany({ where: { instanceId: instance.id, type: "Scaling" } });
    expect(events.map((e) => e.message)).toEqual(["Scaled 1 → 3 replicas (CFDRL)"]);
    const row = await db.workloadInstance.findUniqueOrThrow({ where: { id: instance.id } });
    expect(row.replicas).toBe(3);
  }, 60_000);

  it("a redelivered or late reply changes nothing twice", async () => {
    const instance = await bed.deployedOn("dev-onelab");
    await enable(instance.id, { min: 2, max: 2 });
    await tick(loop());
    const [decision] = await settled(instance.id);
    expect(decision?.outcome).toBe("applied");
    const reply = {
      cluster_name: "dev-onelab",
      workload_id: instance.id,
      number_replicas: 0,
      decision_id: decision!.id.toString(),
      status: "failed" as const,
      reason: "late",
    };
    const messageId = crypto.randomUUID();
    await bed.pipeline.bus.publish(messages.cfdrlScalingReply, reply, { messageId });
    await bed.pipeline.bus.publish(messages.cfdrlScalingReply, reply, { messageId });
    await waitFor(
      () => lines.some((l) => l.msg === "CFDRL reply for a decision already resolved: ignored"),
      20_000,
      "the late reply to be handled",
    );
    const after = await db.cfdrlDecision.findUniqueOrThrow({ where: { id: decision!.id } });
    expect(after).toMatchObject({
      outcome: "applied",
      outcomeReason: null,
      resolvedAt: decision!.resolvedAt,
    });
    await disable(instance.id);
  }, 60_000);
});

describe("CFDRL migration agent", () => {
  it("moves an instance through the migration protocol, started by CFDRL, and resolves the decision when it completes", async () => {
    const instance = await bed.deployedOn("dev-onelab");
    await enable(instance.id, { min: 1, max: 10 }, true);
    const l = loop();
    // An untrained agent explores: stays are recorded until it picks a move (seeded, so always the same tick).
    let moves = 0;
    let ticks = 0;
    for (; ticks < 20 && moves === 0; ticks++) moves = (await tick(l)).migrations;
    expect(moves).toBe(1);
    const decisions = await decisionsOf(instance.id);
    // It decides every second period (migrationEveryPeriods 2): a move interrupts the instance.
    expect(decisions).toHaveLength(Math.ceil(ticks / 2));
    const move = decisions.at(-1)!;
    expect(move).toMatchObject({
      agent: "migration",
      action: "move",
      outcome: "pending",
      inFlightInstanceId: instance.id,
    });
    expect(decisions.slice(0, -1).every((d) => d.action === "stay" && d.outcome === "applied")).toBe(true);
    const migration = await db.migration.findUniqueOrThrow({ where: { id: move.migrationId! } });
    expect(migration).toMatchObject({ sourceCluster: "dev-onelab", targetCluster: move.targetCluster });
    expect(migration.trigger).toEqual({ kind: "cfdrl", decisionId: move.id.toString(), modelVersion: null });
    const started = await db.lifecycleEvent.findFirstOrThrow({
      where: { instanceId: instance.id, type: "Migration" },
    });
    expect(started.message).toBe(`Migration dev-onelab → ${move.targetCluster} requested (started by CFDRL)`);

    await waitFor(
      async () =>
        (await db.migration.findUniqueOrThrow({ where: { id: migration.id } })).state === "COMPLETED",
      60_000,
      "the CFDRL migration to complete",
    );
    // The next period resolves the decision, and the instance may get its next action.
    await tick(l);
    const resolved = await db.cfdrlDecision.findUniqueOrThrow({ where: { id: move.id } });
    expect(resolved).toMatchObject({ outcome: "applied", inFlightInstanceId: null });
    const row = await db.workloadInstance.findUniqueOrThrow({
      where: { id: instance.id },
      include: { cluster: true },
    });
    expect(row.cluster?.name).toBe(move.targetCluster);
    await disable(instance.id);
  }, 120_000);
});

describe("CFDRL agent state", () => {
  it("trains between decisions, saves versions, and a restarted worker keeps the buffer and the model", async () => {
    const instance = await bed.deployedOn("staging-onelab");
    await enable(instance.id, { min: 1, max: 4 });
    const first = loop();
    for (let i = 0; i < 10; i++) {
      await tick(first);
      await settled(instance.id);
    }
    const before = await first.agent("scaling");
    expect(before.dqn.steps).toBeGreaterThan(0);
    expect(before.version).not.toBeNull();
    const transitions = await db.cfdrlTransition.count({ where: { agent: "scaling" } });
    expect(transitions).toBeGreaterThanOrEqual(8);
    expect(await db.cfdrlTrainingStat.count({ where: { agent: "scaling" } })).toBeGreaterThan(0);
    const saved = await db.cfdrlModel.findFirstOrThrow({ where: { agent: "scaling", active: true } });
    expect(saved.version).toBe(before.version);

    // A "restart": a new loop reads everything back from the database.
    const restarted = loop();
    const after = await restarted.agent("scaling");
    expect(after.version).toBe(before.version);
    expect(after.dqn.steps).toBe(saved.trainingSteps);
    expect(after.dqn.buffer.size).toBe(Math.min(transitions, after.dqn.config.bufferCapacity));
    const probe = new Float32Array(after.dqn.config.inputSize).fill(0.5);
    const reloaded = await loop().agent("scaling");
    expect(Array.from(after.dqn.qValues(probe))).toEqual(Array.from(reloaded.dqn.qValues(probe)));

    // An admin's rollback: the running loop notices at its next use and acts with that version.
    await rollbackModel(db, "scaling", 1, "admin");
    const rolledBack = await first.agent("scaling");
    expect(rolledBack.version).toBe(1);
    expect(rolledBack.dqn.steps).toBe(
      (await db.cfdrlModel.findFirstOrThrow({ where: { agent: "scaling", version: 1 } })).trainingSteps,
    );
    await disable(instance.id);
  }, 120_000);

  it("only the current leader acts: a replica whose lease moved on writes no decision", async () => {
    const instance = await bed.deployedOn("dev-onelab");
    await enable(instance.id, { min: 2, max: 2 });
    const client = new pg.Client({ connectionString: bed.url });
    await client.connect();
    try {
      const name = "cfdrl:decisions";
      const old = await acquireLeaderLease(client, { name, holder: "replica-a", at: new Date(now) });
      const current = await acquireLeaderLease(client, { name, holder: "replica-b", at: new Date(now) });
      await expect(tick(loop(), old)).rejects.toBeInstanceOf(StaleLeaderError);
      expect(await decisionsOf(instance.id)).toHaveLength(0);
      await tick(loop(), current);
      expect(await decisionsOf(instance.id)).toHaveLength(1);
    } finally {
      await client.end();
      await settled(instance.id);
      await disable(instance.id);
    }
  }, 60_000);
});
