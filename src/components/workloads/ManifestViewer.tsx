"use client";

import DescriptionOutlinedIcon from "@mui/icons-material/DescriptionOutlined";
import ErrorOutlineIcon from "@mui/icons-material/ErrorOutlineOutlined";
import Alert from "@mui/material/Alert";
import AlertTitle from "@mui/material/AlertTitle";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import Paper from "@mui/material/Paper";
import Skeleton from "@mui/material/Skeleton";
import Stack from "@mui/material/Stack";
import Typography from "@mui/material/Typography";
import { useQuery } from "@tanstack/react-query";
import { ButtonLink } from "@/components/links";
import { ManifestBrowser } from "@/components/manifests/ManifestBrowser";
import { StatusChip } from "@/components/StatusChip";
import { errorStatus } from "@/trpc/query-client";
import { useTRPC } from "@/trpc/react";
import { problemLocation } from "@/components/ui/form-errors";

function BackToWorkloads() {
  return (
    <ButtonLink href="/workloads" variant="outlined" size="small">
      Back to Workload Monitoring
    </ButtonLink>
  );
}

function LoadingPanel({ label }: { label: string }) {
  return (
    <Paper variant="outlined" sx={{ p: 2 }} aria-busy="true" aria-label={label}>
      <Stack direction={{ xs: "column", md: "row" }} spacing={2}>
        <Box sx={{ width: { md: 300 } }}>
          {[0, 1, 2, 3].map((i) => (
            <Skeleton key={i} height={52} />
          ))}
        </Box>
        <Box sx={{ flexGrow: 1 }}>
          {[90, 70, 80, 60, 75, 50, 85].map((w, i) => (
            <Skeleton key={i} width={`${w}%`} />
          ))}
        </Box>
      </Stack>
      <Typography variant="body2" color="text.secondary" sx={{ mt: 1 }}>
        {label}
      </Typography>
    </Paper>
  );
}

export function ManifestViewer({ workloadId }: { workloadId: number }) {
  const trpc = useTRPC();
  const workload = useQuery(trpc.workload.get.queryOptions({ id: workloadId }));
  const hasChart = Boolean(workload.data?.chart);
  const rendered = useQuery({
    ...trpc.workload.manifests.queryOptions({ id: workloadId }),
    enabled: hasChart,
    // Rendering is deterministic for a stored chart; no need to redo it on focus.
    staleTime: 5 * 60 * 1000,
  });

  if (workload.isPending) return <LoadingPanel label="Loading the workload…" />;
  if (workload.error) {
    const status = errorStatus(workload.error);
    return (
      <Alert
        severity="error"
        action={
          status === 404 ? undefined : (
            <Button color="inherit" size="small" onClick={() => void workload.refetch()}>
              Retry
            </Button>
          )
        }
      >
        <AlertTitle>{status === 404 ? "Workload not found" : "Couldn't load the workload"}</AlertTitle>
        {workload.error.message}
        <Box sx={{ mt: 1.5 }}>
          <BackToWorkloads />
        </Box>
      </Alert>
    );
  }

  const w = workload.data;
  const summary = (
    <Paper variant="outlined" sx={{ p: 2, mb: 2 }}>
      <Stack direction="row" spacing={2} useFlexGap sx={{ alignItems: "center", flexWrap: "wrap" }}>
        <Typography variant="h2" component="p" data-testid="manifest-workload">
          {w.name}{" "}
          <Box component="span" sx={{ color: "text.secondary", fontWeight: 400 }}>
            {w.version}
          </Box>
        </Typography>
        <StatusChip status={w.status} />
        {w.chart && (
          <Typography variant="body2" color="text.secondary">
            Chart {w.chart.chartName || "(unnamed)"} {w.chart.chartVersion} · sha256{" "}
            {w.chart.sha256.slice(0, 12)}…
          </Typography>
        )}
        <Box sx={{ flexGrow: 1 }} />
      </Stack>
    </Paper>
  );

  if (!w.chart) {
    return (
      <>
        {summary}
        <Paper variant="outlined" sx={{ p: 6, textAlign: "center" }} data-testid="empty-state">
          <DescriptionOutlinedIcon color="primary" sx={{ fontSize: 48 }} aria-hidden="true" />
          <Typography variant="h3" component="p" sx={{ my: 1 }}>
            No Helm chart uploaded yet
          </Typography>
          <Typography color="text.secondary" sx={{ mb: 2 }}>
            Upload the workload&apos;s packaged chart from the Workload Monitoring table; its manifests appear
            here.
          </Typography>
          <BackToWorkloads />
        </Paper>
      </>
    );
  }

  if (rendered.isPending) {
    return (
      <>
        {summary}
        <LoadingPanel label="Rendering the chart…" />
      </>
    );
  }
  if (rendered.error) {
    return (
      <>
        {summary}
        <Alert
          severity="error"
          action={
            <Button color="inherit" size="small" onClick={() => void rendered.refetch()}>
              Retry
            </Button>
          }
        >
          <AlertTitle>Couldn&apos;t render the manifests</AlertTitle>
          {rendered.error.message}
        </Alert>
      </>
    );
  }

  const outcome = rendered.data;
  if (!outcome.ok) {
    const [first, ...rest] = outcome.errors;
    const location = first ? problemLocation(first) : undefined;
    return (
      <>
        {summary}
        <Alert severity="error" icon={<ErrorOutlineIcon />} data-testid="render-error">
          <AlertTitle>The chart failed to render</AlertTitle>
          {location && (
            <Box component="code" sx={{ display: "block", fontWeight: 600, mb: 0.5 }}>
              {location}
            </Box>
          )}
          <Box sx={{ whiteSpace: "pre-wrap" }}>{first?.message ?? "Unknown error."}</Box>
          {rest.length > 0 && (
            <Box component="ul" sx={{ pl: 2.5, mb: 0 }}>
              {rest.map((p, i) => (
                <li key={i}>
                  {problemLocation(p) ? <code>{problemLocation(p)}</code> : null} {p.message}
                </li>
              ))}
            </Box>
          )}
          <Typography variant="body2" sx={{ mt: 1 }}>
            The workload stays {w.status}. Fix the chart and upload it again.
          </Typography>
        </Alert>
      </>
    );
  }

  if (outcome.manifests.length === 0) {
    return (
      <>
        {summary}
        <Alert severity="info">The chart renders no Kubernetes documents with its default values.</Alert>
      </>
    );
  }

  return (
    <>
      {summary}
      <ManifestBrowser manifests={outcome.manifests} downloadName={`${w.name}-${w.version}`} />
    </>
  );
}
