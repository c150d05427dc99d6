"use client";

import InsightsOutlinedIcon from "@mui/icons-material/InsightsOutlined";
import Alert from "@mui/material/Alert";
import AlertTitle from "@mui/material/AlertTitle";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import Chip from "@mui/material/Chip";
import LinearProgress from "@mui/material/LinearProgress";
import Paper from "@mui/material/Paper";
import Skeleton from "@mui/material/Skeleton";
import Stack from "@mui/material/Stack";
import ToggleButton from "@mui/material/ToggleButton";
import ToggleButtonGroup from "@mui/material/ToggleButtonGroup";
import Typography from "@mui/material/Typography";
import { useTheme } from "@mui/material/styles";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Mono } from "@/components/ResourceTable";
import { StatusChip } from "@/components/StatusChip";
import { DefinitionList, Field } from "@/components/ui/DefinitionList";
import { Section } from "@/components/ui/Section";
import { Time } from "@/components/ui/Time";
import { useTRPC } from "@/trpc/react";
import type { RouterOutputs } from "@/trpc/types";
import { kubeconfigLabel, type KubeconfigLabel } from "./kubeconfig-label";
import { Withheld } from "./Withheld";
import { UsageChart, type UsagePoint } from "./UsageChart";

type Range = "live" | "hour" | "day";
type Metrics = RouterOutputs["cluster"]["metrics"];
type Properties = RouterOutputs["cluster"]["properties"];

const RANGES: { value: Range; label: string }[] = [
  { value: "live", label: "Live (5 min)" },
  { value: "hour", label: "Last hour" },
  { value: "day", label: "Last day" },
];

/** History moves slowly: refresh it now and then; live values follow the collector's period. */
const HISTORY_POLL_MS: Record<Exclude<Range, "live">, number> = { hour: 15_000, day: 60_000 };

const livePollMs = (periodMs: number | undefined) => Math.min(Math.max(periodMs ?? 5_000, 2_000), 10_000);
const seconds = (ms: number) => `${(ms / 1000).toLocaleString("en", { maximumFractionDigits: 1 })} s`;
const millicores = (m: number) =>
  m >= 10_000
    ? `${(m / 1000).toLocaleString("en", { maximumFractionDigits: 1 })} cores`
    : `${Math.round(m).toLocaleString("en")} m`;
const compact = new Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: 1 });
const millicoreTick = (m: number) => `${compact.format(m)} m`;
const percent = (p: number) => `${p.toLocaleString("en", { maximumFractionDigits: 1 })} %`;

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : "Unexpected error.";
}

function PropertiesPanel({ properties }: { properties: Properties }) {
  const { cluster } = properties;
  return (
    <Paper variant="outlined" sx={{ p: 2.5 }} data-testid="cluster-properties">
      <DefinitionList columns={{ xs: "1fr 1fr", md: "repeat(4, 1fr)", lg: "repeat(6, 1fr)" }}>
        <Field label="Status">
          <StatusChip
            status={cluster.status}
            busy={cluster.status === "PENDING"}
            reason={cluster.statusReason}
          />
        </Field>
        <Field label="Endpoint">{cluster.withheld ? <Withheld /> : <Mono>{cluster.managedApi}</Mono>}</Field>
        <Field label="Owner">{cluster.owner}</Field>
        <Field label="ID">
          <Mono title={cluster.id}>{cluster.shortId}</Mono>
        </Field>
        <Field label="CPUs">{cluster.cpus}</Field>
        <Field label="Memory / Storage / VRAM">
          {cluster.memoryGb} / {cluster.storageGb} / {cluster.vramGb} GB
        </Field>
        <Field label="Availability">{properties.mo.availability}</Field>
        <Field label="Green energy">{properties.mo.green_energy}</Field>
        <Field label="Cost">{cluster.cost}</Field>
        <Field label="Region">{cluster.region ?? "—"}</Field>
        <Field label="Grid intensity">
          {cluster.gridIntensityHourly.length === 24
            ? `hourly, ${Math.min(...cluster.gridIntensityHourly)}–${Math.max(...cluster.gridIntensityHourly)} gCO₂e/kWh`
            : cluster.gridIntensity === null
              ? "not given"
              : `${cluster.gridIntensity} gCO₂e/kWh`}
        </Field>
        {cluster.cordoned && (
          <Field label="Placements">
            <Chip size="small" color="warning" variant="outlined" label="Cordoned" />
          </Field>
        )}
        <Field label="Base rates (CPU / memory)">
          {cluster.cpuBaseRate} / {cluster.memoryBaseRate} millitokens
        </Field>
        <Field label="Driver">{cluster.driver.toLowerCase()}</Field>
        <Field label="Kubeconfig content id">
          {cluster.withheld ? <Withheld /> : <KubeconfigValue label={kubeconfigLabel(cluster)} />}
        </Field>
      </DefinitionList>
    </Paper>
  );
}

