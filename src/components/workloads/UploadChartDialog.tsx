"use client";

import CheckCircleOutlineIcon from "@mui/icons-material/CheckCircleOutlined";
import UploadFileOutlinedIcon from "@mui/icons-material/UploadFileOutlined";
import Alert from "@mui/material/Alert";
import AlertTitle from "@mui/material/AlertTitle";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import Dialog from "@mui/material/Dialog";
import DialogActions from "@mui/material/DialogActions";
import DialogContent from "@mui/material/DialogContent";
import DialogContentText from "@mui/material/DialogContentText";
import DialogTitle from "@mui/material/DialogTitle";
import LinearProgress from "@mui/material/LinearProgress";
import Stack from "@mui/material/Stack";
import Typography from "@mui/material/Typography";
import { useQueryClient } from "@tanstack/react-query";
import { useId, useRef, useState, type DragEvent } from "react";
import { ButtonLink } from "@/components/links";
import { useTRPC } from "@/trpc/react";
import { problemLocation } from "@/components/ui/form-errors";
import { uploadChart, type UploadOutcome } from "./upload-chart";

/** Same limit the server enforces; checked here too so a huge file is refused before it is sent. */
const MAX_BYTES = 10 * 1024 * 1024;

type Phase =
  | { step: "choose" }
  | { step: "uploading"; percent: number }
  | { step: "validating" }
  | { step: "done"; outcome: UploadOutcome };

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

export interface UploadTarget {
  id: number;
  name: string;
  version: string;
}

