import { describe, expect, it } from "vitest";
import {
  CONDITIONS,
  ConditionError,
  compileCondition,
  conditionHolds,
  conditionSchema,
  conditionValueSchema,
  describeCondition,
  describeRequirement,
  describeViolation,
  evaluateCondition,
  validateConditionValue,
  type ConditionValue,
} from "./conditions";
import { picker } from "@/server/testing/placement-factories";

const holds = (condition: string, actual: unknown, expected: unknown) => {
  const outcome = evaluateCondition(condition, actual, expected);
  if (!outcome.ok) throw new Error(`unexpected misconfiguration: ${outcome.message}`);
  return outcome.satisfied;
};

const errorOf = (condition: string, actual: unknown, expected: unknown) => {
  const outcome = evaluateCondition(condition, actual, expected);
  return outcome.ok ? null : outcome.reason;
};

describe("IS_EQUAL_TO", () => {
  it("matches equal numbers and equal strings only", () => {
    expect(holds("IS_EQUAL_TO", 95, 95)).toBe(true);
    expect(holds("IS_EQUAL_TO", 95.1, 95)).toBe(false);
    expect(holds("IS_EQUAL_TO", "low_cost", "low_cost")).toBe(true);
    expect(holds("IS_EQUAL_TO", "low_cost", "Low_Cost")).toBe(false);
  });

  it("reports a number compared with a string as a type mismatch rather than false", () => {
    expect(errorOf("IS_EQUAL_TO", 95, "95")).toBe("TypeMismatch");
    expect(errorOf("IS_EQUAL_TO", "true", 1)).toBe("TypeMismatch");
  });

  it("rejects a list target", () => {
    expect(errorOf("IS_EQUAL_TO", 95, [95])).toBe("TypeMismatch");
  });
});

describe("ordered conditions", () => {
  it.each([
    ["IS_LESS_THAN", 94, true],
    ["IS_LESS_THAN", 95, false],
    ["IS_LESS_THAN", 96, false],
    ["IS_EQUAL_TO_OR_LESS_THAN", 94, true],
    ["IS_EQUAL_TO_OR_LESS_THAN", 95, true],
    ["IS_EQUAL_TO_OR_LESS_THAN", 96, false],
    ["IS_GREATER_THAN", 94, false],
    ["IS_GREATER_THAN", 95, false],
    ["IS_GREATER_THAN", 96, true],
    ["IS_EQUAL_TO_OR_GREATER_THAN", 94, false],
    ["IS_EQUAL_TO_OR_GREATER_THAN", 95, true],
    ["IS_EQUAL_TO_OR_GREATER_THAN", 96, true],
  ] as const)("judges %s 95 against %d at the boundary as %s", (condition, actual, expected) => {
    expect(holds(condition, actual, 95)).toBe(expected);
  });

  it("refuses to order strings", () => {
    expect(errorOf("IS_GREATER_THAN", "high_performance", "low_cost")).toBe("TypeMismatch");
    expect(errorOf("IS_LESS_THAN", 3, "5")).toBe("TypeMismatch");
  });

  it("reports non-finite numbers on either side", () => {
    expect(errorOf("IS_GREATER_THAN", Number.NaN, 1)).toBe("NotANumber");
    expect(errorOf("IS_GREATER_THAN", 1, Number.POSITIVE_INFINITY)).toBe("NotANumber");
  });
});

