"use client";

import Box from "@mui/material/Box";
import Paper from "@mui/material/Paper";
import Stack from "@mui/material/Stack";
import Typography from "@mui/material/Typography";
import { useTheme } from "@mui/material/styles";
import { useId, useState, type KeyboardEvent, type PointerEvent } from "react";
import { formatDate } from "@/components/ui/dates";
import { useHydrated } from "@/components/ui/use-hydrated";
import {
  areaPath,
  fraction,
  linePath,
  nearestIndex,
  niceCeil,
  timeTicks,
  VIEW,
  yTicks,
} from "./usage-chart-geometry";

/** One point of a usage chart: time in ms and the value. */
export interface UsagePoint {
  t: number;
  value: number;
}

/** Room around the plot for the axes' labels, in px. */
const PLOT = { top: 8, right: 16, bottom: 24, left: 56 } as const;
const pct = (f: number) => `${(f * 100).toFixed(3)}%`;

/**
 * A usage series over a time window, as an area chart. The x axis spans the
 * whole window (so an hour of history looks like an hour even when samples
 * started ten minutes ago); a reference line marks the capacity when given.
 * Pointing at the chart (or focusing it and using ←/→) shows the nearest sample.
 *
 * Drawn as one SVG path stretched over the plot, with the axes and the
 * tooltip in HTML: a charting library would be most of the metrics page's
 * JavaScript for three area charts.
 */
