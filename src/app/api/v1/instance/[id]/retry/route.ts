import { retryInstanceRest } from "@/server/api/v1/instance";

/** POST /api/v1/instance/{id}/retry/ — see src/server/api/v1/instance.ts. */
export const POST = retryInstanceRest;
