import { createHash } from "node:crypto";
import type { Prisma } from "@/generated/prisma/client";
import type { LedgerAccountKind } from "@/generated/prisma/enums";
import type { TransactionClient } from "@/server/bus";
import type { Db } from "@/server/db";

/**
 * The MOCA ledger: append-only (the database refuses UPDATE and DELETE) and
 * hash-chained — each entry's hash covers its fields and the previous entry's
 * hash, so changing or removing any past entry breaks every later hash.
 */
export const GENESIS_HASH = "0".repeat(64);
/** Serialises appends: the chain has exactly one tip. */
const LEDGER_LOCK_KEY = 7_236_418_112;

export interface LedgerEntryInput {
  accountId: string;
  accountKind: LedgerAccountKind;
  /** Millitokens; credits earned > 0, spent < 0. */
  amountMilli: bigint;
  kind: string;
  reference?: string;
  detail?: Prisma.InputJsonObject;
}

interface HashedFields {
  sequence: bigint;
  accountId: string;
  accountKind: string;
  amountMilli: bigint;
  kind: string;
  reference: string | null;
  detail: unknown;
  createdAt: Date;
}

/** Canonical JSON: sorted keys, so the same entry always hashes the same. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
}

export function ledgerHash(prevHash: string, entry: HashedFields): string {
  const body = canonical({
    sequence: entry.sequence.toString(),
    accountId: entry.accountId,
    accountKind: entry.accountKind,
    amountMilli: entry.amountMilli.toString(),
    kind: entry.kind,
    reference: entry.reference,
    detail: entry.detail ?? null,
    createdAt: entry.createdAt.toISOString(),
  });
  return createHash("sha256").update(prevHash).update(body).digest("hex");
}

/** Appends one entry at the tip of the chain, inside the caller's transaction. */
export async function appendLedgerEntry(tx: TransactionClient, input: LedgerEntryInput) {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${LEDGER_LOCK_KEY})`;
  const tip = await tx.ledgerEntry.findFirst({
    orderBy: { sequence: "desc" },
    select: { sequence: true, hash: true },
  });
  const sequence = (tip?.sequence ?? 0n) + 1n;
  const prevHash = tip?.hash ?? GENESIS_HASH;
  // Millisecond precision: what the timestamptz(3) column keeps, so verification recomputes the same hash.
  const createdAt = new Date(Math.floor(Date.now()));
  const fields: HashedFields = {
    sequence,
    accountId: input.accountId,
    accountKind: input.accountKind,
    amountMilli: input.amountMilli,
    kind: input.kind,
    reference: input.reference ?? null,
    detail: input.detail ?? null,
    createdAt,
  };
  return tx.ledgerEntry.create({
    data: {
      sequence,
      accountId: input.accountId,
      accountKind: input.accountKind,
      amountMilli: input.amountMilli,
      kind: input.kind,
      reference: input.reference ?? null,
      ...(input.detail !== undefined && { detail: input.detail }),
      prevHash,
      hash: ledgerHash(prevHash, fields),
      createdAt,
    },
  });
}

export interface LedgerVerification {
  ok: boolean;
  entries: number;
  /** The first entry whose hash or link does not match, if any. */
  brokenAt?: bigint;
  reason?: string;
}

/** Recomputes the whole chain. */
export async function verifyLedger(db: Db | TransactionClient): Promise<LedgerVerification> {
  const entries = await db.ledgerEntry.findMany({ orderBy: { sequence: "asc" } });
  let prevHash = GENESIS_HASH;
  for (const entry of entries) {
    if (entry.prevHash !== prevHash) {
      return {
        ok: false,
        entries: entries.length,
        brokenAt: entry.sequence,
        reason: "link to the previous entry is broken",
      };
    }
    const expected = ledgerHash(prevHash, { ...entry, detail: entry.detail });
    if (entry.hash !== expected) {
      return {
        ok: false,
        entries: entries.length,
        brokenAt: entry.sequence,
        reason: "entry does not match its hash",
      };
    }
    prevHash = entry.hash;
  }
  return { ok: true, entries: entries.length };
}

export async function accountBalance(db: Db, accountId: string): Promise<bigint> {
  const sum = await db.ledgerEntry.aggregate({ where: { accountId }, _sum: { amountMilli: true } });
  return sum._sum.amountMilli ?? 0n;
}
