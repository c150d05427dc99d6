import { z } from "zod";
import type { LedgerAccount } from "@/generated/prisma/client";
import type { LedgerAccountKind } from "@/generated/prisma/enums";
import { messages, outboxRow, type TransactionClient } from "@/server/bus";
import { DomainError, parseOrThrow } from "@/server/errors";
import { GENESIS_HASH, transactionHash } from "./canonical";

/**
 * The MOCA ledger: accounts and transfers between them in units (1 token =
 * 10^8 units), append-only (the database refuses UPDATE, DELETE and TRUNCATE)
 * and hash-chained — each transaction's hash covers its content and the
 * previous transaction's hash, so changing or removing any past transaction
 * breaks every later hash. Balances are kept in `ledger_accounts` in the
 * same transaction as every append; verification checks them against the sum.
 */
export { GENESIS_HASH } from "./canonical";

/** Serialises appends: the chain has exactly one tip. */
const LEDGER_LOCK_KEY = 7_236_418_112;

/** The largest amount (and balance) a bigint column holds: about 92 billion tokens. */
export const MAX_LEDGER_AMOUNT = 2n ** 63n - 1n;

export const PLATFORM_ACCOUNT = "platform";
export const clusterAccount = (clusterId: string): string => `cluster:${clusterId}`;
export const workloadAccount = (workloadId: number | string): string => `workload:${workloadId}`;
export const userAccount = (userId: string): string => `user:${userId}`;

const ACCOUNT_PREFIX: Record<LedgerAccountKind, string> = {
  CLUSTER: "cluster:",
  WORKLOAD: "workload:",
  USER: "user:",
  PLATFORM: PLATFORM_ACCOUNT,
};

const accountId = z
  .string()
  .regex(
    /^(platform|(cluster|workload|user):[A-Za-z0-9._-]{1,100})$/,
    "expected platform, cluster:<id>, workload:<id> or user:<id>",
  );
/** Letters, digits and a few separators, no whitespace: rules and references are keys people filter on. */
const rule = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, "expected a lower-case rule name (a-z, 0-9, -)");
const reference = z
  .string()
  .min(1)
  .max(300)
  .regex(/^[\x21-\x7e]+$/, "expected printable ASCII without spaces");
/** ASCII keys, so that their order is the same in TypeScript and in SQL (COLLATE "C"). */
const inputKey = z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/, "expected an ASCII metric name");
const inputValue = z
  .string()
  .max(1_000)
  // jsonb cannot store NUL; other control characters would make exported rows hard to read.
  .regex(/^[^\x00-\x1f]*$/, "expected text without control characters");

const appendInputSchema = z
  .object({
    from: accountId,
    to: accountId,
    amount: z
      .bigint()
      .positive("expected an amount greater than 0")
      .max(MAX_LEDGER_AMOUNT, "expected an amount that fits a bigint"),
    rule,
    periodStart: z.date().nullish(),
    reference,
    inputs: z
      .record(inputKey, inputValue)
      .refine((inputs) => Object.keys(inputs).length <= 64, "expected at most 64 inputs"),
  })
  .refine((t) => t.from !== t.to, { message: "from and to must be different accounts", path: ["to"] });

export interface LedgerTransactionInput {
  from: string;
  to: string;
  /** Units, > 0. */
  amount: bigint;
  /** `registration` | `compute` | `network` | `ml` | `data` | `conversion` | … */
  rule: string;
  periodStart?: Date | null;
  /** Idempotency key: a second append with the same reference appends nothing. */
  reference: string;
  /** Every metric and rate used, as strings, so that anyone can recompute the amount. */
  inputs: Record<string, string>;
}

export type AppendResult =
  | { appended: true; sequence: bigint; hash: string; reference: string }
  | { appended: false; reference: string };

export interface AppendOptions {
  /** The transaction's `created_at` (millisecond precision); the clock's now by default. */
  at?: Date;
}

export interface EnsureAccountInput {
  id: string;
  kind: LedgerAccountKind;
  ownerUserId?: string | null;
  displayName: string;
}

/**
 * Creates the account if it does not exist (idempotent): the name and owner
 * of an existing account are left as they are. Throws "invalid" when the id
 * does not match its kind.
 */
