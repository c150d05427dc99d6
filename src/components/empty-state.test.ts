import { describe, expect, it } from "vitest";
import { emptyStateText } from "./empty-state";

const empty = { title: "No workload instances yet", description: "Create an instance." };

describe("emptyStateText (issue 13, bug 5)", () => {
  it("says nothing matches the filters, with Clear filters, when a filter is set", () => {
    expect(emptyStateText({ noun: "instances", search: undefined, filtered: true, empty })).toEqual({
      title: "No instances match these filters",
      description: "Nothing matches the filters. Clear them to see every instance you may see.",
      clear: { label: "Clear filters" },
    });
  });

  it("names the search too when both narrow the list, and still clears everything", () => {
    const text = emptyStateText({ noun: "migrations", search: "web", filtered: true, empty });
    expect(text.title).toBe("No migrations match these filters");
    expect(text.description).toContain("the search “web”");
    expect(text.clear).toEqual({ label: "Clear filters" });
  });

  it("keeps the search's own message when only a search narrows the list", () => {
    expect(emptyStateText({ noun: "clusters", search: "edge", filtered: false, empty })).toMatchObject({
      title: "No clusters match “edge”",
      clear: { label: "Clear search" },
    });
  });

  it("says 'yet' only for the unfiltered list", () => {
    expect(emptyStateText({ noun: "instances", search: undefined, filtered: false, empty })).toEqual({
      ...empty,
      clear: null,
    });
  });
});
