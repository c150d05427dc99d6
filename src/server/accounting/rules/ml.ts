import { TOKEN, u256 } from "../units";
import { requireRegion, type RegionPricing } from "./region";
import type { RuleResult } from "./result";

/**
 * Machine-learning rule (instances that use GPUs):
 *
 *   allocatedTime = gpuAllocatedTimeUs · gpuShare / 10^8
 *   amount        = allocatedTime · usageFraction / 360000000000 + regionalGpuCosts
 *
 * Inputs as the cluster driver reports them for the period:
 * - `gpuAllocatedTimeUs`: microseconds of GPU device time allocated to the
 *   instance (a 60 s period on two whole GPUs is 120,000,000).
 * - `gpuShare`: the fraction of each device the instance holds, in parts of
 *   10^8 — 10^8 for whole GPUs, 25,000,000 for one of four time-slicing
 *   replicas, 14,285,714 for a 1g slice of a 7-slice MIG device. A slice is
 *   charged as its fraction, never as a whole GPU.
 * - `usageFraction`: how busy the allocated GPU time was, in parts of 10^8
 *   (10^8 = 100 % utilisation).
 * So one whole GPU fully used for an hour is 3.6·10^9 · 10^8 / 3.6·10^11 =
 * 10^6 units (0.01 token) plus the region's GPU cost.
 */
export const ML_DIVISOR = 360_000_000_000n;

export interface MlInput {
  gpuAllocatedTimeUs: bigint;
  /** Parts of 10^8 of a device (10^8 = whole GPUs). */
  gpuShare: bigint;
  /** Parts of 10^8 (10^8 = fully used). */
  usageFraction: bigint;
  /** The cluster's region name (to name it when its data is missing). */
  regionName: string;
  region: RegionPricing | null;
}

export function mlCharge(input: MlInput): RuleResult {
  const region = requireRegion(input.region, input.regionName);
  if (input.gpuShare > TOKEN) {
    // More than a whole device per allocation is a driver error, not a price.
    throw new RangeError(`gpuShare ${input.gpuShare} is above 10^8 (a whole GPU)`);
  }
  const allocatedTime = u256.div(u256.mul(input.gpuAllocatedTimeUs, input.gpuShare), TOKEN);
  const amount = u256.add(
    u256.div(u256.mul(allocatedTime, input.usageFraction), ML_DIVISOR),
    region.regionalGpuCosts,
  );
  return {
    amount,
    inputs: {
      gpuAllocatedTimeUs: input.gpuAllocatedTimeUs.toString(),
      gpuShare: input.gpuShare.toString(),
      allocatedTime: allocatedTime.toString(),
      usageFraction: input.usageFraction.toString(),
      region: region.name,
      regionalGpuCosts: region.regionalGpuCosts.toString(),
    },
  };
}
