import { changeInstanceRest, deleteInstanceRest, getInstanceRest } from "@/server/api/v1/instance";

/** GET, PATCH, DELETE /api/v1/instance/{id}/ — see src/server/api/v1/instance.ts. */
export const GET = getInstanceRest;
export const PATCH = changeInstanceRest;
export const DELETE = deleteInstanceRest;
