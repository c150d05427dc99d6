import { deleteDatasetRest, getDatasetRest } from "@/server/api/v1/dataset";

/** GET / DELETE /api/v1/dataset/{id}/ — see src/server/api/v1/dataset.ts. */
export const GET = getDatasetRest;
export const DELETE = deleteDatasetRest;
