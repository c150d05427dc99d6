import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  closestField,
  humanErrorMap,
  humanIssueMessage,
  humanZodMessage,
  isZodDefaultText,
  lastFieldName,
  orList,
} from "./human-issues";

const schema = z.strictObject({
  name: z.string().trim().min(1),
  state: z.enum(["ACTIVATED", "DEACTIVATED"]),
  targetCondition: z.enum(["IS_EQUAL_TO", "IS_LESS_THAN", "IS_GREATER_THAN"]),
  priority: z.number().int().min(1).max(100),
  period: z.number().int().positive(),
  ratio: z.number().min(0).max(1).optional(),
  when: z.iso.datetime({ offset: true }).optional(),
  tags: z.array(z.string()).min(1),
  value: z.union([z.number(), z.string(), z.array(z.number())]).optional(),
  nested: z.strictObject({ port: z.number() }).optional(),
  custom: z.string().min(3, "Custom is too short.").optional(),
});

const valid = {
  name: "web",
  state: "ACTIVATED",
  targetCondition: "IS_EQUAL_TO",
  priority: 5,
  period: 60,
  tags: ["a"],
};

/** Every message of parsing `patch` over the valid object with the error map, by dotted path. */
function messages(patch: Record<string, unknown>): Record<string, string> {
  const result = schema.safeParse({ ...valid, ...patch }, { error: humanErrorMap });
  if (result.success) throw new Error("expected a failure");
  return Object.fromEntries(result.error.issues.map((i) => [i.path.join("."), i.message]));
}

/** The same after the fact, as tRPC's error formatter sees them (no input, no schema). */
function afterTheFact(patch: Record<string, unknown>): Record<string, string> {
  const result = schema.safeParse({ ...valid, ...patch });
  if (result.success) throw new Error("expected a failure");
  return Object.fromEntries(result.error.issues.map((i) => [i.path.join("."), humanZodMessage(i)]));
}

const RAW = /Invalid (input|option)|expected \w+, received|Too (small|big)|Unrecognized key/;

describe("humanErrorMap (zod's per-parse error option)", () => {
  it("says a missing or empty choice is required, with its values", () => {
    expect(messages({ state: undefined })).toEqual({ state: "state is required: ACTIVATED or DEACTIVATED" });
    expect(messages({ state: null })).toEqual({ state: "state is required: ACTIVATED or DEACTIVATED" });
  });

  it("says a wrong choice is not one, names the kind of value and lists what to use", () => {
    expect(messages({ targetCondition: "IS_SMALLER_THAN" })).toEqual({
      targetCondition:
        "targetCondition IS_SMALLER_THAN is not a condition; use one of IS_EQUAL_TO, IS_LESS_THAN, IS_GREATER_THAN",
    });
    expect(messages({ state: "ON" })).toEqual({
      state: "state ON is not allowed; use ACTIVATED or DEACTIVATED",
    });
  });

  it("says the expected type in words, with the bounds the schema has, and what was sent", () => {
    expect(messages({ priority: "high" })).toEqual({
      priority: 'priority must be a whole number from 1 to 100, not the text "high"',
    });
    expect(messages({ priority: 500 })).toEqual({
      priority: "priority must be a whole number from 1 to 100, not 500",
    });
    expect(messages({ priority: 1.5 })).toEqual({
      priority: "priority must be a whole number from 1 to 100, not 1.5",
    });
    expect(messages({ period: 0 })).toEqual({
      period: "period must be a whole number greater than 0, not 0",
    });
    expect(messages({ ratio: true })).toEqual({ ratio: "ratio must be a number from 0 to 1, not true" });
    expect(messages({ name: 7 })).toEqual({ name: "name must be text, not 7" });
    expect(messages({ name: undefined })).toEqual({ name: "name is required: text" });
    expect(messages({ name: "  " })).toEqual({ name: "name must not be empty" });
    expect(messages({ tags: "a" })).toEqual({ tags: 'tags must be a list, not the text "a"' });
    expect(messages({ tags: [] })).toEqual({ tags: "tags needs at least one item" });
    expect(messages({ nested: [] })).toEqual({ nested: "nested must be an object, not a list" });
    expect(messages({ value: { a: 1 } })).toEqual({
      value: "value must be a number, text or a list of numbers, not an object",
    });
    expect(messages({ when: "yesterday" })).toEqual({
      when: "when must be a date and time like 2026-12-01T00:00:00Z, not yesterday",
    });
  });

  it("names an unknown field and the field it probably meant", () => {
    expect(messages({ priorty: 3 })).toEqual({
      "": "priorty is not a field of the input; did you mean priority?",
    });
    expect(messages({ nested: { prot: 1, port: 1 } })).toEqual({
      nested: "prot is not a field of nested; did you mean port?",
    });
    expect(messages({ zzz: 3 })).toEqual({ "": "zzz is not a field of the input" });
  });

  it("keeps the schema's own messages", () => {
    expect(messages({ custom: "ab" })).toEqual({ custom: "Custom is too short." });
  });
});

