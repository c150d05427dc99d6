import { type Clock } from "@/common/clock";
import {
  POD_LOG_STREAM_LIMITS,
  type PodLogLine,
  type PodLogStreamEndReason,
  type PodLogStreamEvent,
} from "./driver";
import { isClusterDriverError } from "./errors";

/**
 * What both drivers' log follows share: cutting a byte stream into lines
 * (partial lines across chunks, over-long lines cut), the lines-per-second
 * cap with its "dropped" count, and the maximum duration. A driver supplies
 * the lines as they come (`LineSource`); `boundedLogEvents` turns them into
 * the events `followPodLogs` yields.
 */

/**
 * Splits a byte stream into lines. A line longer than `maxLineBytes` is cut
 * there (marked with "…") and the rest of it, up to its newline, is skipped
 * without being kept, so a server that never sends a newline cannot grow
 * the buffer.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** The current line was already cut and emitted: skip to its newline. */
  private skipping = false;

  constructor(private readonly maxLineBytes: number = POD_LOG_STREAM_LIMITS.maxRawLineBytes) {}

  /** The complete lines in `chunk` (with what earlier chunks left), without their newlines. */
  push(chunk: Buffer): string[] {
    const lines: string[] = [];
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(0x0a, start);
      const end = newline < 0 ? chunk.length : newline;
      if (!this.skipping) {
        const room = this.maxLineBytes - this.pendingBytes;
        const piece = chunk.subarray(start, Math.min(end, start + room));
        this.pending.push(piece);
        this.pendingBytes += piece.length;
        if (end - start > room) {
          // Cut at the cap (a multi-byte character split there decodes as U+FFFD, then "…").
          lines.push(`${this.take()}…`);
          this.skipping = true;
        }
      }
      if (newline < 0) break;
      if (this.skipping) this.skipping = false;
      else lines.push(this.take().replace(/\r$/, ""));
      start = newline + 1;
    }
    return lines;
  }

  /** What is left after the last newline when the stream ends (a last line without one), or null. */
  flush(): string | null {
    if (this.skipping || this.pendingBytes === 0) {
      this.skipping = false;
      this.pending = [];
      this.pendingBytes = 0;
      return null;
    }
    return this.take();
  }

  private take(): string {
    const text = Buffer.concat(this.pending).toString("utf8");
    this.pending = [];
    this.pendingBytes = 0;
    return text;
  }
}

/**
 * At most `perSecond` lines in each second of the clock; the others are
 * dropped and counted. Fixed one-second windows: simple, deterministic under
 * a manual clock, and never more than twice the rate over any second.
 */
export class LineRateGate {
  private window = Number.NaN;
  private passed = 0;

  constructor(
    private readonly perSecond: number,
    private readonly now: Clock,
  ) {}

  admit(lines: readonly PodLogLine[]): { passed: PodLogLine[]; dropped: number } {
    const window = Math.floor(this.now() / 1000);
    if (window !== this.window) {
      this.window = window;
      this.passed = 0;
    }
    const room = Math.max(0, this.perSecond - this.passed);
    const passed = lines.slice(0, room);
    this.passed += passed.length;
    return { passed, dropped: lines.length - passed.length };
  }
}

/** Batches of lines as the container writes them; ends when the cluster ends the stream. */
export type LineSource = (signal: AbortSignal) => AsyncIterable<PodLogLine[]>;

export interface StreamBounds {
  now: Clock;
  linesPerSecond: number;
  maxDurationMs: number;
  /** The caller's signal: aborting ends the events without an `end` event. */
  signal?: AbortSignal;
  /** Sets the wall-clock deadline of an idle stream (default: `setTimeout`); returns its cancel. */
  setDeadline?: (ms: number, fire: () => void) => () => void;
}

/** Raised into the source when the maximum duration passes. */
class MaxDurationReached extends Error {
  override readonly name = "MaxDurationReached";
}

const realDeadline = (ms: number, fire: () => void): (() => void) => {
  const timer = setTimeout(fire, ms);
  // A forgotten stream must not keep a process alive.
  timer.unref?.();
  return () => clearTimeout(timer);
};

function endEvent(reason: PodLogStreamEndReason, message: string | null = null): PodLogStreamEvent {
  return { type: "end", reason, message };
}

function* batches(lines: PodLogLine[]): Generator<PodLogStreamEvent> {
  for (let at = 0; at < lines.length; at += POD_LOG_STREAM_LIMITS.maxBatchLines) {
    const batch = lines.slice(at, at + POD_LOG_STREAM_LIMITS.maxBatchLines);
    const cursor = [...batch].reverse().find((line) => line.timestamp !== null)?.timestamp ?? null;
    yield { type: "lines", lines: batch, cursor };
  }
}

/**
 * The source's lines as stream events, within the bounds: the rate cap
 * (a `dropped` event before the next lines that pass, and before the end),
 * the maximum duration (checked on the bounds' clock at every batch, and
 * by a deadline for a stream that stays silent), and the caller's abort.
 * A failure half-way is an `end` with reason "error" and the driver's
 * sanitised message; leaving the loop closes the source.
 */
export async function* boundedLogEvents(
  source: LineSource,
  bounds: StreamBounds,
): AsyncGenerator<PodLogStreamEvent, void, undefined> {
  const controller = new AbortController();
  const external = bounds.signal;
  const onAbort = () => controller.abort(external?.reason);
  if (external?.aborted) return;
  external?.addEventListener("abort", onAbort, { once: true });
  const cancelDeadline = (bounds.setDeadline ?? realDeadline)(bounds.maxDurationMs, () =>
    controller.abort(new MaxDurationReached()),
  );
  const deadline = bounds.now() + bounds.maxDurationMs;
  const gate = new LineRateGate(bounds.linesPerSecond, bounds.now);
  let dropped = 0;
  try {
    try {
      for await (const lines of source(controller.signal)) {
        if (external?.aborted) return;
        const { passed, dropped: more } = gate.admit(lines);
        // A window's lines pass first and the rest are dropped: the count goes before the next lines that pass.
        if (passed.length > 0 && dropped > 0) {
          yield { type: "dropped", count: dropped };
          dropped = 0;
        }
        dropped += more;
        yield* batches(passed);
        if (bounds.now() >= deadline) controller.abort(new MaxDurationReached());
        if (controller.signal.aborted) break;
      }
    } catch (error) {
      if (external?.aborted) return;
      if (!(controller.signal.reason instanceof MaxDurationReached)) {
        if (dropped > 0) yield { type: "dropped", count: dropped };
        yield endEvent(
          "error",
          isClusterDriverError(error) ? error.message : "reading the log failed unexpectedly",
        );
        return;
      }
    }
    if (external?.aborted) return;
    if (dropped > 0) yield { type: "dropped", count: dropped };
    yield endEvent(controller.signal.reason instanceof MaxDurationReached ? "max-duration" : "ended");
  } finally {
    cancelDeadline();
    external?.removeEventListener("abort", onAbort);
    // Whatever ended the events, the source's connection is closed with them.
    if (!controller.signal.aborted) controller.abort();
  }
}

/** Events of a container that has not started: only the end, with why. */
export async function* waitingEvents(notice: string): AsyncGenerator<PodLogStreamEvent, void, undefined> {
  yield endEvent("waiting", notice);
}
