import { describe, expect, it } from "vitest";
import { clampZoom, fitZoom, MAX_ZOOM, MIN_ZOOM, ZOOM_STEP } from "./zoom";

describe("tree zoom", () => {
  it("stays within bounds and on whole percent however often it is stepped", () => {
    let zoom = 1;
    for (let i = 0; i < 30; i++) zoom = clampZoom(zoom - ZOOM_STEP);
    expect(zoom).toBe(MIN_ZOOM);
    for (let i = 0; i < 3; i++) zoom = clampZoom(zoom + ZOOM_STEP);
    expect(zoom).toBe(0.6);
    expect(clampZoom(Infinity)).toBe(MAX_ZOOM);
    expect(clampZoom(Number.NaN)).toBe(1);
  });

  it("fits a wide tree into the viewport, and never enlarges a small one", () => {
    // Four columns of cards (1,360 px) in the 700 px a 1024 px window leaves the tree.
    expect(fitZoom(1_360, 400, 700, 600)).toBe(0.51);
    expect(1_360 * fitZoom(1_360, 400, 700, 600)).toBeLessThanOrEqual(700);
    expect(fitZoom(1_360, 2_000, 700, 600)).toBe(MIN_ZOOM);
    expect(fitZoom(300, 200, 700, 600)).toBe(1);
    expect(fitZoom(0, 0, 700, 600)).toBe(1);
  });
});
