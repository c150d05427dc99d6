import type pg from "pg";
import type { Prisma } from "@/generated/prisma/client";
import { type Clock, systemClock } from "@/common/clock";
import { poolOf, type Db } from "@/server/db";
import { StringDecoder } from "node:string_decoder";
import { to as copyTo } from "pg-copy-streams";
import {
  canonicalTransactionText,
  GENESIS_HASH,
  sha256Hex,
  transactionHash,
  type HashedTransaction,
  type TextTransaction,
} from "./canonical";

/**
 * Ledger verification: recompute the chain from genesis and the balances from
 * the transactions, and name the first thing that does not match.
 */

export type LedgerMismatchField = "hash" | "prevHash" | "balance" | "missing";

export interface LedgerMismatch {
  /** The transaction where the chain breaks; for a balance, the last transaction that touched the account (0 if none). */
  sequence: bigint;
  field: LedgerMismatchField;
  expected: string;
  found: string;
  /** The account whose balance differs (field `balance`). */
  account?: string;
}

export interface LedgerVerificationResult {
  ok: boolean;
  /** Transactions checked (up to and including the first mismatch). */
  checked: number;
  /** The last sequence on the ledger that was checked and matched. */
  lastSequence: bigint;
  firstMismatch?: LedgerMismatch;
}

export interface StoredTransaction extends HashedTransaction {
  hash: string;
}

/**
 * The chain check itself, one transaction at a time in sequence order: the
 * sequence is the next one (nothing deleted), the previous hash is the last
 * transaction's hash, the hash is recomputed from the content. Balances are
 * summed on the way for `checkBalances`. Shared by `verifyLedger` and the
 * benchmark.
 */
export class LedgerChainVerifier {
  private prevHash = GENESIS_HASH;
  private next = 1n;
  private readonly balances = new Map<string, bigint>();
  private readonly lastTouched = new Map<string, bigint>();
  checked = 0;
  lastSequence = 0n;
  mismatch: LedgerMismatch | undefined;

  /** Checks one transaction; false once a mismatch was found (stop feeding). */
  push(t: StoredTransaction): boolean {
    if (this.mismatch) return false;
    return this.accept(t.sequence, t, t.amount, t.hash, () => transactionHash(t));
  }

  /**
   * The same check on the text form verification reads (`readLedgerText`):
   * the hash over the canonical bytes built from the text, no Dates made.
   */
  pushText(t: StoredTextTransaction): boolean {
    if (this.mismatch) return false;
    return this.accept(BigInt(t.sequence), t, BigInt(t.amount), t.hash, () =>
      sha256Hex(canonicalTransactionText(t)),
    );
  }

  private accept(
    sequence: bigint,
    t: { fromAccount: string; toAccount: string; prevHash: string },
    amount: bigint,
    stored: string,
    recompute: () => string,
  ): boolean {
    this.checked += 1;
    if (sequence !== this.next) {
      this.mismatch = {
        sequence: this.next,
        field: "missing",
        expected: this.next.toString(),
        found: sequence.toString(),
      };
      return false;
    }
    if (t.prevHash !== this.prevHash) {
      this.mismatch = { sequence, field: "prevHash", expected: this.prevHash, found: t.prevHash };
      return false;
    }
    const hash = recompute();
    if (hash !== stored) {
      this.mismatch = { sequence, field: "hash", expected: hash, found: stored };
      return false;
    }
    this.balances.set(t.fromAccount, (this.balances.get(t.fromAccount) ?? 0n) - amount);
    this.balances.set(t.toAccount, (this.balances.get(t.toAccount) ?? 0n) + amount);
    this.lastTouched.set(t.fromAccount, sequence);
    this.lastTouched.set(t.toAccount, sequence);
    this.prevHash = stored;
    this.lastSequence = sequence;
    this.next = sequence + 1n;
    return true;
  }

  /** A chain shorter than one already verified lost its tail: the first lost sequence is missing. */
  checkLength(verifiedUpTo: bigint): boolean {
    if (this.mismatch || verifiedUpTo <= this.lastSequence) return !this.mismatch;
    this.mismatch = {
      sequence: this.next,
      field: "missing",
      expected: verifiedUpTo.toString(),
      found: this.lastSequence.toString(),
    };
    return false;
  }

