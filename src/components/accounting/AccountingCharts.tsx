"use client";

import Alert from "@mui/material/Alert";
import Box from "@mui/material/Box";
import MenuItem from "@mui/material/MenuItem";
import Skeleton from "@mui/material/Skeleton";
import TextField from "@mui/material/TextField";
import Typography from "@mui/material/Typography";
import { useQuery } from "@tanstack/react-query";
import dynamic from "next/dynamic";
import { useRef, useState } from "react";
import { Section } from "@/components/ui/Section";
import { useSeen } from "@/components/ui/use-seen";
import { useTRPC } from "@/trpc/react";
import type { ChartPoint, Range } from "./AccountingChartFigures";
import { RULES, tokensForChart } from "./tokens";

// recharts (about 150 KB gz) loads with the figures, once they are near the viewport: not with the page.
const AccountingChartFigures = dynamic(
  () => import("./AccountingChartFigures").then((m) => m.AccountingChartFigures),
  { ssr: false, loading: () => <Skeleton variant="rounded" height={416} aria-label="Loading charts" /> },
);

/**
 * The balance over time and, per rule, what was charged (service side) or
 * earned (infrastructure side) in each interval. The figures (recharts) load
 * once the section comes near the viewport, so they are not part of the
 * page's first load; the heading, range and empty state need no charting.
 */
export function AccountingCharts({ flow }: { flow: "debits" | "credits" }) {
  const trpc = useTRPC();
  const [range, setRange] = useState<Range>("day");
  const placeholder = useRef<HTMLDivElement>(null);
  const seen = useSeen(placeholder);
  const series = useQuery({ ...trpc.accounting.series.queryOptions({ range }), refetchInterval: 15_000 });
  const points: ChartPoint[] = (series.data?.points ?? []).map((p) => ({
    at: new Date(p.at).getTime(),
    balance: tokensForChart(p.balance),
    ...Object.fromEntries(RULES.map((rule) => [rule, tokensForChart(p[flow][rule])])),
  }));
  const rulesSeen = RULES.filter((rule) => points.some((p) => p[rule] !== 0));
  return (
    <Section
      title={flow === "debits" ? "Balance and charges over time" : "Balance and earnings over time"}
      testId="accounting-charts"
      actions={
        <TextField
          select
          size="small"
          label="Range"
          value={range}
          onChange={(e) => setRange(e.target.value as Range)}
          sx={{ minWidth: 140 }}
        >
          <MenuItem value="hour">Last hour</MenuItem>
          <MenuItem value="day">Last day</MenuItem>
          <MenuItem value="week">Last week</MenuItem>
        </TextField>
      }
    >
      {series.isPending ? (
        <Skeleton variant="rounded" height={220} aria-label="Loading charts" />
      ) : series.error ? (
        <Alert severity="error">The charts could not be loaded: {series.error.message}</Alert>
      ) : points.length === 0 ? (
        <Typography color="text.secondary">No transactions in this range yet.</Typography>
      ) : (
        <Box ref={placeholder} sx={{ minHeight: 416 }}>
          {seen ? (
            <AccountingChartFigures points={points} rulesSeen={rulesSeen} flow={flow} range={range} />
          ) : (
            <Skeleton variant="rounded" height={416} aria-label="Charts load when scrolled into view" />
          )}
        </Box>
      )}
    </Section>
  );
}
