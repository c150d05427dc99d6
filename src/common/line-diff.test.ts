import { describe, expect, it } from "vitest";
import { diffLines, diffStats, splitLines } from "./line-diff";

describe("diffLines", () => {
  it("shows a changed value as one removed and one added line, in place", () => {
    const before = "kind: Deployment\nspec:\n  replicas: 1\n  template: {}\n";
    const after = "kind: Deployment\nspec:\n  replicas: 3\n  template: {}\n";
    expect(diffLines(before, after)).toEqual([
      { op: "same", text: "kind: Deployment" },
      { op: "same", text: "spec:" },
      { op: "removed", text: "  replicas: 1" },
      { op: "added", text: "  replicas: 3" },
      { op: "same", text: "  template: {}" },
    ]);
  });

  it("keeps the lines both sides share when lines are inserted and removed in the middle", () => {
    const lines = diffLines("a\nb\nc\nd\n", "a\nx\nc\nd\ne\n");
    expect(lines.filter((l) => l.op === "same").map((l) => l.text)).toEqual(["a", "c", "d"]);
    expect(diffStats(lines)).toEqual({ added: 2, removed: 1 });
  });

  it("reads an added and a removed document as all added and all removed", () => {
    expect(diffStats(diffLines("", "a\nb\n"))).toEqual({ added: 2, removed: 0 });
    expect(diffStats(diffLines("a\nb", ""))).toEqual({ added: 0, removed: 2 });
    expect(diffLines("same\n", "same\n")).toEqual([{ op: "same", text: "same" }]);
  });

  it("does not count a trailing newline as a line", () => {
    expect(splitLines("a\n")).toEqual(["a"]);
    expect(splitLines("")).toEqual([]);
  });
});
