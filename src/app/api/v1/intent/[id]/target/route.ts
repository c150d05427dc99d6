import { intentTargetRest } from "@/server/api/v1/intent";

/** PUT /api/v1/intent/{id}/target/ — see src/server/api/v1/intent.ts. */
export const PUT = intentTargetRest;
