import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "@/generated/prisma/client";
import { serverEnv } from "@/server/env";

export type Db = PrismaClient;

const pools = new WeakMap<Db, pg.Pool>();

/** Creates a Prisma client on the pg driver adapter for the given database. */
export function createDb(databaseUrl: string = serverEnv().DATABASE_URL): Db {
  const pool = new pg.Pool({ connectionString: databaseUrl });
  // An idle connection that breaks (a server restart) leaves the pool; the next query opens another.
  pool.on("error", () => undefined);
  // The client owns the pool: $disconnect() ends it.
  const db = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  pools.set(db, pool);
  return db;
}

/**
 * The connection pool under a client made by `createDb`, for the few
 * statements Prisma cannot send (COPY, used by the intent evaluator's bulk
 * writes). Same connections, same limits.
 */
export function poolOf(db: Db): pg.Pool {
  const pool = pools.get(db);
  if (!pool) throw new Error("this database client was not made by createDb: it has no pool to lend");
  return pool;
}

const globalForDb = globalThis as unknown as { nemoDb?: Db };

/** The process-wide client (kept on globalThis so Next's dev reloads reuse it). */
export function db(): Db {
  if (!globalForDb.nemoDb) globalForDb.nemoDb = createDb();
  return globalForDb.nemoDb;
}
