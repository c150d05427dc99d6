import { uploadChartRest } from "@/server/api/v1/workload";

/** POST /api/v1/workload/upload/ (multipart workload_id + file) — see src/server/api/v1/workload.ts. */
export const POST = uploadChartRest;
