import { describe, expect, it } from "vitest";
import { createInstanceInputSchema, instanceChangeInputSchema } from "./schemas";

const parse = (input: Record<string, unknown>) =>
  createInstanceInputSchema.safeParse({ releaseName: "shop", ...input });
const messages = (input: Record<string, unknown>) =>
  parse(input).error?.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`) ?? [];

describe("createInstanceInputSchema", () => {
  it("takes the workload id as a number or its digits", () => {
    expect(parse({ workloadId: 7 }).data?.workloadId).toBe(7);
    expect(parse({ workloadId: "7" }).data?.workloadId).toBe(7);
  });

  // z.coerce.number read `true` as workload 1 and [7] as 7 (bad-input reliability scenario).
  it.each([true, [7], "0x10", "1e1"])("refuses workloadId %j", (workloadId) => {
    expect(parse({ workloadId }).success).toBe(false);
    expect(messages({ workloadId })[0]).toMatch(/^workloadId: /);
  });

  it("says a missing workload is required", () => {
    expect(messages({})).toEqual(["workloadId: Workload is required."]);
  });

  // The yaml library throws on an alias bomb in toJS, past the parse: it was a 500.
  it("refuses a values override that is an alias bomb, naming the field", () => {
    const lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i <= 9; i++)
      lines.push(
        `a${i}: &a${i} [${Array(9)
          .fill(`*a${i - 1}`)
          .join(",")}]`,
      );
    expect(messages({ workloadId: 7, valuesOverride: lines.join("\n") })).toEqual([
      "valuesOverride: Values Override expands too many YAML aliases.",
    ]);
  });

  // 400,000 levels held the event loop for seconds before the parser overflowed its stack.
  it("refuses a deeply nested values override at once, naming the field", () => {
    const started = performance.now();
    const deep = `a: ${"[".repeat(400_000)}${"]".repeat(400_000)}`;
    expect(messages({ workloadId: 7, valuesOverride: deep })).toEqual([
      "valuesOverride: Values Override is nested deeper than 100 levels (maxFlowDepth) (line 1).",
    ]);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});

describe("the intent template's default conditions (issue 13)", () => {
  it("gives a target without a condition the catalogue's default: availability at least", () => {
    const parsed = parse({
      workloadId: 1,
      intent: { intentType: "Availability", targets: [{ targetName: "availability", targetValue: 95 }] },
    });
    expect(parsed.data?.intent?.targets).toEqual([
      { targetName: "availability", targetCondition: "IS_EQUAL_TO_OR_GREATER_THAN", targetValue: 95 },
    ]);
  });

  it("keeps a condition that was given, and defaults usage bounds to at most", () => {
    const parsed = parse({
      workloadId: 1,
      intent: {
        intentType: "DeliverComputingWorkload",
        targets: [
          { targetName: "cpuUsage", targetValue: 500 },
          { targetName: "ramUsage", targetCondition: "IS_GREATER_THAN", targetValue: 1 },
        ],
      },
    });
    expect(parsed.data?.intent?.targets.map((t) => t.targetCondition)).toEqual([
      "IS_EQUAL_TO_OR_LESS_THAN",
      "IS_GREATER_THAN",
    ]);
  });

  it("asks for the condition of a target the catalogue does not know, by field", () => {
    expect(
      messages({
        workloadId: 1,
        intent: { intentType: "Availability", targets: [{ targetName: "speed", targetValue: 1 }] },
      }),
    ).toEqual([
      "intent.targets.0.targetCondition: Target Condition is required: speed has no default condition for Availability.",
    ]);
  });
});

describe("instanceChangeInputSchema", () => {
  it("takes values, a version and replicas, and refuses an empty change", () => {
    expect(instanceChangeInputSchema.safeParse({ valuesOverride: "a: 1\n" }).success).toBe(true);
    expect(
      instanceChangeInputSchema.safeParse({ replicas: [{ kind: "Deployment", name: "web", replicas: 3 }] })
        .success,
    ).toBe(true);
    expect(instanceChangeInputSchema.safeParse({}).error?.issues[0]?.message).toBe(
      "Nothing to change: give a values override, a workload version or replicas.",
    );
  });

  it("names the replica field a bad count is in", () => {
    const issues = instanceChangeInputSchema.safeParse({
      replicas: [{ kind: "Deployment", name: "web", replicas: -1 }],
    }).error?.issues;
    expect(issues?.map((i) => `${i.path.join(".")}: ${i.message}`)).toEqual([
      "replicas.0.replicas: Replicas must be a whole number from 0 to 100.",
    ]);
    expect(
      instanceChangeInputSchema.safeParse({ replicas: [{ kind: "Pod", name: "web", replicas: 1 }] }).success,
    ).toBe(false);
  });
});
