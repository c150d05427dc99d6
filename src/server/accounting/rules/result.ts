/**
 * What every rule returns: the amount in units (may be 0: nothing to charge)
 * and every metric and rate it used, as strings, so anyone can recompute the
 * amount from the ledger transaction alone.
 */
export interface RuleResult {
  amount: bigint;
  inputs: Record<string, string>;
}
