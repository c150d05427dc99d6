import { deregisterClusterRest, getClusterRest } from "@/server/api/v1/cluster";

/** GET, DELETE /api/v1/cluster/{id}/ — see src/server/api/v1/cluster.ts. */
export const GET = getClusterRest;
export const DELETE = deregisterClusterRest;
