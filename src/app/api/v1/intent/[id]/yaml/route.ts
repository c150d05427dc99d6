import { intentYamlRest } from "@/server/api/v1/intent";

/** GET /api/v1/intent/{id}/yaml/ — see src/server/api/v1/intent.ts. */
export const GET = intentYamlRest;
