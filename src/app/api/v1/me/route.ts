import { getMe } from "@/server/api/v1/me";

/** GET /api/v1/me/ — see src/server/api/v1/me.ts. */
export const GET = getMe;
