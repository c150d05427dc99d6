import { intentActionRest } from "@/server/api/v1/intent";

/** PUT /api/v1/intent/{id}/action/ — see src/server/api/v1/intent.ts. */
export const PUT = intentActionRest;
