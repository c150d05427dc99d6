/**
 * REST Intent-Based API, the MOCA ledger (/api/v1/accounting/ledger/…,
 * /api/v1/accounting/transactions/export/). Thin: the same domain functions
 * as the tRPC accounting router. Verification is for admins; the export is
 * scoped by role and ownership in the domain (admins every account,
 * providers their own) and streamed a page at a time.
 */
import { Role } from "@/common/roles";
import { restHandler } from "@/server/api/rest";
import {
  exportLedgerTransactions,
  lastLedgerVerificationView,
  ledgerExportQuerySchema,
  verifyLedgerAsAdmin,
} from "@/server/accounting";
import { logger } from "@/server/logger";

const log = logger.child({ module: "ledger-export" });

/** POST /api/v1/accounting/ledger/verify/ — recompute the chain and the balances; recorded. */
export const verifyLedgerRest = restHandler({ roles: [Role.NEMO_ADMIN] }, ({ db, user }) =>
  verifyLedgerAsAdmin({ db, user }),
);

/** GET /api/v1/accounting/ledger/verify/ — `{ verification }`, the last recorded one (null: never verified). */
export const lastLedgerVerificationRest = restHandler({ roles: [Role.NEMO_ADMIN] }, async ({ db, user }) => ({
  verification: await lastLedgerVerificationView({ db, user }),
}));

/** GET /api/v1/accounting/transactions/export/?format=csv|jsonl&account=&rule=&from=&to= — streamed. */
export const exportLedgerTransactionsRest = restHandler(
  {
    roles: [Role.NEMO_ADMIN, Role.SERVICE_PROVIDER, Role.INFRASTRUCTURE_PROVIDER],
    query: ledgerExportQuerySchema,
  },
  async ({ db, user, query }) => {
    const file = await exportLedgerTransactions({ db, user }, query);
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      // Pulled: the next page is read only when the client has taken the last one.
      async pull(controller) {
        try {
          const next = await file.chunks.next();
          if (next.done) controller.close();
          else controller.enqueue(encoder.encode(next.value));
        } catch (error) {
          log.error({ err: error, user: user.username }, "ledger export failed mid-stream");
          controller.error(error);
        }
      },
      async cancel() {
        await file.chunks.return(undefined);
      },
    });
    return new Response(body, {
      headers: {
        "content-type": file.contentType,
        "content-disposition": `attachment; filename="${file.filename}"`,
        "cache-control": "no-store",
      },
    });
  },
);
