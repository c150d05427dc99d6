"use client";

import Stack from "@mui/material/Stack";
import { useTheme } from "@mui/material/styles";
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
import { formatDate } from "@/components/ui/dates";
import { ruleLabel } from "./tokens";

export type Range = "hour" | "day" | "week";
/** One interval: its start (ms), the balance after it and the tokens per rule (charts' numbers). */
export type ChartPoint = { at: number; balance: number } & Record<string, number>;

const RULE_COLOURS = ["#0b5cad", "#2e7d32", "#c2691b", "#6a4fc2", "#00897b", "#b3261e"];

/**
 * The two figures of the Accounting charts, drawn with recharts. Their own
 * module: AccountingCharts loads it once the section is near the viewport.
 */
export function AccountingChartFigures({
  points,
  rulesSeen,
  flow,
  range,
}: {
  points: ChartPoint[];
  rulesSeen: readonly string[];
  flow: "debits" | "credits";
  range: Range;
}) {
  const theme = useTheme();
  const tick = (value: number) => formatDate(new Date(value), range === "week" ? "dayTime" : "hourMinute");
  return (
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
  );
}
