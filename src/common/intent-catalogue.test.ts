import { describe, expect, it } from "vitest";
import { conditionSchema } from "@/server/placement";
import { CONDITIONS, INTENT_TYPES } from "./intent-catalogue";

describe("the intent type catalogue", () => {
  it("offers only conditions the evaluator and the placement engine understand", () => {
    for (const condition of CONDITIONS)
      expect(conditionSchema.safeParse(condition).success, condition).toBe(true);
    for (const type of INTENT_TYPES)
      for (const target of type.targets)
        for (const condition of target.conditions)
          expect(
            conditionSchema.safeParse(condition).success,
            `${type.type}.${target.name} ${condition}`,
          ).toBe(true);
  });

  it("has the product's intent types", () => {
    expect(INTENT_TYPES.map((t) => t.type)).toEqual(
      expect.arrayContaining([
        "Availability",
        "GreenEnergy",
        "DeliverComputingWorkload",
        "MachineLearning",
        "EnergyCarbonEfficiency",
        "cloud_continuum",
      ]),
    );
  });
});
