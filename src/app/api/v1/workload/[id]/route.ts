import {
  deleteWorkloadRest,
  getWorkloadRest,
  patchWorkloadRest,
  putWorkloadRest,
} from "@/server/api/v1/workload";

/** GET, PUT, PATCH, DELETE /api/v1/workload/{id}/ — see src/server/api/v1/workload.ts. */
export const GET = getWorkloadRest;
export const PUT = putWorkloadRest;
export const PATCH = patchWorkloadRest;
export const DELETE = deleteWorkloadRest;
