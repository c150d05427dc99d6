import { describe, expect, it } from "vitest";
import { decidePlacement, DEFAULT_CONFIG } from "./decide";
import { PRIORITIZERS } from "./prioritizers";
import { placementConfig, PRIORITIZER_NAMES, type PlacementConfigInput } from "./schema";
import {
  GiB,
  makeCluster,
  makeRequest,
  makeTarget,
  testBedClusters,
} from "@/server/testing/placement-factories";

const availabilityAbove95 = makeTarget({ intentType: "Availability", targetName: "availability", value: 95 });
const config = (input: PlacementConfigInput) => placementConfig(input);

describe("the reference test-bed", () => {
  it("places an availability > 95 intent on staging-onelab and says why the others were left out", () => {
    const decision = decidePlacement(testBedClusters(), makeRequest({ targets: [availabilityAbove95] }));

    expect(decision.winner).toBe("staging-onelab");
    expect(decision.winnerId).toBe("id-staging-onelab");
    expect(decision.feasible).toBe(true);
    expect(decision.reasonIfNone).toBeNull();
    expect(decision.filtered).toEqual([
      {
        cluster: "dev-onelab",
        plugin: "Availability",
        code: "Error",
        reason: "IntentTargetNotMet",
        message:
          "Cluster dev-onelab does not meet intent availability requirement (offers 90 %, needs more than 95 %)",
      },
      {
        cluster: "k3s-onelab",
        plugin: "Availability",
        code: "Error",
        reason: "IntentTargetNotMet",
        message:
          "Cluster k3s-onelab does not meet intent availability requirement (offers 95 %, needs more than 95 %)",
      },
      {
        cluster: "nemo-smart-farming",
        plugin: "ClusterStatus",
        code: "Error",
        reason: "ClusterNotReady",
        message: "Skipping cluster nemo-smart-farming due to invalid or missing Status: PENDING",
      },
      {
        cluster: "pro-onelab",
        plugin: "Availability",
        code: "Error",
        reason: "IntentTargetNotMet",
        message:
          "Cluster pro-onelab does not meet intent availability requirement (offers 95 %, needs more than 95 %)",
      },
    ]);
    expect(decision.scores.map((s) => s.cluster)).toEqual(["staging-onelab"]);
  });

  it("places a MachineLearning GPU intent on pro-onelab, the only cluster with VRAM", () => {
    const decision = decidePlacement(
      testBedClusters(),
      makeRequest({
        requests: { cpuMillicores: 4_000, memoryBytes: 8 * GiB, gpus: 1, vramGb: 8 },
        targets: [
          makeTarget({
            intentType: "MachineLearning",
            targetName: "gpu",
            condition: "IS_EQUAL_TO",
            value: "true",
          }),
        ],
      }),
    );
    expect(decision.winner).toBe("pro-onelab");
    expect(decision.filtered.filter((f) => f.plugin === "Accelerator").map((f) => f.cluster)).toEqual([
      "dev-onelab",
      "k3s-onelab",
      "staging-onelab",
    ]);
  });

  it("explains that no cluster has room for an oversized request", () => {
    const decision = decidePlacement(
      testBedClusters(),
      makeRequest({ requests: { cpuMillicores: 100_000, memoryBytes: GiB } }),
    );
    expect(decision).toMatchObject({ winner: null, winnerId: null, feasible: false, scores: [] });
    expect(decision.filtered.find((f) => f.cluster === "dev-onelab")).toMatchObject({
      plugin: "Resources",
      reason: "InsufficientCpu",
      message: "Cluster dev-onelab has not enough free CPU (68 CPU free, 100 CPU requested)",
    });
    expect(decision.reasonIfNone).toBe(
      "Every cluster was ruled out: ClusterStatus rejected 1 (nemo-smart-farming); " +
        "Resources rejected 4 (dev-onelab, k3s-onelab, pro-onelab and 1 more)",
    );
  });

  it("sees capacity already requested on a cluster", () => {
    const clusters = testBedClusters().map((c) =>
      c.name === "staging-onelab" ? { ...c, allocated: { cpuMillicores: 31_000, memoryBytes: 0 } } : c,
    );
    const decision = decidePlacement(
      clusters,
      makeRequest({ requests: { cpuMillicores: 2_000, memoryBytes: GiB }, targets: [availabilityAbove95] }),
    );
    expect(decision.winner).toBeNull();
    expect(decision.reasonIfNone).toContain("Resources rejected 1 (staging-onelab)");
  });
});

