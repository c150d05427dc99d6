import { describe, expect, it } from "vitest";
import { conditionSchema } from "@/server/placement";
import {
  CONDITIONS,
  defaultConditionOf,
  INTENT_DEFAULTS,
  INTENT_TYPES,
  intentTypeDisplayName,
  intentTypeLabel,
  intentTypeSecondary,
} from "./intent-catalogue";

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

describe("default conditions (issue 13)", () => {
  it("start every target with a condition it accepts: at least for levels, at most for usage", () => {
    for (const type of INTENT_TYPES) {
      for (const target of type.targets) {
        expect(target.conditions as readonly string[]).toContain(target.defaultCondition);
      }
    }
    expect(defaultConditionOf("Availability", "availability")).toBe("IS_EQUAL_TO_OR_GREATER_THAN");
    expect(defaultConditionOf("GreenEnergy", "greenEnergy")).toBe("IS_EQUAL_TO_OR_GREATER_THAN");
    expect(defaultConditionOf("DeliverComputingWorkload", "cpuUsage")).toBe("IS_EQUAL_TO_OR_LESS_THAN");
    expect(defaultConditionOf("Availability", "speed")).toBeUndefined();
  });

  it("shows a type by its display name with the 3GPP name beside it, an unknown name as it is", () => {
    expect(intentTypeDisplayName("GreenEnergy")).toBe("Green energy");
    expect(intentTypeSecondary("GreenEnergy")).toBe("GreenEnergy");
    expect(intentTypeLabel("GreenEnergy")).toBe("Green energy (GreenEnergy)");
    expect(intentTypeLabel("Availability")).toBe("Availability");
    expect(intentTypeSecondary("Availability")).toBeUndefined();
    expect(intentTypeLabel("OldType")).toBe("OldType");
    for (const type of INTENT_TYPES) expect(intentTypeDisplayName(type.type)).toBe(type.label);
  });

  it("has the defaults a hand-written intent gets", () => {
    expect(INTENT_DEFAULTS).toEqual({
      intentAdminState: "ACTIVATED",
      intentPriority: 1,
      observationPeriod: 60,
    });
  });
});