describe("ranges", () => {
  it("includes both bounds in IS_WITHIN_RANGE", () => {
    expect(holds("IS_WITHIN_RANGE", 90, [90, 99])).toBe(true);
    expect(holds("IS_WITHIN_RANGE", 99, [90, 99])).toBe(true);
    expect(holds("IS_WITHIN_RANGE", 94.5, [90, 99])).toBe(true);
    expect(holds("IS_WITHIN_RANGE", 89.99, [90, 99])).toBe(false);
    expect(holds("IS_WITHIN_RANGE", 99.01, [90, 99])).toBe(false);
  });

  it("treats IS_OUTSIDE_RANGE as the exact negation, so bounds are not outside", () => {
    expect(holds("IS_OUTSIDE_RANGE", 90, [90, 99])).toBe(false);
    expect(holds("IS_OUTSIDE_RANGE", 99, [90, 99])).toBe(false);
    expect(holds("IS_OUTSIDE_RANGE", 89, [90, 99])).toBe(true);
    expect(holds("IS_OUTSIDE_RANGE", 100, [90, 99])).toBe(true);
  });

  it("accepts a one-point range", () => {
    expect(holds("IS_WITHIN_RANGE", 5, [5, 5])).toBe(true);
    expect(holds("IS_OUTSIDE_RANGE", 5, [5, 5])).toBe(false);
  });

  it("rejects ranges that are not an ordered pair of numbers", () => {
    expect(errorOf("IS_WITHIN_RANGE", 5, [9, 1])).toBe("InvalidRange");
    expect(errorOf("IS_WITHIN_RANGE", 5, [1, 2, 3])).toBe("InvalidRange");
    expect(errorOf("IS_WITHIN_RANGE", 5, [1])).toBe("InvalidRange");
    expect(errorOf("IS_WITHIN_RANGE", 5, 3)).toBe("InvalidRange");
    expect(errorOf("IS_OUTSIDE_RANGE", 5, ["1", "9"])).toBe("InvalidRange");
    expect(errorOf("IS_WITHIN_RANGE", 5, [1, Number.NaN])).toBe("NotANumber");
  });

  it("refuses a string value against a numeric range", () => {
    expect(errorOf("IS_WITHIN_RANGE", "low_cost", [1, 9])).toBe("TypeMismatch");
  });
});

describe("lists", () => {
  it("judges IS_ONE_OF and IS_NOT_ONE_OF by membership", () => {
    expect(holds("IS_ONE_OF", "low_cost", ["low_cost", "high_performance"])).toBe(true);
    expect(holds("IS_ONE_OF", "edge", ["low_cost", "high_performance"])).toBe(false);
    expect(holds("IS_NOT_ONE_OF", "edge", ["low_cost"])).toBe(true);
    expect(holds("IS_NOT_ONE_OF", "low_cost", ["low_cost"])).toBe(false);
    expect(holds("IS_ONE_OF", 2, [1, 2, 3])).toBe(true);
    expect(holds("IS_NOT_ONE_OF", 4, [1, 2, 3])).toBe(true);
  });

  it("requires a non-empty list of the value's kind", () => {
    expect(errorOf("IS_ONE_OF", "a", [])).toBe("EmptyList");
    expect(errorOf("IS_NOT_ONE_OF", "a", [])).toBe("EmptyList");
    expect(errorOf("IS_ALL_OF", ["a"], [])).toBe("EmptyList");
    expect(errorOf("IS_ONE_OF", "a", "a")).toBe("TypeMismatch");
    expect(errorOf("IS_ONE_OF", 1, ["1", "2"])).toBe("TypeMismatch");
    expect(errorOf("IS_ONE_OF", 1, [1, "2"])).toBe("TypeMismatch");
  });

  it("judges IS_ALL_OF as 'the actual set contains every listed value'", () => {
    expect(holds("IS_ALL_OF", ["gpu", "ssd", "arm"], ["gpu", "ssd"])).toBe(true);
    expect(holds("IS_ALL_OF", ["gpu"], ["gpu", "ssd"])).toBe(false);
    expect(holds("IS_ALL_OF", [], ["gpu"])).toBe(false);
    expect(holds("IS_ALL_OF", [1, 2, 3], [3, 1])).toBe(true);
  });

  it("reads a single actual value as a one-element set for IS_ALL_OF", () => {
    expect(holds("IS_ALL_OF", "gpu", ["gpu"])).toBe(true);
    expect(holds("IS_ALL_OF", "gpu", ["gpu", "gpu"])).toBe(true);
    expect(holds("IS_ALL_OF", "gpu", ["gpu", "ssd"])).toBe(false);
  });

  it("refuses a list actual value for single-value conditions", () => {
    expect(errorOf("IS_EQUAL_TO", ["a"], "a")).toBe("TypeMismatch");
    expect(errorOf("IS_ONE_OF", ["a"], ["a"])).toBe("TypeMismatch");
    expect(errorOf("IS_ALL_OF", ["a", 1], ["a"])).toBe("TypeMismatch");
    expect(errorOf("IS_ALL_OF", [1, 2], ["1"])).toBe("TypeMismatch");
  });
});

