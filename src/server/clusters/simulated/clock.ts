/**
 * Time for the simulation is injected: the quick start runs on the wall
 * clock, tests and RL training on a manual clock they advance themselves, so
 * a simulated day of load takes microseconds and repeats exactly.
 */

/** Milliseconds since the epoch. */
export type Clock = () => number;

/** Waits `ms` of simulated time; rejects with the signal's reason when aborted. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const systemClock: Clock = () => Date.now();

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("The operation was aborted", "AbortError");
}

export const systemSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal as AbortSignal));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });

export interface ManualClock {
  readonly now: Clock;
  advance(ms: number): void;
  set(epochMs: number): void;
  /** Sleeping on a manual clock moves it forward instead of waiting. */
  readonly sleep: Sleep;
}

/** 2025-05-29T10:00:00Z: the day of the reference deployment's metrics sample. */
export const DEFAULT_MANUAL_START = Date.UTC(2025, 4, 29, 10, 0, 0);

export function createManualClock(startMs: number = DEFAULT_MANUAL_START): ManualClock {
  let current = startMs;
  return {
    now: () => current,
    advance(ms) {
      if (ms < 0) throw new RangeError("a clock cannot go backwards");
      current += ms;
    },
    set(epochMs) {
      current = epochMs;
    },
    sleep: async (ms, signal) => {
      if (signal?.aborted) throw abortReason(signal);
      current += Math.max(0, ms);
    },
  };
}
