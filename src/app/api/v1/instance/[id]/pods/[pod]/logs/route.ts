import { instancePodLogsRest } from "@/server/api/v1/instance-inspection";

/** GET /api/v1/instance/{id}/pods/{pod}/logs/ — see src/server/api/v1/instance-inspection.ts. */
export const GET = instancePodLogsRest;
