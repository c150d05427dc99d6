import { describe, expect, it } from "vitest";
import { GiB, makeCluster, makeTarget, testBedClusters } from "@/server/testing/placement-factories";
import { selectMigrationTarget, type TargetSelectionInput } from "./target-selection";

const small = { cpuMillicores: 500, memoryBytes: 512 * 2 ** 20 };
const availabilityAbove95 = makeTarget({
  targetName: "availability",
  condition: "IS_GREATER_THAN",
  value: 95,
});

function select(overrides: Partial<TargetSelectionInput> = {}) {
  return selectMigrationTarget({
    currentCluster: "dev-onelab",
    targets: [availabilityAbove95],
    clusters: testBedClusters(),
    requests: small,
    ...overrides,
  });
}

const verdicts = (selection: ReturnType<typeof select>) =>
  Object.fromEntries(selection.evaluations.map((e) => [e.cluster, e.verdict]));

describe("migration target selection", () => {
  it("reproduces the reference controller's decision on the test-bed", () => {
    const selection = select();
    expect(selection.currentMeetsTargets).toBe(false);
    expect(selection.target).toBe("staging-onelab");
    expect(selection.reasonIfNone).toBeNull();
    expect(verdicts(selection)).toEqual({
      "dev-onelab": "current",
      "k3s-onelab": "rejected",
      "nemo-smart-farming": "skipped",
      "pro-onelab": "rejected",
      "staging-onelab": "chosen",
    });
    expect(selection.evaluations[0]).toMatchObject({ cluster: "dev-onelab", reason: "IntentTargetNotMet" });
    expect(selection.messages).toEqual([
      "Cluster dev-onelab does not meet intent availability requirement (offers 90 %, needs more than 95 %)",
      "Cluster k3s-onelab does not meet intent availability requirement (offers 95 %, needs more than 95 %)",
      "Skipping cluster nemo-smart-farming due to invalid or missing Status: PENDING",
      "Cluster pro-onelab does not meet intent availability requirement (offers 95 %, needs more than 95 %)",
      "Cluster staging-onelab meets all intent requirements",
      expect.stringMatching(/^Cluster staging-onelab chosen as the migration target \(score -?\d+\)$/),
    ]);
  });

  it("never picks the current cluster, even when it is the best one", () => {
    const selection = select({ currentCluster: "staging-onelab" });
    expect(selection.currentMeetsTargets).toBe(true);
    expect(selection.evaluations[0]).toEqual({
      cluster: "staging-onelab",
      verdict: "current",
      reason: "MeetsTargets",
      message: "Cluster staging-onelab meets all intent requirements",
    });
    expect(selection.target).toBeNull();
    expect(selection.evaluations.filter((e) => e.cluster === "staging-onelab")).toHaveLength(1);
    expect(selection.reasonIfNone).toBe(
      "No cluster other than staging-onelab offers availability of more than 95 % " +
        "(highest availability offered: 95 %)",
    );
  });

  it("still names the best other cluster when the current one complies (the Migrate now dialog)", () => {
    const selection = select({ targets: [] });
    expect(selection.currentMeetsTargets).toBe(true);
    expect(selection.target).not.toBeNull();
    expect(selection.target).not.toBe("dev-onelab");
  });

  it("skips every cluster whose status is not OK", () => {
    for (const status of ["PENDING", "ERROR", "DEREGISTERED"] as const) {
      const clusters = testBedClusters().map((c) => (c.name === "staging-onelab" ? { ...c, status } : c));
      const selection = select({ clusters });
      const staging = selection.evaluations.find((e) => e.cluster === "staging-onelab");
      expect(staging).toEqual({
        cluster: "staging-onelab",
        verdict: "skipped",
        reason: "ClusterNotReady",
        message: `Skipping cluster staging-onelab due to invalid or missing Status: ${status}`,
      });
      expect(selection.target).toBeNull();
    }
  });

  it.each([
    [
      "green energy",
      makeTarget({
        intentType: "GreenEnergy",
        targetName: "greenEnergy",
        condition: "IS_GREATER_THAN",
        value: 50,
      }),
      "Cluster pro-onelab does not meet intent greenEnergy requirement (offers 20 %, needs more than 50 %)",
    ],
    [
      "cost class",
      makeTarget({ intentType: "Cost", targetName: "cost", condition: "IS_EQUAL_TO", value: "low_cost" }),
      "Cluster pro-onelab does not meet intent cost requirement (offers high_performance, needs low_cost)",
    ],
    [
      "base rate",
      makeTarget({ intentType: "Cost", targetName: "cpuBaseRate", condition: "IS_LESS_THAN", value: 10 }),
      "Cluster pro-onelab does not meet intent cpuBaseRate requirement (offers 20, needs less than 10)",
    ],
    [
      "vram",
      makeTarget({
        intentType: "MachineLearning",
        targetName: "vram",
        condition: "IS_GREATER_THAN",
        value: 20,
      }),
      "Cluster pro-onelab does not meet intent vram requirement (offers 14 GB, needs more than 20 GB)",
    ],
  ])("rejects a cluster that misses a %s target", (_what, target, message) => {
    const selection = select({ targets: [target] });
    expect(selection.evaluations.find((e) => e.cluster === "pro-onelab")).toEqual({
      cluster: "pro-onelab",
      verdict: "rejected",
      reason: "IntentTargetNotMet",
      message,
    });
  });

  it("rejects a cluster without room for the instance", () => {
    const selection = select({ requests: { cpuMillicores: 40_000, memoryBytes: GiB } });
    expect(selection.evaluations.find((e) => e.cluster === "staging-onelab")).toMatchObject({
      verdict: "rejected",
      reason: "InsufficientCpu",
      message: "Cluster staging-onelab has not enough free CPU (32 CPU free, 40 CPU requested)",
    });
    expect(selection.target).toBeNull();
  });

  it("says so when no cluster qualifies, and reports a misconfigured target as such", () => {
    const none = select({ targets: [makeTarget({ value: 99.95 })] });
    expect(none.target).toBeNull();
    expect(none.currentMeetsTargets).toBe(false);
    expect(none.evaluations.filter((e) => e.verdict === "eligible" || e.verdict === "chosen")).toEqual([]);
    expect(none.reasonIfNone).toBe(
      "No cluster other than dev-onelab offers availability of more than 99.95 % " +
        "(highest availability offered: 99.9 %)",
    );
    expect(none.messages.at(-1)).toBe(none.reasonIfNone);

    const misconfigured = select({ targets: [makeTarget({ value: "high" })] });
    expect(misconfigured.currentMeetsTargets).toBe(false);
    expect(misconfigured.evaluations[0]).toMatchObject({ verdict: "current", reason: "TargetMisconfigured" });
    expect(misconfigured.target).toBeNull();
  });

  it("names the target no other cluster can meet, with the best value on offer", () => {
    const selection = select({
      targets: [
        makeTarget({ condition: "IS_EQUAL_TO_OR_GREATER_THAN", value: 95 }),
        makeTarget({
          intentType: "GreenEnergy",
          targetName: "greenEnergy",
          condition: "IS_EQUAL_TO_OR_GREATER_THAN",
          value: 80,
        }),
      ],
    });
    expect(selection.target).toBeNull();
    expect(selection.reasonIfNone).toBe(
      "No cluster other than dev-onelab offers green energy of at least 80 % " +
        "(highest green energy offered: 60 %)",
    );
  });

  it("chooses among several eligible clusters by score and marks the rest eligible", () => {
    const clusters = [
      makeCluster({ name: "here", availabilityPct: 90 }),
      makeCluster({ name: "green", availabilityPct: 99, greenEnergyPct: 100 }),
      makeCluster({ name: "grey", availabilityPct: 99, greenEnergyPct: 0 }),
    ];
    const selection = select({ currentCluster: "here", clusters });
    expect(selection.target).toBe("green");
    expect(verdicts(selection)).toEqual({ here: "current", green: "chosen", grey: "eligible" });
  });

  it("handles an instance that runs nowhere and a current cluster that was removed", () => {
    const nowhere = select({ currentCluster: null });
    expect(nowhere.currentMeetsTargets).toBe(false);
    expect(nowhere.evaluations.some((e) => e.verdict === "current")).toBe(false);
    expect(nowhere.target).toBe("staging-onelab");
    const gone = select({ currentCluster: "old-cluster" });
    expect(gone.evaluations[0]).toMatchObject({
      cluster: "old-cluster",
      verdict: "current",
      reason: "UnknownCluster",
    });
    expect(gone.currentMeetsTargets).toBe(false);
  });
});
