import { describe, expect, it } from "vitest";
import { DomainError } from "@/server/errors";
import {
  AccountingArithmeticError,
  TOKEN,
  UINT256_MAX,
  formatTokens,
  parseTokens,
  parseUnits,
  u256,
} from "./units";

describe("u256", () => {
  it("adds, subtracts, multiplies within range", () => {
    expect(u256.add(2n, 3n)).toBe(5n);
    expect(u256.sub(5n, 5n)).toBe(0n);
    expect(u256.mul(7n, TOKEN)).toBe(700_000_000n);
    expect(u256.add(UINT256_MAX - 1n, 1n)).toBe(UINT256_MAX);
  });

  it("truncates division like uint256 and keeps the order of operations", () => {
    expect(u256.div(7n, 2n)).toBe(3n);
    expect(u256.div(1n, 3n)).toBe(0n);
    // (1 / 3) * 10^8 = 0, while 1 * 10^8 / 3 = 33333333
    expect(u256.mul(u256.div(1n, 3n), TOKEN)).toBe(0n);
    expect(u256.div(u256.mul(1n, TOKEN), 3n)).toBe(33_333_333n);
  });

  it("throws on overflow, underflow, division by zero and negative operands", () => {
    expect(() => u256.add(UINT256_MAX, 1n)).toThrow(AccountingArithmeticError);
    expect(() => u256.mul(2n ** 128n, 2n ** 128n)).toThrow(/overflow/);
    expect(() => u256.sub(1n, 2n)).toThrow(/underflow/);
    expect(() => u256.div(1n, 0n)).toThrow(/division by zero/);
    expect(() => u256.add(-1n, 2n)).toThrow(AccountingArithmeticError);
    expect(() => u256.check(UINT256_MAX + 1n)).toThrow(AccountingArithmeticError);
    expect(u256.check(0n)).toBe(0n);
  });
});

describe("formatTokens", () => {
  it("writes exact decimals without floating point", () => {
    expect(formatTokens(1_250_000_000n)).toBe("12.5 tokens");
    expect(formatTokens(TOKEN)).toBe("1 token");
    expect(formatTokens(0n)).toBe("0 tokens");
    expect(formatTokens(1n)).toBe("0.00000001 tokens");
    expect(formatTokens(10_000_000n)).toBe("0.1 tokens");
    expect(formatTokens(-50_000_000n)).toBe("-0.5 tokens");
    // beyond a double's 53 bits, still exact
    expect(formatTokens(123_456_789_012_345_678_901n)).toBe("1234567890123.45678901 tokens");
  });
});

describe("parseTokens", () => {
  it("reads what formatTokens writes and plain numbers", () => {
    expect(parseTokens("12.5 tokens")).toBe(1_250_000_000n);
    expect(parseTokens("1 token")).toBe(TOKEN);
    expect(parseTokens("0.1")).toBe(10_000_000n);
    expect(parseTokens(" 3 ")).toBe(300_000_000n);
    expect(parseTokens("0.00000001")).toBe(1n);
    for (const units of [0n, 1n, 99_999_999n, 123_456_789_012_345_678_901n]) {
      expect(parseTokens(formatTokens(units))).toBe(units);
    }
  });

  it("refuses signs, exponents, more than 8 decimals and junk, naming the field", () => {
    for (const text of ["-1", "1e3", "0.000000001", "1,5", "", "abc", "1.", ".5", "9".repeat(200)]) {
      expect(() => parseTokens(text, "reward")).toThrow(DomainError);
    }
    try {
      parseTokens("x", "reward");
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).field).toBe("reward");
      expect((error as DomainError).kind).toBe("invalid");
    }
  });
});

describe("parseUnits", () => {
  it("reads decimal strings of units up to uint256", () => {
    expect(parseUnits("10000000")).toBe(10_000_000n);
    expect(parseUnits(UINT256_MAX.toString())).toBe(UINT256_MAX);
    expect(() => parseUnits((UINT256_MAX + 1n).toString(), "chargePerGb")).toThrow(/uint256/);
    expect(() => parseUnits("-1")).toThrow(DomainError);
    expect(() => parseUnits("1.5")).toThrow(DomainError);
    expect(() => parseUnits("")).toThrow(DomainError);
  });
});