function KubeconfigValue({ label }: { label: KubeconfigLabel }) {
  return label.mono ? (
    <Mono title={label.title}>{label.text}</Mono>
  ) : (
    <Typography variant="body2" component="span" data-testid="kubeconfig-note">
      {label.text}
    </Typography>
  );
}

function LiveTile({
  label,
  value,
  detail,
  fraction,
  testId,
}: {
  label: string;
  value: string;
  detail: string;
  fraction: number;
  testId: string;
}) {
  return (
    <Paper variant="outlined" sx={{ p: 2 }} data-testid={testId}>
      <Typography variant="body2" color="text.secondary">
        {label}
      </Typography>
      <Typography variant="h2" component="p" sx={{ my: 0.5, fontVariantNumeric: "tabular-nums" }}>
        {value}
      </Typography>
      <LinearProgress
        variant="determinate"
        value={Math.min(100, Math.max(0, fraction * 100))}
        aria-label={`${label} ${percent(fraction * 100)}`}
        sx={{ height: 6, borderRadius: 3, mb: 0.75 }}
      />
      <Typography variant="caption" color="text.secondary">
        {detail}
      </Typography>
    </Paper>
  );
}

function LiveValues({ metrics }: { metrics: Metrics }) {
  const { latest, capacity } = metrics;
  if (!latest) return null;
  const cpuFraction = capacity.cpuMilli > 0 ? latest.cpuUsageMilli / capacity.cpuMilli : 0;
  return (
    <Box sx={{ display: "grid", gap: 2, gridTemplateColumns: { xs: "1fr", md: "repeat(3, 1fr)" } }}>
      <LiveTile
        label="CPU usage"
        value={millicores(latest.cpuUsageMilli)}
        fraction={cpuFraction}
        detail={`${percent(cpuFraction * 100)} of ${millicores(capacity.cpuMilli)}`}
        testId="live-cpu"
      />
      <LiveTile
        label="Memory usage"
        value={percent(latest.memoryUsagePct)}
        fraction={latest.memoryUsagePct / 100}
        detail="of the cluster's memory"
        testId="live-memory"
      />
      <LiveTile
        label="Disk usage"
        value={percent(latest.diskUsagePct)}
        fraction={latest.diskUsagePct / 100}
        detail="of the cluster's storage"
        testId="live-disk"
      />
    </Box>
  );
}

function Charts({ metrics }: { metrics: Metrics }) {
  const theme = useTheme();
  const series = (pick: (p: Metrics["points"][number]) => number): UsagePoint[] =>
    metrics.points.map((p) => ({ t: p.sampledAt.getTime(), value: pick(p) }));
  const from = metrics.from.getTime();
  const to = metrics.to.getTime();
  return (
    <Box sx={{ display: "grid", gap: 2, gridTemplateColumns: { xs: "1fr", lg: "repeat(3, 1fr)" } }}>
      <UsageChart
        title="CPU usage"
        unit="millicores"
        points={series((p) => p.cpuUsageMilli)}
        from={from}
        to={to}
        reference={{
          value: metrics.capacity.cpuMilli,
          label: `capacity ${millicores(metrics.capacity.cpuMilli)}`,
        }}
        color={theme.palette.primary.main}
        testId="chart-cpu"
        format={millicores}
        tickFormat={millicoreTick}
      />
      <UsageChart
        title="Memory usage"
        unit="% of memory"
        points={series((p) => p.memoryUsagePct)}
        from={from}
        to={to}
        max={100}
        color={theme.palette.secondary.main}
        testId="chart-memory"
        format={percent}
      />
      <UsageChart
        title="Disk usage"
        unit="% of storage"
        points={series((p) => p.diskUsagePct)}
        from={from}
        to={to}
        max={100}
        color={theme.palette.success.main}
        testId="chart-disk"
        format={percent}
      />
    </Box>
  );
}

function NoSamples({ periodMs, status }: { periodMs: number; status: string }) {
  return (
    <Paper variant="outlined" sx={{ py: 7, px: 3, textAlign: "center" }} data-testid="metrics-empty">
      <Box sx={{ color: "primary.light", "& svg": { fontSize: 48 } }} aria-hidden="true">
        <InsightsOutlinedIcon />
      </Box>
      <Typography variant="h3" component="p" sx={{ mt: 1.5 }}>
        No samples yet — the collector runs every {seconds(periodMs)}
      </Typography>
      <Typography color="text.secondary" sx={{ mt: 1, maxWidth: 520, mx: "auto" }}>
        {status === "OK"
          ? "The first sample appears here on its own; there is no need to reload."
          : `The collector samples clusters that have joined (status OK); this one is ${status}.`}
      </Typography>
    </Paper>
  );
}

