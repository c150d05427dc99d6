"use client";

import Alert from "@mui/material/Alert";
import Skeleton from "@mui/material/Skeleton";
import Typography from "@mui/material/Typography";
import { useTheme } from "@mui/material/styles";
import { useQuery } from "@tanstack/react-query";
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatDate, timeOf } from "@/components/ui/dates";
import { useTRPC } from "@/trpc/react";
import type { RouterOutputs } from "@/trpc/types";
import { formatNumber, readableDomain } from "./format";

/*
 * The CFDRL charts, in a module of their own: recharts is loaded with them,
 * after the page (the instance page's first load draws no chart).
 */

/** The scaling agent's reward and the instance's replicas per decision, over time. */
export function CfdrlRewardChart({ instanceId, live }: { instanceId: string; live: boolean }) {
  const trpc = useTRPC();
  const theme = useTheme();
  const series = useQuery({
    ...trpc.cfdrl.instanceSeries.queryOptions({ instanceId, limit: 360 }),
    refetchInterval: live ? 5_000 : false,
  });
  if (series.isPending) return <Skeleton variant="rounded" height={240} aria-label="Loading the chart" />;
  if (series.error)
    return <Alert severity="error">The chart could not be loaded: {series.error.message}</Alert>;
  const points = series.data.points.map((p) => ({
    at: timeOf(p.at),
    reward: p.reward,
    replicas: p.replicas,
  }));
  if (points.length === 0) return <Typography color="text.secondary">No decisions yet.</Typography>;
  const first = points[0]!.at;
  const last = points.at(-1)!.at;
  const tick = (value: number) => formatDate(new Date(value), last - first > 86_400_000 ? "dayTime" : "time");
  return (
    <figure style={{ margin: 0 }} aria-label="Reward and replicas over time" data-testid="cfdrl-reward-chart">
      <ResponsiveContainer width="100%" height={240}>
        <LineChart data={points}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="at" type="number" domain={["dataMin", "dataMax"]} tickFormatter={tick} />
          <YAxis
            yAxisId="reward"
            width={56}
            domain={readableDomain(
              points.map((p) => p.reward),
              0.5,
            )}
            tickFormatter={(v: number) => formatNumber(v, 3)}
          />
          <YAxis yAxisId="replicas" orientation="right" width={40} allowDecimals={false} />
          <Tooltip labelFormatter={(v) => tick(Number(v))} formatter={(v) => formatNumber(Number(v))} />
          <Legend />
          <Line
            yAxisId="reward"
            type="monotone"
            dataKey="reward"
            name="Reward"
            stroke={theme.palette.primary.main}
            dot={false}
            isAnimationActive={false}
          />
          <Line
            yAxisId="replicas"
            type="stepAfter"
            dataKey="replicas"
            name="Replicas"
            stroke={theme.palette.success.main}
            dot={false}
            isAnimationActive={false}
          />
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}

type LossPoint = RouterOutputs["cfdrl"]["status"]["agents"][number]["lossCurve"][number];

/** An agent's training loss (and epsilon) by training step. */
export function CfdrlLossChart({ agent, points }: { agent: string; points: LossPoint[] }) {
  const theme = useTheme();
  if (points.length === 0) return <Typography color="text.secondary">No training steps yet.</Typography>;
  return (
    <figure
      style={{ margin: 0 }}
      aria-label={`Loss curve of the ${agent} agent`}
      data-testid={`cfdrl-loss-${agent}`}
    >
      <ResponsiveContainer width="100%" height={180}>
        <LineChart data={points}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="step" type="number" domain={["dataMin", "dataMax"]} />
          <YAxis yAxisId="loss" width={56} tickFormatter={(v: number) => formatNumber(v, 3)} />
          <YAxis yAxisId="epsilon" orientation="right" width={40} domain={[0, 1]} />
          <Tooltip labelFormatter={(v) => `Step ${Number(v)}`} formatter={(v) => formatNumber(Number(v))} />
          <Legend />
          <Line
            yAxisId="loss"
            type="monotone"
            dataKey="loss"
            name="Loss"
            stroke={theme.palette.primary.main}
            dot={false}
            isAnimationActive={false}
          />
          <Line
            yAxisId="epsilon"
            type="monotone"
            dataKey="epsilon"
            name="Epsilon"
            stroke={theme.palette.warning.main}
            dot={false}
            isAnimationActive={false}
          />
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}