export function UsageChart({
  title,
  unit,
  points,
  from,
  to,
  max,
  reference,
  color,
  testId,
  format,
  tickFormat = format,
}: {
  title: string;
  unit: string;
  points: UsagePoint[];
  from: number;
  to: number;
  /** Top of the y axis (100 for percentages); defaults to fitting the data and the reference. */
  max?: number;
  reference?: { value: number; label: string };
  color: string;
  testId: string;
  format: (value: number) => string;
  /** Shorter labels for the y axis ticks (defaults to `format`). */
  tickFormat?: (value: number) => string;
}) {
  const theme = useTheme();
  // Times are in the browser's zone: the axis and the tooltip are drawn once hydrated.
  const hydrated = useHydrated();
  const gradientId = useId().replace(/:/g, "");
  const [active, setActive] = useState<number | null>(null);
  const windowMs = to - from;
  const tick = (t: number) => formatDate(t, windowMs <= 10 * 60_000 ? "time" : "hourMinute");
  const top = max ?? niceCeil(Math.max(reference?.value ?? 0, ...points.map((p) => p.value)) * 1.05);
  const scale = { from, to, top };
  const last = points.at(-1);
  const xAt = (t: number) => fraction(t, from, to);
  const yAt = (value: number) => 1 - fraction(value, 0, top);
  const shown = active === null ? undefined : points[Math.min(active, points.length - 1)];
  const gridLine = { position: "absolute", borderColor: "divider", pointerEvents: "none" } as const;

  const point = (event: PointerEvent<HTMLDivElement>) => {
    const box = event.currentTarget.getBoundingClientRect();
    if (box.width <= 0) return;
    const index = nearestIndex(points, from + ((event.clientX - box.left) / box.width) * windowMs);
    setActive(index < 0 ? null : index);
  };
  const key = (event: KeyboardEvent<HTMLDivElement>) => {
    if (points.length === 0) return;
    const current = active ?? points.length;
    const next =
      event.key === "ArrowLeft"
        ? Math.max(0, current - 1)
        : event.key === "ArrowRight"
          ? Math.min(points.length - 1, active === null ? points.length - 1 : current + 1)
          : event.key === "Home"
            ? 0
            : event.key === "End"
              ? points.length - 1
              : undefined;
    if (event.key === "Escape") setActive(null);
    if (next === undefined) return;
    event.preventDefault();
    setActive(next);
  };

  return (
    <Paper variant="outlined" sx={{ p: 2, minWidth: 0 }} data-testid={testId} data-points={points.length}>
      <Stack direction="row" sx={{ alignItems: "baseline", mb: 1 }} spacing={1}>
        <Typography variant="subtitle1" component="h3" sx={{ fontWeight: 600, flexGrow: 1 }}>
          {title}
        </Typography>
        <Typography variant="body2" color="text.secondary">
          {unit}
        </Typography>
      </Stack>
      <Box
        sx={{ height: 220, position: "relative", fontSize: 12, color: "text.secondary" }}
        role="group"
        aria-label={`${title}: ${points.length} points${last ? `, last ${format(last.value)}` : ""}`}
      >
        {/* The y axis: labels right-aligned against the plot, a dashed grid line each. */}
        {yTicks(top).map((value) => (
          <Box
            key={`y${value}`}
            aria-hidden="true"
            sx={{
              position: "absolute",
              left: 0,
              width: PLOT.left - 6,
              textAlign: "right",
              lineHeight: 1,
              top: `calc(${PLOT.top}px + (100% - ${PLOT.top + PLOT.bottom}px) * ${yAt(value)} - 6px)`,
            }}
          >
            {tickFormat(value)}
          </Box>
        ))}
        <Box
          data-testid="usage-plot"
          role="group"
          tabIndex={points.length > 0 ? 0 : -1}
          aria-label={`${title} samples: the left and right arrow keys read them`}
          onPointerMove={point}
          onPointerLeave={() => setActive(null)}
          onKeyDown={key}
          onBlur={() => setActive(null)}
          sx={{
            position: "absolute",
            top: PLOT.top,
            right: PLOT.right,
            bottom: PLOT.bottom,
            left: PLOT.left,
            borderLeft: 1,
            borderBottom: 1,
            borderColor: "text.disabled",
            "&:focus-visible": { outline: `2px solid ${theme.palette.primary.main}`, outlineOffset: 2 },
          }}
        >
          {yTicks(top).map((value) => (
            <Box
              key={`gy${value}`}
              sx={{ ...gridLine, left: 0, right: 0, top: pct(yAt(value)), borderTop: "1px dashed" }}
            />
          ))}
          {hydrated &&
            timeTicks(from, to).map((t) => (
              <Box
                key={`gx${t}`}
                sx={{ ...gridLine, top: 0, bottom: 0, left: pct(xAt(t)), borderLeft: "1px dashed" }}
              >
                <Box
                  component="span"
                  aria-hidden="true"
                  sx={{
                    position: "absolute",
                    top: "100%",
                    mt: "6px",
                    transform: "translateX(-50%)",
                    whiteSpace: "nowrap",
                    color: "text.secondary",
                  }}
                >
                  {tick(t)}
                </Box>
              </Box>
            ))}
          <Box
            component="svg"
            viewBox={`0 0 ${VIEW} ${VIEW}`}
            preserveAspectRatio="none"
            aria-hidden="true"
            sx={{ position: "absolute", inset: 0, width: "100%", height: "100%", overflow: "visible" }}
          >
            <defs>
              <linearGradient id={gradientId} x1="0" y1="0" x2="0" y2="1">
                <stop offset="5%" stopColor={color} stopOpacity={0.35} />
                <stop offset="95%" stopColor={color} stopOpacity={0.02} />
              </linearGradient>
            </defs>
            <path d={areaPath(points, scale)} fill={`url(#${gradientId})`} stroke="none" />
            <path
              className="usage-line"
              d={linePath(points, scale)}
              fill="none"
              stroke={color}
              strokeWidth={2}
              vectorEffect="non-scaling-stroke"
            />
          </Box>
          {/* One or two samples make no visible line: they show as dots. */}
          {points.length <= 2 &&
            points.map((p) => (
              <Box
                key={p.t}
                sx={{
                  ...gridLine,
                  width: 6,
                  height: 6,
                  borderRadius: "50%",
                  bgcolor: color,
                  left: pct(xAt(p.t)),
                  top: pct(yAt(p.value)),
                  transform: "translate(-50%, -50%)",
                }}
              />
            ))}
          {reference && (
            <Box
              sx={{
                ...gridLine,
                left: 0,
                right: 0,
                top: pct(yAt(reference.value)),
                borderTop: `1px dashed ${theme.palette.error.main}`,
              }}
            >
              <Box
                component="span"
                sx={{ position: "absolute", right: 4, bottom: 2, color: "text.secondary" }}
              >
                {reference.label}
              </Box>
            </Box>
          )}
          {hydrated && shown && (
            <>
              <Box
                sx={{ ...gridLine, top: 0, bottom: 0, left: pct(xAt(shown.t)), borderLeft: "1px solid" }}
              />
              <Box
                sx={{
                  ...gridLine,
                  width: 8,
                  height: 8,
                  borderRadius: "50%",
                  border: "2px solid",
                  borderColor: color,
                  bgcolor: "background.paper",
                  left: pct(xAt(shown.t)),
                  top: pct(yAt(shown.value)),
                  transform: "translate(-50%, -50%)",
                }}
              />
              <Paper
                elevation={3}
                role="status"
                data-testid="usage-tooltip"
                sx={{
                  position: "absolute",
                  top: 8,
                  px: 1.25,
                  py: 0.75,
                  pointerEvents: "none",
                  whiteSpace: "nowrap",
                  fontSize: 12,
                  zIndex: 1,
                  // Beside the cursor, on the side with room.
                  ...(xAt(shown.t) > 0.6
                    ? { right: `calc(${pct(1 - xAt(shown.t))} + 8px)` }
                    : { left: `calc(${pct(xAt(shown.t))} + 8px)` }),
                }}
              >
                <Box sx={{ color: "text.secondary" }}>{formatDate(shown.t, "dayTime")}</Box>
                <Box sx={{ color: "text.primary" }}>
                  {title}: {format(shown.value)}
                </Box>
              </Paper>
            </>
          )}
        </Box>
      </Box>
    </Paper>
  );
}
