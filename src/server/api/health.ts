/**
 * The probes. Liveness (`/api/health`) says only that the web process
 * answers: it never touches the database, so PostgreSQL being down makes the
 * pod unready, not restarted in a loop. Readiness (`/api/ready`) runs one
 * `SELECT 1` within a short budget. Both say only up or down: no versions,
 * hosts or driver messages (the reason is logged).
 */
import { DATABASE_RETRY_AFTER_SECONDS, type Db } from "@/server/db";
import { logger } from "@/server/logger";

const log = logger.child({ module: "health" });

/** Longest the readiness check waits for the database (under the Helm probe's timeoutSeconds). */
export const READINESS_TIMEOUT_MS = 2_000;

const NO_STORE = { "cache-control": "no-store" };

export function livenessResponse(): Response {
  return Response.json({ status: "up" }, { headers: NO_STORE });
}

export async function readinessResponse(database: Db, timeoutMs = READINESS_TIMEOUT_MS): Promise<Response> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      database.$queryRaw`SELECT 1`,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return Response.json({ status: "up" }, { headers: NO_STORE });
  } catch (error) {
    log.warn({ err: error }, "readiness: database unavailable");
    return Response.json(
      { status: "down" },
      { status: 503, headers: { ...NO_STORE, "retry-after": String(DATABASE_RETRY_AFTER_SECONDS) } },
    );
  } finally {
    clearTimeout(timer);
  }
}