function LoadError({ what, error, retry }: { what: string; error: unknown; retry: () => unknown }) {
  return (
    <Alert
      severity="error"
      action={
        <Button color="inherit" size="small" onClick={() => void retry()}>
          Retry
        </Button>
      }
    >
      <AlertTitle>Couldn&apos;t load {what}</AlertTitle>
      {errorText(error)}
    </Alert>
  );
}

/** The cluster's properties, its live usage and its usage history (flow 1, cluster metrics). */
export function ClusterMetricsView({ clusterId }: { clusterId: string }) {
  const trpc = useTRPC();
  const [range, setRange] = useState<Range>("live");

  const properties = useQuery({
    ...trpc.cluster.properties.queryOptions({ id: clusterId }),
    // A cluster that has just been registered turns OK (or ERROR) within seconds: follow it.
    refetchInterval: (query) => (query.state.data?.cluster.status === "PENDING" ? 2_000 : 30_000),
  });
  const periodMs = properties.data?.metricsPeriodMs;
  const live = useQuery({
    ...trpc.cluster.metrics.queryOptions({ clusterId, range: "live" }),
    refetchInterval: livePollMs(periodMs),
  });
  const history = useQuery({
    ...trpc.cluster.metrics.queryOptions({ clusterId, range }),
    // "live" is the same query as above: react-query shares it.
    refetchInterval: range === "live" ? livePollMs(periodMs) : HISTORY_POLL_MS[range],
    placeholderData: keepPreviousData,
  });

  if (properties.error) {
    return <LoadError what="the cluster" error={properties.error} retry={properties.refetch} />;
  }
  const status = properties.data?.cluster.status ?? "PENDING";
  const noSamplesAtAll = live.data !== undefined && live.data.latest === null;

  return (
    <Stack spacing={3}>
      {properties.data ? (
        <PropertiesPanel properties={properties.data} />
      ) : (
        <Skeleton variant="rounded" height={132} />
      )}
      {properties.data?.cluster.status === "ERROR" && (
        <Alert severity="error" variant="outlined" data-testid="join-error">
          <AlertTitle>The cluster could not join the continuum</AlertTitle>
          {properties.data.cluster.withheld
            ? "The reason is shown to the cluster's owner and to NEMO admins."
            : (properties.data.cluster.statusReason ?? "The Meta-Orchestrator gave no reason.")}
        </Alert>
      )}

      <Section
        plain
        title="Live"
        titleId="live-heading"
        headingVariant="h2"
        actions={
          live.data?.latest && (
            <Chip
              size="small"
              color="success"
              variant="outlined"
              label={
                <>
                  last sample <Time value={live.data.latest.sampledAt} format="time" /> · refreshing every{" "}
                  {seconds(livePollMs(periodMs))}
                </>
              }
              data-testid="last-sample"
            />
          )
        }
      >
        {live.error ? (
          <LoadError what="the live values" error={live.error} retry={live.refetch} />
        ) : !live.data || !properties.data ? (
          <Skeleton variant="rounded" height={120} />
        ) : noSamplesAtAll ? (
          <NoSamples periodMs={properties.data.metricsPeriodMs} status={status} />
        ) : live.data.latest ? (
          <LiveValues metrics={live.data} />
        ) : null}
      </Section>

      {!noSamplesAtAll && (
        <Section
          plain
          title="Usage over time"
          titleId="history-heading"
          headingVariant="h2"
          actions={
            <ToggleButtonGroup
              size="small"
              exclusive
              value={range}
              onChange={(_, value: Range | null) => value && setRange(value)}
              aria-label="Time range"
            >
              {RANGES.map((r) => (
                <ToggleButton key={r.value} value={r.value}>
                  {r.label}
                </ToggleButton>
              ))}
            </ToggleButtonGroup>
          }
        >
          <Stack spacing={1.5}>
            <Box sx={{ height: 4 }}>
              {history.isFetching && history.isPlaceholderData ? (
                <LinearProgress aria-label="Loading usage" />
              ) : null}
            </Box>
            {history.error ? (
              <LoadError what="the usage history" error={history.error} retry={history.refetch} />
            ) : !history.data ? (
              <Skeleton variant="rounded" height={280} />
            ) : history.data.points.length === 0 ? (
              <Alert severity="info" variant="outlined">
                No samples in this range. The last one is from{" "}
                {live.data?.latest ? <Time value={live.data.latest.sampledAt} /> : "before it"}.
              </Alert>
            ) : (
              <Charts metrics={history.data} />
            )}
          </Stack>
        </Section>
      )}
    </Stack>
  );
}
