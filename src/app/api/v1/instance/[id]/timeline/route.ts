import { instanceTimelineRest } from "@/server/api/v1/instance";

/** GET /api/v1/instance/{id}/timeline/ — see src/server/api/v1/instance.ts. */
export const GET = instanceTimelineRest;
