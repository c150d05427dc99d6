/**
 * The MOCA pricing rules: pure functions, uint256 arithmetic in the reference
 * contracts' order of operations, each returning the amount and the inputs it
 * used (see README.md, "Pricing rules").
 */
export { computeCharge, type ComputeCluster, type ComputeInput, type ComputeUsage } from "./compute";
export { REGION_DATA_MISSING_MESSAGE, RegionDataMissingError } from "./errors";
export {
  DEFAULT_GREEN_REWARDS,
  GREEN_PERCENTS,
  GREEN_PRESETS,
  REFERENCE_GREEN_REWARDS,
  greenReward,
  presetTable,
  type GreenPreset,
  type GreenRewardTable,
} from "./green-reward";
export { ML_DIVISOR, mlCharge, type MlInput } from "./ml";
export { FREE_NETWORK_USAGE, networkCharge, type NetworkInput } from "./network";
export { requireRegion, type RegionPricing } from "./region";
export type { RuleResult } from "./result";
