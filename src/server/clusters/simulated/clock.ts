/**
 * Time for the simulation is injected: the quick start runs on the wall
 * clock, tests and RL training on a manual clock they advance themselves, so
 * a simulated day of load takes microseconds and repeats exactly.
 */

import { abortReason, sleepOrAbort } from "@/common/sleep";
import type { Clock } from "@/common/clock";

export { systemClock, type Clock } from "@/common/clock";

/** Waits `ms` of simulated time; rejects with the signal's reason when aborted. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

// Unlike a worker loop's pause, a simulated wait that was cut short is an error for its caller.
export const systemSleep: Sleep = sleepOrAbort;

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
