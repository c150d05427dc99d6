"use client";

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

/** The area chart of a usage series (loaded on demand by `UsageChart`, which frames and sizes it). */
export function UsageArea({
  title,
  points,
  from,
  to,
  top,
  reference,
  color,
  format,
  tickFormat,
}: {
  title: string;
  points: UsagePoint[];
  from: number;
  to: number;
  top: number;
  reference?: { value: number; label: string };
  color: string;
  format: (value: number) => string;
  tickFormat: (value: number) => string;
}) {
  const theme = useTheme();
  const gradientId = useId().replace(/:/g, "");
  const windowMs = to - from;
  const tick = (t: number) => formatDate(t, windowMs <= 10 * 60_000 ? "time" : "hourMinute");

  return (
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
  );
}
