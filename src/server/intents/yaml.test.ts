import { describe, expect, it } from "vitest";
import { validateIntent } from "./model";
import {
  energyIntentYaml,
  networkIntentVariantYaml,
  networkIntentYaml,
  PROTOCOL_INSTANCE,
} from "@/server/testing/intent-examples";
import {
  REDACTED,
  intentToYaml,
  parseIntentYaml,
  redactIntent,
  restoreSecrets,
  type IntentYamlResult,
} from "./yaml";

const NETWORK_INTENT = networkIntentYaml({
  id: "mncc_l2sm_1",
  instanceId: PROTOCOL_INSTANCE,
  bearerToken: "<secret>",
});

/** The same intent in the variant spelling (`expectationTarget` / `targetAttribute`). */
const NETWORK_INTENT_VARIANT = networkIntentVariantYaml({
  id: "mncc_l2sm_1",
  instanceId: PROTOCOL_INSTANCE,
  bearerToken: "<secret>",
});

const ENERGY_INTENT = energyIntentYaml({ id: "energy-1", instanceId: PROTOCOL_INSTANCE });

function ok(result: IntentYamlResult): Extract<IntentYamlResult, { ok: true }> {
  if (!result.ok) throw new Error(`expected success, got:\n${result.error}`);
  return result;
}

function failed(result: IntentYamlResult): Extract<IntentYamlResult, { ok: false }> {
  if (result.ok) throw new Error("expected a failure");
  return result;
}

/** 1-based line of the first line of `text` containing `needle`. */
function lineOf(text: string, needle: string): number {
  const index = text.split("\n").findIndex((l) => l.includes(needle));
  if (index < 0) throw new Error(`${needle} not in text`);
  return index + 1;
}

