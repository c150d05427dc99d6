import { hash } from "node:crypto";

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

/** sha256 (hex) of UTF-8 text, one shot (no Hash object per transaction). */
export function sha256Hex(text: string): string {
  return hash("sha256", text, "hex");
}

/** sha256 (hex) of the transaction's canonical bytes, which include the previous hash. */
export function transactionHash(t: HashedTransaction): string {
  return sha256Hex(canonicalTransaction(t));
}

/**
 * A stored transaction as text, the form verification reads it in: integers
 * in decimal, times already ISO-8601 UTC with milliseconds (an absent period
 * the empty string), inputs as the JSON text of the column.
 */
export interface TextTransaction {
  sequence: string;
  fromAccount: string;
  toAccount: string;
  amount: string;
  rule: string;
  periodStart: string;
  reference: string;
  inputs: string;
  createdAt: string;
  prevHash: string;
}

/**
 * The same canonical bytes as `canonicalTransaction`, built from the text
 * form without making bigints and Dates first (verification reads a million
 * rows). A bigint's decimal text is its `toString()`.
 */
export function canonicalTransactionText(t: TextTransaction): string {
  return (
    VERSION_FIELD +
    field(t.sequence) +
    field(t.fromAccount) +
    field(t.toAccount) +
    field(t.amount) +
    field(t.rule) +
    field(t.periodStart) +
    field(t.reference) +
    field(canonicalInputs(JSON.parse(t.inputs) as Record<string, string>)) +
    field(t.createdAt) +
    field(t.prevHash)
  );
}
