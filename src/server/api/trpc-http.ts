import type { TRPCError } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { DATABASE_RETRY_AFTER_SECONDS } from "@/server/db";
import { BodyTooLarge, withCappedBody } from "@/server/edge";
import { serverEnv } from "@/server/env";
import { logger } from "@/server/logger";
import { csrfRefusal } from "./csrf";
import { appRouter } from "./root";
import { createTRPCContext, isUnavailableError, RetryAfter, type TRPCContext } from "./trpc";

const log = logger.child({ module: "trpc-http" });

function refuse(status: number, error: string, message: string): Response {
  return Response.json({ error, message }, { status, headers: { "cache-control": "no-store" } });
}

/** The procedures a request calls: `a,b,c` with `?batch=1`, else one. */
function batchSize(request: Request): number {
  const url = new URL(request.url);
  if (url.searchParams.get("batch") !== "1") return 1;
  const path = url.pathname.replace(/^.*?\/api\/trpc\/?/, "");
  return path.split(",").length;
}

/** The Retry-After of a refused call: a rate limit's wait, or the database's. */
function retryAfterOf(error: TRPCError): number | null {
  if (error.cause instanceof RetryAfter) return error.cause.seconds;
  if (isUnavailableError(error)) return DATABASE_RETRY_AFTER_SECONDS;
  return null;
}

/**
 * The tRPC HTTP endpoint (`/api/trpc/*`). tRPC is cookie-only (the console's
 * own pages), so every POST (a mutation) must be same-origin JSON (csrf.ts).
 * Before tRPC sees it: at most NEMO_TRPC_MAX_BATCH calls per batch (400) and a
 * body of at most NEMO_MAX_JSON_BODY_BYTES, counted while reading (413).
 */
export function createTrpcHttpHandler(
  /** The caller's context (the session from the request's cookies unless a test passes its own). */
  contextOf: (req: Request) => Promise<TRPCContext> = (req) => createTRPCContext({ headers: req.headers }),
): (request: Request) => Promise<Response> {
  return (request) => handleTrpc(request, contextOf);
}

/** The endpoint as the route mounts it. */
export const trpcHttpHandler = createTrpcHttpHandler();

async function handleTrpc(
  original: Request,
  contextOf: (req: Request) => Promise<TRPCContext>,
): Promise<Response> {
  const env = serverEnv();
  const refusal = csrfRefusal(original, { trustedOrigins: [env.NEXTAUTH_URL] });
  if (refusal) return refuse(refusal.status, refusal.code, refusal.message);
  const calls = batchSize(original);
  if (calls > env.NEMO_TRPC_MAX_BATCH) {
    return refuse(
      400,
      "bad_request",
      `A tRPC batch may hold at most ${env.NEMO_TRPC_MAX_BATCH} calls; this one has ${calls}.`,
    );
  }
  let req: Request;
  try {
    req = await withCappedBody(original, env.NEMO_MAX_JSON_BODY_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLarge) return refuse(413, "payload_too_large", error.message);
    throw error;
  }
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    // Also enforced by tRPC itself, in case a path reaches it another way.
    maxBatchSize: env.NEMO_TRPC_MAX_BATCH,
    createContext: () => contextOf(req),
    onError: ({ path, error }) => {
      if (isUnavailableError(error)) log.warn({ err: error, path }, "tRPC: database unavailable");
      else if (error.code === "INTERNAL_SERVER_ERROR")
        log.error({ err: error, path }, "tRPC procedure failed");
    },
    responseMeta: ({ errors }) => {
      const waits = errors.map(retryAfterOf).filter((wait): wait is number => wait !== null);
      if (waits.length === 0) return {};
      const headers = new Headers({ "retry-after": String(Math.max(...waits)) });
      // A context that failed on the database never reached the middleware that maps the code.
      return errors.every(isUnavailableError) ? { status: 503, headers } : { headers };
    },
  });
}
