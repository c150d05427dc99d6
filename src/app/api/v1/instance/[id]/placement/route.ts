import { instancePlacementRest } from "@/server/api/v1/instance";

/** GET /api/v1/instance/{id}/placement/ — see src/server/api/v1/instance.ts. */
export const GET = instancePlacementRest;