export function UploadChartDialog({
  workload,
  onClose,
}: {
  workload: UploadTarget | null;
  onClose: () => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [phase, setPhase] = useState<Phase>({ step: "choose" });
  const [dragging, setDragging] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const abort = useRef<AbortController | null>(null);
  const titleId = useId();

  // Opening for another workload starts from a clean dialog (reset while rendering, not in an effect;
  // closing keeps the last state so the fade-out does not flicker).
  const [shownFor, setShownFor] = useState<number | undefined>(workload?.id);
  if (workload && workload.id !== shownFor) {
    setShownFor(workload.id);
    setFile(null);
    setPhase({ step: "choose" });
  }

  const busy = phase.step === "uploading" || phase.step === "validating";
  const tooLarge = file !== null && file.size > MAX_BYTES;

  const choose = (chosen: File | undefined) => {
    if (!chosen) return;
    setFile(chosen);
    setPhase({ step: "choose" });
  };

  const start = async () => {
    if (!workload || !file || tooLarge) return;
    abort.current = new AbortController();
    setPhase({ step: "uploading", percent: 0 });
    const outcome = await uploadChart(
      workload.id,
      file,
      ({ loaded, total }) => {
        const percent = Math.round((loaded / total) * 100);
        // Once every byte is sent the server extracts, validates and renders: say so.
        setPhase(percent >= 100 ? { step: "validating" } : { step: "uploading", percent });
      },
      abort.current.signal,
    );
    abort.current = null;
    setPhase({ step: "done", outcome });
    await queryClient.invalidateQueries({ queryKey: trpc.workload.pathKey() });
  };

  const close = () => {
    abort.current?.abort();
    onClose();
  };

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    if (!busy) choose(event.dataTransfer.files[0]);
  };

  const outcome = phase.step === "done" ? phase.outcome : undefined;
  const accepted = outcome?.ok ? outcome.result : undefined;
  const firstProblem = outcome && !outcome.ok ? outcome.problems[0] : undefined;
  const location = firstProblem ? problemLocation(firstProblem) : undefined;

  return (
    <Dialog
      open={workload !== null}
      onClose={busy ? undefined : close}
      aria-labelledby={titleId}
      fullWidth
      maxWidth="sm"
    >
      <DialogTitle id={titleId}>Upload Helm chart</DialogTitle>
      <DialogContent dividers>
        <Stack spacing={2}>
          <DialogContentText>
            Upload the packaged chart (<code>helm package</code> → <code>.tgz</code>, at most 10 MiB) for{" "}
            <strong>
              {workload?.name} {workload?.version}
            </strong>
            . It is checked, rendered with its default values and, if it renders, the workload becomes
            ACCEPTED.
          </DialogContentText>
          <Box
            onDragOver={(e) => {
              e.preventDefault();
              setDragging(true);
            }}
            onDragLeave={() => setDragging(false)}
            onDrop={onDrop}
            sx={{
              border: "2px dashed",
              borderColor: dragging ? "primary.main" : "divider",
              borderRadius: 2,
              p: 3,
              textAlign: "center",
              bgcolor: dragging ? "action.hover" : "transparent",
            }}
          >
            <UploadFileOutlinedIcon color="primary" sx={{ fontSize: 40 }} aria-hidden="true" />
            <Typography sx={{ mb: 1.5 }}>Drop a .tgz here, or</Typography>
            <Button variant="outlined" onClick={() => input.current?.click()} disabled={busy}>
              Choose chart file
            </Button>
            <input
              ref={input}
              type="file"
              hidden
              accept=".tgz,.tar.gz,application/gzip,application/x-gzip,application/x-compressed-tar"
              aria-label="Helm chart archive"
              data-testid="chart-file-input"
              onChange={(e) => {
                choose(e.target.files?.[0]);
                e.target.value = "";
              }}
            />
            {file && (
              <Typography variant="body2" color="text.secondary" sx={{ mt: 1.5 }} data-testid="chosen-file">
                {file.name} · {formatBytes(file.size)}
              </Typography>
            )}
          </Box>
          {tooLarge && (
            <Alert severity="error">
              This file is {formatBytes(file.size)}; a chart archive may be at most 10 MiB.
            </Alert>
          )}
          {phase.step === "uploading" && (
            <Box>
              <Typography variant="body2" sx={{ mb: 0.5 }}>
                Uploading… {phase.percent}%
              </Typography>
              <LinearProgress variant="determinate" value={phase.percent} aria-label="Upload progress" />
            </Box>
          )}
          {phase.step === "validating" && (
            <Box>
              <Typography variant="body2" sx={{ mb: 0.5 }}>
                Validating the chart and rendering its templates…
              </Typography>
              <LinearProgress aria-label="Validating the chart" />
            </Box>
          )}
          {accepted && (
            <Alert severity="success" icon={<CheckCircleOutlineIcon />} data-testid="upload-result">
              <AlertTitle>Chart accepted</AlertTitle>
              {accepted.chart.chartName} {accepted.chart.chartVersion} renders with its default values;
              workload {accepted.workload.name} {accepted.workload.version} is now ACCEPTED.
            </Alert>
          )}
          {outcome && !outcome.ok && (
            <Alert severity="error" data-testid="upload-result">
              <AlertTitle>
                {outcome.status === 413 ? "Chart archive too large" : "Chart not accepted"}
              </AlertTitle>
              {location && (
                <Box
                  component="code"
                  sx={{ display: "block", fontWeight: 600, mb: 0.5 }}
                  data-testid="problem-location"
                >
                  {location}
                </Box>
              )}
              {firstProblem?.message ?? outcome.message}
              {outcome.problems.length > 1 && (
                <Typography variant="body2" sx={{ mt: 0.5 }}>
                  and {outcome.problems.length - 1} more problem{outcome.problems.length > 2 ? "s" : ""}.
                </Typography>
              )}
              {outcome.status === 422 && (
                <Typography variant="body2" sx={{ mt: 0.5 }}>
                  The workload stays PENDING; fix the chart and upload it again.
                </Typography>
              )}
            </Alert>
          )}
        </Stack>
      </DialogContent>
      <DialogActions sx={{ px: 3, py: 2 }}>
        {accepted ? (
          <>
            <ButtonLink href={`/workloads/${accepted.workload.id}/manifests`}>View manifests</ButtonLink>
            <Box sx={{ flexGrow: 1 }} />
            <Button variant="contained" onClick={close}>
              Done
            </Button>
          </>
        ) : (
          <>
            <Button onClick={close} color="inherit" disabled={phase.step === "validating"}>
              {busy ? "Cancel" : "Close"}
            </Button>
            <Button
              variant="contained"
              onClick={() => void start()}
              disabled={!file || tooLarge || busy}
              loading={busy}
            >
              Upload
            </Button>
          </>
        )}
      </DialogActions>
    </Dialog>
  );
}
