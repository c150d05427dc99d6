import pino, { type Logger } from "pino";

/**
 * One structured logger for web and workers. Children carry the nouns a line
 * is about (workload, instance, cluster, worker role), e.g.
 * `logger.child({ cluster: "dev-onelab" })`.
 */
export const logger: Logger = pino({
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === "test" ? "silent" : "info"),
  base: { service: "nemo-console" },
  timestamp: pino.stdTimeFunctions.isoTime,
});

export type { Logger };
