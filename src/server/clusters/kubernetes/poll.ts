/** Waiting between API calls, for operations the cluster completes asynchronously (Velero, CRDs). */
import { abortReason, sleepOrAbort } from "@/common/sleep";

/** Resolves after `ms`; rejects with the signal's reason as soon as it is aborted. */
export const delay = sleepOrAbort;

export interface PollOptions {
  intervalMs: number;
  timeoutMs: number;
  signal?: AbortSignal;
}

export type PollStep<T> = { done: true; value: T } | { done: false; state: string };

/**
 * Calls `check` until it reports done, `intervalMs` apart. Throws `onTimeout`'s
 * error, given the last state seen, once `timeoutMs` has passed; rejects with
 * the signal's reason when aborted.
 */
export async function pollUntil<T>(
  check: () => Promise<PollStep<T>>,
  options: PollOptions,
  onTimeout: (lastState: string) => Error,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (options.signal?.aborted) throw abortReason(options.signal);
    const step = await check();
    if (step.done) return step.value;
    if (Date.now() + options.intervalMs > deadline) throw onTimeout(step.state);
    await delay(options.intervalMs, options.signal);
  }
}
