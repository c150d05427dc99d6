/**
 * Load traces for the evaluation lab: requests per second to one instance, one value per minute.
 * Three generated shapes from fixed seeds (steady, diurnal, bursty with flash crowds) and a CSV
 * loader so a user can replay their own traffic. Generation draws only from the seeded stream, so
 * a (kind, seed) pair always gives the same trace.
 */
import { z } from "zod";
import { createRng, type Rng } from "./rng";

export const TRACE_KINDS = ["steady", "diurnal", "bursty"] as const;
export type TraceKind = (typeof TRACE_KINDS)[number];
export const traceKindSchema = z.enum(TRACE_KINDS, { error: "trace must be steady, diurnal or bursty" });

export const TRACE_STEP_MS = 60_000;
export const MINUTES_PER_DAY = 1_440;

export interface LoadTrace {
  /** "steady", "diurnal", "bursty" or "csv:<name>". */
  name: string;
  /** The generator's seed; null for a loaded trace. */
  seed: number | null;
  /** Epoch ms of the first value. */
  startMs: number;
  /** Requests per second, one per minute. */
  rates: number[];
}

/** Mean demand of the generated traces, sized for the lab's workload (environment.ts): a few pods at target. */
export const TRACE_LEVELS = {
  steady: { meanRps: 400 },
  diurnal: { troughRps: 120, peakRps: 700 },
  bursty: { baseRps: 300 },
} as const;

/** Standard normal from two uniforms (Box–Muller). */
function gaussian(rng: Rng): number {
  const u = Math.max(1e-12, rng.next());
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/** Smooth multiplicative noise: an AR(1) process with the given stationary standard deviation. */
function ar1Noise(rng: Rng, minutes: number, sd: number, keep = 0.9): number[] {
  const out: number[] = [];
  const innovation = sd * Math.sqrt(1 - keep * keep);
  let x = gaussian(rng) * sd;
  for (let i = 0; i < minutes; i++) {
    x = keep * x + innovation * gaussian(rng);
    out.push(x);
  }
  return out;
}

const round2 = (v: number) => Math.round(v * 100) / 100;

export interface TraceOptions {
  /** Length in minutes (default one day). */
  minutes?: number;
  /** Epoch ms of the first value (default 2026-01-05T00:00Z, a Monday). */
  startMs?: number;
}

const DEFAULT_START_MS = Date.UTC(2026, 0, 5);

/** A flash crowd: demand multiplied by up to `peak`, reached in `riseMin` minutes, then decaying. */
export interface FlashCrowd {
  startMinute: number;
  riseMinutes: number;
  peak: number;
  /** Minutes for the excess to fall to 1/e of its peak. */
  decayMinutes: number;
}

/** Five to eight flash crowds a day (scaled for shorter traces), 2–3.5× the base demand, reached in 1–3 minutes. */
export function flashCrowds(seed: number, minutes: number): FlashCrowd[] {
  const rng = createRng(seed, 101);
  const count = Math.max(1, Math.round(((5 + rng.int(4)) * minutes) / MINUTES_PER_DAY));
  const crowds: FlashCrowd[] = [];
  for (let i = 0; i < count; i++)
    crowds.push({
      startMinute: rng.int(Math.max(1, minutes - 10)),
      riseMinutes: 1 + rng.int(3),
      peak: 2 + rng.next() * 1.5,
      decayMinutes: 8 + rng.next() * 22,
    });
  return crowds.sort((a, b) => a.startMinute - b.startMinute);
}

function crowdFactor(crowds: readonly FlashCrowd[], minute: number): number {
  let excess = 0;
  for (const c of crowds) {
    const since = minute - c.startMinute;
    if (since < 0) continue;
    const shape =
      since < c.riseMinutes
        ? (since + 1) / c.riseMinutes
        : Math.exp(-(since - c.riseMinutes) / c.decayMinutes);
    excess = Math.max(excess, (c.peak - 1) * Math.min(1, shape));
  }
  return 1 + excess;
}

/** A generated trace; the same kind and seed give the same values. */
export function generateTrace(kind: TraceKind, seed: number, options: TraceOptions = {}): LoadTrace {
  const minutes = options.minutes ?? MINUTES_PER_DAY;
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > 7 * MINUTES_PER_DAY)
    throw new Error("minutes must be an integer from 1 to 10080");
  const startMs = options.startMs ?? DEFAULT_START_MS;
  const rng = createRng(seed, TRACE_KINDS.indexOf(kind));
  const rates: number[] = [];
  if (kind === "steady") {
    const noise = ar1Noise(rng, minutes, 0.04);
    for (let i = 0; i < minutes; i++) rates.push(round2(TRACE_LEVELS.steady.meanRps * (1 + noise[i]!)));
  } else if (kind === "diurnal") {
    const { troughRps, peakRps } = TRACE_LEVELS.diurnal;
    const peakHour = 13 + rng.next() * 3;
    const noise = ar1Noise(rng, minutes, 0.05);
    for (let i = 0; i < minutes; i++) {
      const hour = ((((startMs + i * TRACE_STEP_MS) % 86_400_000) + 86_400_000) % 86_400_000) / 3_600_000;
      const curve = 0.5 + 0.5 * Math.cos((2 * Math.PI * (hour - peakHour)) / 24);
      rates.push(round2(Math.max(0, (troughRps + (peakRps - troughRps) * curve) * (1 + noise[i]!))));
    }
  } else {
    const noise = ar1Noise(rng, minutes, 0.05);
    const crowds = flashCrowds(seed, minutes);
    for (let i = 0; i < minutes; i++)
      rates.push(round2(Math.max(0, TRACE_LEVELS.bursty.baseRps * (1 + noise[i]!) * crowdFactor(crowds, i))));
  }
  return { name: kind, seed, startMs, rates };
}

