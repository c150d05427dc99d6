import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "@/generated/prisma/client";
import { serverEnv } from "@/server/env";
import { serializeQueries } from "./serial-queries";

export type Db = PrismaClient;

// On globalThis like the process-wide client below: Next loads this module once per bundle layer
// (server components, route handlers), and a client made in one layer is handed out in the other.
const globalForPools = globalThis as unknown as { nemoDbPools?: WeakMap<Db, pg.Pool> };
const pools = (globalForPools.nemoDbPools ??= new WeakMap<Db, pg.Pool>());

/**
 * How long a connection or a statement may take. A database that stops
 * answering then fails requests quickly (503) instead of piling them up.
 * 0 turns a statement or idle-transaction limit off.
 */
export interface DbTimeouts {
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  idleInTransactionTimeoutMs: number;
}

/** The web server's limits (request-sized statements). */
export function webDbTimeouts(env = serverEnv()): DbTimeouts {
  return {
    connectTimeoutMs: env.NEMO_DB_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: env.NEMO_DB_STATEMENT_TIMEOUT_MS,
    idleInTransactionTimeoutMs: env.NEMO_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS,
  };
}

/** Workers, seeding and benchmarks: bulk writes (the evaluator's COPY) and pruning run longer. */
export function workerDbTimeouts(env = serverEnv()): DbTimeouts {
  return { ...webDbTimeouts(env), statementTimeoutMs: env.NEMO_DB_WORKER_STATEMENT_TIMEOUT_MS };
}

/** Pool settings for the timeouts: TCP keepalive finds a dead peer on idle connections. */
export function poolConfig(databaseUrl: string, timeouts: DbTimeouts): pg.PoolConfig {
  return {
    connectionString: databaseUrl,
    connectionTimeoutMillis: timeouts.connectTimeoutMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    // Sent as session settings at connect: PostgreSQL enforces them, so a stuck statement ends server-side too.
    statement_timeout: timeouts.statementTimeoutMs,
    idle_in_transaction_session_timeout: timeouts.idleInTransactionTimeoutMs,
  };
}

/** Creates a Prisma client on the pg driver adapter for the given database. */
export function createDb(
  databaseUrl: string = serverEnv().DATABASE_URL,
  timeouts: DbTimeouts = webDbTimeouts(),
): Db {
  const pool = new pg.Pool(poolConfig(databaseUrl, timeouts));
  // An idle connection that breaks (a server restart) leaves the pool; the next query opens another.
  pool.on("error", () => undefined);
  pool.on("connect", serializeQueries);
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