describe("a pinned proposed cluster", () => {
  it("is honoured even when another cluster scores better", () => {
    const decision = decidePlacement(testBedClusters(), makeRequest({ proposedCluster: "pro-onelab" }));
    expect(decision.winner).toBe("pro-onelab");
    expect(decision.proposal).toEqual({ cluster: "pro-onelab", pinned: true, accepted: true });
    expect(decision.filtered.find((f) => f.cluster === "k3s-onelab")).toMatchObject({
      plugin: "ProposedCluster",
      reason: "NotProposedCluster",
      message: "Cluster k3s-onelab is not the proposed cluster pro-onelab",
    });
  });

  it("is rejected with the reason of the filter it failed, and nothing else is chosen", () => {
    const decision = decidePlacement(
      testBedClusters(),
      makeRequest({ proposedCluster: "k3s-onelab", targets: [availabilityAbove95] }),
    );
    expect(decision.winner).toBeNull();
    expect(decision.proposal).toEqual({
      cluster: "k3s-onelab",
      pinned: true,
      accepted: false,
      plugin: "Availability",
      reason: "IntentTargetNotMet",
      message:
        "Cluster k3s-onelab does not meet intent availability requirement (offers 95 %, needs more than 95 %)",
    });
    expect(decision.reasonIfNone).toBe(
      "Proposed cluster k3s-onelab was rejected: Cluster k3s-onelab does not meet intent availability requirement (offers 95 %, needs more than 95 %)",
    );
  });

  it("is rejected when it is still joining", () => {
    const decision = decidePlacement(
      testBedClusters(),
      makeRequest({ proposedCluster: "nemo-smart-farming" }),
    );
    expect(decision.proposal).toMatchObject({
      accepted: false,
      plugin: "ClusterStatus",
      reason: "ClusterNotReady",
    });
  });

  it("is reported when it is not registered at all", () => {
    const decision = decidePlacement(testBedClusters(), makeRequest({ proposedCluster: "edge-42" }));
    expect(decision.proposal).toEqual({
      cluster: "edge-42",
      pinned: true,
      accepted: false,
      plugin: null,
      reason: "UnknownCluster",
      message: "Proposed cluster edge-42 is not registered",
    });
    expect(decision.reasonIfNone).toBe("Proposed cluster edge-42 is not registered");
  });
});

describe("a preferred cluster (proposed, not pinned)", () => {
  it("wins over a better-scoring cluster when it passes the filters", () => {
    const without = decidePlacement(testBedClusters(), makeRequest({}));
    expect(without.winner).not.toBe("pro-onelab");
    const decision = decidePlacement(testBedClusters(), makeRequest({ preferredCluster: "pro-onelab" }));
    expect(decision.winner).toBe("pro-onelab");
    expect(decision.proposal).toEqual({ cluster: "pro-onelab", pinned: false, accepted: true });
    // Not a filter: the other clusters stay in the running, only scored lower.
    expect(decision.filtered.some((f) => f.plugin === "ProposedCluster")).toBe(false);
    const scores = new Map(decision.scores.map((s) => [s.cluster, s.perPrioritizer.PreferredCluster]));
    expect(scores.get("pro-onelab")).toBe(100);
    expect(scores.get(without.winner ?? "")).toBe(-100);
  });

  it("gives way to another cluster when it fails a filter, and says why", () => {
    const decision = decidePlacement(
      testBedClusters(),
      makeRequest({ preferredCluster: "k3s-onelab", targets: [availabilityAbove95] }),
    );
    expect(decision.winner).toBe("staging-onelab");
    expect(decision.proposal).toEqual({
      cluster: "k3s-onelab",
      pinned: false,
      accepted: false,
      plugin: "Availability",
      reason: "IntentTargetNotMet",
      message:
        "Cluster k3s-onelab does not meet intent availability requirement (offers 95 %, needs more than 95 %)",
    });
    expect(decision.reasonIfNone).toBeNull();
  });

  it("is not the reason when nothing fits: the targets no cluster meets are", () => {
    const decision = decidePlacement(
      testBedClusters(),
      makeRequest({
        preferredCluster: "k3s-onelab",
        targets: [makeTarget({ intentType: "Availability", targetName: "availability", value: 99.9 })],
      }),
    );
    expect(decision.winner).toBeNull();
    expect(decision.reasonIfNone).not.toContain("Proposed cluster");
    expect(decision.reasonIfNone).toContain("availability");
  });

  it("is ignored by every cluster's score when it is not registered", () => {
    const plain = decidePlacement(testBedClusters(), makeRequest({}));
    const decision = decidePlacement(testBedClusters(), makeRequest({ preferredCluster: "edge-42" }));
    expect(decision.winner).toBe(plain.winner);
    expect(decision.proposal).toMatchObject({ cluster: "edge-42", pinned: false, accepted: false });
  });

  it("scores 0 for every cluster when there is no preference", () => {
    const decision = decidePlacement(testBedClusters(), makeRequest({}));
    expect(decision.scores.every((s) => s.perPrioritizer.PreferredCluster === 0)).toBe(true);
  });
});

