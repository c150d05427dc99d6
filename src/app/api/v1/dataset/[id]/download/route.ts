import { downloadDatasetRest } from "@/server/api/v1/dataset";

/** GET /api/v1/dataset/{id}/download/ — see src/server/api/v1/dataset.ts. */
export const GET = downloadDatasetRest;
