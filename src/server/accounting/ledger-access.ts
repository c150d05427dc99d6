import type pg from "pg";
import { z } from "zod";
import type { LedgerAccountKind } from "@/generated/prisma/enums";
import type { Clock } from "@/common/clock";
import { hasRole, Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth";
import { poolOf, type Db } from "@/server/db";
import { DomainError, parseOrThrow } from "@/server/errors";
import { logger } from "@/server/logger";
import { roleGuard } from "@/server/role-guards";
import {
  lastLedgerVerification,
  runLedgerVerification,
  type LedgerMismatchField,
  type VerificationRecord,
} from "./verify";

/**
 * The ledger as people reach it (tRPC, REST, CLI): verification (admins) and
 * the transaction export, scoped by role and ownership — an admin sees every
 * account; a service provider their workloads' accounts and their own user
 * account; an infrastructure provider their clusters' accounts. Ownership is
 * the account's `owner_user_id`, set at registration from the cluster's or
 * workload's owner.
 */
const log = logger.child({ module: "ledger" });

export interface LedgerDeps {
  db: Db;
  user: SessionUser;
  clock?: Clock;
}

/** JSON-safe (amounts and sequences as decimal strings), the same for REST and tRPC. */
export interface LedgerVerificationView {
  ok: boolean;
  checked: number;
  lastSequence: string;
  firstMismatch: {
    sequence: string;
    field: LedgerMismatchField;
    expected: string;
    found: string;
    account: string | null;
  } | null;
  verifiedAt: string;
  verifiedBy: string;
  durationMs: number;
}

function verificationView(record: VerificationRecord): LedgerVerificationView {
  const m = record.firstMismatch;
  return {
    ok: record.ok,
    checked: record.checked,
    lastSequence: record.lastSequence.toString(),
    firstMismatch: m
      ? {
          sequence: m.sequence.toString(),
          field: m.field,
          expected: m.expected,
          found: m.found,
          account: m.account ?? null,
        }
      : null,
    verifiedAt: record.verifiedAt.toISOString(),
    verifiedBy: record.verifiedBy,
    durationMs: record.durationMs,
  };
}

const requireAdmin = roleGuard([Role.NEMO_ADMIN], "Only a NEMO admin can verify the ledger.");

/** Recomputes the chain and the balances and records the result (admins). */
export async function verifyLedgerAsAdmin(deps: LedgerDeps): Promise<LedgerVerificationView> {
  requireAdmin(deps.user);
  const record = await runLedgerVerification(deps.db, {
    by: deps.user.username,
    ...(deps.clock && { clock: deps.clock }),
  });
  const mismatch = record.firstMismatch;
  const fields = {
    user: deps.user.username,
    checked: record.checked,
    lastSequence: record.lastSequence.toString(),
    ms: record.durationMs,
  };
  if (mismatch)
    log.warn(
      { ...fields, sequence: mismatch.sequence.toString(), field: mismatch.field, account: mismatch.account },
      "ledger verification found a mismatch",
    );
  else log.info(fields, "ledger verified");
  return verificationView(record);
}

/** The last recorded verification (admins); null when the ledger was never verified. */
export async function lastLedgerVerificationView(deps: LedgerDeps): Promise<LedgerVerificationView | null> {
  requireAdmin(deps.user);
  const record = await lastLedgerVerification(deps.db);
  return record ? verificationView(record) : null;
}

// --- Export ---------------------------------------------------------------------

export const LEDGER_EXPORT_FORMATS = ["csv", "jsonl"] as const;
export type LedgerExportFormat = (typeof LEDGER_EXPORT_FORMATS)[number];

const exportTime = z.iso.datetime({
  offset: true,
  error: "Use an ISO-8601 date-time such as 2026-12-07T18:00:00Z.",
});

export const ledgerExportQuerySchema = z
  .object({
    format: z.enum(LEDGER_EXPORT_FORMATS, { error: "Format must be csv or jsonl." }).default("csv"),
    account: z
      .string()
      .regex(
        /^(platform|(cluster|workload|user):[A-Za-z0-9._-]{1,100})$/,
        "Account must be platform, cluster:<id>, workload:<id> or user:<id>.",
      )
      .optional(),
    rule: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,31}$/, "Rule must be a rule name such as compute or registration.")
      .optional(),
    /** Recorded at or after (inclusive). */
    from: exportTime.optional(),
    /** Recorded before (exclusive). */
    to: exportTime.optional(),
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) < Date.parse(q.to), {
    message: "From must be before to.",
    path: ["to"],
  });
export type LedgerExportQuery = z.input<typeof ledgerExportQuerySchema>;

const EXPORT_PAGE = 2_000;

type ExportRow = {
  sequence: string;
  created_at: string;
  from_account: string;
  to_account: string;
  amount: string;
  rule: string;
  period_start: string | null;
  reference: string;
  inputs: Record<string, string>;
  prev_hash: string;
  hash: string;
};