describe("intent targets", () => {
  it("do not filter on usage targets and record them as not placement constraints", () => {
    const usage = makeTarget({
      intentType: "DeliverComputingWorkload",
      targetName: "cpuUsage",
      condition: "IS_LESS_THAN",
      value: 500,
    });
    const decision = decidePlacement(testBedClusters(), makeRequest({ targets: [usage] }));
    expect(decision.filtered.map((f) => f.cluster)).toEqual(["nemo-smart-farming"]);
    expect(decision.ignoredTargets).toEqual([
      {
        intentType: "DeliverComputingWorkload",
        targetName: "cpuUsage",
        reason: "NotAPlacementConstraint",
        message:
          "Target cpuUsage (DeliverComputingWorkload) is not a placement constraint: it is not a property of a " +
          "cluster; the intent evaluator checks it after deployment",
      },
    ]);
  });

  it("combine: availability ≥ 95 and green energy ≥ 30 leave k3s-onelab and staging-onelab", () => {
    const decision = decidePlacement(
      testBedClusters(),
      makeRequest({
        targets: [
          makeTarget({ condition: "IS_EQUAL_TO_OR_GREATER_THAN", value: 95 }),
          makeTarget({
            intentType: "GreenEnergy",
            targetName: "greenEnergy",
            condition: "IS_EQUAL_TO_OR_GREATER_THAN",
            value: 30,
          }),
        ],
      }),
    );
    expect(decision.scores.map((s) => s.cluster).sort()).toEqual(["k3s-onelab", "staging-onelab"]);
    expect(decision.filtered.find((f) => f.cluster === "pro-onelab")?.message).toBe(
      "Cluster pro-onelab does not meet intent greenEnergy requirement (offers 20 %, needs at least 30 %)",
    );
  });

  it("that are misconfigured make the decision infeasible and say so", () => {
    const decision = decidePlacement(
      testBedClusters(),
      makeRequest({ targets: [makeTarget({ condition: "IS_WITHIN_RANGE", value: [99, 90] })] }),
    );
    expect(decision.winner).toBeNull();
    expect(decision.filtered.filter((f) => f.code === "Misconfigured")).toHaveLength(4);
    expect(decision.reasonIfNone).toBe(
      "Every cluster was ruled out: ClusterStatus rejected 1 (nemo-smart-farming); " +
        "Availability: Intent target availability cannot be checked: IS_WITHIN_RANGE range [99, 90] has low > high",
    );
  });
});

