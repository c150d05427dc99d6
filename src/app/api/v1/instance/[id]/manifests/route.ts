import { instanceManifestsRest } from "@/server/api/v1/instance";

/** GET /api/v1/instance/{id}/manifests/ — see src/server/api/v1/instance.ts. */
export const GET = instanceManifestsRest;
