import { formatTokens, tokensToUnits } from "@/common/tokens";
import { DomainError } from "@/server/errors";

/**
 * Accounting units. 1 token = 10^8 units; every amount is an integer number of
 * units held in a `bigint` (SQL `bigint`, JSON/REST a decimal string). The
 * reference platform computed charges in Solidity `uint256`, so the helpers
 * below behave like checked uint256 arithmetic (Solidity ≥ 0.8): integer
 * division truncates, and overflow, underflow or division by zero throws
 * instead of wrapping.
 */
export const TOKEN = 10n ** 8n;

/** Decimal places of one token (10^8 units). */
export const TOKEN_DECIMALS = 8;

export const UINT256_MAX = 2n ** 256n - 1n;

/** What a Solidity ≥ 0.8 contract would have reverted on. */
export class AccountingArithmeticError extends Error {
  override readonly name = "AccountingArithmeticError";
  constructor(
    readonly operation: "add" | "sub" | "mul" | "div" | "range",
    message: string,
  ) {
    super(message);
  }
}

function checked(operation: AccountingArithmeticError["operation"], value: bigint): bigint {
  if (value < 0n)
    throw new AccountingArithmeticError(operation, `uint256 underflow in ${operation}: ${value}`);
  if (value > UINT256_MAX) throw new AccountingArithmeticError(operation, `uint256 overflow in ${operation}`);
  return value;
}

function operand(value: bigint): bigint {
  return checked("range", value);
}

/** Checked unsigned 256-bit arithmetic on bigint. */
export const u256 = {
  /** `value` itself when it is a uint256, else throws (a negative metric, say). */
  check: (value: bigint): bigint => operand(value),
  add: (a: bigint, b: bigint): bigint => checked("add", operand(a) + operand(b)),
  sub: (a: bigint, b: bigint): bigint => checked("sub", operand(a) - operand(b)),
  mul: (a: bigint, b: bigint): bigint => checked("mul", operand(a) * operand(b)),
  /** Truncating division (bigint `/` truncates toward zero, which for unsigned operands is floor). */
  div: (a: bigint, b: bigint): bigint => {
    operand(a);
    if (operand(b) === 0n) throw new AccountingArithmeticError("div", "uint256 division by zero");
    return a / b;
  },
} as const;

/** Exact decimal rendering ("12.5 tokens"), shared with the console. */
export { formatTokens };

/**
 * Parses a token amount written by a person ("12.5", "0.1 token", "3 tokens")
 * into units. At most 8 decimals (finer is not an amount of units); no sign,
 * exponent or thousands separator. Throws a DomainError("invalid").
 */
export function parseTokens(text: string, field?: string): bigint {
  const units = tokensToUnits(text);
  if (units === null) {
    throw new DomainError(
      "invalid",
      `"${text.slice(0, 40)}" is not a token amount: write a non-negative number with at most 8 decimals, like 12.5`,
      field,
    );
  }
  if (units > UINT256_MAX) throw new DomainError("invalid", "The amount is larger than a uint256", field);
  return units;
}

const UNITS_TEXT = /^\d{1,78}$/;

/** Parses an amount in units as carried by JSON/REST (a decimal string of digits, ≤ uint256). */
export function parseUnits(text: string, field?: string): bigint {
  if (!UNITS_TEXT.test(text)) {
    throw new DomainError("invalid", 'An amount in units is a string of digits, like "100000000"', field);
  }
  const units = BigInt(text);
  if (units > UINT256_MAX) throw new DomainError("invalid", "The amount is larger than a uint256", field);
  return units;
}
