import { clusterDrainStatusRest, drainClusterRest } from "@/server/api/v1/cluster";

/** GET, POST /api/v1/cluster/{id}/drain/ — see src/server/api/v1/cluster.ts. */
export const GET = clusterDrainStatusRest;
export const POST = drainClusterRest;
