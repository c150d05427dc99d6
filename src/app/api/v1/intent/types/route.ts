import { intentTypesRest } from "@/server/api/v1/intent";

/** GET /api/v1/intent/types/ — see src/server/api/v1/intent.ts. */
export const GET = intentTypesRest;
