import { describe, expect, it } from "vitest";
import {
  boundsText,
  conditionText,
  formTargets,
  supportedIntentChoices,
  targetRowErrors,
  targetValueError,
  targetValueOf,
  type IntentTargetChoice,
} from "./targets";

const availability: IntentTargetChoice = {
  name: "availability",
  label: "Target availability",
  valueType: "number",
  unit: "%",
  min: 0,
  max: 100,
  conditions: ["IS_GREATER_THAN", "IS_WITHIN_RANGE"],
};
const cpu: IntentTargetChoice = {
  name: "cpuUsage",
  label: "CPU usage",
  valueType: "number",
  unit: "millicores",
  min: 0,
  conditions: ["IS_GREATER_THAN"],
};
const isolated: IntentTargetChoice = {
  name: "isolatedConnectivity",
  label: "Isolated connectivity",
  valueType: "boolean",
  unit: null,
  conditions: ["IS_EQUAL_TO"],
};

describe("targetValueError", () => {
  it("accepts numbers within the unit's bounds", () => {
    expect(targetValueError("95", "IS_GREATER_THAN", availability)).toBeUndefined();
    expect(targetValueError(" 99.5 ", "IS_GREATER_THAN", availability)).toBeUndefined();
    expect(targetValueError("100000000", "IS_GREATER_THAN", cpu)).toBeUndefined();
  });

  it("names what is wrong", () => {
    expect(targetValueError("", "IS_GREATER_THAN", availability)).toBe("Target Value is required.");
    expect(targetValueError("lots", "IS_GREATER_THAN", cpu)).toBe("“lots” is not a number.");
    expect(targetValueError("120", "IS_GREATER_THAN", availability)).toBe(
      "Target availability must be 0–100 %.",
    );
    expect(targetValueError("-1", "IS_GREATER_THAN", cpu)).toBe("CPU usage must be ≥ 0 millicores.");
  });

  it("wants two ordered values for a range", () => {
    expect(targetValueError("90, 99", "IS_WITHIN_RANGE", availability)).toBeUndefined();
    expect(targetValueError("90", "IS_WITHIN_RANGE", availability)).toBe("Give two values: low, high.");
    expect(targetValueError("99, 90", "IS_WITHIN_RANGE", availability)).toBe(
      "The low value must be below the high value.",
    );
  });

  it("wants true or false for a boolean target", () => {
    expect(targetValueError("true", "IS_EQUAL_TO", isolated)).toBeUndefined();
    expect(targetValueError("yes", "IS_EQUAL_TO", isolated)).toBe("Choose true or false.");
  });
});

describe("targetValueOf", () => {
  it("turns the text into the API's value", () => {
    expect(targetValueOf("95", "IS_GREATER_THAN", availability)).toBe(95);
    expect(targetValueOf("90, 99", "IS_WITHIN_RANGE", availability)).toEqual([90, 99]);
    expect(targetValueOf("true", "IS_EQUAL_TO", isolated)).toBe("true");
  });
});

describe("helpers", () => {
  it("describes bounds and conditions", () => {
    expect(boundsText(availability)).toBe("0–100 %");
    expect(boundsText(isolated)).toBeUndefined();
    expect(conditionText("IS_EQUAL_TO_OR_GREATER_THAN")).toBe("equal to or greater than");
  });

  it("keys row errors by path", () => {
    const rows = [
      { key: 1, targetName: "availability", targetCondition: "IS_GREATER_THAN", targetValue: "95" },
      { key: 2, targetName: "availability", targetCondition: "IS_GREATER_THAN", targetValue: "" },
    ];
    const type = { type: "Availability", label: "A", description: "", targets: [availability] };
    expect(targetRowErrors(rows, type, "targets")).toEqual({
      "targets.1.targetValue": "Target Value is required.",
    });
  });
});

describe("formTargets", () => {
  it("turns every row into the API's target, typed by its catalogue target", () => {
    const type = { type: "Mixed", label: "Mixed", description: "", targets: [availability, isolated] };
    expect(
      formTargets(
        [
          { key: 1, targetName: "availability", targetCondition: "IS_WITHIN_RANGE", targetValue: "90, 99.5" },
          {
            key: 2,
            targetName: "isolatedConnectivity",
            targetCondition: "IS_EQUAL_TO",
            targetValue: " true ",
          },
          { key: 3, targetName: "unknown", targetCondition: "IS_EQUAL_TO", targetValue: "7" },
        ],
        type,
      ),
    ).toEqual([
      { targetName: "availability", targetCondition: "IS_WITHIN_RANGE", targetValue: [90, 99.5] },
      { targetName: "isolatedConnectivity", targetCondition: "IS_EQUAL_TO", targetValue: "true" },
      // Not in the catalogue: left as text for the server to refuse by name.
      { targetName: "unknown", targetCondition: "IS_EQUAL_TO", targetValue: "7" },
    ]);
  });
});

describe("supportedIntentChoices", () => {
  const type = (name: string) => ({ type: name, label: name, description: "", targets: [availability] });
  const catalogue = [type("Availability"), type("GreenEnergy"), type("cloud_continuum")];

  it("offers only the types the workload supports, in the catalogue's order", () => {
    expect(supportedIntentChoices(catalogue, ["cloud_continuum", "Availability"]).map((t) => t.type)).toEqual(
      ["Availability", "cloud_continuum"],
    );
  });

  it("offers nothing when the workload declares none or is not known yet", () => {
    expect(supportedIntentChoices(catalogue, [])).toEqual([]);
    expect(supportedIntentChoices(catalogue, undefined)).toEqual([]);
  });
});
