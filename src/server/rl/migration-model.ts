/**
 * The migration agent's world: the same DqnAgent over "stay + one action per cluster slot". The
 * clusters an instance may run on fill a fixed number of slots (sorted by name, the current one
 * always kept); a slot is offered only when its cluster passes every placement filter (`eligible`).
 */
import { z } from "zod";
import { scalingDqnConfig, type DqnConfig } from "./dqn";
import {
  DEFAULT_REWARD_WEIGHTS,
  SCALING_FEATURE_SIZE,
  scalingFeatures,
  scalingObservationSchema,
  scalingReward,
  type RewardWeights,
  type ScalingObservation,
} from "./model";

/** Cluster slots of the migration agent's action set (action 0 = stay, action k = move to slot k−1). */
export const MIGRATION_SLOTS = 8;
export const MIGRATION_ACTIONS = MIGRATION_SLOTS + 1;
export const MIGRATION_STAY = 0;

/** One OK cluster as the migration agent sees it. */
export interface MigrationClusterView {
  name: string;
  /** CPU in use / allocatable, 0..1 (more than 1 when overcommitted). */
  load: number;
  /** Availability, 0..100 % (the cluster's `availabilityPct`). */
  availabilityPct: number;
  /** Green-energy share, 0..100 %. */
  greenEnergyPct: number;
  /** Passes every placement filter for this instance's intent (only these are offered as moves). */
  eligible: boolean;
}

export interface MigrationObservation {
  instance: ScalingObservation;
  currentCluster: string;
  clusters: MigrationClusterView[];
}

export const migrationObservationSchema = z.object({
  instance: scalingObservationSchema,
  currentCluster: z
    .string({ error: "currentCluster must be a cluster name" })
    .min(1, "currentCluster must be a cluster name"),
  clusters: z.array(
    z.object({
      name: z.string().min(1, "clusters[].name must not be empty"),
      load: z.number().min(0, "clusters[].load must be ≥ 0"),
      availabilityPct: z
        .number()
        .min(0, "clusters[].availabilityPct must be ≥ 0")
        .max(100, "clusters[].availabilityPct must be ≤ 100"),
      greenEnergyPct: z
        .number()
        .min(0, "clusters[].greenEnergyPct must be ≥ 0")
        .max(100, "clusters[].greenEnergyPct must be ≤ 100"),
      eligible: z.boolean(),
    }),
  ),
});

/** Features per slot: present, load, availability, green, current, eligible. */
export const MIGRATION_SLOT_FEATURES = 6;
export const MIGRATION_FEATURE_SIZE = SCALING_FEATURE_SIZE + MIGRATION_SLOTS * MIGRATION_SLOT_FEATURES;

/**
 * The clusters in slot order: sorted by name so a cluster keeps its slot from one decision to the
 * next; beyond `MIGRATION_SLOTS` the current cluster and then eligible ones are kept first.
 */
export function migrationSlots(o: MigrationObservation): (MigrationClusterView | null)[] {
  const byName = [...o.clusters].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  let kept = byName;
  if (byName.length > MIGRATION_SLOTS) {
    const rank = (c: MigrationClusterView) => (c.name === o.currentCluster ? 0 : c.eligible ? 1 : 2);
    const chosen = new Set(
      [...byName]
        .sort((a, b) => rank(a) - rank(b))
        .slice(0, MIGRATION_SLOTS)
        .map((c) => c.name),
    );
    kept = byName.filter((c) => chosen.has(c.name));
  }
  return Array.from({ length: MIGRATION_SLOTS }, (_, i) => kept[i] ?? null);
}

const clamp = (v: number, lo: number, hi: number) =>
  Number.isFinite(v) ? Math.min(hi, Math.max(lo, v)) : lo;

/**
 * Instance features (`scalingFeatures`), then per slot: present, load (0..2), availability
 * rescaled so 90 % → 0 and 100 % → 1 (the demo clusters differ only in that range), green share
 * (0..1), is-current, eligible. Empty slots are all zeros.
 */
export function migrationFeatures(o: MigrationObservation): Float32Array {
  const f = new Float32Array(MIGRATION_FEATURE_SIZE);
  f.set(scalingFeatures(o.instance), 0);
  migrationSlots(o).forEach((c, i) => {
    if (!c) return;
    const at = SCALING_FEATURE_SIZE + i * MIGRATION_SLOT_FEATURES;
    f[at] = 1;
    f[at + 1] = clamp(c.load, 0, 2);
    f[at + 2] = clamp((c.availabilityPct - 90) / 10, 0, 1);
    f[at + 3] = clamp(c.greenEnergyPct / 100, 0, 1);
    f[at + 4] = c.name === o.currentCluster ? 1 : 0;
    f[at + 5] = c.eligible ? 1 : 0;
  });
  return f;
}

/** Stay is always allowed; a move only to a present, eligible slot that is not the current cluster. */
export function allowedMigrationActions(o: MigrationObservation): boolean[] {
  const slots = migrationSlots(o);
  return [true, ...slots.map((c) => c !== null && c.eligible && c.name !== o.currentCluster)];
}

/** The cluster an action moves to, or null for stay (or a slot that is empty). */
export function migrationActionTarget(o: MigrationObservation, action: number): string | null {
  if (!Number.isInteger(action) || action < 0 || action >= MIGRATION_ACTIONS) {
    throw new Error(`action must be an integer in 0..${MIGRATION_ACTIONS - 1}, got ${action}`);
  }
  if (action === MIGRATION_STAY) return null;
  return migrationSlots(o)[action - 1]?.name ?? null;
}

/** The action that moves to `cluster` (stay when it is the current one or has no slot). */
export function migrationActionFor(o: MigrationObservation, cluster: string): number {
  if (cluster === o.currentCluster) return MIGRATION_STAY;
  const i = migrationSlots(o).findIndex((c) => c?.name === cluster);
  return i < 0 ? MIGRATION_STAY : i + 1;
}

export interface MigrationRewardWeights extends RewardWeights {
  /** Cost of one move (a migration interrupts the instance: keeps the agent from flapping). */
  move: number;
  /** Bonus per unit of the current cluster's green share (0..1). */
  green: number;
}

export const DEFAULT_MIGRATION_REWARD_WEIGHTS: MigrationRewardWeights = {
  ...DEFAULT_REWARD_WEIGHTS,
  move: 1,
  green: 0.5,
};

/**
 * The migration agent's reward: the scaling reward of the instance where it now runs, minus
 * `move` when this decision moved it, plus `green × green share` of the cluster it runs on.
 */
export function migrationReward(
  o: MigrationObservation,
  moved: boolean,
  w: MigrationRewardWeights = DEFAULT_MIGRATION_REWARD_WEIGHTS,
): number {
  const current = o.clusters.find((c) => c.name === o.currentCluster);
  const green = current ? clamp(current.greenEnergyPct / 100, 0, 1) : 0;
  return scalingReward(o.instance, w) - (moved ? w.move : 0) + w.green * green;
}

/** The migration agent's DQN defaults: the scaling agent's, over the migration features and actions. */
export function migrationDqnConfig(overrides: Partial<DqnConfig> = {}): DqnConfig {
  return scalingDqnConfig({
    inputSize: MIGRATION_FEATURE_SIZE,
    actions: MIGRATION_ACTIONS,
    // Moves are rarer than scaling steps: explore longer, look further ahead.
    epsilonDecaySteps: 3_000,
    gamma: 0.95,
    ...overrides,
  });
}