export async function ensureLedgerAccount(
  tx: TransactionClient,
  input: EnsureAccountInput,
  options: AppendOptions = {},
): Promise<LedgerAccount> {
  const id = parseOrThrow(accountId, input.id, "id");
  const prefix = ACCOUNT_PREFIX[input.kind];
  if (input.kind === "PLATFORM" ? id !== prefix : !id.startsWith(prefix))
    throw new DomainError("invalid", `A ${input.kind} account id starts with "${prefix}".`, "id");
  // ON CONFLICT DO NOTHING: two registrations racing for one account neither fail nor abort their transaction.
  await tx.ledgerAccount.createMany({
    data: [
      {
        id,
        kind: input.kind,
        ownerUserId: input.ownerUserId ?? null,
        displayName: input.displayName.slice(0, 200),
        ...(options.at && { registeredAt: options.at }),
      },
    ],
    skipDuplicates: true,
  });
  return tx.ledgerAccount.findUniqueOrThrow({ where: { id } });
}

/**
 * Appends one transaction at the tip of the chain inside the caller's
 * transaction: both balances move and an `accounting.transaction` message is
 * written to the outbox with it. Exactly once per `reference`: when it is
 * already on the ledger nothing is written and `{ appended: false }` comes
 * back. Both accounts must exist (`ensureLedgerAccount`).
 */
export async function appendLedgerTransaction(
  tx: TransactionClient,
  input: LedgerTransactionInput,
  options: AppendOptions = {},
): Promise<AppendResult> {
  const [result] = await appendLedgerTransactions(tx, [input], options);
  return result!;
}

/** The same rules as `appendInputSchema`, as plain checks: zod's per-field walk costs ~80 µs a transaction. */
const ACCOUNT_ID = /^(platform|(cluster|workload|user):[A-Za-z0-9._-]{1,100})$/;
const RULE = /^[a-z][a-z0-9-]{0,31}$/;
const REFERENCE = /^[\x21-\x7e]+$/;
const INPUT_KEY = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
const INPUT_VALUE = /^[^\x00-\x1f]*$/;

/**
 * True only when `appendInputSchema` certainly accepts `t` (a subset of what
 * it accepts: plain objects, valid dates); anything else goes through the
 * schema, which names the field.
 */
function plainlyValid(t: LedgerTransactionInput): boolean {
  if (typeof t.from !== "string" || typeof t.to !== "string" || t.from === t.to) return false;
  if (!ACCOUNT_ID.test(t.from) || !ACCOUNT_ID.test(t.to)) return false;
  if (typeof t.amount !== "bigint" || t.amount <= 0n || t.amount > MAX_LEDGER_AMOUNT) return false;
  if (typeof t.rule !== "string" || !RULE.test(t.rule)) return false;
  const period = t.periodStart;
  if (period !== undefined && period !== null && !(period instanceof Date && !Number.isNaN(period.getTime())))
    return false;
  if (typeof t.reference !== "string" || t.reference.length > 300 || !REFERENCE.test(t.reference))
    return false;
  const inputs: unknown = t.inputs;
  if (typeof inputs !== "object" || inputs === null) return false;
  const proto: unknown = Object.getPrototypeOf(inputs);
  if (proto !== Object.prototype && proto !== null) return false;
  let count = 0;
  for (const [key, value] of Object.entries(inputs as Record<string, unknown>)) {
    if (++count > 64 || !INPUT_KEY.test(key)) return false;
    if (typeof value !== "string" || value.length > 1_000 || !INPUT_VALUE.test(value)) return false;
  }
  return true;
}

type ValidInput = Omit<LedgerTransactionInput, "periodStart"> & { periodStart?: Date | null };

function validInput(input: LedgerTransactionInput, field: string | undefined): ValidInput {
  if (!plainlyValid(input)) return parseOrThrow(appendInputSchema, input, field);
  return {
    from: input.from,
    to: input.to,
    amount: input.amount,
    rule: input.rule,
    periodStart: input.periodStart ?? null,
    reference: input.reference,
    inputs: { ...input.inputs },
  };
}

/**
 * Appends many transactions with one lock, one read of the references and
 * the tip, and one statement that inserts the transactions, moves the
 * balances and writes the outbox (a billing run appends thousands); results
 * are in input order. A reference repeated in the batch or already on the
 * ledger is appended once. The hashes are chained here, in order, from the
 * tip read under the lock.
 */
