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

/**
 * Appends many transactions with one lock, one tip read, one insert, one
 * balance update and one outbox insert (a billing run appends thousands);
 * results are in input order. A reference repeated in the batch or already on
 * the ledger is appended once.
 */
export async function appendLedgerTransactions(
  tx: TransactionClient,
  inputs: readonly LedgerTransactionInput[],
  options: AppendOptions = {},
): Promise<AppendResult[]> {
  if (inputs.length === 0) return [];
  const valid = inputs.map((input, i) =>
    parseOrThrow(appendInputSchema, input, inputs.length === 1 ? undefined : `transactions.${i}`),
  );
  const createdAt = new Date((options.at ?? new Date()).getTime());

  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${LEDGER_LOCK_KEY})`;
  const existing = new Set(
    (
      await tx.ledgerTransaction.findMany({
        where: { reference: { in: [...new Set(valid.map((t) => t.reference))] } },
        select: { reference: true },
      })
    ).map((t) => t.reference),
  );
  const tip = await tx.ledgerTransaction.findFirst({
    orderBy: { sequence: "desc" },
    select: { sequence: true, hash: true },
  });
  let sequence = tip?.sequence ?? 0n;
  let prevHash = tip?.hash ?? GENESIS_HASH;

  const rows: {
    sequence: bigint;
    fromAccount: string;
    toAccount: string;
    amount: bigint;
    rule: string;
    periodStart: Date | null;
    reference: string;
    inputs: Record<string, string>;
    prevHash: string;
    hash: string;
    createdAt: Date;
  }[] = [];
  const deltas = new Map<string, bigint>();
  const results: AppendResult[] = valid.map((t) => {
    if (existing.has(t.reference)) return { appended: false, reference: t.reference };
    existing.add(t.reference);
    sequence += 1n;
    const row = {
      sequence,
      fromAccount: t.from,
      toAccount: t.to,
      amount: t.amount,
      rule: t.rule,
      periodStart: t.periodStart ? new Date(t.periodStart.getTime()) : null,
      reference: t.reference,
      inputs: t.inputs,
      prevHash,
      createdAt,
      hash: "",
    };
    row.hash = transactionHash(row);
    prevHash = row.hash;
    rows.push(row);
    deltas.set(t.from, (deltas.get(t.from) ?? 0n) - t.amount);
    deltas.set(t.to, (deltas.get(t.to) ?? 0n) + t.amount);
    return { appended: true, sequence, hash: row.hash, reference: t.reference };
  });
  if (rows.length === 0) return results;

  await tx.ledgerTransaction.createMany({ data: rows });
  const ids = [...deltas.keys()];
  // bigint overflow of a balance raises in PostgreSQL and rolls the whole append back.
  const updated = await tx.$executeRaw`
    UPDATE ledger_accounts a SET balance = a.balance + d.delta
    FROM unnest(${ids}::text[], ${ids.map((id) => deltas.get(id)!.toString())}::bigint[]) AS d(id, delta)
    WHERE a.id = d.id`;
  if (updated !== ids.length) throw new Error(`ledger: ${ids.length - updated} account(s) missing`);
  await tx.outboxMessage.createMany({
    data: rows.map((row) =>
      outboxRow(messages.accountingTransaction, {
        sequence: row.sequence.toString(),
        from: row.fromAccount,
        to: row.toAccount,
        amount: row.amount.toString(),
        rule: row.rule,
        period_start: row.periodStart?.toISOString() ?? null,
        reference: row.reference,
        hash: row.hash,
        created_at: row.createdAt.toISOString(),
      }),
    ),
  });
  return results;
}
