import { describe, expect, it } from "vitest";
import { createInstanceInputSchema } from "./schemas";

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
