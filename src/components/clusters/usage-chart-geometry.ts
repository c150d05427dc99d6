/**
 * The usage chart's geometry, pure: axis ticks, the series as an SVG path and
 * the point nearest a position. The chart (UsageChart.tsx) draws it in a
 * 0..VIEW × 0..VIEW box stretched over the plot area, so nothing here needs
 * the chart's size in pixels.
 */

/** Both sides of the SVG view box (the path's coordinates). */
export const VIEW = 1000;

/** A round top for the y axis (17,600 → 20,000), so its ticks land on round numbers. */
export function niceCeil(value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  return (Math.ceil((value / magnitude) * 2) / 2) * magnitude;
}

/** Up to five whole-number ticks from 0 to `top`, evenly spaced. */
export function yTicks(top: number): number[] {
  const ticks = new Set<number>();
  for (let i = 0; i <= 4; i++) ticks.add(Math.round((top * i) / 4));
  return [...ticks].filter((tick) => tick <= top).sort((a, b) => a - b);
}

const MINUTE = 60_000;
/** Tick spacings the time axis chooses from, smallest first. */
const TIME_STEPS = [
  15_000,
  30_000,
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  60 * MINUTE,
  2 * 60 * MINUTE,
  3 * 60 * MINUTE,
  6 * 60 * MINUTE,
  12 * 60 * MINUTE,
  24 * 60 * MINUTE,
];

/**
 * Times for the x axis over [from, to]: multiples of the smallest spacing
 * that cuts the window into at most `most` parts (an axis label needs room).
 */
export function timeTicks(from: number, to: number, most = 6): number[] {
  if (!(to > from)) return [];
  const step = TIME_STEPS.find((s) => (to - from) / s <= most) ?? TIME_STEPS[TIME_STEPS.length - 1]!;
  const ticks: number[] = [];
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) ticks.push(t);
  return ticks;
}

/** A value's place along an axis as a fraction 0..1 (clamped). */
export function fraction(value: number, min: number, max: number): number {
  if (!(max > min)) return 0;
  return Math.min(1, Math.max(0, (value - min) / (max - min)));
}

interface Scale {
  from: number;
  to: number;
  top: number;
}

/** The points in view-box coordinates (y grows downwards). */
function project(
  points: readonly { t: number; value: number }[],
  { from, to, top }: Scale,
): [number, number][] {
  return points.map((p) => [fraction(p.t, from, to) * VIEW, (1 - fraction(p.value, 0, top)) * VIEW]);
}

const sign = (x: number) => (x < 0 ? -1 : 1);

/**
 * Tangents of a monotone cubic through the points (Fritsch–Carlson, as d3's
 * curveMonotoneX): the curve never overshoots the samples, so a usage line
 * does not dip below 0 or rise above what was measured.
 */
function tangents(xy: readonly [number, number][]): number[] {
  const n = xy.length;
  const slopes: number[] = [];
  for (let i = 0; i < n - 1; i++) {
    const dx = xy[i + 1]![0] - xy[i]![0];
    slopes.push(dx === 0 ? 0 : (xy[i + 1]![1] - xy[i]![1]) / dx);
  }
  const m: number[] = new Array<number>(n).fill(0);
  for (let i = 1; i < n - 1; i++) {
    const h0 = xy[i]![0] - xy[i - 1]![0];
    const h1 = xy[i + 1]![0] - xy[i]![0];
    const s0 = slopes[i - 1]!;
    const s1 = slopes[i]!;
    const p = h0 + h1 === 0 ? 0 : (s0 * h1 + s1 * h0) / (h0 + h1);
    m[i] = (sign(s0) + sign(s1)) * Math.min(Math.abs(s0), Math.abs(s1), 0.5 * Math.abs(p)) || 0;
  }
  if (n >= 2) {
    m[0] = (3 * slopes[0]! - m[1]!) / 2;
    m[n - 1] = (3 * slopes[n - 2]! - m[n - 2]!) / 2;
    if (n === 2) m[0] = m[1] = slopes[0]!;
  }
  return m;
}

const num = (x: number) => Number(x.toFixed(2));

/** The series' line as SVG path data ("" without points). */
export function linePath(points: readonly { t: number; value: number }[], scale: Scale): string {
  const xy = project(points, scale);
  if (xy.length === 0) return "";
  const m = tangents(xy);
  let d = `M${num(xy[0]![0])},${num(xy[0]![1])}`;
  for (let i = 0; i < xy.length - 1; i++) {
    const [x0, y0] = xy[i]!;
    const [x1, y1] = xy[i + 1]!;
    const dx = (x1 - x0) / 3;
    d += `C${num(x0 + dx)},${num(y0 + dx * m[i]!)},${num(x1 - dx)},${num(y1 - dx * m[i + 1]!)},${num(x1)},${num(y1)}`;
  }
  return d;
}

/** The area under the line, down to 0, as SVG path data ("" without points). */
export function areaPath(points: readonly { t: number; value: number }[], scale: Scale): string {
  const line = linePath(points, scale);
  if (!line) return "";
  const first = fraction(points[0]!.t, scale.from, scale.to) * VIEW;
  const last = fraction(points[points.length - 1]!.t, scale.from, scale.to) * VIEW;
  return `${line}L${num(last)},${VIEW}L${num(first)},${VIEW}Z`;
}

/** The index of the point closest in time to `t` (points in time order), or -1 without points. */
export function nearestIndex(points: readonly { t: number }[], t: number): number {
  if (points.length === 0) return -1;
  let lo = 0;
  let hi = points.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid]!.t < t) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && t - points[lo - 1]!.t <= points[lo]!.t - t) return lo - 1;
  return lo;
}
