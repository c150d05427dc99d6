import { getIntentRest } from "@/server/api/v1/intent";

/** GET /api/v1/intent/{id}/ — see src/server/api/v1/intent.ts. */
export const GET = getIntentRest;
