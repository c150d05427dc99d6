import { TOKEN, u256 } from "../units";
import type { RuleResult } from "./result";

/**
 * Network rule (instances of workloads with ingress support): the bytes sent
 * and received in the period, expressed as GB · 10^8 (1 GB = 10^9 bytes, so
 * `usage = bytes · 10^8 / 10^9`, multiplied first so it truncates once); the
 * first 5 GB (`500000000`) are free, above them
 *
 *   amount = (usage − 500000000) · chargePerGb / 10^8
 *
 * with chargePerGb in units per GB (admin-set, default 10^7 = 0.1 token).
 */
export const FREE_NETWORK_USAGE = 5n * TOKEN; // 5 GB · 10^8
const BYTES_PER_GB = 10n ** 9n;

export interface NetworkInput {
  /** Bytes the instance sent in the period. */
  bytesSent: bigint;
  /** Bytes the instance received in the period. */
  bytesReceived: bigint;
  /** Units per GB above the free allowance (accounting settings). */
  chargePerGb: bigint;
}

export function networkCharge(input: NetworkInput): RuleResult {
  const bytes = u256.add(input.bytesSent, input.bytesReceived);
  const usage = u256.div(u256.mul(bytes, TOKEN), BYTES_PER_GB);
  const amount =
    usage > FREE_NETWORK_USAGE
      ? u256.div(u256.mul(u256.sub(usage, FREE_NETWORK_USAGE), input.chargePerGb), TOKEN)
      : 0n;
  return {
    amount,
    inputs: {
      bytesSent: input.bytesSent.toString(),
      bytesReceived: input.bytesReceived.toString(),
      usage: usage.toString(),
      freeUsage: FREE_NETWORK_USAGE.toString(),
      chargePerGb: u256.check(input.chargePerGb).toString(),
    },
  };
}
