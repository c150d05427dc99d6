import { describe, expect, it } from "vitest";
import {
  CSV_TRACE_LIMITS,
  CsvTraceError,
  flashCrowds,
  generateTrace,
  parseTraceCsv,
  TRACE_KINDS,
  TRACE_LEVELS,
  traceToCsv,
} from "./traces";

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe("generated traces", () => {
  it("are the same for the same kind and seed, and differ for another seed", () => {
    for (const kind of TRACE_KINDS) {
      const a = generateTrace(kind, 5);
      expect(generateTrace(kind, 5)).toEqual(a);
      expect(generateTrace(kind, 6).rates).not.toEqual(a.rates);
      expect(a.rates).toHaveLength(1_440);
      expect(a.rates.every((r) => Number.isFinite(r) && r >= 0)).toBe(true);
    }
  });

  it("steady stays near its mean", () => {
    const { rates } = generateTrace("steady", 1);
    expect(mean(rates)).toBeGreaterThan(TRACE_LEVELS.steady.meanRps * 0.95);
    expect(mean(rates)).toBeLessThan(TRACE_LEVELS.steady.meanRps * 1.05);
    expect(Math.max(...rates)).toBeLessThan(TRACE_LEVELS.steady.meanRps * 1.25);
  });

  it("diurnal peaks in the afternoon and troughs at night", () => {
    const { rates } = generateTrace("diurnal", 1);
    const hourly = Array.from({ length: 24 }, (_, h) => mean(rates.slice(h * 60, h * 60 + 60)));
    const peak = hourly.indexOf(Math.max(...hourly));
    expect(peak).toBeGreaterThanOrEqual(12);
    expect(peak).toBeLessThanOrEqual(17);
    expect(Math.max(...hourly) / Math.min(...hourly)).toBeGreaterThan(3);
  });

  it("bursty has flash crowds: a rise of ≥ 1.8× the base within 3 minutes", () => {
    const crowds = flashCrowds(1, 1_440);
    expect(crowds.length).toBeGreaterThanOrEqual(5);
    const { rates } = generateTrace("bursty", 1);
    const first = crowds[0]!;
    const before = rates[first.startMinute - 1] ?? rates[0]!;
    const atPeak = rates[first.startMinute + first.riseMinutes - 1]!;
    expect(atPeak / before).toBeGreaterThan(1.8);
    expect(Math.max(...rates)).toBeGreaterThan(TRACE_LEVELS.bursty.baseRps * 2.5);
  });

  it("refuses a length outside 1..10080 minutes", () => {
    expect(() => generateTrace("steady", 1, { minutes: 0 })).toThrow(/minutes/);
    expect(() => generateTrace("steady", 1, { minutes: 20_000 })).toThrow(/minutes/);
  });
});

describe("CSV traces", () => {
  it("round-trips a generated trace", () => {
    const trace = generateTrace("bursty", 3, { minutes: 120 });
    const loaded = parseTraceCsv(traceToCsv(trace), "mine");
    expect(loaded).toEqual({ ...trace, name: "csv:mine", seed: null });
  });

  it("resamples irregular rows to one value per minute (linear), skips header, comments and blank lines", () => {
    const csv = [
      "# exported from the load balancer",
      "timestamp,request_rate",
      "2026-01-05T00:00:00Z,100",
      "",
      "2026-01-05T00:02:00Z,300",
      "1767571500,150", // epoch seconds = 2026-01-05T00:05:00Z
    ].join("\n");
    const trace = parseTraceCsv(csv);
    expect(trace.startMs).toBe(Date.UTC(2026, 0, 5));
    expect(trace.rates).toEqual([100, 200, 300, 250, 200, 150]);
  });

  it("names the line of a bad row", () => {
    const bad = (body: string) => () => parseTraceCsv(`timestamp,request_rate\n${body}`);
    expect(bad("2026-01-05T00:00:00Z,100\nyesterday,5")).toThrow(/^line 3: timestamp "yesterday"/);
    expect(bad("2026-01-05T00:00:00Z,100\n2026-01-05T00:01:00Z,-4")).toThrow(
      /^line 3: request rate "-4" must be a non-negative number/,
    );
    expect(bad("2026-01-05T00:00:00Z,100\n2026-01-05T00:01:00Z,5,7")).toThrow(/^line 3: expected 2 columns/);
    expect(bad("2026-01-05T00:01:00Z,100\n2026-01-05T00:00:00Z,5")).toThrow(
      /^line 3: timestamps must increase/,
    );
    try {
      bad("2026-01-05T00:00:00Z,abc")();
      expect.unreachable("a bad rate must throw");
    } catch (error) {
      expect(error).toBeInstanceOf(CsvTraceError);
      expect((error as CsvTraceError).line).toBe(2);
    }
  });

  it("caps size and span", () => {
    expect(() => parseTraceCsv("x".repeat(CSV_TRACE_LIMITS.maxBytes + 1))).toThrow(/larger than/);
    expect(() => parseTraceCsv("2026-01-05T00:00:00Z,1\n2026-02-05T00:00:00Z,1")).toThrow(/at most 10080/);
    expect(() => parseTraceCsv("2026-01-05T00:00:00Z,1")).toThrow(/at least 2 rows/);
  });
});
