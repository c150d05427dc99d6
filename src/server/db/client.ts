import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/generated/prisma/client";
import { serverEnv } from "@/server/env";

export type Db = PrismaClient;

/** Creates a Prisma client on the pg driver adapter for the given database. */
export function createDb(databaseUrl: string = serverEnv().DATABASE_URL): Db {
  const adapter = new PrismaPg({ connectionString: databaseUrl });
  return new PrismaClient({ adapter });
}

const globalForDb = globalThis as unknown as { nemoDb?: Db };

/** The process-wide client (kept on globalThis so Next's dev reloads reuse it). */
export function db(): Db {
  if (!globalForDb.nemoDb) globalForDb.nemoDb = createDb();
  return globalForDb.nemoDb;
}
