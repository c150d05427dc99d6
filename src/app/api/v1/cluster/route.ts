import { listClustersRest, registerClusterRest } from "@/server/api/v1/cluster";

/** GET, POST /api/v1/cluster/ — see src/server/api/v1/cluster.ts. */
export const GET = listClustersRest;
export const POST = registerClusterRest;
