import { createWorkloadRest, listWorkloadsRest } from "@/server/api/v1/workload";

/** GET, POST /api/v1/workload/ — see src/server/api/v1/workload.ts. */
export const GET = listWorkloadsRest;
export const POST = createWorkloadRest;