describe("parseIntentYaml", () => {
  it("imports the reference network intent into the normal form", () => {
    const { intent } = ok(parseIntentYaml(NETWORK_INTENT));
    expect(intent.id).toBe("mncc_l2sm_1");
    expect(intent.userLabel).toBe("cloud_continuum");
    expect(intent.intentAdminState).toBe("ACTIVATED");
    expect(intent.intentPriority).toBe(1);
    expect(intent.observationPeriod).toBe(60);
    expect(intent.contextSelectivity).toBeUndefined();
    expect(intent.intentExpectations).toHaveLength(2);
    const [first, second] = intent.intentExpectations;
    expect(first?.expectationId).toBe("1");
    expect(first?.expectationObject.objectType).toBe("K8S_L2_NETWORK");
    expect(first?.expectationObject.objectContexts).toHaveLength(4);
    expect(first?.expectationContexts).toEqual([]);
    expect(first?.expectationTargets).toEqual([
      {
        targetName: "isolatedConnectivity",
        targetCondition: "IS_EQUAL_TO",
        targetValueRange: "true",
        targetContexts: [],
      },
    ]);
    expect(second?.expectationContexts.map((c) => c.contextAttribute)).toEqual([
      "k8s_l2_network",
      "namespace",
    ]);
    expect(intent.intentContexts).toEqual([
      {
        contextAttribute: "NEMO_WORKLOAD",
        contextCondition: "IS_EQUAL_TO",
        contextValueRange: "cbcb208a-d535-434b-bb35-217a64bd516b",
      },
    ]);
  });

  it("imports the expectationTarget/targetAttribute variant to the same normal form", () => {
    expect(NETWORK_INTENT_VARIANT).toContain("targetAttribute: isolatedConnectivity");
    const normal = ok(parseIntentYaml(NETWORK_INTENT));
    const variant = ok(parseIntentYaml(NETWORK_INTENT_VARIANT));
    expect(variant.intent).toEqual(normal.intent);
    expect(variant.secrets).toEqual(normal.secrets);
  });

  it("imports the EnergyCarbonEfficiency family example", () => {
    const { intent, secrets } = ok(parseIntentYaml(ENERGY_INTENT));
    expect(secrets).toEqual({});
    expect(intent.userLabel).toBe("EnergyCarbonEfficiency");
    expect(intent.validityPeriod).toEqual({
      startTime: "2026-12-01T00:00:00Z",
      endTime: "2026-12-31T23:59:59Z",
    });
    const [expectation] = intent.intentExpectations;
    expect(expectation?.expectationVerb).toBe("ENSURE");
    expect(expectation?.expectationObject.objectType).toBe("NEMO_WORKLOAD");
    expect(
      expectation?.expectationTargets.map((t) => [t.targetName, t.targetCondition, t.targetValueRange]),
    ).toEqual([
      ["CompEnergyEfficiency", "IS_GREATER_THAN", 40000],
      ["CompEnergyConsumption", "IS_LESS_THAN", 900],
      ["GreenEnergyConsumptionRate", "IS_GREATER_THAN", 90],
    ]);
  });

  it("redacts secret contexts and returns them in secrets", () => {
    const { intent, secrets } = ok(parseIntentYaml(NETWORK_INTENT));
    expect(secrets).toEqual({
      "intentExpectations[1].expectationObject.objectContexts[1].contextValueRange": "<secret>",
      "intentExpectations[1].expectationObject.objectContexts[2].contextValueRange":
        "https://api.staging1.example:6443",
    });
    const contexts = intent.intentExpectations[1]?.expectationObject.objectContexts ?? [];
    expect(contexts.find((c) => c.contextAttribute === "bearer_token")?.contextValueRange).toBe(REDACTED);
    expect(contexts.find((c) => c.contextAttribute === "api_key")?.contextValueRange).toBe(REDACTED);
    expect(contexts.find((c) => c.contextAttribute === "name")?.contextValueRange).toBe("staging-1");
    expect(JSON.stringify(intent)).not.toContain("<secret>");
  });

  it("lifts any context named like a secret, whatever its case and separators", () => {
    const text = NETWORK_INTENT.replace("bearer_token", "X-Auth-Token").replace("api_key", "clientSecret");
    const { intent, secrets } = ok(parseIntentYaml(text));
    const contexts = intent.intentExpectations[1]?.expectationObject.objectContexts ?? [];
    expect(contexts.find((c) => c.contextAttribute === "X-Auth-Token")?.contextValueRange).toBe(REDACTED);
    expect(contexts.find((c) => c.contextAttribute === "clientSecret")?.contextValueRange).toBe(REDACTED);
    expect(Object.values(secrets)).toEqual(["<secret>", "https://api.staging1.example:6443"]);
  });

  it("redactIntent hides secret contexts an intent still carries (rows stored under the old names)", () => {
    const text = NETWORK_INTENT.replace("bearer_token", "PASSWORD");
    const stored = restoreSecrets(ok(parseIntentYaml(text)).intent, ok(parseIntentYaml(text)).secrets);
    expect(JSON.stringify(stored)).toContain("<secret>");
    const shown = redactIntent(stored);
    expect(JSON.stringify(shown)).not.toContain("<secret>");
    const contexts = shown.intentExpectations[1]?.expectationObject.objectContexts ?? [];
    expect(contexts.find((c) => c.contextAttribute === "PASSWORD")?.contextValueRange).toBe(REDACTED);
    expect(contexts.find((c) => c.contextAttribute === "name")?.contextValueRange).toBe("staging-1");
  });

  it("restores secrets into the redacted intent", () => {
    const original = ok(parseIntentYaml(NETWORK_INTENT));
    const restored = restoreSecrets(original.intent, original.secrets);
    const contexts = restored.intentExpectations[1]?.expectationObject.objectContexts ?? [];
    expect(contexts.find((c) => c.contextAttribute === "bearer_token")?.contextValueRange).toBe("<secret>");
    expect(restored.intentExpectations[0]).toEqual(original.intent.intentExpectations[0]);
  });

  it("reports malformed YAML with its line", () => {
    const text = "id: x\nuserLabel: y\nintentExpectations: [\n  { expectationId: 1\nintentPriority: 1\n";
    const result = failed(parseIntentYaml(text));
    expect(result.issues[0]?.line).toBeGreaterThanOrEqual(3);
    expect(result.error).toMatch(/^line \d+: /);
    expect(result.issues[0]?.message).not.toMatch(/at line \d+/);
  });

  it("maps an error under a single-mapping expectationTarget to its line", () => {
    const text = [
      "id: x",
      "userLabel: y",
      "intentPriority: 5",
      "intentAdminState: ACTIVATED",
      "observationPeriod: 60",
      "intentExpectations:",
      "  - expectationId: '1'",
      "    expectationVerb: ENSURE",
      "    expectationObject: { objectType: NEMO_WORKLOAD, objectInstance: w }",
      "    expectationTarget:",
      "      targetAttribute: t",
      "      targetCondition: IS_WITHIN_RANGE",
      "      targetValueRange: [5, 1]",
      "",
    ].join("\n");
    const result = failed(parseIntentYaml(text));
    // The field as the document spells it: the lone mapping has no index.
    expect(result.issues[0]).toMatchObject({
      field: "intentExpectations[0].expectationTarget.targetValueRange",
      line: 13,
    });
    expect(result.error).toBe(
      "line 13: targetValueRange [5, 1] has its low value above its high value; write [low, high]",
    );
  });

  it("says the commonest syntax problems in plain words, one per line", () => {
    expect(failed(parseIntentYaml("id: x\nid: y\n")).error).toBe(
      "line 2: the YAML does not parse: a key appears twice in the same mapping; keep one",
    );
    expect(failed(parseIntentYaml("id: x\n\tuserLabel: y\n")).error).toBe(
      "line 2: the YAML does not parse: tabs are not allowed as indentation; indent with spaces",
    );
    expect(failed(parseIntentYaml("- a\nb: c\n")).issues).toHaveLength(1);
  });

  it("reports a document that is not a mapping", () => {
    const result = failed(parseIntentYaml("- just\n- a list\n"));
    expect(result.issues[0]).toMatchObject({ field: "(root)", line: 1 });
  });

  it("reports an out-of-range intentPriority with its field path and line", () => {
    const text = NETWORK_INTENT.replace("intentPriority: 1", "intentPriority: 500");
    const result = failed(parseIntentYaml(text));
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0]).toMatchObject({
      field: "intentPriority",
      line: lineOf(text, "intentPriority: 500"),
    });
    expect(result.error).toBe(
      `line ${lineOf(text, "intentPriority: 500")}: intentPriority must be a whole number from 1 to 100, not 500`,
    );
  });

  it("reports an unknown condition with its field path and line", () => {
    const text = ENERGY_INTENT.replace("targetCondition: IS_LESS_THAN", "targetCondition: IS_SMALLER_THAN");
    const result = failed(parseIntentYaml(text));
    expect(result.issues[0]).toMatchObject({
      field: "intentExpectations[0].expectationTargets[1].targetCondition",
      line: lineOf(text, "IS_SMALLER_THAN"),
    });
  });

  it("maps a wrong field in the variant spelling back to its YAML line", () => {
    const text = NETWORK_INTENT_VARIANT.replace(
      'targetAttribute: isolatedConnectivity, targetCondition: IS_EQUAL_TO, targetValueRange: "true" }\n  - expectationId: "2"',
      'targetAttribute: isolatedConnectivity, targetCondition: IS_BIGGER, targetValueRange: "true" }\n  - expectationId: "2"',
    );
    const result = failed(parseIntentYaml(text));
    expect(result.issues[0]).toMatchObject({
      field: "intentExpectations[0].expectationTarget[0].targetCondition",
      line: lineOf(text, "IS_BIGGER"),
    });
    expect(result.issues[0]?.message).toMatch(
      /^targetCondition IS_BIGGER is not a condition; use one of IS_EQUAL_TO, /,
    );
  });

  it("reports an unknown field at its key, guessing the field meant, and a missing field at its parent", () => {
    const text = ENERGY_INTENT.replace("intentPriority: 10", "intentPriorty: 10").replace(
      "    expectationVerb: ENSURE\n",
      "",
    );
    const result = failed(parseIntentYaml(text));
    expect(result.issues).toEqual([
      {
        field: "intentExpectations[0].expectationVerb",
        message: "expectationVerb is required: DELIVER or ENSURE",
        line: lineOf(text, 'expectationId: "1"'),
        column: 5,
      },
      {
        field: "intentPriorty",
        message: "intentPriorty is not a field of the intent; did you mean intentPriority?",
        line: lineOf(text, "intentPriorty"),
        column: 1,
      },
    ]);
  });

  it("reports a target value that the condition cannot judge", () => {
    const text = ENERGY_INTENT.replace("targetValueRange: 900", "targetValueRange: lots");
    const result = failed(parseIntentYaml(text));
    expect(result.issues[0]).toMatchObject({
      field: "intentExpectations[0].expectationTargets[1].targetValueRange",
      line: lineOf(text, "targetValueRange: lots"),
    });
    expect(result.issues[0]?.message).toBe('targetValueRange must be a number for IS_LESS_THAN, not "lots"');
  });
});

