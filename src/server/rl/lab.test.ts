import { describe, expect, it } from "vitest";
import {
  checkTargets,
  formatLabTable,
  formatTargets,
  LAB_POLICIES,
  labConfigSchema,
  type LabConfig,
  runLab,
  type SummaryRow,
} from "./lab";
import { renderLabPlot, storedResults } from "./lab-report";
import { cpuShareUnderLoad, clusterLoads } from "./migration-lab";

const TINY: Partial<LabConfig> = {
  traces: ["steady", "bursty"],
  trainingSeeds: [1, 2],
  evaluationSeeds: [11, 12, 13],
  minutes: 60,
  transitions: 150,
  episodeMinutes: 30,
  hpaGrid: [0.6, 1.0],
  plotSeed: 11,
};

describe("evaluation lab", () => {
  const result = runLab(TINY, {
    now: (() => {
      let t = 0;
      return () => (t += 1_000);
    })(),
  });

  it("reports every trace × policy, with numbers from the runs", () => {
    expect(result.summary.map((r) => `${r.trace}/${r.policy}`)).toEqual(
      ["steady", "bursty"].flatMap((t) => LAB_POLICIES.map((p) => `${t}/${p}`)),
    );
    expect(result.runs).toHaveLength(2 * 3 * 3);
    for (const row of result.summary) {
      const runs = result.runs.filter((r) => r.trace === row.trace && r.policy === row.policy);
      expect(runs.map((r) => r.seed)).toEqual([11, 12, 13]);
      const mean = runs.reduce((a, r) => a + r.meanReward, 0) / runs.length;
      expect(row.meanReward.mean).toBeCloseTo(mean, 12);
      expect(row.meanReplicas.mean).toBeGreaterThanOrEqual(1);
      expect(row.meanReplicas.mean).toBeLessThanOrEqual(10);
      expect(row.sloViolationRate.mean).toBeGreaterThanOrEqual(0);
      expect(row.sloViolationRate.mean).toBeLessThanOrEqual(1);
    }
    // Seeds differ, so the spread is not zero for the random policy, and policies differ from each other.
    const random = result.summary.find((r) => r.trace === "bursty" && r.policy === "random")!;
    expect(random.meanReward.sd).toBeGreaterThan(0);
    const rewards = new Set(result.summary.map((r) => r.meanReward.mean.toFixed(6)));
    expect(rewards.size).toBeGreaterThan(3);
    expect(result.training.map((t) => t.transitions)).toEqual([150, 150]);
    expect(result.hpa.map((h) => h.grid.map((g) => g.target))).toEqual([
      [0.6, 1.0],
      [0.6, 1.0],
    ]);
    expect(result.durationMs).toBe(1_000);
  });

  it("is deterministic for a configuration", () => {
    const again = runLab(TINY);
    expect(again.runs).toEqual(result.runs);
  });

  it("prints the table and the targets, and says where HPA wins", () => {
    const table = formatLabTable(result).split("\n");
    expect(table[0]).toMatch(/^trace\s+policy\s+mean reward\s+mean replicas\s+SLO violations %\s+actions$/);
    expect(table).toHaveLength(2 + 6);
    expect(table[2]).toMatch(/^steady\s+random\s+-?\d+\.\d{3} ± \d+\.\d{3}/);
    expect(result.targets.map((t) => t.id)).toEqual([
      "steady:beats-random",
      "steady:matches-hpa",
      "bursty:beats-random",
      "bursty:cuts-violations",
    ]);
    expect(formatTargets(result)).toMatch(/HPA target utilisation \(tuned on training seeds 1, 2\)/);
  });

  it("checks the targets against the summary", () => {
    const row = (
      trace: "steady" | "bursty",
      policy: "random" | "hpa" | "dqn",
      reward: number,
      replicas: number,
      slo: number,
    ): SummaryRow => ({
      trace,
      policy,
      meanReward: { mean: reward, sd: 0 },
      meanReplicas: { mean: replicas, sd: 0 },
      sloViolationRate: { mean: slo, sd: 0 },
      actions: { mean: 0, sd: 0 },
    });
    const { targets, hpaWins } = checkTargets([
      row("steady", "random", -3, 5, 0.2),
      row("steady", "hpa", -1.5, 4, 0),
      row("steady", "dqn", -1.52, 4.1, 0),
      row("bursty", "random", -3, 5, 0.2),
      row("bursty", "hpa", -1.5, 4, 0.04),
      row("bursty", "dqn", -2.8, 4.5, 0.01),
    ]);
    expect(Object.fromEntries(targets.map((t) => [t.id, t.met]))).toEqual({
      "steady:beats-random": true,
      "steady:matches-hpa": true,
      "bursty:beats-random": false, // 6.7 % better only
      "bursty:cuts-violations": false, // 4× fewer violations but 12.5 % dearer
    });
    expect(hpaWins).toContain("bursty: HPA wins on reward (-1.500 vs DQN -2.800)");
  });

  it("refuses evaluation seeds that were trained on", () => {
    const parsed = labConfigSchema.safeParse({ ...result.config, evaluationSeeds: [2, 11] });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(["evaluationSeeds"]);
  });

  it("renders the plot to a PNG and keeps the series out of the stored row", () => {
    const png = renderLabPlot(result);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.length).toBeGreaterThan(5_000);
    expect(result.series.map((s) => `${s.trace}/${s.policy}/${s.seed}/${s.reward.length}`)).toContain(
      "bursty/dqn/11/60",
    );
    expect(Object.keys(storedResults(result))).not.toContain("series");
  });
});

describe("migration comparison model", () => {
  it("gives each demo cluster a seeded load and less CPU above 50 % load", () => {
    const loads = clusterLoads(1, 120);
    expect(loads).toHaveLength(5);
    expect(clusterLoads(1, 120)).toEqual(loads);
    expect(clusterLoads(2, 120)).not.toEqual(loads);
    for (const c of loads) expect(c.load.every((l) => l >= 0 && l <= 0.98)).toBe(true);
    expect(cpuShareUnderLoad(0.3)).toBe(1);
    expect(cpuShareUnderLoad(0.75)).toBeCloseTo(0.5, 9);
  });
});
