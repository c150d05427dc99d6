import { createIntentRest, listIntentsRest } from "@/server/api/v1/intent";

/** GET, POST /api/v1/intent/ — see src/server/api/v1/intent.ts. */
export const GET = listIntentsRest;
export const POST = createIntentRest;