describe("intentToYaml", () => {
  it("round-trips export → import as the identity", () => {
    for (const text of [NETWORK_INTENT, ENERGY_INTENT]) {
      const { intent } = ok(parseIntentYaml(text));
      const again = ok(parseIntentYaml(intentToYaml(intent)));
      expect(again.intent).toEqual(intent);
      expect(again.secrets).toEqual({});
    }
  });

  it("keeps strings that look like other scalars as strings", () => {
    const { intent } = ok(parseIntentYaml(NETWORK_INTENT));
    const yaml = intentToYaml(intent);
    expect(yaml).not.toContain("<secret>");
    const again = ok(parseIntentYaml(yaml)).intent;
    expect(again.intentExpectations[0]?.expectationId).toBe("1");
    expect(again.intentExpectations[0]?.expectationTargets[0]?.targetValueRange).toBe("true");
  });
});

describe("validateIntent", () => {
  it("names the field path of every problem", () => {
    const result = validateIntent({
      id: "x",
      userLabel: "y",
      intentExpectations: [
        {
          expectationId: "1",
          expectationVerb: "OBSERVE",
          expectationObject: { objectType: "NEMO_WORKLOAD", objectInstance: "w" },
          expectationTargets: [],
        },
      ],
      intentAdminState: "ACTIVATED",
      intentPriority: 0,
      observationPeriod: 60,
      validityPeriod: { startTime: "2026-12-02T00:00:00Z", endTime: "2026-12-01T00:00:00Z" },
    });
    expect(result.ok).toBe(false);
    const fields = result.ok ? [] : result.issues.map((i) => i.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        "intentExpectations[0].expectationVerb",
        "intentExpectations[0].expectationTargets",
        "intentPriority",
        "validityPeriod.endTime",
      ]),
    );
  });
});

