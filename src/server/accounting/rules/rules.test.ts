import { describe, expect, it } from "vitest";
import { AccountingArithmeticError, TOKEN } from "../units";
import {
  DEFAULT_GREEN_REWARDS,
  REFERENCE_GREEN_REWARDS,
  RegionDataMissingError,
  computeCharge,
  greenReward,
  mlCharge,
  networkCharge,
  type ComputeInput,
  type RegionPricing,
} from "./index";

/*
 * Golden tests: every expected amount is worked out by hand in the comment
 * above it, in uint256 integers, in the order the rule states.
 */

const region: RegionPricing = {
  name: "eu-west",
  highDemand: false,
  highDemandCost: 7_000_000n,
  regionalCpuCosts: 100_000n,
  regionalMemoryCosts: 200_000n,
  regionalGpuCosts: 5_000n,
};

function compute(overrides: {
  usage?: Partial<ComputeInput["usage"]>;
  cluster?: Partial<ComputeInput["cluster"]>;
  region?: Partial<RegionPricing> | null;
  greenRewards?: ComputeInput["greenRewards"];
}) {
  return computeCharge({
    usage: {
      cpuUsage: 500n,
      clusterCpuUsage: 2000n,
      memoryUsage: 256n,
      clusterMemoryUsage: 4096n,
      ...overrides.usage,
    },
    cluster: {
      cpuBaseRate: 3n,
      memoryBaseRate: 2n,
      greenEnergyPct: 0,
      region: "eu-west",
      ...overrides.cluster,
    },
    region: overrides.region === null ? null : { ...region, ...overrides.region },
    greenRewards: overrides.greenRewards ?? DEFAULT_GREEN_REWARDS,
  });
}