export async function appendLedgerTransactions(
  tx: TransactionClient,
  inputs: readonly LedgerTransactionInput[],
  options: AppendOptions = {},
): Promise<AppendResult[]> {
  if (inputs.length === 0) return [];
  const valid = inputs.map((input, i) =>
    validInput(input, inputs.length === 1 ? undefined : `transactions.${i}`),
  );
  const createdAt = new Date((options.at ?? new Date()).getTime());
  const createdAtIso = createdAt.toISOString();

  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${LEDGER_LOCK_KEY})`;
  const references = [...new Set(valid.map((t) => t.reference))];
  // Qualified: a bare `sequence` in ORDER BY would sort by the text output column.
  const known = await tx.$queryRaw<
    { reference: string | null; sequence: string | null; hash: string | null }[]
  >`
    SELECT reference, NULL::text AS sequence, NULL::text AS hash
      FROM ledger_transactions WHERE reference = ANY(${references}::text[])
    UNION ALL
    (SELECT NULL, t.sequence::text, t.hash FROM ledger_transactions t ORDER BY t.sequence DESC LIMIT 1)`;
  const existing = new Set<string>();
  let sequence = 0n;
  let prevHash = GENESIS_HASH;
  for (const row of known) {
    if (row.reference !== null) existing.add(row.reference);
    else if (row.sequence !== null && row.hash !== null) {
      sequence = BigInt(row.sequence);
      prevHash = row.hash;
    }
  }

  /** One row of the insert; the outbox payload is built in SQL from the same row. */
  const rows: {
    sequence: string;
    fromAccount: string;
    toAccount: string;
    amount: string;
    rule: string;
    periodStart: string | null;
    reference: string;
    inputs: Record<string, string>;
    prevHash: string;
    hash: string;
  }[] = [];
  const deltas = new Map<string, bigint>();
  const results: AppendResult[] = valid.map((t) => {
    if (existing.has(t.reference)) return { appended: false, reference: t.reference };
    existing.add(t.reference);
    sequence += 1n;
    const periodStart = t.periodStart ? new Date(t.periodStart.getTime()) : null;
    const hash = transactionHash({
      sequence,
      fromAccount: t.from,
      toAccount: t.to,
      amount: t.amount,
      rule: t.rule,
      periodStart,
      reference: t.reference,
      inputs: t.inputs,
      prevHash,
      createdAt,
    });
    rows.push({
      sequence: sequence.toString(),
      fromAccount: t.from,
      toAccount: t.to,
      amount: t.amount.toString(),
      rule: t.rule,
      periodStart: periodStart?.toISOString() ?? null,
      reference: t.reference,
      inputs: t.inputs,
      prevHash,
      hash,
    });
    prevHash = hash;
    deltas.set(t.from, (deltas.get(t.from) ?? 0n) - t.amount);
    deltas.set(t.to, (deltas.get(t.to) ?? 0n) + t.amount);
    return { appended: true, sequence, hash, reference: t.reference };
  });
  if (rows.length === 0) return results;

  // The outbox message's shape is checked once (every payload is built from rows checked above).
  const first = rows[0]!;
  const outbox = outboxRow(messages.accountingTransaction, {
    sequence: first.sequence,
    from: first.fromAccount,
    to: first.toAccount,
    amount: first.amount,
    rule: first.rule,
    period_start: first.periodStart,
    reference: first.reference,
    hash: first.hash,
    created_at: createdAtIso,
  });
  const ids = [...deltas.keys()];
  // bigint overflow of a balance raises in PostgreSQL and rolls the whole append back.
  const [written] = await tx.$queryRawUnsafe<{ accounts: number }[]>(
    `WITH r AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(
         "sequence" bigint, "fromAccount" text, "toAccount" text, "amount" bigint, "rule" text,
         "periodStart" text, "reference" text, "inputs" jsonb, "prevHash" text, "hash" text)
     ), appended AS (
       INSERT INTO ledger_transactions
         (sequence, from_account, to_account, amount, rule, period_start, reference, inputs, prev_hash, hash, created_at)
       SELECT "sequence", "fromAccount", "toAccount", "amount", "rule", "periodStart"::timestamptz, "reference",
              "inputs", "prevHash", "hash", $2::timestamptz
       FROM r
     ), balances AS (
       UPDATE ledger_accounts a SET balance = a.balance + d.delta
       FROM unnest($3::text[], $4::bigint[]) AS d(id, delta)
       WHERE a.id = d.id
       RETURNING 1
     ), announced AS (
       INSERT INTO outbox_messages (id, exchange, routing_key, payload, headers)
       SELECT gen_random_uuid(), $5, $6,
              jsonb_build_object('sequence', "sequence"::text, 'from', "fromAccount", 'to', "toAccount",
                                 'amount', "amount"::text, 'rule', "rule", 'period_start', "periodStart",
                                 'reference', "reference", 'hash', "hash", 'created_at', $7::text),
              $8::jsonb
       FROM r
     )
     SELECT (SELECT count(*) FROM balances)::int AS accounts`,
    JSON.stringify(rows),
    createdAtIso,
    ids,
    ids.map((id) => deltas.get(id)!.toString()),
    outbox.exchange,
    outbox.routingKey,
    createdAtIso,
    JSON.stringify(outbox.headers),
  );
  const updated = written?.accounts ?? 0;
  if (updated !== ids.length) throw new Error(`ledger: ${ids.length - updated} account(s) missing`);
  return results;
}