describe("parseIntentYaml on deep flow nesting", () => {
  // 400,000 levels (800 KB, under the 1 MB cap) held the event loop for 5 s and answered
  // "Maximum call stack size exceeded" (bad-input reliability scenario).
  it("refuses it at once, naming the line and the limit", () => {
    const started = performance.now();
    const result = parseIntentYaml(`id: x\nintentPriority: ${"[".repeat(400_000)}${"]".repeat(400_000)}\n`);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.issues).toEqual([
      { field: "(root)", message: "nested deeper than 100 levels (maxFlowDepth)", line: 2 },
    ]);
  });
});

/** What a person writes by hand: no admin state, priority or observation period; singular spellings. */
const MINIMAL = `id: web-availability
userLabel: Availability
intentExpectation:
  expectationId: 1
  expectationVerb: DELIVER
  expectationObject:
    objectType: NEMO_WORKLOAD
    objectInstance: ${PROTOCOL_INSTANCE}
  expectationTarget:
    targetName: availability
    targetCondition: IS_EQUAL_TO_OR_GREATER_THAN
    targetValueRange: 99
`;

/** No raw validation-library text in any message. */
function expectHuman(messages: readonly string[]): void {
  for (const message of messages) {
    expect(message).not.toMatch(
      /Invalid (input|option)|expected \w+, received|Too (small|big)|Unrecognized key/,
    );
  }
}

