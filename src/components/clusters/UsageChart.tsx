"use client";

import Box from "@mui/material/Box";
import Paper from "@mui/material/Paper";
import Skeleton from "@mui/material/Skeleton";
import Stack from "@mui/material/Stack";
import Typography from "@mui/material/Typography";
import dynamic from "next/dynamic";
import type { UsagePoint } from "./UsageArea";

export type { UsagePoint } from "./UsageArea";

/** The chart itself (recharts) loads after the page, in the box's place; a skeleton holds the space meanwhile. */
const UsageArea = dynamic(() => import("./UsageArea").then((m) => m.UsageArea), {
  ssr: false,
  loading: () => <Skeleton variant="rounded" width="100%" height="100%" />,
});

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
        <UsageArea
          title={title}
          points={points}
          from={from}
          to={to}
          top={top}
          reference={reference}
          color={color}
          format={format}
          tickFormat={tickFormat}
        />
      </Box>
    </Paper>
  );
}
