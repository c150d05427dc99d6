/**
 * Token amounts for people, shared by the server and the console: 1 token =
 * 10^8 units, written exactly (no floating point). The server's checked
 * uint256 arithmetic is src/server/accounting/units.ts.
 */
export const UNITS_PER_TOKEN = 10n ** 8n;
const DECIMALS = 8;

/** 1_250_000_000n → "12.5 tokens", 10^8 → "1 token", 1n → "0.00000001 tokens"; a negative keeps its sign. */
export function formatTokens(units: bigint): string {
  const negative = units < 0n;
  const magnitude = negative ? -units : units;
  const whole = magnitude / UNITS_PER_TOKEN;
  const fraction = (magnitude % UNITS_PER_TOKEN).toString().padStart(DECIMALS, "0").replace(/0+$/, "");
  const number = `${negative ? "-" : ""}${whole}${fraction ? `.${fraction}` : ""}`;
  return `${number} ${magnitude === UNITS_PER_TOKEN ? "token" : "tokens"}`;
}

const TOKENS_TEXT = /^(\d{1,70})(?:\.(\d{1,8}))?(?:\s*tokens?)?$/;

/**
 * "12.5", "0.1 token", "3 tokens" → units; null when the text is not a
 * non-negative amount with at most 8 decimals (no sign, exponent or separators).
 */
export function tokensToUnits(text: string): bigint | null {
  if (text.length > 100) return null;
  const match = TOKENS_TEXT.exec(text.trim());
  if (!match) return null;
  return BigInt(match[1] ?? "0") * UNITS_PER_TOKEN + BigInt((match[2] ?? "").padEnd(DECIMALS, "0"));
}
