import { instancePodLogStreamRest } from "@/server/api/v1/instance-inspection";

/** GET /api/v1/instance/{id}/pods/{pod}/logs/stream/ — Server-Sent Events; see src/server/api/v1/instance-inspection.ts. */
export const GET = instancePodLogStreamRest;
