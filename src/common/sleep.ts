/**
 * Waits `ms`, or less: an abort ends the wait early without throwing, so a
 * loop that sleeps between rounds sees the signal on its next check and
 * stops cleanly (shutdown is not an error).
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** Why a wait was cut short: the signal's reason when it gave one, an AbortError otherwise. */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException("The operation was aborted", "AbortError");
}

/**
 * Waits `ms`, and rejects with the abort reason as soon as `signal` aborts:
 * for waits inside an operation (a poll, a simulated delay) whose caller
 * must not carry on as if the time had passed.
 */
export async function sleepOrAbort(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) throw abortReason(signal);
  await sleep(ms, signal);
  if (signal?.aborted) throw abortReason(signal);
}
