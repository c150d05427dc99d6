"use client";

import Alert from "@mui/material/Alert";
import MenuItem from "@mui/material/MenuItem";
import Skeleton from "@mui/material/Skeleton";
import Stack from "@mui/material/Stack";
import TextField from "@mui/material/TextField";
import Typography from "@mui/material/Typography";
import { useTheme } from "@mui/material/styles";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { Section } from "@/components/ui/Section";
import { formatDate } from "@/components/ui/dates";
import { useTRPC } from "@/trpc/react";
import { RULES, ruleLabel, tokensForChart } from "./tokens";

type Range = "hour" | "day" | "week";
const RULE_COLOURS = ["#0b5cad", "#2e7d32", "#c2691b", "#6a4fc2", "#00897b", "#b3261e"];

/**
 * The balance over time and, per rule, what was charged (service side) or
 * earned (infrastructure side) in each interval. Loaded on its own (recharts
 * is not part of the page's first load).
 */
export function AccountingCharts({ flow }: { flow: "debits" | "credits" }) {
  const trpc = useTRPC();
  const theme = useTheme();
  const [range, setRange] = useState<Range>("day");
  const series = useQuery({ ...trpc.accounting.series.queryOptions({ range }), refetchInterval: 15_000 });
  const points = (series.data?.points ?? []).map((p) => ({
    at: new Date(p.at).getTime(),
    balance: tokensForChart(p.balance),
    ...Object.fromEntries(RULES.map((rule) => [rule, tokensForChart(p[flow][rule])])),
  }));
  const rulesSeen = RULES.filter((rule) => points.some((p) => (p as Record<string, number>)[rule] !== 0));
  const tick = (value: number) => formatDate(new Date(value), range === "week" ? "dayTime" : "hourMinute");
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
        <Stack spacing={2}>
          <figure style={{ margin: 0 }} aria-label="Balance in tokens over time">
            <ResponsiveContainer width="100%" height={200}>
              <LineChart data={points}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="at" type="number" domain={["dataMin", "dataMax"]} tickFormatter={tick} />
                <YAxis width={70} />
                <Tooltip labelFormatter={(v) => tick(Number(v))} formatter={(v) => `${String(v)} tokens`} />
                <Line
                  type="stepAfter"
                  dataKey="balance"
                  name="Balance"
                  stroke={theme.palette.primary.main}
                  dot={false}
                />
              </LineChart>
            </ResponsiveContainer>
          </figure>
          <figure style={{ margin: 0 }} aria-label={`${flow === "debits" ? "Charges" : "Earnings"} per rule`}>
            <ResponsiveContainer width="100%" height={200}>
              <BarChart data={points}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="at" type="category" tickFormatter={tick} />
                <YAxis width={70} />
                <Tooltip labelFormatter={(v) => tick(Number(v))} formatter={(v) => `${String(v)} tokens`} />
                <Legend />
                {rulesSeen.map((rule, i) => (
                  <Bar
                    key={rule}
                    dataKey={rule}
                    name={ruleLabel(rule)}
                    stackId="rules"
                    fill={RULE_COLOURS[i % RULE_COLOURS.length]}
                  />
                ))}
              </BarChart>
            </ResponsiveContainer>
          </figure>
        </Stack>
      )}
    </Section>
  );
}
