import { uploadDatasetRest } from "@/server/api/v1/dataset";

/** POST /api/v1/dataset/upload/ (multipart type, description, metadata, file) — see src/server/api/v1/dataset.ts. */
export const POST = uploadDatasetRest;
