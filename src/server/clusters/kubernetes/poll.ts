/** Waiting between API calls, for operations the cluster completes asynchronously (Velero, CRDs). */

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("The operation was aborted", "AbortError");
}

/** Resolves after `ms`; rejects with the signal's reason as soon as it is aborted. */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
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
}

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
