/**
 * The ledger part of the OpenAPI document (/api/v1/accounting/ledger/verify/,
 * /api/v1/accounting/transactions/export/), merged by openapi.ts. Sequences
 * and amounts travel as decimal strings (amounts in units, 1 token = 10^8).
 */
import { z } from "zod";
import { LEDGER_EXPORT_FORMATS } from "@/server/accounting";
import { componentSchemas, errorResponse, json, ref, type JsonObject } from "./openapi-parts";

const mismatchSchema = z
  .object({
    sequence: z
      .string()
      .describe(
        "The transaction where the chain breaks; for a balance, the last transaction that touched the account (0: none).",
      ),
    field: z
      .enum(["hash", "prevHash", "balance", "missing"])
      .describe(
        "hash: the content does not match its hash; prevHash: the link to the previous transaction is broken; " +
          "balance: a stored balance differs from the sum of its transactions; missing: a sequence is absent (deleted).",
      ),
    expected: z.string().describe("What recomputation gives (for missing: the sequence expected)."),
    found: z.string().describe("What is stored (for missing: the sequence found instead)."),
    account: z.string().nullable().describe("The account whose balance differs (field balance)."),
  })
  .describe("The first thing that does not match.");

const verificationSchema = z.object({
  ok: z.boolean(),
  checked: z.number().int().describe("Transactions checked (up to and including the first mismatch)."),
  lastSequence: z.string().describe("The last sequence checked that matched."),
  firstMismatch: mismatchSchema.nullable(),
  verifiedAt: z.iso.datetime(),
  verifiedBy: z.string().describe("The admin's user name, or cli."),
  durationMs: z.number().int(),
});

export function ledgerComponents(): JsonObject {
  return componentSchemas([
    ["LedgerVerification", verificationSchema],
    [
      "LastLedgerVerification",
      z.object({
        verification: verificationSchema.nullable().describe("Null when the ledger was never verified."),
      }),
    ],
  ]);
}

export const ledgerTags = [
  {
    name: "accounting-ledger",
    description:
      "The MOCA ledger: append-only, hash-chained transactions between accounts (cluster:<id>, workload:<id>, " +
      "user:<id>, platform). Verification recomputes the chain and the balances (admins); the export streams " +
      "the caller's transactions (admins all, a service provider their workloads' and own account, an " +
      "infrastructure provider their clusters').",
  },
];

const tags = ["accounting-ledger"];
const UNAUTHORIZED = errorResponse(
  "Not signed in, or the bearer token is missing, expired or not an access token.",
);
const ADMIN_ONLY = errorResponse("Only NEMO admins (nemo-admin) may verify the ledger.");

const exportParameters = [
  {
    name: "format",
    in: "query",
    schema: { type: "string", enum: [...LEDGER_EXPORT_FORMATS], default: "csv" },
    description: "csv (a header row; inputs as a JSON cell) or jsonl (one JSON object per line).",
  },
  {
    name: "account",
    in: "query",
    schema: { type: "string", maxLength: 110 },
    description: "Only transactions from or to this account (one the caller may see).",
  },
  {
    name: "rule",
    in: "query",
    schema: { type: "string", maxLength: 32 },
    description: "Only this rule: registration, compute, network, ml, data, conversion, …",
  },
  {
    name: "from",
    in: "query",
    schema: { type: "string", format: "date-time" },
    description: "Recorded at or after (ISO-8601).",
  },
  {
    name: "to",
    in: "query",
    schema: { type: "string", format: "date-time" },
    description: "Recorded before (ISO-8601).",
  },
];

const exportRow =
  "Columns / fields: sequence, created_at, from, to, amount (units), rule, period_start, reference, inputs " +
  "(the metrics and rates used, strings), prev_hash, hash — enough to recompute every amount and hash.";

export function ledgerPaths(): JsonObject {
  return {
    "/api/v1/accounting/ledger/verify/": {
      get: {
        tags,
        operationId: "getLastLedgerVerification",
        summary: "The last ledger verification",
        responses: {
          "200": {
            description: "The last recorded verification.",
            content: json(ref("LastLedgerVerification")),
          },
          "401": UNAUTHORIZED,
          "403": ADMIN_ONLY,
        },
      },
      post: {
        tags,
        operationId: "verifyLedger",
        summary: "Verify the ledger",
        description:
          "Recomputes every hash from genesis on one snapshot, checks the sequence has no gap and every balance " +
          "equals the sum of its transactions, records the result (last verified sequence, when, by whom) and " +
          "answers it. A mismatch is a 200 with ok false and firstMismatch. A verification already running " +
          "(another admin's, another replica's) is waited for.",
        responses: {
          "200": { description: "The verification.", content: json(ref("LedgerVerification")) },
          "401": UNAUTHORIZED,
          "403": ADMIN_ONLY,
        },
      },
    },
    "/api/v1/accounting/transactions/export/": {
      get: {
        tags,
        operationId: "exportLedgerTransactions",
        summary: "Export transactions (CSV or JSON Lines)",
        description: `Streams the caller's transactions in sequence order, filtered. ${exportRow}`,
        parameters: exportParameters,
        responses: {
          "200": {
            description: "The file (Content-Disposition: attachment).",
            content: {
              "text/csv": { schema: { type: "string" } },
              "application/x-ndjson": { schema: { type: "string" } },
            },
          },
          "400": errorResponse("A bad filter; `field` names it (format, account, rule, from, to)."),
          "401": UNAUTHORIZED,
          "403": errorResponse("The caller is neither an admin nor a provider."),
          "404": errorResponse("No such account among the caller's."),
        },
      },
    },
  };
}
