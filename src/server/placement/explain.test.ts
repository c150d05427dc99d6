import { describe, expect, it } from "vitest";
import { makeCluster, makeRequest } from "@/server/testing/placement-factories";
import { decidePlacement, type PlacementDecision } from "./decide";
import { explainPlacement, prioritizerDescription } from "./explain";
import { PRIORITIZERS } from "./prioritizers";
import { PRIORITIZER_NAMES } from "./schema";

describe("prioritizer explanations", () => {
  it("explain every prioritizer of a decision with its own description, in the product's order", () => {
    const decision = decidePlacement([makeCluster({ name: "a" }), makeCluster({ name: "b" })], makeRequest());
    const explained = explainPlacement(decision);
    expect(explained.prioritizers.map((p) => p.name)).toEqual([...PRIORITIZER_NAMES]);
    for (const p of explained.prioritizers) {
      const prioritizer = PRIORITIZERS.find((q) => q.name === p.name);
      expect(p.description).toBe(prioritizer?.description);
      expect(p.weight).toBe((decision.weights as Record<string, number>)[p.name]);
    }
    // The decision itself is unchanged.
    expect({ ...explained, prioritizers: undefined }).toEqual({ ...decision, prioritizers: undefined });
  });

  it("look a prioritizer up by name, so every one in PRIORITIZERS (PreferredCluster too) has one", () => {
    for (const name of PRIORITIZER_NAMES) expect(prioritizerDescription(name)).toMatch(/^Prefers|^Spreads/);
    expect(prioritizerDescription("PreferredCluster")).toContain("proposed");
    expect(prioritizerDescription("NoSuchPrioritizer")).toBeNull();
  });

  it("keep a stored decision's retired prioritizer, without an explanation, after the known ones", () => {
    const stored = decidePlacement([makeCluster({ name: "a" })], makeRequest());
    const old = {
      ...stored,
      weights: { ...stored.weights, Retired: 2 },
    } as unknown as PlacementDecision;
    const names = explainPlacement(old).prioritizers;
    expect(names.at(-1)).toEqual({ name: "Retired", weight: 2, description: null });
  });
});
