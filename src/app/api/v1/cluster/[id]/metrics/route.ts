import { clusterMetricsRest } from "@/server/api/v1/cluster";

/** GET /api/v1/cluster/{id}/metrics/?range=live|hour|day — see src/server/api/v1/cluster.ts. */
export const GET = clusterMetricsRest;
