import { cfdrlModelsRest } from "@/server/api/v1/cfdrl";

/** GET /api/v1/cfdrl/models/ — see src/server/api/v1/cfdrl.ts. */
export const GET = cfdrlModelsRest;