describe("why no cluster fits", () => {
  const greenAtLeast80 = makeTarget({
    intentType: "GreenEnergy",
    targetName: "greenEnergy",
    condition: "IS_EQUAL_TO_OR_GREATER_THAN",
    value: 80,
  });
  const availabilityAtLeast95 = makeTarget({ condition: "IS_EQUAL_TO_OR_GREATER_THAN", value: 95 });
  // Availability is met by some clusters only, green energy by none: the filter chain stops most at Availability.
  const fleet = () => [
    makeCluster({ name: "a", availabilityPct: 90, greenEnergyPct: 60 }),
    makeCluster({ name: "b", availabilityPct: 90, greenEnergyPct: 40 }),
    makeCluster({ name: "c", availabilityPct: 92, greenEnergyPct: 10 }),
    makeCluster({ name: "d", availabilityPct: 99, greenEnergyPct: 55 }),
    makeCluster({ name: "e", availabilityPct: 99.9, greenEnergyPct: 20 }),
    makeCluster({ name: "joining", status: "PENDING", greenEnergyPct: 100 }),
  ];

  it("names the target no cluster can satisfy, with the best value offered, not the first filter's count", () => {
    const decision = decidePlacement(
      fleet(),
      makeRequest({ targets: [availabilityAtLeast95, greenAtLeast80] }),
    );
    expect(decision.winner).toBeNull();
    expect(decision.filtered.filter((f) => f.plugin === "Availability")).toHaveLength(3);
    // The PENDING cluster's 100 % is not on offer.
    expect(decision.reasonIfNone).toBe(
      "No cluster offers green energy of at least 80 % (highest green energy offered: 60 %)",
    );
  });

  it("names every target no cluster can satisfy", () => {
    const decision = decidePlacement(
      fleet(),
      makeRequest({
        targets: [
          makeTarget({ value: 99.95 }),
          greenAtLeast80,
          makeTarget({ intentType: "Cost", targetName: "cost", condition: "IS_EQUAL_TO", value: "free" }),
          makeTarget({ intentType: "Cost", targetName: "cpuBaseRate", condition: "IS_LESS_THAN", value: 5 }),
        ],
      }),
    );
    expect(decision.reasonIfNone).toBe(
      "No cluster offers availability of more than 99.95 % (highest availability offered: 99.9 %); " +
        "no cluster offers green energy of at least 80 % (highest green energy offered: 60 %); " +
        "no cluster offers cost class free (cost class offered: low_cost); " +
        "no cluster offers CPU base rate of less than 5 (lowest CPU base rate offered: 10)",
    );
  });

  it("falls back to the rejections per filter when each target alone is met somewhere", () => {
    const greenAtLeast56 = { ...greenAtLeast80, value: 56 };
    const decision = decidePlacement(
      fleet(),
      makeRequest({ targets: [availabilityAtLeast95, greenAtLeast56] }),
    );
    expect(decision.reasonIfNone).toBe(
      "Every cluster was ruled out: ClusterStatus rejected 1 (joining); " +
        "Availability rejected 3 (a, b, c); GreenEnergy rejected 2 (d, e)",
    );
  });
});

