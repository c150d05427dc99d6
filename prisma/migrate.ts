import { applyMigrations, ensureDatabase } from "@/server/db/migrate";
import { serverEnv } from "@/server/env";
import { logger } from "@/server/logger";

const url = serverEnv().DATABASE_URL;
await ensureDatabase(url);
const result = await applyMigrations(url);
for (const m of result)
  logger.info({ migration: m.name, applied: m.applied }, m.applied ? "applied" : "already applied");