  /** Every stored balance equals the sum of the account's transactions (accounts ordered by id). */
  checkBalances(accounts: Iterable<{ id: string; balance: bigint }>): boolean {
    if (this.mismatch) return false;
    const seen = new Set<string>();
    for (const account of accounts) {
      seen.add(account.id);
      const expected = this.balances.get(account.id) ?? 0n;
      if (account.balance !== expected) {
        this.mismatch = {
          sequence: this.lastTouched.get(account.id) ?? 0n,
          field: "balance",
          expected: expected.toString(),
          found: account.balance.toString(),
          account: account.id,
        };
        return false;
      }
    }
    for (const [id, expected] of this.balances) {
      // Foreign keys make this impossible unless an account row was removed behind the database's back.
      if (!seen.has(id) && expected !== 0n) {
        this.mismatch = {
          sequence: this.lastTouched.get(id) ?? 0n,
          field: "balance",
          expected: expected.toString(),
          found: "no account",
          account: id,
        };
        return false;
      }
    }
    return true;
  }

  result(): LedgerVerificationResult {
    return {
      ok: !this.mismatch,
      checked: this.checked,
      lastSequence: this.lastSequence,
      ...(this.mismatch && { firstMismatch: this.mismatch }),
    };
  }
}

/** Rows per COPY: a mismatch stops the reading at the end of its page at the latest. */
export const VERIFY_PAGE_ROWS = 100_000;
const VERIFY_LOCK_KEY = 7_236_418_113;
/** Every column as text (no driver parsing): the verifier parses what it needs. */
const rawText = { getTypeParser: () => (value: string) => value } as unknown as pg.CustomTypesConfig;

/** A stored transaction in its text form, with its stored hash. */
export interface StoredTextTransaction extends TextTransaction {
  hash: string;
}

// Times as ISO-8601 UTC with milliseconds, the canonical form, made by PostgreSQL (on the other core).
const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;
/** One page, in sequence order; `after` is a bigint's decimal text (COPY takes no parameters). */
const pageSql = (after: bigint, rows: number): string => `
  COPY (SELECT t.sequence, t.from_account, t.to_account, t.amount, t.rule,
               coalesce(to_char(t.period_start AT TIME ZONE 'UTC', ${ISO}), ''),
               t.reference, t.inputs, to_char(t.created_at AT TIME ZONE 'UTC', ${ISO}), t.prev_hash, t.hash
          FROM ledger_transactions t WHERE t.sequence > ${after.toString()}
         ORDER BY t.sequence LIMIT ${rows}) TO STDOUT`;

const ESCAPES: Record<string, string> = { b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v" };
/** COPY's text format escapes a backslash and the control characters; undone only where there is one. */
function unescapeCopy(value: string): string {
  if (!value.includes("\\")) return value;
  return value.replace(/\\(.)/g, (_m, c: string) => ESCAPES[c] ?? c);
}

function textRow(line: string): StoredTextTransaction {
  const f = line.split("\t");
  if (f.length !== 11) throw new Error(`ledger verification: a COPY row has ${f.length} fields, not 11`);
  return {
    sequence: f[0]!,
    fromAccount: unescapeCopy(f[1]!),
    toAccount: unescapeCopy(f[2]!),
    amount: f[3]!,
    rule: unescapeCopy(f[4]!),
    periodStart: f[5]!,
    reference: unescapeCopy(f[6]!),
    inputs: unescapeCopy(f[7]!),
    createdAt: f[8]!,
    prevHash: unescapeCopy(f[9]!),
    hash: unescapeCopy(f[10]!),
  };
}

/**
 * Streams the ledger in sequence order with `COPY … TO STDOUT` (text), page
 * after page, handing each row to `onRow` as it arrives: PostgreSQL produces
 * the next bytes while this process hashes the last ones. `onRow` returning
 * false stops the hashing; the page in flight is drained (unparsed) so the
 * connection stays usable. Runs on the caller's client and transaction.
 */
export async function readLedgerText(
  client: pg.ClientBase,
  onRow: (row: StoredTextTransaction) => boolean,
  options: { pageRows?: number } = {},
): Promise<void> {
  const pageRows = options.pageRows ?? VERIFY_PAGE_ROWS;
  let after = 0n;
  for (;;) {
    const stream = client.query(copyTo(pageSql(after, pageRows)));
    const decoder = new StringDecoder("utf8");
    let rest = "";
    let rows = 0;
    let stopped = false;
    let last: string | null = null;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (stopped) continue;
      const text = rest + decoder.write(chunk);
      let start = 0;
      for (let end = text.indexOf("\n"); end !== -1; end = text.indexOf("\n", start)) {
        const row = textRow(text.slice(start, end));
        start = end + 1;
        rows += 1;
        last = row.sequence;
        if (!onRow(row)) {
          stopped = true;
          break;
        }
      }
      rest = stopped ? "" : text.slice(start);
    }
    if (stopped || rows < pageRows || last === null) return;
    after = BigInt(last);
  }
}

