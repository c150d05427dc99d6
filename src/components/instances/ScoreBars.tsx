"use client";

import {
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";

/** What each prioritizer rewards, for the chart's tooltip. */
const PRIORITIZER_HELP: Record<string, string> = {
  LeastAllocatedCpu: "Free CPU after placing the instance",
  LeastAllocatedMemory: "Free memory after placing the instance",
  GreenEnergy: "Share of renewable energy",
  CostClass: "Cheaper cost class",
  Balance: "Fewer instances than the busiest cluster",
  Steady: "Staying where it already runs",
};

/** One prioritizer's score for the winner and its weight. */
export interface ScoreBar {
  name: string;
  score: number;
  weight: number;
}

/** The winner's score per prioritizer as horizontal bars (loaded on demand by the placement panel, which sizes it). */
export function ScoreBars({ data }: { data: ScoreBar[] }) {
  return (
    <ResponsiveContainer width="100%" height="100%">
      <BarChart data={data} layout="vertical" margin={{ top: 4, right: 24, bottom: 4, left: 8 }}>
        <CartesianGrid horizontal={false} strokeDasharray="3 3" />
        <XAxis type="number" domain={[-100, 100]} ticks={[-100, -50, 0, 50, 100]} fontSize={11} />
        <YAxis
          type="category"
          dataKey="name"
          width={190}
          fontSize={12}
          tickFormatter={(name: string) => {
            const weight = data.find((d) => d.name === name)?.weight ?? 0;
            return `${name} ×${weight}`;
          }}
        />
        <ReferenceLine x={0} stroke="#8fa4b1" />
        <Tooltip
          formatter={(value) => [String(value), "score"]}
          labelFormatter={(name) => {
            // The category axis: the label is the prioritizer's name.
            const key = typeof name === "string" ? name : "";
            return `${key}: ${PRIORITIZER_HELP[key] ?? ""}`;
          }}
        />
        <Bar dataKey="score" isAnimationActive={false} radius={[0, 3, 3, 0]}>
          {data.map((d) => (
            <Cell key={d.name} fill={d.score >= 0 ? "#0b5cad" : "#e96d76"} />
          ))}
        </Bar>
      </BarChart>
    </ResponsiveContainer>
  );
}
