import type pg from "pg";
import type { Prisma } from "@/generated/prisma/client";
import { type Clock, systemClock } from "@/common/clock";
import { poolOf, type Db } from "@/server/db";
import { GENESIS_HASH, transactionHash, type HashedTransaction } from "./canonical";

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
    this.checked += 1;
    if (t.sequence !== this.next) {
      this.mismatch = {
        sequence: this.next,
        field: "missing",
        expected: this.next.toString(),
        found: t.sequence.toString(),
      };
      return false;
    }
    if (t.prevHash !== this.prevHash) {
      this.mismatch = { sequence: t.sequence, field: "prevHash", expected: this.prevHash, found: t.prevHash };
      return false;
    }
    const hash = transactionHash(t);
    if (hash !== t.hash) {
      this.mismatch = { sequence: t.sequence, field: "hash", expected: hash, found: t.hash };
      return false;
    }
    this.balances.set(t.fromAccount, (this.balances.get(t.fromAccount) ?? 0n) - t.amount);
    this.balances.set(t.toAccount, (this.balances.get(t.toAccount) ?? 0n) + t.amount);
    this.lastTouched.set(t.fromAccount, t.sequence);
    this.lastTouched.set(t.toAccount, t.sequence);
    this.prevHash = t.hash;
    this.lastSequence = t.sequence;
    this.next = t.sequence + 1n;
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

const PAGE_SIZE = 20_000;
const VERIFY_LOCK_KEY = 7_236_418_113;
/** Every column as text (no driver parsing): the verifier parses what it needs. */
const rawText = { getTypeParser: () => (value: string) => value } as unknown as pg.CustomTypesConfig;

// Qualified names: a bare `sequence` in ORDER BY would sort by the text output column.
const PAGE_SQL = `
  SELECT t.sequence::text, t.from_account, t.to_account, t.amount::text, t.rule,
         (extract(epoch FROM t.period_start) * 1000)::bigint::text,
         t.reference, t.inputs::text, t.prev_hash, t.hash,
         (extract(epoch FROM t.created_at) * 1000)::bigint::text
  FROM ledger_transactions t WHERE t.sequence > $1 ORDER BY t.sequence LIMIT ${PAGE_SIZE}`;

type PageRow = [
  string,
  string,
  string,
  string,
  string,
  string | null,
  string,
  string,
  string,
  string,
  string,
];

function fetchPage(client: pg.PoolClient, after: bigint): Promise<PageRow[]> {
  return client
    .query<PageRow>({ text: PAGE_SQL, values: [after.toString()], rowMode: "array", types: rawText })
    .then((r) => r.rows);
}

function toStored(row: PageRow): StoredTransaction {
  return {
    sequence: BigInt(row[0]),
    fromAccount: row[1],
    toAccount: row[2],
    amount: BigInt(row[3]),
    rule: row[4],
    periodStart: row[5] === null ? null : new Date(Number(row[5])),
    reference: row[6],
    inputs: JSON.parse(row[7]) as Record<string, string>,
    prevHash: row[8],
    hash: row[9],
    createdAt: new Date(Number(row[10])),
  };
}

/**
 * Recomputes the whole chain and the balances on one consistent snapshot
 * (a read-only repeatable-read transaction), reading pages of 20,000 rows
 * while the previous page is hashed. Also catches a lost tail: a chain
 * shorter than the longest one a past verification found intact.
 */
export async function verifyLedger(
  db: Db,
  options: { exclusive?: boolean } = {},
): Promise<LedgerVerificationResult> {
  const client = await poolOf(db).connect();
  const verifier = new LedgerChainVerifier();
  try {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    if (options.exclusive) {
      // One recorded verification at a time across replicas (each reads the whole ledger): a second waits.
      await client.query(`SELECT pg_advisory_xact_lock(${VERIFY_LOCK_KEY})`);
    }
    let pending: Promise<PageRow[]> | null = fetchPage(client, 0n);
    pages: while (pending) {
      const rows: PageRow[] = await pending;
      const last = rows.at(-1);
      pending = rows.length === PAGE_SIZE && last ? fetchPage(client, BigInt(last[0])) : null;
      for (const row of rows) {
        if (!verifier.push(toStored(row))) break pages;
      }
    }
    // A page still in flight after a mismatch must finish before the connection is reused.
    await pending?.catch(() => undefined);
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
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
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