describe("scoring", () => {
  const twins = () => [
    makeCluster({ name: "b-cluster", cost: "high_performance" }),
    makeCluster({ name: "a-cluster", cost: "low_cost" }),
  ];

  it("sums the weighted prioritizer scores", () => {
    const decision = decidePlacement(testBedClusters(), makeRequest());
    for (const score of decision.scores) {
      const expected = PRIORITIZER_NAMES.reduce(
        (sum, name) => sum + DEFAULT_CONFIG.weights[name] * score.perPrioritizer[name],
        0,
      );
      expect(score.total).toBe(expected);
      expect(Object.keys(score.perPrioritizer)).toEqual(PRIORITIZERS.map((p) => p.name));
    }
  });

  it("lists scores best first", () => {
    const totals = decidePlacement(testBedClusters(), makeRequest()).scores.map((s) => s.total);
    expect(totals).toEqual([...totals].sort((a, b) => b - a));
  });

  it("prefers low_cost by default and high_performance with a negative CostClass weight", () => {
    expect(decidePlacement(twins(), makeRequest()).winner).toBe("a-cluster");
    expect(decidePlacement(twins(), makeRequest(), config({ weights: { CostClass: -1 } })).winner).toBe(
      "b-cluster",
    );
  });

  it("prefers green energy in proportion to its weight", () => {
    const clusters = [
      makeCluster({ name: "green", greenEnergyPct: 100, cost: "high_performance" }),
      makeCluster({ name: "cheap", greenEnergyPct: 0, cost: "low_cost" }),
    ];
    // With equal weights green energy and cost cancel out, and the name decides.
    const [first, second] = decidePlacement(clusters, makeRequest()).scores;
    expect(first?.total).toBe(second?.total);
    expect(decidePlacement(clusters, makeRequest(), config({ weights: { GreenEnergy: 2 } })).winner).toBe(
      "green",
    );
    expect(decidePlacement(clusters, makeRequest(), config({ weights: { CostClass: 2 } })).winner).toBe(
      "cheap",
    );
  });

  it("breaks ties by name", () => {
    const clusters = [
      makeCluster({ name: "b-cluster" }),
      makeCluster({ name: "a-cluster" }),
      makeCluster({ name: "B" }),
    ];
    const decision = decidePlacement(clusters, makeRequest());
    expect(new Set(decision.scores.map((s) => s.total)).size).toBe(1);
    // Code-unit order: upper case sorts before lower case, on every machine and locale.
    expect(decision.scores.map((s) => s.cluster)).toEqual(["B", "a-cluster", "b-cluster"]);
    expect(decision.winner).toBe("B");
  });

  it("spreads instances towards the cluster running fewer", () => {
    const clusters = [
      makeCluster({ name: "a-busy", instanceCount: 4 }),
      makeCluster({ name: "b-idle", instanceCount: 0 }),
    ];
    expect(decidePlacement(clusters, makeRequest()).winner).toBe("b-idle");
  });

  it("prefers emptier clusters once the request is placed", () => {
    const clusters = [
      makeCluster({ name: "a-full", allocated: { cpuMillicores: 12_000, memoryBytes: 24 * GiB } }),
      makeCluster({ name: "b-empty" }),
    ];
    const decision = decidePlacement(clusters, makeRequest());
    expect(decision.winner).toBe("b-empty");
    expect(decision.scores[1]?.perPrioritizer.LeastAllocatedCpu).toBe(-56);
  });

  it("keeps an already placed instance where it is when nothing is clearly better", () => {
    const clusters = [
      makeCluster({ name: "a-cluster" }),
      makeCluster({ name: "b-cluster", instanceCount: 1 }),
    ];
    const request = makeRequest({ currentCluster: "b-cluster" });
    expect(decidePlacement(clusters, request).winner).toBe("b-cluster");
    expect(decidePlacement(clusters, request, config({ weights: { Steady: 0 } })).winner).toBe("a-cluster");
  });

  it("moves a migrating instance off its excluded current cluster", () => {
    const decision = decidePlacement(
      testBedClusters(),
      makeRequest({
        currentCluster: "dev-onelab",
        excludeClusters: ["dev-onelab"],
        targets: [availabilityAbove95],
      }),
    );
    expect(decision.winner).toBe("staging-onelab");
    expect(decision.filtered.find((f) => f.cluster === "dev-onelab")?.plugin).toBe("ExcludedClusters");
  });
});

describe("a decision", () => {
  it("does not depend on the order the clusters are listed in", () => {
    const request = makeRequest({
      targets: [makeTarget({ condition: "IS_EQUAL_TO_OR_GREATER_THAN", value: 95 })],
    });
    const forward = decidePlacement(testBedClusters(), request);
    expect(decidePlacement(testBedClusters().reverse(), request)).toEqual(forward);
  });

  it("is plain data that survives JSON", () => {
    const decision = decidePlacement(testBedClusters(), makeRequest({ targets: [availabilityAbove95] }));
    expect(JSON.parse(JSON.stringify(decision))).toEqual(decision);
  });

  it("says when there are no clusters at all", () => {
    expect(decidePlacement([], makeRequest()).reasonIfNone).toBe("No clusters are registered");
  });

  it("refuses a cluster set with a duplicate name", () => {
    expect(() =>
      decidePlacement([makeCluster({ name: "x" }), makeCluster({ name: "x" })], makeRequest()),
    ).toThrow("duplicate cluster name x");
  });
});

describe("the config", () => {
  it("fills missing weights with the defaults", () => {
    expect(placementConfig({ weights: { GreenEnergy: 5 } }).weights).toEqual({
      ...DEFAULT_CONFIG.weights,
      GreenEnergy: 5,
    });
  });

  it("accepts only integer weights within −10..10", () => {
    expect(() => placementConfig({ weights: { GreenEnergy: 11 } })).toThrow();
    expect(() => placementConfig({ weights: { GreenEnergy: 0.5 } })).toThrow();
    expect(() => placementConfig({ weights: { Greenness: 1 } as PlacementConfigInput["weights"] })).toThrow();
  });
});
