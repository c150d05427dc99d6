/**
 * `npm run ledger:verify`: recomputes the MOCA ledger's hash chain and
 * balances (as an admin's Verify ledger does), records the result as
 * verified by `cli`, prints it, and exits 1 on a mismatch — for cron jobs
 * and auditors with database access.
 */
import { runLedgerVerification, type LedgerMismatchField } from "@/server/accounting/verify";
import { createDb, workerDbTimeouts } from "@/server/db/client";

const WHAT: Record<LedgerMismatchField, (account?: string) => string> = {
  hash: () => "the content does not match its hash",
  prevHash: () => "the link to the previous transaction is broken",
  balance: (account) => `the balance of ${account} differs from the sum of its transactions`,
  missing: () => "the transaction is missing",
};

const db = createDb(undefined, workerDbTimeouts());
let exitCode = 0;
try {
  const result = await runLedgerVerification(db, { by: "cli" });
  const rate =
    result.durationMs > 0 ? Math.round((result.checked * 1000) / result.durationMs) : result.checked;
  if (result.ok) {
    process.stdout.write(
      `ledger ok: ${result.checked} transactions verified up to sequence ${result.lastSequence} ` +
        `in ${result.durationMs} ms (${rate}/s), balances match\n`,
    );
  } else {
    const m = result.firstMismatch!;
    exitCode = 1;
    process.stdout.write(
      `ledger MISMATCH at sequence ${m.sequence}: ${WHAT[m.field](m.account)}\n` +
        `  expected: ${m.expected}\n  found:    ${m.found}\n` +
        `  verified intact up to sequence ${result.lastSequence} (${result.checked} checked)\n`,
    );
  }
} catch (error) {
  exitCode = 2;
  process.stderr.write(
    `ledger verification failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
} finally {
  await db.$disconnect();
}
process.exit(exitCode);
