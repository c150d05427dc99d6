import { uncordonClusterRest } from "@/server/api/v1/cluster";

/** POST /api/v1/cluster/{id}/uncordon/ — see src/server/api/v1/cluster.ts. */
export const POST = uncordonClusterRest;
