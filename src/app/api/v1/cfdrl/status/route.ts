import { cfdrlStatusRest } from "@/server/api/v1/cfdrl";

/** GET /api/v1/cfdrl/status/ — see src/server/api/v1/cfdrl.ts. */
export const GET = cfdrlStatusRest;