// ---------------------------------------------------------------------------
// CSV

/** Bounds of a loaded trace: a week at one value per minute, from a file of at most 2 MiB. */
export const CSV_TRACE_LIMITS = {
  maxBytes: 2 * 1024 * 1024,
  maxRows: 100_000,
  maxMinutes: 7 * MINUTES_PER_DAY,
} as const;

export class CsvTraceError extends Error {
  constructor(
    message: string,
    /** 1-based line of the file, when the error is about one line. */
    readonly line: number | null = null,
  ) {
    super(line === null ? message : `line ${line}: ${message}`);
    this.name = "CsvTraceError";
  }
}

/** A timestamp: ISO 8601, or epoch seconds (≤ 1e11) / milliseconds. */
const timestampSchema = z
  .string()
  .trim()
  .min(1, "timestamp is empty")
  .transform((raw, ctx) => {
    const asNumber = Number(raw);
    const ms =
      Number.isFinite(asNumber) && /^\d+(\.\d+)?$/.test(raw)
        ? asNumber <= 1e11
          ? asNumber * 1000
          : asNumber
        : Date.parse(raw);
    if (!Number.isFinite(ms)) {
      ctx.addIssue({
        code: "custom",
        message: `timestamp "${raw.slice(0, 40)}" is not ISO 8601 or epoch seconds/ms`,
      });
      return z.NEVER;
    }
    return ms;
  });

const requestRateSchema = z
  .string()
  .trim()
  .transform((raw, ctx) => {
    const value = Number(raw);
    if (raw === "" || !Number.isFinite(value) || value < 0) {
      ctx.addIssue({
        code: "custom",
        message: `request rate "${raw.slice(0, 40)}" must be a non-negative number`,
      });
      return z.NEVER;
    }
    return value;
  });

const csvRowSchema = z.tuple([timestampSchema, requestRateSchema]);

/**
 * Reads `timestamp,request_rate` rows (an optional header line; `#` comments and blank lines are
 * skipped), strictly increasing in time, and resamples them to one value per minute by linear
 * interpolation. Errors name the line.
 */
export function parseTraceCsv(text: string, name = "upload"): LoadTrace {
  if (Buffer.byteLength(text, "utf8") > CSV_TRACE_LIMITS.maxBytes)
    throw new CsvTraceError(`the file is larger than ${CSV_TRACE_LIMITS.maxBytes} bytes`);
  const lines = text.split(/\r?\n/);
  const points: Array<{ ms: number; rate: number }> = [];
  let headerSeen = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "" || line.startsWith("#")) continue;
    const cells = line.split(",");
    // A header: the first row, when neither cell is a value (a timestamp, a number).
    const isHeader =
      points.length === 0 &&
      !headerSeen &&
      cells.length === 2 &&
      !timestampSchema.safeParse(cells[0]).success &&
      !Number.isFinite(Number(cells[1]));
    if (isHeader) {
      headerSeen = true;
      continue;
    }
    if (cells.length !== 2)
      throw new CsvTraceError(`expected 2 columns (timestamp,request_rate), got ${cells.length}`, i + 1);
    const parsed = csvRowSchema.safeParse(cells);
    if (!parsed.success) throw new CsvTraceError(parsed.error.issues[0]?.message ?? "invalid row", i + 1);
    const [ms, rate] = parsed.data;
    const previous = points.at(-1);
    if (previous && ms <= previous.ms) throw new CsvTraceError("timestamps must increase strictly", i + 1);
    if (points.length >= CSV_TRACE_LIMITS.maxRows)
      throw new CsvTraceError(`more than ${CSV_TRACE_LIMITS.maxRows} rows`, i + 1);
    points.push({ ms, rate });
  }
  if (points.length < 2) throw new CsvTraceError("a trace needs at least 2 rows");
  const first = points[0]!;
  const last = points.at(-1)!;
  const minutes = Math.floor((last.ms - first.ms) / TRACE_STEP_MS) + 1;
  if (minutes > CSV_TRACE_LIMITS.maxMinutes)
    throw new CsvTraceError(
      `the trace spans ${minutes} minutes; at most ${CSV_TRACE_LIMITS.maxMinutes} (a week)`,
    );
  const rates: number[] = [];
  let j = 0;
  for (let m = 0; m < minutes; m++) {
    const t = first.ms + m * TRACE_STEP_MS;
    while (j < points.length - 2 && points[j + 1]!.ms <= t) j++;
    const a = points[j]!;
    const b = points[j + 1]!;
    const f = Math.min(1, Math.max(0, (t - a.ms) / (b.ms - a.ms)));
    rates.push(round2(a.rate + (b.rate - a.rate) * f));
  }
  return { name: `csv:${name}`, seed: null, startMs: first.ms, rates };
}

/** Writes a trace as CSV (ISO timestamps), the format `parseTraceCsv` reads. */
export function traceToCsv(trace: LoadTrace): string {
  const rows = trace.rates.map((r, i) => `${new Date(trace.startMs + i * TRACE_STEP_MS).toISOString()},${r}`);
  return ["timestamp,request_rate", ...rows].join("\n") + "\n";
}
