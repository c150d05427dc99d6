import { cfdrlDecisionsRest } from "@/server/api/v1/cfdrl";

/** GET /api/v1/cfdrl/decisions/ — see src/server/api/v1/cfdrl.ts. */
export const GET = cfdrlDecisionsRest;
