/**
 * Whether an error means "the database cannot be reached right now" (down,
 * restarting, refusing connections, too slow to connect) rather than a bug or
 * a bad request. The web answers those 503 with Retry-After, and the readiness
 * probe reports them; the error text itself never reaches a client.
 */

/** Prisma: can't reach the server, connect timeout, server closed the connection, pool timeout. */
const PRISMA_CODES = new Set(["P1001", "P1002", "P1017", "P2024"]);
/** The pg driver adapter's kinds for the same conditions. */
const ADAPTER_KINDS = new Set([
  "DatabaseNotReachable",
  "ConnectionClosed",
  "SocketTimeout",
  "TooManyConnections",
]);
/** Sockets that could not open or broke. */
const SOCKET_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
]);
/** pg's own messages for a connect timeout and a connection dropped mid-query (they carry no code). */
const PG_MESSAGES = [
  /timeout exceeded when trying to connect/i,
  /connection terminated/i,
  /Connection terminated unexpectedly/i,
];

/**
 * SQLSTATE: class 08 (connection exception), 57P01..57P03 (admin shutdown,
 * crash shutdown, cannot connect now: a restart), 53300 (too many connections).
 */
export function isUnavailableSqlState(code: string): boolean {
  return (
    code.startsWith("08") || code === "57P01" || code === "57P02" || code === "57P03" || code === "53300"
  );
}

function field(value: unknown, key: string): unknown {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function looksUnavailable(error: unknown): boolean {
  const code = field(error, "code");
  if (typeof code === "string") {
    if (PRISMA_CODES.has(code) || SOCKET_CODES.has(code)) return true;
    if (/^[0-9A-Z]{5}$/.test(code) && isUnavailableSqlState(code)) return true;
  }
  const adapter =
    field(field(error, "meta"), "driverAdapterError") ??
    (field(error, "name") === "DriverAdapterError" ? error : undefined);
  const cause = field(adapter, "cause");
  const kind = field(cause, "kind");
  if (typeof kind === "string" && ADAPTER_KINDS.has(kind)) return true;
  const sqlState = field(cause, "originalCode") ?? field(cause, "code");
  if (kind === "postgres" && typeof sqlState === "string" && isUnavailableSqlState(sqlState)) return true;
  const message = field(error, "message");
  return (
    typeof message === "string" &&
    PG_MESSAGES.some((pattern) => pattern.test(message)) &&
    !/statement/i.test(message)
  );
}

/** True when the error, or one of its causes, says the database is unreachable. */
export function isDatabaseUnavailable(error: unknown): boolean {
  let current: unknown = error;
  // A bounded walk down `cause`: wrappers (tRPC, Prisma) keep the driver's error there.
  for (let depth = 0; depth < 8 && current !== undefined && current !== null; depth++) {
    if (looksUnavailable(current)) return true;
    current = field(current, "cause");
  }
  return false;
}

/** Seconds a client should wait before retrying while the database is unavailable. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;
