import { instanceEventsRest } from "@/server/api/v1/instance-inspection";

/** GET /api/v1/instance/{id}/events/ — see src/server/api/v1/instance-inspection.ts. */
export const GET = instanceEventsRest;
