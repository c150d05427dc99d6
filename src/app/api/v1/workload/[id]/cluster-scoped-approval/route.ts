import { clusterScopedApprovalRest } from "@/server/api/v1/workload";

/** PUT /api/v1/workload/{id}/cluster-scoped-approval/ — see src/server/api/v1/workload.ts. */
export const PUT = clusterScopedApprovalRest;
