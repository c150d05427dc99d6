import { cfdrlRollbackRest } from "@/server/api/v1/cfdrl";

/** PUT /api/v1/cfdrl/models/{agent}/active/ — see src/server/api/v1/cfdrl.ts. */
export const PUT = cfdrlRollbackRest;
