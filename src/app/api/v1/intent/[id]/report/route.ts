import { intentReportRest } from "@/server/api/v1/intent";

/** GET /api/v1/intent/{id}/report/ — see src/server/api/v1/intent.ts. */
export const GET = intentReportRest;
