import { archiveWorkloadRest } from "@/server/api/v1/workload";

/** POST /api/v1/workload/{id}/archive/ — see src/server/api/v1/workload.ts. */
export const POST = archiveWorkloadRest;
