import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { serverEnv } from "@/server/env";
import { logger } from "@/server/logger";
import { csrfRefusal } from "./csrf";
import { appRouter } from "./root";
import { createTRPCContext } from "./trpc";

/**
 * The tRPC HTTP endpoint (`/api/trpc/*`). tRPC is cookie-only (the console's
 * own pages), so every POST (a mutation) must be same-origin JSON (csrf.ts).
 */
export function trpcHttpHandler(req: Request): Promise<Response> {
  const refusal = csrfRefusal(req, { trustedOrigins: [serverEnv().NEXTAUTH_URL] });
  if (refusal) {
    return Promise.resolve(
      Response.json(
        { error: refusal.code, message: refusal.message },
        { status: refusal.status, headers: { "cache-control": "no-store" } },
      ),
    );
  }
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: () => createTRPCContext({ headers: req.headers }),
    onError: ({ path, error }) => {
      if (error.code === "INTERNAL_SERVER_ERROR") logger.error({ err: error, path }, "tRPC procedure failed");
    },
  });
}
