import { describe, expect, it } from "vitest";
import { intentType } from "@/common/intent-catalogue";
import {
  checkImportedIntent,
  checkTarget,
  createIntentInputSchema,
  instanceNamedBy,
  intentFromForm,
  MAX_INTENT_JSON_DEPTH,
  templateIntent,
  unsupportedIntentMessage,
} from "./form";
import { validateIntent } from "./model";
import { intentToYaml, parseIntentYaml } from "./yaml";

const INSTANCE = "cbcb208a-d535-434b-bb35-217a64bd516b";

function type(name: string) {
  const found = intentType(name);
  if (!found) throw new Error(`no intent type ${name}`);
  return found;
}

/** The field → message map a form shows for `input`. */
function fieldErrors(input: unknown): Record<string, string> {
  const parsed = createIntentInputSchema.safeParse(input);
  if (parsed.success) return {};
  return Object.fromEntries(parsed.error.issues.map((i) => [i.path.join("."), i.message]));
}

const form = (targets: unknown[], extra: Record<string, unknown> = {}) => ({
  source: "form",
  instanceId: INSTANCE,
  intentType: "Availability",
  targets,
  ...extra,
});

describe("checkTarget", () => {
  it("accepts a percentage within bounds and numeric text from forms", () => {
    const availability = type("Availability");
    expect(
      checkTarget(
        availability,
        { targetName: "availability", targetCondition: "IS_GREATER_THAN", targetValue: "95" },
        { bounds: true },
      ),
    ).toEqual([]);
  });

  it("keeps percentages within 0–100 in forms but not in imports", () => {
    const energy = type("EnergyCarbonEfficiency");
    const target = {
      targetName: "CompEnergyEfficiency",
      targetCondition: "IS_GREATER_THAN",
      targetValue: 40000,
    };
    expect(checkTarget(energy, target, { bounds: true })).toEqual([
      { field: "targetValue", message: "CompEnergyEfficiency must be between 0% and 100%." },
    ]);
    expect(checkTarget(energy, target, { bounds: false })).toEqual([]);
  });

  it("wants two numbers, low first, for a range", () => {
    const availability = type("Availability");
    const range = (targetValue: unknown) =>
      checkTarget(
        availability,
        {
          targetName: "availability",
          targetCondition: "IS_WITHIN_RANGE",
          targetValue: targetValue as number[],
        },
        { bounds: true },
      );
    expect(range([90, 99])).toEqual([]);
    expect(range(95)).toEqual([{ field: "targetValue", message: "A range takes two numbers: [low, high]." }]);
    expect(range([99, 90])).toEqual([
      { field: "targetValue", message: "The range's low value must not be above its high value." },
    ]);
    expect(range([90, 101])[0]?.message).toBe("availability must be between 0% and 100%.");
  });

  it('takes "true" or "false" for isolatedConnectivity', () => {
    const network = type("cloud_continuum");
    const check = (targetValue: string) =>
      checkTarget(
        network,
        { targetName: "isolatedConnectivity", targetCondition: "IS_EQUAL_TO", targetValue },
        { bounds: true },
      );
    expect(check("TRUE")).toEqual([]);
    expect(check("maybe")).toEqual([
      { field: "targetValue", message: 'isolatedConnectivity takes "true" or "false".' },
    ]);
  });
});

describe("the intent form", () => {
  it("names the row and input of every problem", () => {
    expect(
      fieldErrors(
        form([
          { targetName: "speed", targetCondition: "IS_EQUAL_TO", targetValue: 1 },
          { targetName: "availability", targetCondition: "IS_LESS_THAN", targetValue: 150 },
        ]),
      ),
    ).toEqual({
      "targets.0.targetName": 'Availability has no target "speed" (known: availability).',
      "targets.1.targetCondition":
        "availability accepts IS_GREATER_THAN, IS_EQUAL_TO_OR_GREATER_THAN, IS_EQUAL_TO, IS_WITHIN_RANGE.",
      "targets.1.targetValue": "availability must be between 0% and 100%.",
    });
  });

  it("wants End after Start, and ISO date-times", () => {
    const target = { targetName: "availability", targetCondition: "IS_GREATER_THAN", targetValue: 95 };
    expect(
      fieldErrors(form([target], { start: "2030-01-02T00:00:00Z", end: "2030-01-01T00:00:00Z" })),
    ).toEqual({
      end: "End must be after Start.",
    });
    expect(fieldErrors(form([target], { start: "next tuesday" }))).toEqual({
      start: "Start must be an ISO 8601 date-time.",
    });
    expect(fieldErrors(form([target], { start: "", end: "" }))).toEqual({});
  });

  it("refuses an unknown intent type and an unknown source", () => {
    expect(Object.keys(fieldErrors({ ...form([]), intentType: "Speed" }))).toContain("intentType");
    expect(fieldErrors({ source: "fax" })).toEqual({ source: 'source must be "form", "yaml" or "json".' });
  });

  it("becomes a normal-form intent with numbers for numeric targets", () => {
    const intent = intentFromForm("i-1", INSTANCE, {
      intentType: "Availability",
      start: "2030-01-01T00:00:00Z",
      end: new Date("2030-02-01T00:00:00Z"),
      targets: [{ targetName: "availability", targetCondition: "IS_WITHIN_RANGE", targetValue: ["95", 99] }],
    });
    expect(validateIntent(intent).ok).toBe(true);
    expect(intent.intentExpectations[0]?.expectationTargets[0]?.targetValueRange).toEqual([95, 99]);
    expect(intent.validityPeriod).toEqual({
      startTime: "2030-01-01T00:00:00.000Z",
      endTime: "2030-02-01T00:00:00.000Z",
    });
    expect(instanceNamedBy(intent)).toBe(INSTANCE);
  });
});

