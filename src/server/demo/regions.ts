/**
 * Pricing data for the demo continuum's regions (src/server/clusters/demo-continuum.ts),
 * so the quick start's instances bill from the first period. eu-edge is in high
 * demand, to show the surcharge. Amounts in units, at the scale each rule reads
 * them (src/server/accounting/rules/region.ts): the CPU and memory costs are
 * thresholds in millicores · 10^3 and MiB · 10^3.
 */
export const DEMO_REGIONS = [
  {
    name: "eu-west",
    highDemand: false,
    highDemandCost: 0n,
    regionalCpuCosts: 50_000n,
    regionalMemoryCosts: 64_000n,
    regionalGpuCosts: 1_000n,
  },
  {
    name: "eu-edge",
    highDemand: true,
    highDemandCost: 50_000_000n,
    regionalCpuCosts: 20_000n,
    regionalMemoryCosts: 32_000n,
    regionalGpuCosts: 2_000n,
  },
] as const;