const CSV_COLUMNS = [
  "sequence",
  "created_at",
  "from",
  "to",
  "amount",
  "rule",
  "period_start",
  "reference",
  "inputs",
  "prev_hash",
  "hash",
] as const;

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

function exportRecord(row: ExportRow) {
  return {
    sequence: row.sequence,
    created_at: row.created_at,
    from: row.from_account,
    to: row.to_account,
    amount: row.amount,
    rule: row.rule,
    period_start: row.period_start,
    reference: row.reference,
    inputs: row.inputs,
    prev_hash: row.prev_hash,
    hash: row.hash,
  };
}

function formatRow(format: LedgerExportFormat, row: ExportRow): string {
  const record = exportRecord(row);
  if (format === "jsonl") return `${JSON.stringify(record)}\n`;
  return `${CSV_COLUMNS.map((c) => {
    const value = record[c];
    return csvCell(value === null ? "" : typeof value === "string" ? value : JSON.stringify(value));
  }).join(",")}\n`;
}

/** The account kinds a role sees by ownership; null: every account (admins). */
function visibleKinds(user: SessionUser): LedgerAccountKind[] | null {
  if (hasRole(user.roles, Role.NEMO_ADMIN)) return null;
  const kinds: LedgerAccountKind[] = [];
  if (hasRole(user.roles, Role.SERVICE_PROVIDER)) kinds.push("WORKLOAD", "USER");
  if (hasRole(user.roles, Role.INFRASTRUCTURE_PROVIDER)) kinds.push("CLUSTER");
  return kinds;
}

export interface LedgerExport {
  format: LedgerExportFormat;
  contentType: string;
  filename: string;
  /** The file, a page of transactions at a time (never the whole table in memory). */
  chunks: AsyncGenerator<string, void, undefined>;
}

/**
 * Validates the query and checks access up front (so a refusal is an HTTP
 * error, not a broken stream), then streams the caller's transactions in
 * sequence order, filtered by account, rule and time recorded.
 */
export async function exportLedgerTransactions(deps: LedgerDeps, input: unknown): Promise<LedgerExport> {
  const query = parseOrThrow(ledgerExportQuerySchema, input);
  const kinds = visibleKinds(deps.user);
  if (kinds !== null && kinds.length === 0)
    throw new DomainError("forbidden", "The ledger is shown to admins and providers only.");
  if (query.account && kinds !== null) {
    const account = await deps.db.ledgerAccount.findFirst({
      where: { id: query.account, ownerUserId: deps.user.id, kind: { in: kinds } },
      select: { id: true },
    });
    // The same answer whether the account exists or belongs to someone else.
    if (!account) throw new DomainError("not_found", `No account ${query.account}.`, "account");
  }
  const params: unknown[] = [];
  const where: string[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length + 1}`; // $1 is the page cursor
  };
  if (query.account) {
    const p = param(query.account);
    where.push(`(t.from_account = ${p} OR t.to_account = ${p})`);
  }
  if (query.rule) where.push(`t.rule = ${param(query.rule)}`);
  if (query.from) where.push(`t.created_at >= ${param(query.from)}::timestamptz`);
  if (query.to) where.push(`t.created_at < ${param(query.to)}::timestamptz`);
  if (kinds !== null) {
    where.push(
      `EXISTS (SELECT 1 FROM ledger_accounts a WHERE a.id IN (t.from_account, t.to_account)
               AND a.owner_user_id = ${param(deps.user.id)}::uuid AND a.kind::text = ANY(${param(kinds)}::text[]))`,
    );
  }
  const sql = `
    SELECT t.sequence::text AS sequence,
           to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at,
           t.from_account, t.to_account, t.amount::text AS amount, t.rule,
           to_char(t.period_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS period_start,
           t.reference, t.inputs, t.prev_hash, t.hash
    FROM ledger_transactions t
    WHERE t.sequence > $1 ${where.map((w) => `AND ${w}`).join(" ")}
    ORDER BY t.sequence LIMIT ${EXPORT_PAGE}`;
  const pool = poolOf(deps.db);
  const format = query.format;
  log.info(
    { user: deps.user.username, format, account: query.account, rule: query.rule },
    "ledger export started",
  );

  async function* chunks(): AsyncGenerator<string, void, undefined> {
    if (format === "csv") yield `${CSV_COLUMNS.join(",")}\n`;
    let after = "0";
    for (;;) {
      // A short query per page on the pool: no connection is held while the client reads slowly.
      const page: pg.QueryResult<ExportRow> = await pool.query<ExportRow>(sql, [after, ...params]);
      if (page.rows.length === 0) return;
      let text = "";
      for (const row of page.rows) text += formatRow(format, row);
      yield text;
      if (page.rows.length < EXPORT_PAGE) return;
      after = page.rows.at(-1)!.sequence;
    }
  }

  return {
    format,
    contentType: format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
    filename: `ledger-transactions.${format}`,
    chunks: chunks(),
  };
}
