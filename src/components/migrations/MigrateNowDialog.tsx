"use client";

import Alert from "@mui/material/Alert";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import Chip, { type ChipProps } from "@mui/material/Chip";
import Dialog from "@mui/material/Dialog";
import DialogActions from "@mui/material/DialogActions";
import DialogContent from "@mui/material/DialogContent";
import DialogContentText from "@mui/material/DialogContentText";
import DialogTitle from "@mui/material/DialogTitle";
import FormControl from "@mui/material/FormControl";
import FormHelperText from "@mui/material/FormHelperText";
import FormLabel from "@mui/material/FormLabel";
import Radio from "@mui/material/Radio";
import Skeleton from "@mui/material/Skeleton";
import Stack from "@mui/material/Stack";
import Typography from "@mui/material/Typography";
import { useQuery } from "@tanstack/react-query";
import { useId, useState } from "react";
import { formErrors } from "@/components/ui/form-errors";
import { useConsoleMutation } from "@/components/ui/use-console-mutation";
import { useTRPC } from "@/trpc/react";
import type { RouterOutputs } from "@/trpc/types";

type Options = RouterOutputs["migration"]["options"];
type Evaluation = Options["evaluations"][number];
type Verdict = Evaluation["verdict"];

const VERDICT: Record<Verdict, { label: string; color: ChipProps["color"]; variant: ChipProps["variant"] }> =
  {
    current: { label: "Current", color: "default", variant: "filled" },
    rejected: { label: "Rejected", color: "error", variant: "outlined" },
    skipped: { label: "Skipped", color: "warning", variant: "outlined" },
    eligible: { label: "Eligible", color: "success", variant: "outlined" },
    chosen: { label: "Recommended", color: "success", variant: "filled" },
  };

const selectable = (e: Evaluation) => e.verdict === "eligible" || e.verdict === "chosen";

export interface MigrateNowTarget {
  id: string;
  releaseName: string;
  shortId: string;
  cluster: string | null;
}

/**
 * "Migrate now" (admins): every cluster judged as a target the way the
 * migration controller judges it — the current one, the rejected ones with
 * why, the skipped ones, the eligible ones and the recommended one
 * (preselected). Confirm asks the controller to move the instance there.
 */
export function MigrateNowDialog({
  instance,
  onClose,
  onRequested,
}: {
  instance: MigrateNowTarget | null;
  onClose: () => void;
  onRequested?: () => void;
}) {
  const titleId = useId();
  return (
    <Dialog open={instance !== null} onClose={onClose} maxWidth="md" fullWidth aria-labelledby={titleId}>
      {/* Mounted per opening: a fresh choice and fresh options each time. */}
      {instance && (
        <MigrateNowBody instance={instance} titleId={titleId} onClose={onClose} onRequested={onRequested} />
      )}
    </Dialog>
  );
}

