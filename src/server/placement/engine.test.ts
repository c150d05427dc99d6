import { describe, expect, it } from "vitest";
import { decidePlacement, type PlacementDecision } from "./decide";
import { createPlacementEngine, PlacementConflictError, PlacementError } from "./engine";
import { placementConfig } from "./schema";
import {
  GiB,
  makeCluster,
  makeRequest,
  makeTarget,
  picker,
  randomClusters,
  randomConfig,
  randomRequest,
  testBedClusters,
} from "@/server/testing/placement-factories";

/** Every field, the lazy explanation included, as plain data. */
const plain = (decision: PlacementDecision): unknown => JSON.parse(JSON.stringify(decision));

describe("the placement engine", () => {
  it("agrees with the straightforward placement on random clusters and requests, commits included", () => {
    let feasible = 0;
    let infeasible = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const rng = picker(seed);
      const clusters = randomClusters(rng, rng.int(0, 14));
      const config = randomConfig(rng);
      const engine = createPlacementEngine(clusters, config);
      for (let step = 0; step < 25; step++) {
        const request = randomRequest(rng, clusters);
        const before = engine.clusters();
        const reference = decidePlacement(before, request, placementConfig(config));
        const decision = engine.decide(request);
        expect(decision.winner, `seed ${seed} step ${step}`).toBe(reference.winner);
        if (decision.feasible) feasible++;
        else infeasible++;
        if (decision.feasible && rng.chance(0.6)) engine.commit(decision);
        if (clusters.length > 0 && rng.chance(0.1)) engine.release(rng.pick(clusters).name, request.requests);
        // The explanation describes the state the decision was made on, not the state after commit.
        expect(plain(decision), `seed ${seed} step ${step}`).toEqual(plain(reference));
      }
    }
    // The random inputs exercise both outcomes substantially.
    expect(feasible).toBeGreaterThan(1_000);
    expect(infeasible).toBeGreaterThan(1_000);
  });

  it("agrees with the straightforward placement over 1,000 clusters with wide-ranging properties", () => {
    const rng = picker(2024);
    const clusters = randomClusters(rng, 1_000, "wide");
    const engine = createPlacementEngine(clusters);
    for (let step = 0; step < 300; step++) {
      const request = randomRequest(rng, clusters);
      const decision = engine.decide(request);
      expect(decision.winner, `step ${step}`).toBe(decidePlacement(engine.clusters(), request).winner);
      if (decision.feasible) engine.commit(decision);
    }
  });

  it("breaks ties by name even when it visits the clusters in another order", () => {
    // The availability index visits b-cluster (98 %) before a-cluster (99 %); both score full marks.
    const engine = createPlacementEngine(
      [
        makeCluster({ name: "b-cluster", availabilityPct: 98 }),
        makeCluster({ name: "a-cluster", availabilityPct: 99 }),
        makeCluster({ name: "c-cluster", availabilityPct: 50 }),
      ],
      { weights: { Steady: 0 } },
    );
    const request = makeRequest({
      requests: { cpuMillicores: 0, memoryBytes: 0 },
      targets: [makeTarget({ condition: "IS_EQUAL_TO_OR_GREATER_THAN", value: 90 })],
    });
    const decision = engine.decide(request);
    expect(decision.scores.map((s) => s.total)).toEqual([400, 400]);
    expect(decision.winner).toBe("a-cluster");
  });

  it("places the test-bed intents like the straightforward placement", () => {
    const engine = createPlacementEngine(testBedClusters());
    const decision = engine.decide(makeRequest({ targets: [makeTarget({ value: 95 })] }));
    expect(decision.winner).toBe("staging-onelab");
    expect(decision.filtered.map((f) => f.cluster)).toEqual([
      "dev-onelab",
      "k3s-onelab",
      "nemo-smart-farming",
      "pro-onelab",
    ]);
    expect(decision.scores.map((s) => s.cluster)).toEqual(["staging-onelab"]);
  });

  it("lets consecutive decisions see the capacity consumed by committed ones", () => {
    const engine = createPlacementEngine([
      makeCluster({ name: "a-small", capacity: { cpuMillicores: 4_000 } }),
      makeCluster({ name: "b-large", capacity: { cpuMillicores: 6_000 } }),
    ]);
    const request = makeRequest({ requests: { cpuMillicores: 4_000, memoryBytes: GiB } });
    const first = engine.decide(request);
    expect(first.winner).toBe("b-large");
    engine.commit(first);
    const second = engine.decide(request);
    expect(second.winner).toBe("a-small");
    engine.commit(second);
    const third = engine.decide(request);
    expect(third.winner).toBeNull();
    expect(third.reasonIfNone).toBe("Every cluster was ruled out: Resources rejected 2 (a-small, b-large)");
    expect(engine.clusters().map((c) => [c.name, c.allocated.cpuMillicores, c.instanceCount])).toEqual([
      ["a-small", 4_000, 1],
      ["b-large", 4_000, 1],
    ]);
  });

  it("moves the requests off the current cluster when a migration commits", () => {
    const engine = createPlacementEngine([
      makeCluster({
        name: "dev",
        allocated: { cpuMillicores: 2_000, memoryBytes: 2 * GiB },
        instanceCount: 1,
      }),
      makeCluster({ name: "staging" }),
    ]);
    const decision = engine.decide(
      makeRequest({
        requests: { cpuMillicores: 2_000, memoryBytes: 2 * GiB },
        currentCluster: "dev",
        excludeClusters: ["dev"],
      }),
    );
    engine.commit(decision);
    expect(
      engine
        .clusters()
        .map((c) => [c.name, c.allocated.cpuMillicores, c.allocated.memoryBytes, c.instanceCount]),
    ).toEqual([
      ["dev", 0, 0, 0],
      ["staging", 2_000, 2 * GiB, 1],
    ]);
  });

  it("books nothing when an instance stays on its current cluster", () => {
    const engine = createPlacementEngine([
      makeCluster({ name: "here", allocated: { cpuMillicores: 1_000 }, instanceCount: 1 }),
    ]);
    engine.commit(engine.decide(makeRequest({ currentCluster: "here" })));
    expect(engine.clusters()[0]).toMatchObject({ allocated: { cpuMillicores: 1_000 }, instanceCount: 1 });
  });

  it("frees a deleted instance's requests on release", () => {
    const engine = createPlacementEngine([makeCluster({ name: "a", capacity: { cpuMillicores: 1_000 } })]);
    const request = makeRequest({ requests: { cpuMillicores: 1_000, memoryBytes: 0 } });
    engine.commit(engine.decide(request));
    expect(engine.decide(request).feasible).toBe(false);
    engine.release("a", request.requests);
    expect(engine.decide(request).winner).toBe("a");
  });

  it("finds the new busiest cluster after instances leave the busiest one", () => {
    const engine = createPlacementEngine([
      makeCluster({ name: "a", greenEnergyPct: 40, instanceCount: 2 }),
      makeCluster({ name: "b", greenEnergyPct: 100, instanceCount: 1 }),
    ]);
    const request = makeRequest();
    engine.release("a", request.requests);
    engine.release("a", request.requests);
    const decision = engine.decide(request);
    expect(decision.scores.find((s) => s.cluster === "b")?.perPrioritizer.Balance).toBe(-100);
    expect(decision.winner).toBe("a");
  });

  it("refuses to commit a decision whose cluster filled up in the meantime", () => {
    const engine = createPlacementEngine([makeCluster({ name: "a", capacity: { cpuMillicores: 1_000 } })]);
    const request = makeRequest({ requests: { cpuMillicores: 600, memoryBytes: 0 } });
    const first = engine.decide(request);
    const second = engine.decide(request);
    engine.commit(first);
    expect(() => engine.commit(second)).toThrow(PlacementConflictError);
  });

  it("refuses infeasible and repeated decisions, and decisions for clusters it does not know", () => {
    const engine = createPlacementEngine([makeCluster({ name: "a" })]);
    const infeasible = engine.decide(makeRequest({ excludeClusters: ["a"] }));
    expect(() => engine.commit(infeasible)).toThrow("an infeasible decision cannot be committed");
    const decision = engine.decide(makeRequest());
    engine.commit(decision);
    expect(() => engine.commit(decision)).toThrow("decision already committed");
    expect(() => engine.commit(decidePlacement([makeCluster({ name: "b" })], makeRequest()))).toThrow(
      PlacementError,
    );
    expect(() => engine.release("b", makeRequest().requests)).toThrow("unknown cluster b");
  });

  it("commits a dry run made by the straightforward placement over the same clusters", () => {
    const clusters = [makeCluster({ name: "a" })];
    const engine = createPlacementEngine(clusters);
    engine.commit(decidePlacement(clusters, makeRequest()));
    expect(engine.clusters()[0]?.instanceCount).toBe(1);
  });

  it("explains a decision as it was made, even after later commits", () => {
    const engine = createPlacementEngine([makeCluster({ name: "a", capacity: { cpuMillicores: 1_000 } })]);
    const request = makeRequest({ requests: { cpuMillicores: 1_000, memoryBytes: 0 } });
    const decision = engine.decide(request);
    engine.commit(decision);
    expect(engine.decide(request).feasible).toBe(false);
    expect(decision.scores.map((s) => s.cluster)).toEqual(["a"]);
    expect(decision.filtered).toEqual([]);
  });

  it("honours and rejects proposals like the straightforward placement", () => {
    const engine = createPlacementEngine(testBedClusters());
    expect(engine.decide(makeRequest({ proposedCluster: "k3s-onelab" })).winner).toBe("k3s-onelab");
    const rejected = engine.decide(
      makeRequest({ proposedCluster: "k3s-onelab", targets: [makeTarget({ value: 95 })] }),
    );
    expect(rejected.winner).toBeNull();
    expect(rejected.proposal).toMatchObject({ accepted: false, plugin: "Availability" });
    expect(engine.decide(makeRequest({ proposedCluster: "nowhere" })).reasonIfNone).toBe(
      "Proposed cluster nowhere is not registered",
    );
  });

  it("prefers a preferred cluster that passes the filters, and places elsewhere when it does not", () => {
    const engine = createPlacementEngine(testBedClusters());
    const preferred = engine.decide(makeRequest({ preferredCluster: "pro-onelab" }));
    expect(preferred.winner).toBe("pro-onelab");
    expect(preferred.proposal).toMatchObject({ pinned: false, accepted: true });
    const elsewhere = engine.decide(
      makeRequest({ preferredCluster: "k3s-onelab", targets: [makeTarget({ value: 95 })] }),
    );
    expect(elsewhere.winner).toBe("staging-onelab");
    expect(elsewhere.proposal).toMatchObject({ pinned: false, accepted: false, plugin: "Availability" });
  });

  it("validates its clusters and config when built", () => {
    expect(() => createPlacementEngine([makeCluster({ availabilityPct: 101 })])).toThrow();
    expect(() => createPlacementEngine([makeCluster({ name: "x" }), makeCluster({ name: "x" })])).toThrow(
      "duplicate cluster name x",
    );
    expect(() => createPlacementEngine([], { weights: { Balance: 20 } })).toThrow();
  });

  it("does not depend on the order the clusters are listed in", () => {
    const rng = picker(99);
    const clusters = randomClusters(rng, 40);
    const forward = createPlacementEngine(clusters);
    const backward = createPlacementEngine([...clusters].reverse());
    for (let step = 0; step < 200; step++) {
      const request = randomRequest(rng, clusters);
      expect(backward.decide(request).winner).toBe(forward.decide(request).winner);
    }
  });
});
