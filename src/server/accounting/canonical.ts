import { createHash } from "node:crypto";

/**
 * The canonical bytes a ledger transaction's hash covers, and the hash.
 *
 * Every field is written as `<UTF-8 byte length>:<text>` in a fixed order, so
 * no value can be mistaken for a separator and two different transactions
 * never share an encoding. Inputs are their keys in byte order, each key and
 * value length-prefixed. Times are ISO-8601 UTC at millisecond precision (what
 * the timestamptz(3) columns keep), an absent period the empty string.
 *
 * The migration that moved the millitoken entries builds the same bytes in SQL
 * (`nemo_ledger_hash`), so anyone can recompute a hash with either.
 */
export const GENESIS_HASH = "0".repeat(64);
export const CANONICAL_VERSION = "nemo-ledger/v1";

/** What a hash covers: every column except the hash itself. */
export interface HashedTransaction {
  sequence: bigint;
  fromAccount: string;
  toAccount: string;
  amount: bigint;
  rule: string;
  periodStart: Date | null;
  reference: string;
  inputs: Readonly<Record<string, string>>;
  createdAt: Date;
  prevHash: string;
}

function field(value: string): string {
  return `${Buffer.byteLength(value, "utf8")}:${value}`;
}

const VERSION_FIELD = field(CANONICAL_VERSION);

function canonicalInputs(inputs: Readonly<Record<string, string>>): string {
  // Keys are ASCII (checked on append), where code-unit order is byte order — SQL's COLLATE "C".
  const keys = Object.keys(inputs).sort();
  let out = "";
  for (const key of keys) out += field(key) + field(String(inputs[key]));
  return out;
}

function canonicalTime(at: Date | null): string {
  return at === null ? "" : at.toISOString();
}

export function canonicalTransaction(t: HashedTransaction): string {
  return (
    VERSION_FIELD +
    field(t.sequence.toString()) +
    field(t.fromAccount) +
    field(t.toAccount) +
    field(t.amount.toString()) +
    field(t.rule) +
    field(canonicalTime(t.periodStart)) +
    field(t.reference) +
    field(canonicalInputs(t.inputs)) +
    field(canonicalTime(t.createdAt)) +
    field(t.prevHash)
  );
}

/** sha256 (hex) of the transaction's canonical bytes, which include the previous hash. */
export function transactionHash(t: HashedTransaction): string {
  return createHash("sha256").update(canonicalTransaction(t), "utf8").digest("hex");
}
