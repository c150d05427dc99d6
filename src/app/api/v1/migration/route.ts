import { listMigrationsRest } from "@/server/api/v1/migration";

/** GET /api/v1/migration/ — see src/server/api/v1/migration.ts. */
export const GET = listMigrationsRest;