describe("compute rule", () => {
  it("charges the CPU and memory shares plus base rates, divided by 1000", () => {
    // cpu = 500·10^3 = 500000 > 100000 → (500000 / 2000)·10^8 + 3·10^5 = 250·10^8 + 300000 = 25000300000
    // mem = 256·10^3 = 256000 > 200000 → (256000 / 4096 = 62.5 → 62)·10^8 + 2·10^5 = 6200200000
    // tokens = 31200500000; green 0 % → reward 0 → 31200500000 / 1000 = 31200500
    const result = compute({});
    expect(result.amount).toBe(31_200_500n);
    expect(result.inputs).toMatchObject({
      cpuUsage: "500",
      clusterCpuUsage: "2000",
      memoryUsage: "256",
      clusterMemoryUsage: "4096",
      cpuBaseRate: "3",
      memoryBaseRate: "2",
      region: "eu-west",
      regionalCpuCosts: "100000",
      regionalMemoryCosts: "200000",
      highDemand: "false",
      greenEnergyPct: "0",
      greenReward: "0",
      cpuTokens: "25000300000",
      memoryTokens: "6200200000",
    });
  });

  it("truncates the share before multiplying by 10^8 ((a / b)·10^8, not a·10^8 / b)", () => {
    // cpu = 1·10^3 = 1000 > 0 → (1000 / 3 = 333)·10^8 = 33300000000, base 0
    // memory 0 → 0 > 0 is false → 0
    // 33300000000 / 1000 = 33300000 (the other order would give 1000·10^8 / 3 / 1000 = 33333333)
    const result = compute({
      usage: { cpuUsage: 1n, clusterCpuUsage: 3n, memoryUsage: 0n },
      cluster: { cpuBaseRate: 0n, memoryBaseRate: 0n },
      region: { regionalCpuCosts: 0n, regionalMemoryCosts: 0n },
    });
    expect(result.amount).toBe(33_300_000n);
    expect(result.amount).not.toBe(33_333_333n);
  });

  it("charges nothing for a resource at or below the regional cost, the share above it", () => {
    // at: cpu = 100·10^3 = 100000, 100000 > 100000 is false → cpuTokens 0; memory 256 MiB as above 6200200000
    // 6200200000 / 1000 = 6200200
    const at = compute({ usage: { cpuUsage: 100n } });
    expect(at.inputs.cpuTokens).toBe("0");
    expect(at.amount).toBe(6_200_200n);
    // above: cpu = 101000 > 100000 → (101000 / 2000 = 50.5 → 50)·10^8 + 300000 = 5000300000
    // (5000300000 + 6200200000) / 1000 = 11200500
    const above = compute({ usage: { cpuUsage: 101n } });
    expect(above.inputs.cpuTokens).toBe("5000300000");
    expect(above.amount).toBe(11_200_500n);
  });

  it("adds the high-demand cost only when the region is in high demand", () => {
    // (31200500000 + 7000000) / 1000 = 31207500
    expect(compute({ region: { highDemand: true } }).amount).toBe(31_207_500n);
    // highDemand false: the cost is not added → 31200500
    expect(compute({ region: { highDemand: false } }).amount).toBe(31_200_500n);
  });

  it("subtracts the green reward when the tokens cover it", () => {
    // 100 %, default table: 10^8 → (31200500000 − 100000000) / 1000 = 31100500
    const result = compute({ cluster: { greenEnergyPct: 100 } });
    expect(result.amount).toBe(31_100_500n);
    expect(result.inputs.greenReward).toBe("100000000");
    expect(result.inputs.greenRewardApplied).toBe("true");
  });

  it("does not subtract a green reward larger than the charge", () => {
    // cpu = 1000 > 0 → (1000 / 2000 = 0)·10^8 + 3·10^5 = 300000; memory 0 → 0
    // tokens 300000 < reward 10^8 → not subtracted → 300000 / 1000 = 300
    const result = compute({
      usage: { cpuUsage: 1n, memoryUsage: 0n },
      cluster: { greenEnergyPct: 100 },
      region: { regionalCpuCosts: 0n },
    });
    expect(result.amount).toBe(300n);
    expect(result.inputs.greenRewardApplied).toBe("false");
  });

  it("subtracts a reward exactly equal to the tokens (≥), leaving 0", () => {
    // cpu = 1000 > 0 → 0·10^8 + 200·10^5 = 20000000 = the 20 % reward (0.2 token) → 0 / 1000 = 0
    const result = compute({
      usage: { cpuUsage: 1n, memoryUsage: 0n },
      cluster: { cpuBaseRate: 200n, greenEnergyPct: 20 },
      region: { regionalCpuCosts: 0n },
    });
    expect(result.amount).toBe(0n);
    expect(result.inputs.greenRewardApplied).toBe("true");
  });

  it("reproduces the reference preset: 100 % → 0.1 token, 60 % has no entry → 0", () => {
    // 100 %: (31200500000 − 10000000) / 1000 = 31190500
    expect(compute({ cluster: { greenEnergyPct: 100 }, greenRewards: REFERENCE_GREEN_REWARDS }).amount).toBe(
      31_190_500n,
    );
    // 60 %: no entry → reward 0 → 31200500 (the default table would take 0.6 token: 31140500)
    expect(compute({ cluster: { greenEnergyPct: 60 }, greenRewards: REFERENCE_GREEN_REWARDS }).amount).toBe(
      31_200_500n,
    );
    expect(compute({ cluster: { greenEnergyPct: 60 } }).amount).toBe(31_140_500n);
  });

  it("refuses an instance whose region has no data", () => {
    expect(() => compute({ region: null, cluster: { region: "mars-1" } })).toThrow(RegionDataMissingError);
    try {
      compute({ region: null, cluster: { region: "mars-1" } });
    } catch (error) {
      expect((error as RegionDataMissingError).message).toBe("Data for region must be set");
      expect((error as RegionDataMissingError).region).toBe("mars-1");
    }
  });

  it("reverts like uint256 on a zero cluster usage above the threshold", () => {
    expect(() => compute({ usage: { clusterCpuUsage: 0n } })).toThrow(AccountingArithmeticError);
  });
});

describe("green reward table", () => {
  it("holds the documented presets and answers 0 for a missing entry", () => {
    expect([...DEFAULT_GREEN_REWARDS.entries()]).toEqual([
      [0, 0n],
      [20, 20_000_000n],
      [40, 40_000_000n],
      [60, 60_000_000n],
      [80, 80_000_000n],
      [100, TOKEN],
    ]);
    expect(greenReward(REFERENCE_GREEN_REWARDS, 100)).toBe(10_000_000n);
    expect(greenReward(REFERENCE_GREEN_REWARDS, 60)).toBe(0n);
    expect(greenReward(DEFAULT_GREEN_REWARDS, 50)).toBe(0n);
  });
});

