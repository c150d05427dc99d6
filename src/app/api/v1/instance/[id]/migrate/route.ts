import { migrateInstanceRest } from "@/server/api/v1/migration";

/** POST /api/v1/instance/{id}/migrate/ — see src/server/api/v1/migration.ts. */
export const POST = migrateInstanceRest;