describe("misconfiguration", () => {
  it("reports an unknown condition", () => {
    expect(errorOf("IS_ROUGHLY", 1, 1)).toBe("UnsupportedCondition");
    expect(validateConditionValue("IS_ROUGHLY", 1)?.reason).toBe("UnsupportedCondition");
  });

  it("reports an actual value that is neither number, string nor list", () => {
    expect(errorOf("IS_EQUAL_TO", true, "true")).toBe("TypeMismatch");
    expect(errorOf("IS_EQUAL_TO", null, 1)).toBe("TypeMismatch");
  });

  it("explains the mismatch in the message", () => {
    const outcome = evaluateCondition("IS_GREATER_THAN", 90, "high");
    expect(outcome).toEqual({
      ok: false,
      reason: "TypeMismatch",
      message: 'IS_GREATER_THAN needs a number target, got "high"',
    });
  });

  it("throws a ConditionError from conditionHolds", () => {
    expect(() => conditionHolds("IS_WITHIN_RANGE", 5, [9, 1])).toThrow(ConditionError);
    expect(conditionHolds("IS_WITHIN_RANGE", 5, [1, 9])).toBe(true);
  });

  it("validates a target without an actual value, given the property's kind", () => {
    expect(validateConditionValue("IS_GREATER_THAN", 95, "number")).toBeNull();
    expect(validateConditionValue("IS_EQUAL_TO", "high", "number")?.reason).toBe("TypeMismatch");
    expect(validateConditionValue("IS_ONE_OF", [1, 2], "string")?.reason).toBe("TypeMismatch");
    expect(validateConditionValue("IS_GREATER_THAN", 95, "string")?.reason).toBe("TypeMismatch");
  });
});

describe("schemas", () => {
  it("accept every condition and every value shape", () => {
    for (const condition of CONDITIONS) expect(conditionSchema.parse(condition)).toBe(condition);
    for (const value of [1, "a", [1, 2], ["a", "b"]])
      expect(conditionValueSchema.parse(value)).toEqual(value);
  });

  it("reject mixed lists and other shapes", () => {
    expect(conditionValueSchema.safeParse([1, "a"]).success).toBe(false);
    expect(conditionValueSchema.safeParse({ low: 1 }).success).toBe(false);
    expect(conditionSchema.safeParse("IS_BIGGER").success).toBe(false);
  });
});