describe("parseIntentYaml on a minimal intent", () => {
  it("fills the catalogue defaults and reads the singular spellings", () => {
    const { intent } = ok(parseIntentYaml(MINIMAL));
    expect(intent).toEqual({
      id: "web-availability",
      userLabel: "Availability",
      intentAdminState: "ACTIVATED",
      intentPriority: 1,
      observationPeriod: 60,
      intentContexts: [],
      intentExpectations: [
        {
          expectationId: "1",
          expectationVerb: "DELIVER",
          expectationObject: {
            objectType: "NEMO_WORKLOAD",
            objectInstance: PROTOCOL_INSTANCE,
            objectContexts: [],
          },
          expectationTargets: [
            {
              targetName: "availability",
              targetCondition: "IS_EQUAL_TO_OR_GREATER_THAN",
              targetValueRange: 99,
              targetContexts: [],
            },
          ],
          expectationContexts: [],
        },
      ],
    });
  });

  it("reads the document under a top-level Intent: wrapper the same way", () => {
    const wrapped = `Intent:\n${MINIMAL.replace(/^/gm, "  ")}`;
    expect(ok(parseIntentYaml(wrapped)).intent).toEqual(ok(parseIntentYaml(MINIMAL)).intent);
  });

  it("reads singular intentContext, expectationContext, objectContext and targetContext, as a mapping or a list", () => {
    const context = "{ contextAttribute: zone, contextCondition: IS_EQUAL_TO, contextValueRange: eu }";
    const text = MINIMAL.replace("    objectInstance:", `    objectContext: ${context}\n    objectInstance:`)
      .replace("  expectationTarget:\n", `  expectationContext:\n    - ${context}\n  expectationTarget:\n`)
      .concat(`    targetContext: ${context}\nintentContext: ${context}\n`);
    const { intent } = ok(parseIntentYaml(text));
    const zone = [{ contextAttribute: "zone", contextCondition: "IS_EQUAL_TO", contextValueRange: "eu" }];
    const [expectation] = intent.intentExpectations;
    expect(intent.intentContexts).toEqual(zone);
    expect(expectation?.expectationContexts).toEqual(zone);
    expect(expectation?.expectationObject.objectContexts).toEqual(zone);
    expect(expectation?.expectationTargets[0]?.targetContexts).toEqual(zone);
  });

  it("keeps values that are written out over the defaults", () => {
    const text = `${MINIMAL}intentAdminState: DEACTIVATED\nintentPriority: 7\nobservationPeriod: 300\n`;
    expect(ok(parseIntentYaml(text)).intent).toMatchObject({
      intentAdminState: "DEACTIVATED",
      intentPriority: 7,
      observationPeriod: 300,
    });
  });

  it("says an admin state left empty is required, with its choices and line", () => {
    const text = `${MINIMAL}intentAdminState:\n`;
    const result = failed(parseIntentYaml(text));
    expect(result.error).toBe(
      `line ${lineOf(text, "intentAdminState:")}: intentAdminState is required: ACTIVATED or DEACTIVATED`,
    );
  });

  it("names a wrong condition in the document's spelling, with its line and the conditions to use", () => {
    const text = `Intent:\n${MINIMAL.replace("IS_EQUAL_TO_OR_GREATER_THAN", "IS_SMALLER_THAN").replace(/^/gm, "  ")}`;
    const result = failed(parseIntentYaml(text));
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0]?.field).toBe("Intent.intentExpectation.expectationTarget.targetCondition");
    expect(result.error).toBe(
      `line ${lineOf(text, "IS_SMALLER_THAN")}: targetCondition IS_SMALLER_THAN is not a condition; use one of IS_EQUAL_TO, IS_LESS_THAN, IS_GREATER_THAN, IS_WITHIN_RANGE, IS_OUTSIDE_RANGE, IS_ONE_OF, IS_NOT_ONE_OF, IS_EQUAL_TO_OR_LESS_THAN, IS_EQUAL_TO_OR_GREATER_THAN, IS_ALL_OF`,
    );
  });

  it("calls targetAttribute by its own name and every problem a sentence without validation-library text", () => {
    const text = MINIMAL.replace("targetName: availability", "targetAttribute: 5")
      .replace("expectationVerb: DELIVER", "expectationVerb: [DELIVER]")
      .replace("objectType: NEMO_WORKLOAD", "objectType: ''")
      .concat(
        "intentPriority: high\nobservationPeriod: -5\nvalidityPeriod: { startTime: tomorrow, endTime: 2026-12-31T00:00:00Z }\n",
      );
    const result = failed(parseIntentYaml(text));
    expectHuman(result.issues.map((i) => i.message));
    const byField = Object.fromEntries(result.issues.map((i) => [i.field, i.message]));
    expect(byField).toMatchObject({
      "intentExpectation.expectationVerb":
        "expectationVerb [DELIVER] is not an expectation verb; use DELIVER or ENSURE".replace(
          "[DELIVER]",
          "a list",
        ),
      "intentExpectation.expectationObject.objectType": "objectType must not be empty",
      "intentExpectation.expectationTarget.targetAttribute": "targetAttribute must be text, not 5",
      intentPriority: 'intentPriority must be a whole number from 1 to 100, not the text "high"',
      observationPeriod: "observationPeriod must be a whole number greater than 0, not -5",
      "validityPeriod.startTime": "startTime must be a date and time like 2026-12-01T00:00:00Z, not tomorrow",
    });
  });
});
