/**
 * Capped exponential backoff, shared by broker reconnects, consumer retries
 * and the outbox relay so that every "try again later" in the bus grows the
 * same way and stops growing at the same cap.
 */
export interface BackoffOptions {
  /** Delay before the first retry. */
  initialMs: number;
  /** No delay exceeds this, jitter included. */
  maxMs: number;
  /** Growth per attempt (default 2). */
  factor?: number;
  /**
   * Fraction (0..1) of the delay to randomise, so that many clients that lost
   * the broker at the same instant do not all come back at the same instant.
   */
  jitter?: number;
}

/**
 * Delay before retry number `attempt` (1 = first retry):
 * `min(maxMs, initialMs * factor^(attempt-1))`, then ±jitter, never above maxMs.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const factor = options.factor ?? 2;
  const jitter = Math.min(1, Math.max(0, options.jitter ?? 0));
  const n = Math.max(1, Math.floor(attempt));
  // Cap the base below maxMs by the jitter fraction so the jittered value still fits under the cap.
  const cappedBase = options.maxMs / (1 + jitter);
  const base = Math.min(cappedBase, options.initialMs * factor ** (n - 1));
  const offset = jitter > 0 ? (random() * 2 - 1) * base * jitter : 0;
  return Math.max(0, Math.min(options.maxMs, Math.round(base + offset)));
}
