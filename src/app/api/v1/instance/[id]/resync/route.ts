import { resyncInstanceRest } from "@/server/api/v1/instance-drift";

/** POST /api/v1/instance/{id}/resync/ — see src/server/api/v1/instance-drift.ts. */
export const POST = resyncInstanceRest;