/**
 * Recomputes the whole chain and the balances on one consistent snapshot
 * (a read-only repeatable-read transaction), streamed with COPY in pages of
 * 100,000 rows and hashed as the bytes arrive (`readLedgerText`). Also catches a lost tail: a chain
 * shorter than the longest one a past verification found intact.
 */
export async function verifyLedger(
  db: Db,
  options: { exclusive?: boolean } = {},
): Promise<LedgerVerificationResult> {
  const client = await poolOf(db).connect();
  const verifier = new LedgerChainVerifier();
  let failed: Error | undefined;
  try {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    if (options.exclusive) {
      // One recorded verification at a time across replicas (each reads the whole ledger): a second waits.
      await client.query(`SELECT pg_advisory_xact_lock(${VERIFY_LOCK_KEY})`);
    }
    await readLedgerText(client, (row) => verifier.pushText(row));
    if (!verifier.mismatch) {
      const verified = await client.query<{ upto: string | null }>(
        `SELECT max(last_sequence)::text AS upto FROM ledger_verifications WHERE ok`,
      );
      verifier.checkLength(BigInt(verified.rows[0]?.upto ?? "0"));
    }
    if (!verifier.mismatch) {
      const accounts = await client.query<{ id: string; balance: string }>({
        text: `SELECT id, balance::text AS balance FROM ledger_accounts ORDER BY id`,
        types: rawText,
      });
      verifier.checkBalances(accounts.rows.map((a) => ({ id: a.id, balance: BigInt(a.balance) })));
    }
    await client.query("COMMIT");
  } catch (error) {
    // A COPY cut short leaves the connection mid-protocol: it is closed, not pooled.
    failed = error instanceof Error ? error : new Error(String(error));
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release(failed);
  }
  return verifier.result();
}

export interface VerificationRecord extends LedgerVerificationResult {
  verifiedAt: Date;
  verifiedBy: string;
  durationMs: number;
}

function mismatchJson(m: LedgerMismatch): Prisma.InputJsonObject {
  return {
    sequence: m.sequence.toString(),
    field: m.field,
    expected: m.expected,
    found: m.found,
    ...(m.account !== undefined && { account: m.account }),
  };
}

export interface VerifyOptions {
  /** Who asked: a user name, or `cli`. */
  by: string;
  clock?: Clock;
}

/** Verifies and records the result (last verified sequence, when, by whom). */
export async function runLedgerVerification(db: Db, options: VerifyOptions): Promise<VerificationRecord> {
  const clock = options.clock ?? systemClock;
  const started = clock();
  const result = await verifyLedger(db, { exclusive: true });
  const verifiedAt = new Date(clock());
  const durationMs = Math.max(0, verifiedAt.getTime() - started);
  await db.ledgerVerification.create({
    data: {
      ok: result.ok,
      checked: BigInt(result.checked),
      lastSequence: result.lastSequence,
      ...(result.firstMismatch && { firstMismatch: mismatchJson(result.firstMismatch) }),
      verifiedAt,
      verifiedBy: options.by.slice(0, 200),
      durationMs,
    },
  });
  return { ...result, verifiedAt, verifiedBy: options.by, durationMs };
}

const MISMATCH_FIELDS: readonly LedgerMismatchField[] = ["hash", "prevHash", "balance", "missing"];

/** The most recent verification, or null when the ledger was never verified. */
export async function lastLedgerVerification(db: Db): Promise<VerificationRecord | null> {
  const row = await db.ledgerVerification.findFirst({ orderBy: [{ verifiedAt: "desc" }, { id: "desc" }] });
  if (!row) return null;
  const m = row.firstMismatch as Record<string, string> | null;
  const field = MISMATCH_FIELDS.find((f) => f === m?.field);
  return {
    ok: row.ok,
    checked: Number(row.checked),
    lastSequence: row.lastSequence,
    ...(m &&
      field && {
        firstMismatch: {
          sequence: BigInt(m.sequence ?? "0"),
          field,
          expected: String(m.expected ?? ""),
          found: String(m.found ?? ""),
          ...(m.account !== undefined && { account: String(m.account) }),
        },
      }),
    verifiedAt: row.verifiedAt,
    verifiedBy: row.verifiedBy,
    durationMs: row.durationMs,
  };
}
