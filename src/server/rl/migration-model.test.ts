import { describe, expect, it } from "vitest";
import { DqnAgent } from "./dqn";
import {
  DEFAULT_MIGRATION_REWARD_WEIGHTS,
  MIGRATION_ACTIONS,
  MIGRATION_FEATURE_SIZE,
  MIGRATION_SLOTS,
  MIGRATION_SLOT_FEATURES,
  allowedMigrationActions,
  migrationActionFor,
  migrationActionTarget,
  migrationDqnConfig,
  migrationFeatures,
  migrationObservationSchema,
  migrationReward,
  migrationSlots,
  type MigrationClusterView,
  type MigrationObservation,
} from "./migration-model";
import { SCALING_FEATURE_SIZE, scalingFeatures, scalingReward, type ScalingObservation } from "./model";

const instance: ScalingObservation = {
  replicas: 2,
  minReplicas: 1,
  maxReplicas: 10,
  cpuMillicoresPerPod: 400,
  cpuTargetMillicores: 500,
  memoryMiBPerPod: 90,
  memoryTargetMiB: 100,
  latencyP95Ms: 120,
  latencySloMs: 200,
  requestRate: 50,
};
const cluster = (name: string, over: Partial<MigrationClusterView> = {}): MigrationClusterView => ({
  name,
  load: 0.5,
  availabilityPct: 99,
  greenEnergyPct: 40,
  eligible: true,
  ...over,
});
const obs = (clusters: MigrationClusterView[], currentCluster = "edge-b"): MigrationObservation => ({
  instance,
  currentCluster,
  clusters,
});

describe("migration features", () => {
  it("puts the instance features first, then one block per slot in name order", () => {
    const o = obs([
      cluster("edge-c", { load: 1.5, availabilityPct: 95, greenEnergyPct: 80, eligible: false }),
      cluster("edge-a", { load: 0.25, availabilityPct: 100, greenEnergyPct: 0 }),
      cluster("edge-b"),
    ]);
    const f = migrationFeatures(o);
    expect(f.length).toBe(MIGRATION_FEATURE_SIZE);
    expect(MIGRATION_FEATURE_SIZE).toBe(SCALING_FEATURE_SIZE + MIGRATION_SLOTS * MIGRATION_SLOT_FEATURES);
    expect(Array.from(f.subarray(0, SCALING_FEATURE_SIZE))).toEqual(Array.from(scalingFeatures(instance)));
    const slot = (i: number) =>
      Array.from(f.subarray(SCALING_FEATURE_SIZE + i * 6, SCALING_FEATURE_SIZE + i * 6 + 6));
    expect(slot(0)).toEqual([1, 0.25, 1, 0, 0, 1]); // edge-a
    expect(slot(1).map((v) => Number(v.toFixed(4)))).toEqual([1, 0.5, 0.9, 0.4, 1, 1]); // edge-b, current
    expect(slot(2).map((v) => Number(v.toFixed(4)))).toEqual([1, 1.5, 0.5, 0.8, 0, 0]); // edge-c, not eligible
    for (let i = 3; i < MIGRATION_SLOTS; i++) expect(slot(i)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it("keeps the current cluster and eligible ones when there are more clusters than slots", () => {
    const many = Array.from({ length: 12 }, (_, i) =>
      cluster(`c${String(i).padStart(2, "0")}`, { eligible: i % 2 === 1 }),
    );
    const o = obs(many, "c00");
    const names = migrationSlots(o).map((c) => c?.name);
    expect(names).toEqual(["c00", "c01", "c03", "c05", "c07", "c09", "c11", "c02"].sort());
  });
});

describe("migration actions", () => {
  const o = obs([
    cluster("edge-a"),
    cluster("edge-b"),
    cluster("edge-c", { eligible: false }),
    cluster("edge-d"),
  ]);

  it("masks the current cluster, ineligible clusters and empty slots; stay is always allowed", () => {
    const allowed = allowedMigrationActions(o);
    expect(allowed.length).toBe(MIGRATION_ACTIONS);
    expect(allowed).toEqual([true, true, false, false, true, false, false, false, false]);
  });

  it("maps actions to target clusters and back", () => {
    expect(migrationActionTarget(o, 0)).toBeNull();
    expect(migrationActionTarget(o, 1)).toBe("edge-a");
    expect(migrationActionTarget(o, 4)).toBe("edge-d");
    expect(migrationActionTarget(o, 8)).toBeNull();
    expect(() => migrationActionTarget(o, 9)).toThrow(/0\.\.8/);
    expect(migrationActionFor(o, "edge-d")).toBe(4);
    expect(migrationActionFor(o, "edge-b")).toBe(0);
    expect(migrationActionFor(o, "elsewhere")).toBe(0);
  });

  it("drives a DqnAgent that only ever picks allowed actions", () => {
    const agent = new DqnAgent(migrationDqnConfig({ seed: 11 }));
    const allowed = allowedMigrationActions(o);
    for (let i = 0; i < 100; i++) {
      expect(allowed[agent.act(migrationFeatures(o), { allowed })]).toBe(true);
    }
    expect(agent.qValues(migrationFeatures(o)).length).toBe(MIGRATION_ACTIONS);
  });
});

describe("migration reward", () => {
  it("is the instance's scaling reward, minus the move cost when moved, plus the green bonus", () => {
    const o = obs([cluster("edge-b", { greenEnergyPct: 60 })]);
    const w = DEFAULT_MIGRATION_REWARD_WEIGHTS;
    expect(migrationReward(o, false)).toBeCloseTo(scalingReward(instance, w) + w.green * 0.6, 10);
    expect(migrationReward(o, true)).toBeCloseTo(scalingReward(instance, w) + w.green * 0.6 - w.move, 10);
  });
});

describe("migrationObservationSchema", () => {
  it("names the bad field", () => {
    const bad = migrationObservationSchema.safeParse(obs([cluster("a", { availabilityPct: 120 })]));
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(["clusters", 0, "availabilityPct"]);
  });
});
