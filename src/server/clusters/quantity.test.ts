import { describe, expect, it } from "vitest";
import {
  formatBytes,
  formatMillicores,
  GIB,
  MIB,
  parseBytes,
  parseCpuMillicores,
  parseQuantity,
  parseWholeCount,
  QuantityError,
} from "./quantity";

describe("quantity parsing", () => {
  it.each([
    ["250m", 250],
    ["2", 2000],
    ["1.5", 1500],
    [".5", 500],
    [0.5, 500],
    [1, 1000],
    ["100m", 100],
    ["0.1", 100],
    ["1e3", 1_000_000],
  ] as const)("reads CPU %j as %d millicores", (input, expected) => {
    expect(parseCpuMillicores(input)).toBe(expected);
  });

  it("rounds sub-millicore CPU up to one millicore, as the API server does", () => {
    expect(parseCpuMillicores("0.0001")).toBe(1);
    expect(parseCpuMillicores("100u")).toBe(1);
  });

  it.each([
    ["128Mi", 128 * MIB],
    ["512Mi", 512 * MIB],
    ["1Gi", GIB],
    ["1.5Gi", 1.5 * GIB],
    ["512Ki", 512 * 1024],
    ["1G", 1e9],
    ["1M", 1e6],
    ["1k", 1000],
    ["1e3", 1000],
    ["1E3", 1000],
    ["1024", 1024],
    [2048, 2048],
  ] as const)("reads memory %j as %d bytes", (input, expected) => {
    expect(parseBytes(input)).toBe(expected);
  });

  it("keeps milli (m) and mega (M) apart", () => {
    expect(parseQuantity("1m")).toBeCloseTo(0.001);
    expect(parseQuantity("1M")).toBe(1e6);
  });

  it.each(["", "abc", "1.2.3", "10 Mi", "5mi", "1KiB", "Gi", "--1", "1e", "1e3m", Number.NaN])(
    "rejects the malformed quantity %j",
    (input) => {
      expect(() => parseQuantity(input)).toThrow(QuantityError);
    },
  );

  it("rejects negative resource quantities", () => {
    expect(parseQuantity("-1")).toBe(-1);
    expect(() => parseCpuMillicores("-100m")).toThrow(/negative/);
    expect(() => parseBytes("-1Gi")).toThrow(/negative/);
  });

  it("requires whole numbers for extended resources such as GPUs", () => {
    expect(parseWholeCount("2")).toBe(2);
    expect(parseWholeCount(1)).toBe(1);
    expect(() => parseWholeCount("0.5")).toThrow(/whole numbers/);
    expect(() => parseWholeCount("500m")).toThrow(/whole numbers/);
  });

  it("formats millicores and bytes the way kubectl prints them", () => {
    expect(formatMillicores(1500)).toBe("1500m");
    expect(formatMillicores(2000)).toBe("2");
    expect(formatBytes(GIB)).toBe("1Gi");
    expect(formatBytes(512 * MIB)).toBe("512Mi");
    expect(formatBytes(1000)).toBe("1000");
    expect(parseBytes(formatBytes(3 * GIB))).toBe(3 * GIB);
  });
});
