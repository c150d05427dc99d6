import { readinessResponse } from "@/server/api/health";
import { db } from "@/server/db";

export const dynamic = "force-dynamic";

/** Readiness for the Helm chart: the database answers (503 + Retry-After while it does not). */
export function GET(): Promise<Response> {
  return readinessResponse(db());
}
