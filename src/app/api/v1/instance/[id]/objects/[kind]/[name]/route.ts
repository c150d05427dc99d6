import { instanceLiveObjectRest } from "@/server/api/v1/instance-inspection";

/** GET /api/v1/instance/{id}/objects/{kind}/{name}/ — see src/server/api/v1/instance-inspection.ts. */
export const GET = instanceLiveObjectRest;