function MigrateNowBody({
  instance,
  titleId,
  onClose,
  onRequested,
}: {
  instance: MigrateNowTarget;
  titleId: string;
  onClose: () => void;
  onRequested?: (() => void) | undefined;
}) {
  const trpc = useTRPC();
  const groupLabel = useId();
  // Always the latest judgement: cluster metrics move.
  const options = useQuery({
    ...trpc.migration.options.queryOptions({ instanceId: instance.id }),
    staleTime: 0,
  });
  const [picked, setPicked] = useState<string | null>(null);
  const request = useConsoleMutation(
    trpc.migration.request.mutationOptions({
      onSuccess: () => {
        onRequested?.();
        onClose();
      },
    }),
    {
      invalidates: [
        trpc.migration.pathKey(),
        trpc.instance.get.queryKey({ id: instance.id }),
        trpc.instance.timeline.queryKey({ id: instance.id }),
      ],
    },
  );

  const evaluations = options.data?.evaluations ?? [];
  // The controller's choice until the admin picks another.
  const target = picked ?? options.data?.target ?? null;
  const errors = request.error ? formErrors(request.error) : null;
  const fieldError = errors?.fields.targetCluster;
  const formError = errors && !fieldError ? (errors.form ?? request.error?.message) : undefined;
  const noTarget = options.data !== undefined && !evaluations.some(selectable);

  return (
    <>
      <DialogTitle id={titleId}>Migrate {instance.releaseName} now</DialogTitle>
      <DialogContent>
        <DialogContentText sx={{ mb: 2 }}>
          Move instance <strong>{instance.shortId}</strong>
          {instance.cluster ? ` off ${instance.cluster}` : ""}: its namespace is backed up on the source and
          restored on the target cluster, then the source copy is removed. Clusters are judged against the
          instance&apos;s intents and its resource requests.
        </DialogContentText>
        {options.isPending && (
          <Stack spacing={1} aria-busy="true" aria-label="Judging the clusters">
            {[0, 1, 2, 3].map((i) => (
              <Skeleton key={i} variant="rounded" height={52} />
            ))}
          </Stack>
        )}
        {options.error && <Alert severity="error">{options.error.message}</Alert>}
        {options.data && (
          <Stack spacing={2}>
            {options.data.currentMeetsTargets && (
              <Alert severity="info" data-testid="current-meets-targets">
                {instance.cluster ?? "The current cluster"} already meets every intent of this instance; you
                can still move it to an eligible cluster.
              </Alert>
            )}
            {noTarget && (
              <Alert severity="warning" data-testid="no-target">
                No other cluster qualifies right now.{" "}
                {options.data.messages[options.data.messages.length - 1] ?? ""}
              </Alert>
            )}
            <FormControl error={Boolean(fieldError)} component="fieldset" sx={{ m: 0 }}>
              <FormLabel component="legend" id={groupLabel} sx={{ mb: 1 }}>
                Target cluster
              </FormLabel>
              <Stack
                role="radiogroup"
                aria-labelledby={groupLabel}
                spacing={1}
                data-testid="migration-options"
              >
                {evaluations.map((e) => (
                  <ClusterOption
                    key={e.cluster}
                    evaluation={e}
                    checked={target === e.cluster}
                    onPick={() => {
                      setPicked(e.cluster);
                      request.reset();
                    }}
                  />
                ))}
              </Stack>
              {fieldError && <FormHelperText>{fieldError}</FormHelperText>}
            </FormControl>
          </Stack>
        )}
        {formError && (
          <Alert severity="error" sx={{ mt: 2 }} data-testid="migrate-error">
            {formError}
          </Alert>
        )}
      </DialogContent>
      <DialogActions sx={{ px: 3, pb: 2 }}>
        <Button onClick={onClose} color="inherit" disabled={request.isPending}>
          Cancel
        </Button>
        <Button
          variant="contained"
          loading={request.isPending}
          disabled={!target || !evaluations.some((e) => e.cluster === target && selectable(e))}
          onClick={() => target && request.mutate({ instanceId: instance.id, targetCluster: target })}
        >
          Confirm migration{target ? ` to ${target}` : ""}
        </Button>
      </DialogActions>
    </>
  );
}

function ClusterOption({
  evaluation,
  checked,
  onPick,
}: {
  evaluation: Evaluation;
  checked: boolean;
  onPick: () => void;
}) {
  const inputId = useId();
  const messageId = useId();
  const enabled = selectable(evaluation);
  const look = VERDICT[evaluation.verdict];
  return (
    <Box
      component="label"
      htmlFor={inputId}
      data-testid="migration-option"
      data-cluster={evaluation.cluster}
      data-verdict={evaluation.verdict}
      sx={{
        display: "flex",
        gap: 1.5,
        alignItems: "flex-start",
        p: 1.25,
        pr: 2,
        border: 1,
        borderRadius: 2,
        borderColor: checked ? "primary.main" : "divider",
        bgcolor: checked ? "rgba(11, 92, 173, 0.04)" : enabled ? "background.paper" : "action.hover",
        cursor: enabled ? "pointer" : "not-allowed",
      }}
    >
      <Radio
        id={inputId}
        checked={checked}
        disabled={!enabled}
        onChange={onPick}
        value={evaluation.cluster}
        name="targetCluster"
        size="small"
        sx={{ mt: -0.5 }}
        slotProps={{ input: { "aria-describedby": messageId } }}
      />
      <Box sx={{ minWidth: 0, flexGrow: 1 }}>
        <Stack direction="row" spacing={1} sx={{ alignItems: "center" }}>
          <Typography sx={{ fontWeight: 600, color: enabled ? "text.primary" : "text.secondary" }}>
            {evaluation.cluster}
          </Typography>
          <Chip size="small" label={look.label} color={look.color} variant={look.variant} />
        </Stack>
        <Typography id={messageId} variant="body2" color="text.secondary">
          {evaluation.message}
        </Typography>
      </Box>
    </Box>
  );
}
