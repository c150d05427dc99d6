import { migrationOptionsRest } from "@/server/api/v1/migration";

/** GET /api/v1/instance/{id}/migration-options/ — see src/server/api/v1/migration.ts. */
export const GET = migrationOptionsRest;
