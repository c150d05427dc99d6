/**
 * `LOG_FORMAT=pretty`: pino's JSON lines as one readable line each, for a
 * person watching the quick start in a terminal:
 *
 *     14:38:09 INFO  orchestrator  instance deployed  instance=42 cluster=edge-1
 *
 * Production keeps JSON (the default); this only changes how a line is
 * written, never what is logged.
 */

const LEVELS: Record<number, string> = {
  10: "TRACE",
  20: "DEBUG",
  30: "INFO",
  40: "WARN",
  50: "ERROR",
  60: "FATAL",
};

const COLOURS: Record<number, string> = { 10: "90", 20: "90", 30: "32", 40: "33", 50: "31", 60: "35" };

/** Fields every line has, or that name the process: shown in the line's head, not as key=value. */
const HEAD_FIELDS = new Set([
  "level",
  "time",
  "msg",
  "service",
  "worker",
  "process",
  "pid",
  "hostname",
  "err",
]);

export interface PrettyOptions {
  /** ANSI colours (a terminal that wants them). */
  colour?: boolean;
}

function clock(time: unknown): string {
  if (typeof time === "string") {
    const match = /T(\d{2}:\d{2}:\d{2})/.exec(time);
    if (match?.[1]) return match[1];
  }
  if (typeof time === "number") return new Date(time).toISOString().slice(11, 19);
  return "--:--:--";
}

function value(v: unknown): string {
  if (typeof v === "string") return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  if (v === null || typeof v === "number" || typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}

function paint(text: string, code: string, colour: boolean): string {
  return colour ? `\u001b[${code}m${text}\u001b[0m` : text;
}

/** One JSON log line (with or without its newline) as one readable line; anything else unchanged. */
export function prettyLogLine(line: string, options: PrettyOptions = {}): string {
  const colour = options.colour ?? false;
  let record: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return line.trimEnd();
    record = parsed as Record<string, unknown>;
  } catch {
    return line.trimEnd();
  }
  const level = typeof record.level === "number" ? record.level : 30;
  const label = (LEVELS[level] ?? String(level)).padEnd(5);
  const who = [record.worker, record.process, record.service].find((v): v is string => typeof v === "string");
  const fields = Object.entries(record)
    .filter(([key, v]) => !HEAD_FIELDS.has(key) && v !== undefined)
    .map(([key, v]) => `${paint(key, "2", colour)}=${value(v)}`);
  const head = [
    paint(clock(record.time), "2", colour),
    paint(label, COLOURS[level] ?? "0", colour),
    who ? paint(who, "36", colour) : undefined,
    typeof record.msg === "string" ? record.msg : undefined,
  ].filter((part): part is string => part !== undefined && part !== "");
  let out = [head.join(" "), ...fields].join("  ");
  const err = record.err;
  if (err && typeof err === "object") {
    const { message, stack } = err as { message?: unknown; stack?: unknown };
    if (typeof stack === "string") out += `\n    ${stack.split("\n").join("\n    ")}`;
    else if (typeof message === "string") out += `  err=${value(message)}`;
  }
  return out;
}

/** A pino destination writing each line pretty to `out` (synchronously, like pino's default). */
export function prettyDestination(
  out: { write(chunk: string): unknown },
  options: PrettyOptions = {},
): { write(chunk: string): void } {
  return {
    write(chunk: string) {
      for (const line of chunk.split("\n"))
        if (line.trim() !== "") out.write(`${prettyLogLine(line, options)}\n`);
    },
  };
}

/** `LOG_FORMAT` as the processes read it: `pretty` only when asked. */
export function logFormat(env: Record<string, string | undefined> = process.env): "json" | "pretty" {
  return env.LOG_FORMAT === "pretty" ? "pretty" : "json";
}

/** Colours when writing pretty to a terminal, unless NO_COLOR is set. */
export function wantsColour(
  stream: { isTTY?: boolean },
  env: Record<string, string | undefined> = process.env,
): boolean {
  return stream.isTTY === true && !env.NO_COLOR;
}
