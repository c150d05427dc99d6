"use client";

import ContentCopyIcon from "@mui/icons-material/ContentCopy";
import DescriptionOutlinedIcon from "@mui/icons-material/DescriptionOutlined";
import DownloadIcon from "@mui/icons-material/Download";
import ErrorOutlineIcon from "@mui/icons-material/ErrorOutlineOutlined";
import Alert from "@mui/material/Alert";
import AlertTitle from "@mui/material/AlertTitle";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import Chip from "@mui/material/Chip";
import Divider from "@mui/material/Divider";
import List from "@mui/material/List";
import ListItemButton from "@mui/material/ListItemButton";
import ListItemText from "@mui/material/ListItemText";
import Paper from "@mui/material/Paper";
import Skeleton from "@mui/material/Skeleton";
import Snackbar from "@mui/material/Snackbar";
import Stack from "@mui/material/Stack";
import Typography from "@mui/material/Typography";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { ButtonLink } from "@/components/links";
import { StatusChip } from "@/components/StatusChip";
import { errorStatus } from "@/trpc/query-client";
import { useTRPC } from "@/trpc/react";
import type { RouterOutputs } from "@/trpc/types";
import { problemLocation } from "./upload-chart";
import { YamlCode } from "./YamlCode";

type Manifest = Extract<RouterOutputs["workload"]["manifests"], { ok: true }>["manifests"][number];

/** A document as `helm template` prints it: its source comment, then the YAML. */
function documentText(m: Manifest): string {
  return `# Source: ${m.source}\n${m.content.replace(/\n*$/, "\n")}`;
}

function allDocuments(manifests: Manifest[]): string {
  return manifests.map((m) => `---\n${documentText(m)}`).join("");
}

function download(fileName: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: "application/yaml" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  URL.revokeObjectURL(url);
}

const fileSafe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, "-");

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
  const [selected, setSelected] = useState(0);
  const [copied, setCopied] = useState<string | null>(null);

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
        {rendered.data?.ok && rendered.data.manifests.length > 0 && (
          <Button
            startIcon={<DownloadIcon />}
            onClick={() =>
              rendered.data?.ok &&
              download(
                `${fileSafe(w.name)}-${fileSafe(w.version)}-manifests.yaml`,
                allDocuments(rendered.data.manifests),
              )
            }
          >
            Download all
          </Button>
        )}
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

  const index = Math.min(selected, outcome.manifests.length - 1);
  const current = outcome.manifests[index];
  if (!current) return null;
  const currentText = documentText(current);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(currentText);
      setCopied(`Copied ${current.kind}/${current.name}`);
    } catch {
      setCopied("Copying is blocked here; select the text and copy it instead.");
    }
  };

  return (
    <>
      {summary}
      <Paper
        variant="outlined"
        sx={{ display: "flex", flexDirection: { xs: "column", md: "row" }, overflow: "hidden" }}
      >
        <Box
          sx={{ width: { md: 320 }, flexShrink: 0, borderRight: { md: 1 }, borderColor: { md: "divider" } }}
        >
          <Typography variant="overline" color="text.secondary" sx={{ display: "block", px: 2, pt: 1.5 }}>
            {outcome.manifests.length} documents
          </Typography>
          <List dense aria-label="Rendered documents" data-testid="manifest-list">
            {outcome.manifests.map((m, i) => (
              <ListItemButton
                key={`${m.source}-${m.kind}-${m.name}-${i}`}
                selected={i === index}
                onClick={() => setSelected(i)}
              >
                <ListItemText
                  primary={
                    <Stack direction="row" spacing={1} sx={{ alignItems: "center" }}>
                      <Chip
                        label={m.kind}
                        size="small"
                        variant="outlined"
                        sx={{ height: 20, fontSize: 11 }}
                      />
                      <Box
                        component="span"
                        sx={{ fontWeight: 500, overflow: "hidden", textOverflow: "ellipsis" }}
                      >
                        {m.name || "(no name)"}
                      </Box>
                    </Stack>
                  }
                  secondary={m.source}
                  slotProps={{
                    secondary: {
                      sx: { fontFamily: "ui-monospace, monospace", fontSize: 11.5, wordBreak: "break-all" },
                    },
                  }}
                />
              </ListItemButton>
            ))}
          </List>
        </Box>
        <Box sx={{ flexGrow: 1, minWidth: 0 }}>
          <Stack direction="row" spacing={1} sx={{ alignItems: "center", px: 2, py: 1 }}>
            <Box sx={{ flexGrow: 1, minWidth: 0 }}>
              <Typography sx={{ fontWeight: 500 }} data-testid="manifest-title">
                {current.kind}/{current.name}
              </Typography>
              <Typography
                variant="body2"
                color="text.secondary"
                sx={{ fontFamily: "ui-monospace, monospace", fontSize: 12 }}
              >
                # Source: {current.source}
              </Typography>
            </Box>
            <Button size="small" startIcon={<ContentCopyIcon />} onClick={() => void copy()}>
              Copy
            </Button>
            <Button
              size="small"
              startIcon={<DownloadIcon />}
              onClick={() =>
                download(`${fileSafe(current.kind)}-${fileSafe(current.name)}.yaml`, `---\n${currentText}`)
              }
            >
              Download
            </Button>
          </Stack>
          <Divider />
          <YamlCode source={currentText} label={`${current.kind} ${current.name} YAML`} />
        </Box>
      </Paper>
      <Snackbar
        open={copied !== null}
        message={copied}
        autoHideDuration={3000}
        onClose={() => setCopied(null)}
      />
    </>
  );
}
