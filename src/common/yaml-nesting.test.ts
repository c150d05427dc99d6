import { describe, expect, it } from "vitest";
import { parseKubeconfig } from "./kubeconfig";
import { MAX_YAML_FLOW_DEPTH, yamlNestingTooDeep } from "./yaml-nesting";

describe("yamlNestingTooDeep", () => {
  it("finds the line where flow collections nest past the limit", () => {
    const deep = "[".repeat(MAX_YAML_FLOW_DEPTH + 1) + "]".repeat(MAX_YAML_FLOW_DEPTH + 1);
    expect(yamlNestingTooDeep(`a: 1\nb: ${deep}\n`)).toBe(2);
    expect(yamlNestingTooDeep(`a: ${"{x: ".repeat(400_000)}`)).toBe(1);
  });

  it("lets ordinary documents through, however many collections they close again", () => {
    const shallow = "[".repeat(MAX_YAML_FLOW_DEPTH) + "]".repeat(MAX_YAML_FLOW_DEPTH);
    expect(yamlNestingTooDeep(`a: ${shallow}\nb: ${"[1, {c: 2}] ".repeat(10_000)}`)).toBeNull();
    expect(yamlNestingTooDeep("x: ]]]]\ny: [1]\n")).toBeNull();
  });
});

describe("where YAML from users is read", () => {
  const bomb = `${"[".repeat(400_000)}${"]".repeat(400_000)}`;

  // 400,000 levels held the event loop for seconds before the parser overflowed its stack.
  it("a kubeconfig is refused before the parser sees it", () => {
    const started = performance.now();
    expect(() => parseKubeconfig(`apiVersion: v1\nclusters: ${bomb}\n`)).toThrow(/maxFlowDepth/);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
