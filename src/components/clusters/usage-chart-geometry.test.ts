import { describe, expect, it } from "vitest";
import { areaPath, linePath, nearestIndex, niceCeil, timeTicks, VIEW, yTicks } from "./usage-chart-geometry";

const MINUTE = 60_000;
/** A fixed start (whole hour, UTC), so the ticks do not depend on the clock. */
const T0 = Date.UTC(2026, 11, 7, 9, 0, 0);

/** Every number of an SVG path, in order. */
const numbers = (d: string) => (d.match(/-?\d+(\.\d+)?/g) ?? []).map(Number);

describe("usage chart axes", () => {
  it("rounds the y axis' top up to a half or whole power of ten", () => {
    expect(niceCeil(17_600)).toBe(20_000);
    expect(niceCeil(12_000)).toBe(15_000);
    expect(niceCeil(0.3)).toBeCloseTo(0.3);
    expect(niceCeil(0)).toBe(1);
    expect(niceCeil(Number.NaN)).toBe(1);
  });

  it("puts up to five whole-number ticks from 0 to the top", () => {
    expect(yTicks(100)).toEqual([0, 25, 50, 75, 100]);
    expect(yTicks(20_000)).toEqual([0, 5_000, 10_000, 15_000, 20_000]);
    // A tiny top keeps whole numbers only, without duplicates.
    expect(yTicks(1)).toEqual([0, 1]);
  });

  it("spaces time ticks so that the window has at most six parts", () => {
    expect(timeTicks(T0, T0 + 5 * MINUTE)).toEqual([0, 1, 2, 3, 4, 5].map((m) => T0 + m * MINUTE));
    const hour = timeTicks(T0 + 30_000, T0 + 60 * MINUTE + 30_000);
    expect(hour).toEqual([1, 2, 3, 4, 5, 6].map((i) => T0 + i * 10 * MINUTE));
    const day = timeTicks(T0, T0 + 24 * 60 * MINUTE);
    expect(day[1]! - day[0]!).toBe(6 * 60 * MINUTE);
    expect(timeTicks(T0, T0)).toEqual([]);
  });
});

describe("usage chart series", () => {
  const scale = { from: T0, to: T0 + 4 * MINUTE, top: 100 };
  const points = [0, 1, 2, 3, 4].map((m, i) => ({ t: T0 + m * MINUTE, value: [0, 80, 80, 10, 10][i]! }));

  it("draws the line through every sample, spanning the window", () => {
    const d = linePath(points, scale);
    expect(d.startsWith(`M0,${VIEW}`)).toBe(true);
    expect(d.endsWith(`${VIEW},${VIEW * 0.9}`)).toBe(true);
    for (const p of points) {
      const x = ((p.t - T0) / (4 * MINUTE)) * VIEW;
      const y = VIEW * (1 - p.value / 100);
      expect(d).toContain(`${Number(x.toFixed(2))},${Number(y.toFixed(2))}`);
    }
  });

  it("never overshoots the samples (monotone curve): flat runs stay flat, nothing goes below 0", () => {
    const ys = numbers(linePath(points, scale)).filter((_, i) => i % 2 === 1);
    expect(Math.min(...ys)).toBeGreaterThanOrEqual(VIEW * 0.2); // never above the 80 % sample
    expect(Math.max(...ys)).toBeLessThanOrEqual(VIEW); // never below 0
  });

  it("closes the area down to 0 under the first and last samples", () => {
    expect(areaPath(points, scale).endsWith(`L${VIEW},${VIEW}L0,${VIEW}Z`)).toBe(true);
    expect(areaPath([], scale)).toBe("");
    expect(linePath([{ t: T0, value: 50 }], scale)).toBe(`M0,${VIEW / 2}`);
  });

  it("finds the sample nearest a time", () => {
    expect(nearestIndex(points, T0 - MINUTE)).toBe(0);
    expect(nearestIndex(points, T0 + 1.4 * MINUTE)).toBe(1);
    expect(nearestIndex(points, T0 + 1.6 * MINUTE)).toBe(2);
    expect(nearestIndex(points, T0 + 9 * MINUTE)).toBe(4);
    expect(nearestIndex([], T0)).toBe(-1);
  });
});
