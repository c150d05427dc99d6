import { describe, expect, it } from "vitest";
import { compileGo, REGEX_CACHE_MAX, regexCacheSize } from "./sprig/regex";

describe("compiled chart regular expressions", () => {
  it("are reused, and a flood of distinct ones from tenants' charts stays within the bound", () => {
    expect(compileGo("^a+b$")).toBe(compileGo("^a+b$"));
    for (let i = 0; i < REGEX_CACHE_MAX * 2 + 5; i++) compileGo(`^x${i}$`);
    expect(regexCacheSize()).toBeLessThanOrEqual(REGEX_CACHE_MAX);
    expect(compileGo("^x1$").test("x1")).toBe(true);
  });
});
