import { exportLedgerTransactionsRest } from "@/server/api/v1/ledger";

/** GET /api/v1/accounting/transactions/export/ — see src/server/api/v1/ledger.ts. */
export const GET = exportLedgerTransactionsRest;
