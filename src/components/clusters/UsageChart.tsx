"use client";

import Box from "@mui/material/Box";
import Paper from "@mui/material/Paper";
import Stack from "@mui/material/Stack";
import Typography from "@mui/material/Typography";
import { useTheme } from "@mui/material/styles";
import { useId } from "react";
import {
  Area,
  AreaChart,
  CartesianGrid,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { formatDate } from "@/components/ui/dates";

/** One point of a usage chart: time in ms and the value. */
export interface UsagePoint {
  t: number;
  value: number;
}

/** A round top for the y axis (17,600 → 20,000), so its ticks land on round numbers. */
function niceCeil(value: number): number {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  return (Math.ceil((value / magnitude) * 2) / 2) * magnitude;
}

/**
 * A usage series over a time window, as an area chart. The x axis spans the
 * whole window (so an hour of history looks like an hour even when samples
 * started ten minutes ago); a reference line marks the capacity when given.
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
  const gradientId = useId().replace(/:/g, "");
  const windowMs = to - from;
  const tick = (t: number) => formatDate(t, windowMs <= 10 * 60_000 ? "time" : "hourMinute");
  const top = max ?? niceCeil(Math.max(reference?.value ?? 0, ...points.map((p) => p.value)) * 1.05);
  const last = points.at(-1);

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
        sx={{ height: 220 }}
        role="img"
        aria-label={`${title}: ${points.length} points${last ? `, last ${format(last.value)}` : ""}`}
      >
        <ResponsiveContainer width="100%" height="100%">
          <AreaChart data={points} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
            <defs>
              <linearGradient id={gradientId} x1="0" y1="0" x2="0" y2="1">
                <stop offset="5%" stopColor={color} stopOpacity={0.35} />
                <stop offset="95%" stopColor={color} stopOpacity={0.02} />
              </linearGradient>
            </defs>
            <CartesianGrid strokeDasharray="3 3" stroke={theme.palette.divider} />
            <XAxis
              dataKey="t"
              type="number"
              scale="time"
              domain={[from, to]}
              tickFormatter={tick}
              tick={{ fontSize: 12 }}
              minTickGap={24}
            />
            <YAxis
              domain={[0, top]}
              tickCount={5}
              tickFormatter={(v: number) => tickFormat(v)}
              tick={{ fontSize: 12 }}
              width={56}
              allowDecimals={false}
            />
            <Tooltip
              labelFormatter={(t) => formatDate(Number(t), "dayTime")}
              formatter={(value) => [format(Number(value)), title]}
            />
            {reference && (
              <ReferenceLine
                y={reference.value}
                stroke={theme.palette.error.main}
                strokeDasharray="6 4"
                label={{
                  value: reference.label,
                  position: "insideTopRight",
                  fontSize: 12,
                  fill: theme.palette.text.secondary,
                }}
              />
            )}
            <Area
              type="monotone"
              dataKey="value"
              stroke={color}
              strokeWidth={2}
              fill={`url(#${gradientId})`}
              // Polling replaces the data every few seconds; animating each refresh would only flicker.
              isAnimationActive={false}
              dot={points.length <= 2}
              connectNulls
            />
          </AreaChart>
        </ResponsiveContainer>
      </Box>
    </Paper>
  );
}
