import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "@/server/db";
import { applyMigrations, dropDatabase, ensureDatabase } from "@/server/db/migrate";
import { databaseUrlFor, runId } from "@/server/testing/services";
import { DqnAgent, scalingDqnConfig } from "./dqn";
import { PersistentReplayBuffer, type Transition } from "./replay-buffer";
import {
  activeModelVersion,
  listModelVersions,
  loadActiveAgent,
  loadActiveModel,
  recordTrainingStat,
  rollbackModel,
  saveModelVersion,
  trainingStats,
} from "./store";

// The buffer and the model versions are per agent kind, not per instance: a database of this file's own.
const url = databaseUrlFor(`nemo_rl_store_${runId()}`);
let db: Db;

beforeAll(async () => {
  await ensureDatabase(url);
  await applyMigrations(url);
  db = createDb(url);
}, 120_000);

afterAll(async () => {
  await db.$disconnect();
  await dropDatabase(url);
});

const t = (i: number, size = 9): Transition => ({
  state: Float32Array.from({ length: size }, (_, k) => i + k / 10),
  action: i % 3,
  reward: 0 - i / 7, // +0 for i = 0 (PostgreSQL keeps no negative zero)
  nextState: Float32Array.from({ length: size }, (_, k) => i + 1 + k / 10),
  done: i % 5 === 4,
});

describe("PersistentReplayBuffer", () => {
  it("survives a restart: a new buffer and agent on the same database read the same transitions", async () => {
    const before = new PersistentReplayBuffer(db, "scaling", 50, 8);
    for (let i = 0; i < 20; i++) await before.add(t(i));
    expect(before.pendingCount).toBe(4); // 16 written in two batches of 8
    await before.flush();
    expect(before.pendingCount).toBe(0);

    // "restart": nothing shared but the database
    const after = new PersistentReplayBuffer(db, "scaling", 50);
    const agent = new DqnAgent(scalingDqnConfig({ bufferCapacity: 50, batchSize: 16 }));
    expect(await after.loadInto(agent.buffer, 9)).toBe(20);
    const loaded = agent.buffer.toArray();
    expect(loaded.map((x) => x.reward)).toEqual(Array.from({ length: 20 }, (_, i) => 0 - i / 7));
    expect(loaded[7]!.state).toEqual(t(7).state); // Float32 values come back exactly
    expect(loaded[4]!.done).toBe(true);
    expect(loaded[3]!.action).toBe(0);
    expect(agent.trainStep()).not.toBeNull();
    // the migration agent's rows are its own
    expect(await new PersistentReplayBuffer(db, "migration", 50).count()).toBe(0);
  });

  it("caps at capacity by deleting the oldest rows", async () => {
    const buffer = new PersistentReplayBuffer(db, "migration", 10, 4);
    await buffer.append(Array.from({ length: 25 }, (_, i) => t(i, 3)));
    expect(await buffer.count()).toBe(10);
    const kept = await buffer.load();
    expect(kept.map((x) => x.reward)).toEqual(Array.from({ length: 10 }, (_, i) => -(i + 15) / 7));
    await buffer.append([t(100, 3)]);
    expect(await buffer.count()).toBe(10);
    expect((await buffer.load()).map((x) => x.reward)[0]).toBe(-16 / 7);
    // a load sized for a smaller ring takes the newest; another feature layout is left out
    expect((await buffer.load({ limit: 2 })).map((x) => x.reward)).toEqual([-24 / 7, -100 / 7]);
    expect(await buffer.load({ inputSize: 9 })).toEqual([]);
    // rows of an older layout than the newest are left out by default
    await buffer.append([t(200, 5)]);
    expect((await buffer.load()).map((x) => x.reward)).toEqual([-200 / 7]);
    expect((await buffer.load({ inputSize: 3 })).length).toBe(9);
    await db.cfdrlTransition.deleteMany({ where: { agent: "migration" } });
  });
});

describe("model store", () => {
  const trained = (seed: number, steps: number) => {
    const agent = new DqnAgent(scalingDqnConfig({ seed, batchSize: 4 }));
    for (let i = 0; i < 10; i++) agent.remember(t(i));
    for (let i = 0; i < steps; i++) agent.trainStep();
    return agent;
  };

  it("saves each version with its steps, epsilon and loss; one active; rollback activates an older one", async () => {
    expect(await loadActiveModel(db, "migration")).toBeNull();
    expect(await activeModelVersion(db, "migration")).toBeNull();
    const a = trained(1, 3);
    const b = trained(2, 7);
    expect(await saveModelVersion(db, "migration", a, "cfdrl")).toBe(1);
    expect(await saveModelVersion(db, "migration", b, "cfdrl")).toBe(2);
    const versions = await listModelVersions(db, "migration");
    expect(versions.map((v) => [v.version, v.trainingSteps, v.active])).toEqual([
      [2, 7, true],
      [1, 3, false],
    ]);
    expect(versions[0]!.epsilon).toBeCloseTo(b.epsilon, 6);
    expect(versions[0]!.loss).toBeCloseTo(b.lastLoss!, 6);

    const probe = t(3).state;
    const loadedB = await loadActiveAgent(db, "migration");
    expect(loadedB!.version).toBe(2);
    expect(loadedB!.dqn.qValues(probe)).toEqual(b.qValues(probe));
    expect(loadedB!.dqn.steps).toBe(7);

    expect(await rollbackModel(db, "migration", 1, "admin@example.org")).toEqual({
      version: 1,
      previous: 2,
      by: "admin@example.org",
    });
    expect(await activeModelVersion(db, "migration")).toBe(1);
    const loadedA = await loadActiveAgent(db, "migration", { batchSize: 8 });
    expect(loadedA!.dqn.qValues(probe)).toEqual(a.qValues(probe));
    expect(loadedA!.dqn.config.batchSize).toBe(8);
    expect(await db.cfdrlModel.count({ where: { agent: "migration", active: true } })).toBe(1);

    // the next save continues the numbering and becomes active
    expect(await saveModelVersion(db, "migration", loadedA!.dqn, null)).toBe(3);
    expect(await activeModelVersion(db, "migration")).toBe(3);
    await expect(rollbackModel(db, "migration", 9, "admin")).rejects.toThrow(/no model version 9/);
    expect(await activeModelVersion(db, "migration")).toBe(3);
  });

  it("keeps one active version under concurrent saves, with distinct numbers", async () => {
    const agents = [trained(3, 1), trained(4, 1), trained(5, 1), trained(6, 1)];
    const versions = await Promise.all(agents.map((a) => saveModelVersion(db, "scaling", a)));
    expect([...versions].sort()).toEqual([1, 2, 3, 4]);
    expect(await db.cfdrlModel.count({ where: { agent: "scaling", active: true } })).toBe(1);
    expect(await activeModelVersion(db, "scaling")).toBe(4);
  });

  it("records the loss curve in step order", async () => {
    for (const [step, loss] of [
      [10, 0.5],
      [20, 0.25],
      [30, 0.125],
    ] as const) {
      await recordTrainingStat(db, "scaling", step, loss, 0.5);
    }
    expect((await trainingStats(db, "scaling", 2)).map((r) => [r.step, r.loss])).toEqual([
      [20, 0.25],
      [30, 0.125],
    ]);
    await expect(recordTrainingStat(db, "scaling", 40, Number.NaN, 0.5)).rejects.toThrow(/finite/);
  });
});
