import { instanceDriftRest } from "@/server/api/v1/instance-drift";

/** GET /api/v1/instance/{id}/drift/ — see src/server/api/v1/instance-drift.ts. */
export const GET = instanceDriftRest;
