import { lastLedgerVerificationRest, verifyLedgerRest } from "@/server/api/v1/ledger";

/** GET, POST /api/v1/accounting/ledger/verify/ — see src/server/api/v1/ledger.ts. */
export const GET = lastLedgerVerificationRest;
export const POST = verifyLedgerRest;