describe("network rule", () => {
  const chargePerGb = 10_000_000n;

  it("is free up to 5 GB", () => {
    // 4·10^9 bytes → usage 4·10^9·10^8 / 10^9 = 400000000 ≤ 500000000 → 0
    expect(
      networkCharge({ bytesSent: 3_000_000_000n, bytesReceived: 1_000_000_000n, chargePerGb }).amount,
    ).toBe(0n);
    // exactly 5 GB → usage 500000000, not above → 0
    const five = networkCharge({ bytesSent: 5_000_000_000n, bytesReceived: 0n, chargePerGb });
    expect(five.amount).toBe(0n);
    expect(five.inputs.usage).toBe("500000000");
  });

  it("charges chargePerGb per GB above 5 GB", () => {
    // 6·10^9 + 1.5·10^9 = 7.5·10^9 bytes → usage 750000000 → (750000000 − 500000000)·10^7 / 10^8 = 25000000
    const result = networkCharge({ bytesSent: 6_000_000_000n, bytesReceived: 1_500_000_000n, chargePerGb });
    expect(result.amount).toBe(25_000_000n);
    expect(result.inputs).toEqual({
      bytesSent: "6000000000",
      bytesReceived: "1500000000",
      usage: "750000000",
      freeUsage: "500000000",
      chargePerGb: "10000000",
    });
  });

  it("truncates the usage and the charge", () => {
    // 5000000019 bytes → usage 500000001 (.9 dropped) → 1·10^7 / 10^8 = 0
    expect(networkCharge({ bytesSent: 5_000_000_019n, bytesReceived: 0n, chargePerGb }).amount).toBe(0n);
    // 5000000123 bytes → usage 500000012 → 12·10^7 / 10^8 = 1.2 → 1
    expect(networkCharge({ bytesSent: 5_000_000_123n, bytesReceived: 0n, chargePerGb }).amount).toBe(1n);
  });
});

describe("machine-learning rule", () => {
  const base = { regionName: "eu-west", region, usageFraction: TOKEN, gpuAllocatedTimeUs: 60_000_000n };

  it("charges a whole GPU's time", () => {
    // 60000000·10^8 / 10^8 = 60000000 µs → 60000000·10^8 / 360000000000 = 16666.6 → 16666, + 5000 = 21666
    const result = mlCharge({ ...base, gpuShare: TOKEN });
    expect(result.amount).toBe(21_666n);
    expect(result.inputs).toEqual({
      gpuAllocatedTimeUs: "60000000",
      gpuShare: "100000000",
      allocatedTime: "60000000",
      usageFraction: "100000000",
      region: "eu-west",
      regionalGpuCosts: "5000",
    });
  });

  it("charges a time-sliced quarter and a MIG slice as their fraction, never a whole GPU", () => {
    // quarter: 60000000·25000000 / 10^8 = 15000000 → 15000000·10^8 / 3.6·10^11 = 4166.6 → 4166, + 5000 = 9166
    expect(mlCharge({ ...base, gpuShare: 25_000_000n }).amount).toBe(9_166n);
    // 1g of 7: 60000000·14285714 / 10^8 = 8571428.4 → 8571428 → ·10^8 / 3.6·10^11 = 2380.9 → 2380, + 5000 = 7380
    expect(mlCharge({ ...base, gpuShare: 14_285_714n }).amount).toBe(7_380n);
    expect(() => mlCharge({ ...base, gpuShare: TOKEN + 1n })).toThrow(RangeError);
  });

  it("scales with the usage fraction", () => {
    // 50 %: 60000000·5·10^7 / 3.6·10^11 = 8333.3 → 8333, + 5000 = 13333
    expect(mlCharge({ ...base, gpuShare: TOKEN, usageFraction: 50_000_000n }).amount).toBe(13_333n);
  });

  it("refuses an instance whose region has no data", () => {
    expect(() => mlCharge({ ...base, gpuShare: TOKEN, region: null, regionName: "mars-1" })).toThrow(
      "Data for region must be set",
    );
  });
});
