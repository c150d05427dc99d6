import { TOKEN, u256 } from "../units";
import { greenReward, type GreenRewardTable } from "./green-reward";
import { requireRegion, type RegionPricing } from "./region";
import type { RuleResult } from "./result";

/**
 * Compute rule (the workload pays its cluster), literally as the reference
 * contract computed it, in uint256 with every division truncating where it
 * stands:
 *
 *   cpu        = cpuUsage · 10^3
 *   cpuTokens  = cpu > regionalCpuCosts ? (cpu / clusterCpuUsage) · 10^8 + cpuBaseRate · 10^5 : 0
 *   memory     = memoryUsage · 10^3
 *   memTokens  = memory > regionalMemoryCosts ? (memory / clusterMemoryUsage) · 10^8 + memoryBaseRate · 10^5 : 0
 *   tokens     = cpuTokens + memTokens (+ highDemandCost when the region is in high demand)
 *   tokens    -= greenReward(cluster green %)   only when tokens ≥ greenReward
 *   amount     = tokens / 1000
 *
 * The `· 10^3` before the share's division keeps three more digits of the
 * share, and the final `/ 1000` takes them off again. Note `(cpu / cluster)`
 * truncates before `· 10^8`: an instance using less than a thousandth of its
 * cluster's CPU pays no share, only the base rate.
 */
export interface ComputeUsage {
  /** The instance's CPU usage over the period: average millicores (integer). */
  cpuUsage: bigint;
  /** The whole cluster's CPU usage over the same period: average millicores (integer). */
  clusterCpuUsage: bigint;
  /** The instance's memory usage over the period: average MiB (integer). */
  memoryUsage: bigint;
  /** The whole cluster's memory usage over the same period: average MiB (integer). */
  clusterMemoryUsage: bigint;
}

export interface ComputeCluster {
  /** The cluster's registered CPU base rate (integer, as registered). */
  cpuBaseRate: bigint;
  /** The cluster's registered memory base rate (integer, as registered). */
  memoryBaseRate: bigint;
  /** The cluster's green-energy percentage (0, 20, …, 100). */
  greenEnergyPct: number;
  /** The cluster's region name (to name it when its data is missing). */
  region: string;
}

export interface ComputeInput {
  usage: ComputeUsage;
  cluster: ComputeCluster;
  /** The region's data; null when the region table has no row for it. */
  region: RegionPricing | null;
  greenRewards: GreenRewardTable;
}

const THOUSAND = 1000n;
const BASE_RATE_SCALE = 10n ** 5n;

function resourceTokens(usage: bigint, clusterUsage: bigint, threshold: bigint, baseRate: bigint): bigint {
  const scaled = u256.mul(usage, THOUSAND);
  if (!(scaled > threshold)) return 0n;
  return u256.add(u256.mul(u256.div(scaled, clusterUsage), TOKEN), u256.mul(baseRate, BASE_RATE_SCALE));
}

export function computeCharge(input: ComputeInput): RuleResult {
  const { usage, cluster, greenRewards } = input;
  const region = requireRegion(input.region, cluster.region);
  const cpuTokens = resourceTokens(
    usage.cpuUsage,
    usage.clusterCpuUsage,
    region.regionalCpuCosts,
    cluster.cpuBaseRate,
  );
  const memoryTokens = resourceTokens(
    usage.memoryUsage,
    usage.clusterMemoryUsage,
    region.regionalMemoryCosts,
    cluster.memoryBaseRate,
  );
  let tokens = u256.add(cpuTokens, memoryTokens);
  if (region.highDemand) tokens = u256.add(tokens, region.highDemandCost);
  const reward = greenReward(greenRewards, cluster.greenEnergyPct);
  const rewardApplied = tokens >= reward;
  if (rewardApplied) tokens = u256.sub(tokens, reward);
  const amount = u256.div(tokens, THOUSAND);
  return {
    amount,
    inputs: {
      cpuUsage: usage.cpuUsage.toString(),
      clusterCpuUsage: usage.clusterCpuUsage.toString(),
      memoryUsage: usage.memoryUsage.toString(),
      clusterMemoryUsage: usage.clusterMemoryUsage.toString(),
      cpuBaseRate: cluster.cpuBaseRate.toString(),
      memoryBaseRate: cluster.memoryBaseRate.toString(),
      region: region.name,
      regionalCpuCosts: region.regionalCpuCosts.toString(),
      regionalMemoryCosts: region.regionalMemoryCosts.toString(),
      highDemand: String(region.highDemand),
      highDemandCost: region.highDemandCost.toString(),
      greenEnergyPct: String(cluster.greenEnergyPct),
      greenReward: reward.toString(),
      greenRewardApplied: String(rewardApplied),
      cpuTokens: cpuTokens.toString(),
      memoryTokens: memoryTokens.toString(),
    },
  };
}
