import { describe, expect, it } from "vitest";
import { sleep } from "@/common/sleep";
import { backoffDelay } from "./backoff";

describe("backoffDelay", () => {
  it("starts at the initial delay and doubles per attempt", () => {
    const options = { initialMs: 100, maxMs: 10_000 };
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, options))).toEqual([100, 200, 400, 800, 1_600]);
  });

  it("stops growing at the cap", () => {
    expect(backoffDelay(30, { initialMs: 1_000, maxMs: 60_000 })).toBe(60_000);
    expect(backoffDelay(1_000, { initialMs: 1_000, maxMs: 60_000 })).toBe(60_000);
  });

  it("uses the given growth factor", () => {
    expect(backoffDelay(3, { initialMs: 10, maxMs: 1_000, factor: 3 })).toBe(90);
  });

  it("keeps jittered delays within the jitter fraction and never above the cap", () => {
    const options = { initialMs: 1_000, maxMs: 5_000, jitter: 0.2 };
    expect(backoffDelay(1, options, () => 0)).toBe(800);
    expect(backoffDelay(1, options, () => 1)).toBe(1_200);
    for (const attempt of [5, 10, 50]) {
      expect(backoffDelay(attempt, options, () => 1)).toBeLessThanOrEqual(5_000);
      expect(backoffDelay(attempt, options, () => 0)).toBeGreaterThan(5_000 / 1.2 - 5_000 * 0.2);
    }
  });

  it("treats attempts below one as the first", () => {
    expect(backoffDelay(0, { initialMs: 50, maxMs: 500 })).toBe(50);
  });
});

describe("sleep", () => {
  it("resolves early when its signal aborts", async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 20);
    await sleep(5_000, controller.signal);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
