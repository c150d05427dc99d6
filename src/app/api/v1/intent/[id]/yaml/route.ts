import { intentYamlRest } from "@/server/api/v1/intent-yaml";

/** GET /api/v1/intent/{id}/yaml/ — see src/server/api/v1/intent-yaml.ts. */
export const GET = intentYamlRest;
