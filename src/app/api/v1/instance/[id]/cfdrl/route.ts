import { instanceCfdrlRest, updateInstanceCfdrlRest } from "@/server/api/v1/cfdrl";

/** GET and PUT /api/v1/instance/{id}/cfdrl/ — see src/server/api/v1/cfdrl.ts. */
export const GET = instanceCfdrlRest;
export const PUT = updateInstanceCfdrlRest;