describe("imported intents against the catalogue", () => {
  it("names the offending field of an unknown type or target", () => {
    const intent = intentFromForm("i-2", INSTANCE, {
      intentType: "Availability",
      targets: [{ targetName: "availability", targetCondition: "IS_GREATER_THAN", targetValue: 95 }],
    });
    expect(checkImportedIntent({ ...intent, userLabel: "Speed" })[0]?.field).toBe("userLabel");
    const renamed = {
      ...intent,
      intentExpectations: intent.intentExpectations.map((e) => ({
        ...e,
        expectationTargets: e.expectationTargets.map((t) => ({ ...t, targetName: "speed" })),
      })),
    };
    expect(checkImportedIntent(renamed)).toEqual([
      expect.objectContaining({ field: "intentExpectations[0].expectationTargets[0].targetName" }),
    ]);
  });
});

describe("templateIntent", () => {
  it("gives every intent type a template that validates and round-trips as YAML", () => {
    for (const name of ["Availability", "DeliverComputingWorkload", "MachineLearning", "cloud_continuum"]) {
      const intent = templateIntent({ id: INSTANCE, shortId: "abc1234", releaseName: "web" }, name);
      expect(checkImportedIntent(intent)).toEqual([]);
      const back = parseIntentYaml(intentToYaml(intent));
      expect(back.ok && back.intent).toEqual(intent);
      expect(instanceNamedBy(intent)).toBe(INSTANCE);
    }
  });
});

describe("an intent sent as JSON", () => {
  const nested = (levels: number): unknown => {
    let value: unknown = 0;
    for (let i = 0; i < levels; i++) value = [value];
    return value;
  };

  // 10,000 levels overflowed the stack when serialised for the parser: a 500 (bad-input reliability scenario).
  it("is refused past MAX_INTENT_JSON_DEPTH levels, naming the field", () => {
    const result = createIntentInputSchema.safeParse({
      source: "json",
      intent: { id: "deep", intentPriority: nested(10_000) },
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join("."))).toEqual(["intent"]);
    expect(result.error?.issues[0]?.message).toMatch(/nested deeper than 64 levels/);
  });

  it("keeps real intents' nesting", () => {
    const result = createIntentInputSchema.safeParse({
      source: "json",
      intent: { id: "shallow", intentPriority: nested(MAX_INTENT_JSON_DEPTH - 2) },
    });
    expect(result.success).toBe(true);
  });
});

describe("unsupportedIntentMessage", () => {
  const shop = { name: "shop", version: "1.2.0", supportedIntents: ["Availability", "cloud_continuum"] };

  it("accepts a declared type, network intents included", () => {
    expect(unsupportedIntentMessage(shop, "Availability")).toBeNull();
    expect(unsupportedIntentMessage(shop, "cloud_continuum")).toBeNull();
  });

  it("names the type, the workload and what it supports", () => {
    expect(unsupportedIntentMessage(shop, "GreenEnergy")).toBe(
      "GreenEnergy is not a supported intent of workload shop 1.2.0; it supports: Availability, cloud_continuum.",
    );
    expect(unsupportedIntentMessage({ ...shop, supportedIntents: [] }, "cloud_continuum")).toBe(
      "cloud_continuum is not a supported intent of workload shop 1.2.0; it declares no supported intents.",
    );
  });
});

describe("replace on imports", () => {
  it("is a boolean flag of YAML and JSON imports", () => {
    expect(createIntentInputSchema.safeParse({ source: "yaml", yaml: "id: x", replace: true }).success).toBe(
      true,
    );
    const wrong = createIntentInputSchema.safeParse({ source: "json", intent: {}, replace: "yes" });
    expect(wrong.success).toBe(false);
    expect(wrong.error?.issues[0]?.path).toEqual(["replace"]);
  });
});
