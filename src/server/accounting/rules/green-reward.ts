import { TOKEN } from "../units";

/**
 * Green-energy reward: units subtracted from a compute charge (before its
 * final `/ 1000`) on a cluster running on green energy, looked up by the
 * cluster's green-energy percentage. A percentage without an entry rewards 0,
 * as a Solidity mapping answers 0 for a missing key.
 */
export type GreenRewardTable = ReadonlyMap<number, bigint>;

export const GREEN_PRESETS = ["default", "reference", "custom"] as const;
export type GreenPreset = (typeof GREEN_PRESETS)[number];

/** Cluster green-energy percentages a table may hold (registration offers these). */
export const GREEN_PERCENTS = [0, 20, 40, 60, 80, 100] as const;

const tenth = TOKEN / 10n;

/** The product's default: 0.2 token per 20 %, up to 1 token at 100 %. */
export const DEFAULT_GREEN_REWARDS: GreenRewardTable = new Map([
  [0, 0n],
  [20, 2n * tenth],
  [40, 4n * tenth],
  [60, 6n * tenth],
  [80, 8n * tenth],
  [100, TOKEN],
]);

/**
 * The reference platform's table as it was listed: 100 % earns 0.1 token (not
 * 1) and there is no 60 % entry, so a 60 % cluster earns nothing. Offered
 * verbatim so a run can reproduce the reference's charges.
 */
export const REFERENCE_GREEN_REWARDS: GreenRewardTable = new Map([
  [0, 0n],
  [20, 2n * tenth],
  [40, 4n * tenth],
  [80, 8n * tenth],
  [100, tenth],
]);

export function presetTable(preset: Exclude<GreenPreset, "custom">): GreenRewardTable {
  return preset === "reference" ? REFERENCE_GREEN_REWARDS : DEFAULT_GREEN_REWARDS;
}

/** The reward for a cluster's green-energy percentage (0 when the table has no entry for it). */
export function greenReward(table: GreenRewardTable, greenEnergyPct: number): bigint {
  return table.get(greenEnergyPct) ?? 0n;
}
