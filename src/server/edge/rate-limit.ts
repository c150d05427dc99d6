import { systemClock, type Clock } from "@/common/clock";

/**
 * In-process token buckets, one per key (a user id or a client address):
 * `perMinute` requests, refilled continuously, so a burst of up to a minute's
 * budget is allowed and then one request every 60/perMinute seconds. Memory
 * is bounded: at most `maxKeys` buckets, the least recently used evicted
 * first (a full bucket is the same as no bucket, so evicting an idle key
 * forgets nothing). Each web process counts on its own: with N replicas a
 * client gets up to N times the budget.
 */

export interface RateLimitDecision {
  allowed: boolean;
  /** Whole seconds until one request is allowed again (0 when allowed). */
  retryAfterSeconds: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export const DEFAULT_MAX_KEYS = 10_000;

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly refillPerMs: number;

  constructor(
    /** Requests per minute; 0 turns the limit off. */
    readonly perMinute: number,
    private readonly clock: Clock = systemClock,
    readonly maxKeys: number = DEFAULT_MAX_KEYS,
  ) {
    this.refillPerMs = perMinute / 60_000;
  }

  /** Spends one request of `key`'s budget, or says how long to wait. */
  take(key: string): RateLimitDecision {
    if (this.perMinute <= 0) return { allowed: true, retryAfterSeconds: 0 };
    const now = this.clock();
    const bucket = this.refilled(key, now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true, retryAfterSeconds: 0 };
    }
    return {
      allowed: false,
      retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.refillPerMs / 1000)),
    };
  }

  /** Buckets held now (for the memory bound's test). */
  get size(): number {
    return this.buckets.size;
  }

  private refilled(key: string, now: number): Bucket {
    const existing = this.buckets.get(key);
    // Re-inserted on every use: the Map's order is then least recently used first.
    if (existing) this.buckets.delete(key);
    const bucket: Bucket = existing
      ? {
          tokens: Math.min(
            this.perMinute,
            existing.tokens + Math.max(0, now - existing.updatedAt) * this.refillPerMs,
          ),
          updatedAt: now,
        }
      : { tokens: this.perMinute, updatedAt: now };
    this.buckets.set(key, bucket);
    while (this.buckets.size > this.maxKeys) {
      const oldest = this.buckets.keys().next().value;
      if (oldest === undefined) break;
      this.buckets.delete(oldest);
    }
    return bucket;
  }
}

/** One budget (REST, tRPC mutations, login) counted per user and per client address. */
export class RateBudget {
  readonly perUser: RateLimiter;
  readonly perIp: RateLimiter;

  constructor(
    readonly name: string,
    limits: { perUser: number; perIp: number },
    clock: Clock = systemClock,
    maxKeys: number = DEFAULT_MAX_KEYS,
  ) {
    this.perUser = new RateLimiter(limits.perUser, clock, maxKeys);
    this.perIp = new RateLimiter(limits.perIp, clock, maxKeys);
  }

  /**
   * Spends one request for the address and, when known, the user. Both are
   * charged even when one refuses, so a refused client cannot save budget by
   * retrying at once.
   */
  take(who: { ip: string; user?: string | null }): RateLimitDecision {
    const byIp = this.perIp.take(who.ip);
    const byUser = who.user ? this.perUser.take(who.user) : { allowed: true, retryAfterSeconds: 0 };
    return {
      allowed: byIp.allowed && byUser.allowed,
      retryAfterSeconds: Math.max(byIp.retryAfterSeconds, byUser.retryAfterSeconds),
    };
  }
}

/** A refusal as the API answers it: 429, Retry-After, and the JSON error naming the budget. */
export function tooManyRequests(budget: string, retryAfterSeconds: number): Response {
  return Response.json(
    {
      error: "too_many_requests",
      message: `Too many ${budget} requests: try again in ${retryAfterSeconds} s.`,
    },
    {
      status: 429,
      headers: { "retry-after": String(retryAfterSeconds), "cache-control": "no-store" },
    },
  );
}
