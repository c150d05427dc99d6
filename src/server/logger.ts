import pino, { type Logger } from "pino";
import { logFormat, prettyDestination, wantsColour } from "./log-format";

/**
 * One structured logger for web and workers. Children carry the nouns a line
 * is about (workload, instance, cluster, worker role), e.g.
 * `logger.child({ cluster: "dev-onelab" })`. Lines are pino JSON unless
 * `LOG_FORMAT=pretty` (the quick start in a terminal) asks for one readable
 * line each (`log-format.ts`).
 */
export const logger: Logger = pino(
  {
    level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === "test" ? "silent" : "info"),
    base: { service: "nemo-console" },
    timestamp: pino.stdTimeFunctions.isoTime,
  },
  logFormat() === "pretty"
    ? prettyDestination(process.stdout, { colour: wantsColour(process.stdout) })
    : undefined,
);

export type { Logger };
