import { templateWorkloadRest } from "@/server/api/v1/workload";

/** POST /api/v1/workload/{id}/template/ — see src/server/api/v1/workload.ts. */
export const POST = templateWorkloadRest;
