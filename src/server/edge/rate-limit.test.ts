import { describe, expect, it } from "vitest";
import { RateBudget, RateLimiter, tooManyRequests } from "./rate-limit";

/** A clock the test moves by hand. */
function manualClock(start = 1_000_000) {
  let now = start;
  return { clock: () => now, advance: (ms: number) => (now += ms) };
}

describe("RateLimiter", () => {
  it("allows a minute's budget at once, then refuses with the seconds until the next request", () => {
    const { clock, advance } = manualClock();
    const limiter = new RateLimiter(6, clock);
    for (let i = 0; i < 6; i++) expect(limiter.take("u1").allowed).toBe(true);
    expect(limiter.take("u1")).toEqual({ allowed: false, retryAfterSeconds: 10 });
    advance(4_000);
    expect(limiter.take("u1")).toEqual({ allowed: false, retryAfterSeconds: 6 });
    advance(6_000);
    expect(limiter.take("u1").allowed).toBe(true);
    expect(limiter.take("u1").allowed).toBe(false);
  });

  it("counts each key on its own", () => {
    const { clock } = manualClock();
    const limiter = new RateLimiter(1, clock);
    expect(limiter.take("a").allowed).toBe(true);
    expect(limiter.take("a").allowed).toBe(false);
    expect(limiter.take("b").allowed).toBe(true);
  });

  it("never refills past the budget, however long a key was idle", () => {
    const { clock, advance } = manualClock();
    const limiter = new RateLimiter(2, clock);
    limiter.take("a");
    advance(60 * 60_000);
    expect(limiter.take("a").allowed).toBe(true);
    expect(limiter.take("a").allowed).toBe(true);
    expect(limiter.take("a").allowed).toBe(false);
  });

  it("holds at most maxKeys buckets, evicting the least recently used", () => {
    const { clock } = manualClock();
    const limiter = new RateLimiter(1, clock, 3);
    for (const key of ["a", "b", "c"]) limiter.take(key);
    limiter.take("a"); // refused, but now the most recently used
    limiter.take("d"); // evicts b
    expect(limiter.size).toBe(3);
    expect(limiter.take("a").allowed).toBe(false);
    expect(limiter.take("b").allowed).toBe(true);
  });

  it("is off with a budget of 0", () => {
    const limiter = new RateLimiter(0, manualClock().clock);
    for (let i = 0; i < 1000; i++) expect(limiter.take("a").allowed).toBe(true);
    expect(limiter.size).toBe(0);
  });
});

describe("RateBudget", () => {
  it("refuses when either the address or the user is over, with the longer wait", () => {
    const { clock } = manualClock();
    const budget = new RateBudget("test", { perUser: 2, perIp: 3 }, clock);
    expect(budget.take({ ip: "10.0.0.1", user: "u" }).allowed).toBe(true);
    expect(budget.take({ ip: "10.0.0.2", user: "u" }).allowed).toBe(true);
    // The user is over although this address is fresh.
    expect(budget.take({ ip: "10.0.0.3", user: "u" })).toEqual({ allowed: false, retryAfterSeconds: 30 });
    // An anonymous caller is counted by address only.
    expect(budget.take({ ip: "10.0.0.1" }).allowed).toBe(true);
    expect(budget.take({ ip: "10.0.0.1" }).allowed).toBe(true);
    expect(budget.take({ ip: "10.0.0.1" }).allowed).toBe(false);
  });
});

describe("tooManyRequests", () => {
  it("is a 429 JSON answer with Retry-After", async () => {
    const response = tooManyRequests("sign-in", 7);
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("7");
    expect(await response.json()).toEqual({
      error: "too_many_requests",
      message: "Too many sign-in requests: try again in 7 s.",
    });
  });
});
