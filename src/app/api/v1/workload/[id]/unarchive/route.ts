import { unarchiveWorkloadRest } from "@/server/api/v1/workload";

/** POST /api/v1/workload/{id}/unarchive/ — see src/server/api/v1/workload.ts. */
export const POST = unarchiveWorkloadRest;
