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
