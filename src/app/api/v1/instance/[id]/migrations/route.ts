import { instanceMigrationsRest } from "@/server/api/v1/migration";

/** GET /api/v1/instance/{id}/migrations/ — see src/server/api/v1/migration.ts. */
export const GET = instanceMigrationsRest;
