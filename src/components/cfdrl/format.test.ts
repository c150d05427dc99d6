import { describe, expect, it } from "vitest";
import { readableDomain } from "./format";

describe("readableDomain", () => {
  it("keeps a range wider than the minimum as it is", () => {
    expect(readableDomain([-3, -1.2, -2], 0.5)).toEqual([-3, -1.2]);
  });

  it("widens a nearly flat series around its middle", () => {
    const [low, high] = readableDomain([-1.421, -1.419], 0.5);
    expect(low).toBeCloseTo(-1.67, 10);
    expect(high).toBeCloseTo(-1.17, 10);
  });

  it("ignores values that are not numbers, and has a domain without data", () => {
    expect(readableDomain([Number.NaN, 2, 2], 1)).toEqual([1.5, 2.5]);
    expect(readableDomain([], 1)).toEqual([0, 1]);
  });
});
