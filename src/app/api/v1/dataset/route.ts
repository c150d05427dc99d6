import { listDatasetsRest } from "@/server/api/v1/dataset";

/** GET /api/v1/dataset/ — see src/server/api/v1/dataset.ts. */
export const GET = listDatasetsRest;