describe("humanZodMessage (after the fact, tRPC)", () => {
  it("translates zod's default texts and never shows them", () => {
    const found = afterTheFact({
      state: undefined,
      targetCondition: "X",
      priority: "high",
      period: 0,
      name: 7,
      tags: [],
      priorty: 1,
      when: "x",
      value: {},
    });
    for (const message of Object.values(found)) expect(message).not.toMatch(RAW);
    expect(found).toMatchObject({
      targetCondition: "targetCondition must be IS_EQUAL_TO, IS_LESS_THAN or IS_GREATER_THAN",
      priority: "priority must be a number, not text",
      name: "name must be text, not a number",
      tags: "tags needs at least one item",
      period: "period must be greater than 0",
      when: "when must be a date and time like 2026-12-01T00:00:00Z",
      "": "priorty is not a field of the input",
    });
  });

  it("keeps a message the schema wrote", () => {
    expect(afterTheFact({ custom: "ab" })).toEqual({ custom: "Custom is too short." });
  });
});

describe("the helpers", () => {
  it("tell zod's default texts from a schema's", () => {
    expect(isZodDefaultText("invalid_type", "Invalid input: expected string, received number")).toBe(true);
    expect(isZodDefaultText("invalid_value", 'Invalid option: expected one of "A"|"B"')).toBe(true);
    expect(isZodDefaultText("too_small", "Too small: expected number to be >=1")).toBe(true);
    expect(isZodDefaultText("unrecognized_keys", 'Unrecognized key: "x"')).toBe(true);
    expect(isZodDefaultText("invalid_type", "Workload Instance is required.")).toBe(false);
    expect(isZodDefaultText("custom", "End must be after Start.")).toBe(false);
  });

  it("name the field by the last key of its path", () => {
    expect(lastFieldName(["intentExpectations", 0, "expectationTargets", 1, "targetCondition"])).toBe(
      "targetCondition",
    );
    expect(lastFieldName(["targets", 2])).toBe("targets[2]");
    expect(lastFieldName([])).toBeUndefined();
  });

  it("list choices and guess misspellings", () => {
    expect(orList(["A"])).toBe("A");
    expect(orList(["A", "B"])).toBe("A or B");
    expect(orList(["A", "B", "C"])).toBe("A, B or C");
    expect(closestField("intentPriorty", ["intentPriority", "observationPeriod"])).toBe("intentPriority");
    expect(closestField("expectationTarget", ["expectationTargets", "expectationId"])).toBe(
      "expectationTargets",
    );
    expect(closestField("colour", ["intentPriority"])).toBeUndefined();
  });

  it("use the caller's spelling of the field", () => {
    const issue: z.core.$ZodRawIssue = {
      code: "invalid_type",
      expected: "string",
      path: ["targetName"],
      input: 5,
    };
    expect(humanIssueMessage(issue, { name: "targetAttribute" })).toBe("targetAttribute must be text, not 5");
  });
});
