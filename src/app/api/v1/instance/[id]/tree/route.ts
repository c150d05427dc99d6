import { instanceTreeRest } from "@/server/api/v1/instance";

/** GET /api/v1/instance/{id}/tree/ — see src/server/api/v1/instance.ts. */
export const GET = instanceTreeRest;