describe("descriptions", () => {
  it("states the requirement", () => {
    expect(describeCondition("IS_GREATER_THAN", 95, { unit: " %" })).toBe("> 95 %");
    expect(describeCondition("IS_WITHIN_RANGE", [90, 99], { unit: " %" })).toBe("within [90 %, 99 %]");
    expect(describeCondition("IS_ONE_OF", ["low_cost", "edge"])).toBe("one of {low_cost, edge}");
  });

  it("states the requirement in words", () => {
    expect(describeRequirement("IS_GREATER_THAN", 95, { unit: " %" })).toBe("more than 95 %");
    expect(describeRequirement("IS_EQUAL_TO_OR_GREATER_THAN", 80, { unit: " %" })).toBe("at least 80 %");
    expect(describeRequirement("IS_LESS_THAN", 10)).toBe("less than 10");
    expect(describeRequirement("IS_EQUAL_TO_OR_LESS_THAN", 10)).toBe("at most 10");
    expect(describeRequirement("IS_EQUAL_TO", "low_cost")).toBe("low_cost");
    expect(describeRequirement("IS_WITHIN_RANGE", [90, 99], { unit: " %" })).toBe("between 90 % and 99 %");
    expect(describeRequirement("IS_OUTSIDE_RANGE", [5, 9])).toBe("below 5 or above 9");
    expect(describeRequirement("IS_ONE_OF", ["low_cost", "edge", "x"])).toBe("one of low_cost, edge or x");
    expect(describeRequirement("IS_ONE_OF", ["low_cost"])).toBe("low_cost");
    expect(describeRequirement("IS_NOT_ONE_OF", ["a", "b"])).toBe("none of a or b");
    expect(describeRequirement("IS_ALL_OF", ["gpu", "ssd"])).toBe("all of gpu and ssd");
  });

  it("states what a cluster offers against what is needed, never as a symbol that reads backwards", () => {
    expect(describeViolation("IS_GREATER_THAN", 90, 90, { unit: " %" })).toBe(
      "offers 90 %, needs more than 90 %",
    );
    expect(describeViolation("IS_EQUAL_TO_OR_GREATER_THAN", 90, 95)).toBe("offers 90, needs at least 95");
    expect(describeViolation("IS_LESS_THAN", 96, 95)).toBe("offers 96, needs less than 95");
    expect(describeViolation("IS_EQUAL_TO_OR_LESS_THAN", 96, 95)).toBe("offers 96, needs at most 95");
    expect(describeViolation("IS_EQUAL_TO", "high_performance", "low_cost")).toBe(
      "offers high_performance, needs low_cost",
    );
    expect(describeViolation("IS_WITHIN_RANGE", 4, [5, 9])).toBe("offers 4, needs between 5 and 9");
    expect(describeViolation("IS_OUTSIDE_RANGE", 6, [5, 9])).toBe("offers 6, needs below 5 or above 9");
    expect(describeViolation("IS_ONE_OF", "x", ["a", "b"])).toBe("offers x, needs one of a or b");
    expect(describeViolation("IS_NOT_ONE_OF", "a", ["a", "b"])).toBe("offers a, needs none of a or b");
    expect(describeViolation("IS_ALL_OF", ["gpu"], ["gpu", "ssd", "arm"])).toBe(
      "offers gpu, needs all of gpu, ssd and arm (missing ssd and arm)",
    );
    for (const text of [
      describeViolation("IS_GREATER_THAN", 90, 95),
      describeViolation("IS_LESS_THAN", 1, 0),
    ])
      expect(text).not.toMatch(/[≤≥<>≠∉∈]/);
  });
});

describe("compileCondition", () => {
  it("refuses a target that does not fit the kind, like evaluateCondition", () => {
    const compiled = compileCondition("IS_LESS_THAN", "x", "number");
    expect(compiled.ok).toBe(false);
    expect(compileCondition("IS_GREATER_THAN", 1, "string").ok).toBe(false);
  });

  it("agrees with evaluateCondition on random numbers, strings, ranges and lists", () => {
    const rng = picker(7);
    const numbers = [-1, 0, 1, 2, 2.5, 95, 99.9, 100];
    const strings = ["a", "b", "low_cost", "high_performance"];
    for (let n = 0; n < 5_000; n++) {
      const condition = rng.pick(CONDITIONS);
      const numeric = rng.chance(0.7);
      const pool: readonly (number | string)[] = numeric ? numbers : strings;
      const expected: ConditionValue = rng.chance(0.3)
        ? rng.pick(pool)
        : rng.chance(0.5)
          ? ([rng.pick(numbers), rng.pick(numbers)] as number[])
          : (Array.from({ length: rng.int(0, 3) }, () => rng.pick(pool)) as number[] | string[]);
      const actual = rng.pick(pool);
      const reference = evaluateCondition(condition, actual, expected);
      const compiled =
        typeof actual === "number"
          ? compileCondition(condition, expected, "number")
          : compileCondition(condition, expected, "string");
      expect(compiled.ok, `${condition} ${JSON.stringify(expected)}`).toBe(reference.ok);
      if (compiled.ok && reference.ok) {
        const test = compiled.test as (value: number | string) => boolean;
        expect(test(actual), `${actual} ${condition} ${JSON.stringify(expected)}`).toBe(reference.satisfied);
      }
    }
  });
});
