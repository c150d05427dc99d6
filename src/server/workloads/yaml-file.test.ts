import { describe, expect, it } from "vitest";
import { parseYamlFile } from "./yaml-file";

describe("parseYamlFile", () => {
  // The library's alias guard threw past the parse (an upload answered 500): bad-input reliability scenario.
  it("answers an alias bomb with a problem of the file naming the limit", () => {
    const lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i <= 9; i++)
      lines.push(
        `a${i}: &a${i} [${Array(9)
          .fill(`*a${i - 1}`)
          .join(",")}]`,
      );
    const parsed = parseYamlFile("values.yaml", lines.join("\n"));
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.problem).toEqual({
      file: "values.yaml",
      message: "values.yaml expands more than 1000 aliases (maxAliasCount).",
    });
  });

  it("keeps a few aliases", () => {
    const parsed = parseYamlFile("values.yaml", "base: &b { a: 1 }\nother: *b\n");
    expect(parsed.ok && parsed.yaml.value).toEqual({ base: { a: 1 }, other: { a: 1 } });
  });
});

describe("parseYamlFile on deep flow nesting", () => {
  // 400,000 levels (800 KB) held the event loop for seconds, then overflowed the stack.
  it("refuses it at once, naming the line and the limit", () => {
    const started = performance.now();
    const parsed = parseYamlFile("values.yaml", `a: 1\nb: ${"[".repeat(400_000)}${"]".repeat(400_000)}\n`);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(!parsed.ok && parsed.problem).toEqual({
      file: "values.yaml",
      line: 2,
      message: "values.yaml is nested deeper than 100 levels (maxFlowDepth).",
    });
  });
});
