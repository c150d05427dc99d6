import { createInstanceRest, listInstancesRest } from "@/server/api/v1/instance";

/** GET, POST /api/v1/instance/ — see src/server/api/v1/instance.ts. */
export const GET = listInstancesRest;
export const POST = createInstanceRest;
