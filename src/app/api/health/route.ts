import { livenessResponse } from "@/server/api/health";

export const dynamic = "force-dynamic";

/** Liveness for the Helm chart: the web process answers (the database is /api/ready's). */
export function GET(): Response {
  return livenessResponse();
}
