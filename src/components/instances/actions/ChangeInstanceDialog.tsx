"use client";

import Alert from "@mui/material/Alert";
import Button from "@mui/material/Button";
import Checkbox from "@mui/material/Checkbox";
import Dialog from "@mui/material/Dialog";
import DialogActions from "@mui/material/DialogActions";
import DialogContent from "@mui/material/DialogContent";
import DialogTitle from "@mui/material/DialogTitle";
import FormControlLabel from "@mui/material/FormControlLabel";
import MenuItem from "@mui/material/MenuItem";
import Skeleton from "@mui/material/Skeleton";
import Stack from "@mui/material/Stack";
import TextField from "@mui/material/TextField";
import Typography from "@mui/material/Typography";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { useConsoleMutation } from "@/components/ui/use-console-mutation";
import { useTRPC } from "@/trpc/react";
import type { RouterInputs, RouterOutputs } from "@/trpc/types";
import { YamlEditor } from "../YamlEditor";
import { ManifestDiffView } from "./ManifestDiffView";

export type ChangeMode = "upgrade" | "scale";

export interface ChangeTarget {
  id: string;
  releaseName: string;
  shortId: string;
  cluster: string | null;
  /** As the instance page shows it: secret-named keys read `<redacted>`. */
  valuesOverride: string | null;
  canRevealSecrets: boolean;
}

type Change = RouterInputs["instance"]["change"]["change"];
type Preview = RouterOutputs["instance"]["previewChange"];

const REDACTED = "<redacted>";

/**
 * Changing a running instance, in two steps: say what changes (another
 * version of the workload and / or a new values override — an upgrade — or
 * replicas per Deployment / StatefulSet), then read the manifest diff the
 * server rendered and confirm. The orchestrator applies it on the instance's
 * cluster; the timeline records it.
 */
export function ChangeInstanceDialog({
  instance,
  mode,
  onClose,
}: {
  instance: ChangeTarget | null;
  mode: ChangeMode;
  onClose: () => void;
}) {
  const open = instance !== null;
  return (
    <Dialog open={open} onClose={onClose} maxWidth="md" fullWidth aria-labelledby="change-instance-title">
      {instance && (
        <ChangeSteps key={`${instance.id}-${mode}`} instance={instance} mode={mode} onClose={onClose} />
      )}
    </Dialog>
  );
}

function ChangeSteps({
  instance,
  mode,
  onClose,
}: {
  instance: ChangeTarget;
  mode: ChangeMode;
  onClose: () => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const versionId = useId();
  const options = useQuery(trpc.instance.changeOptions.queryOptions({ id: instance.id }));
  const [workloadId, setWorkloadId] = useState<number | null>(null);
  const [changeValues, setChangeValues] = useState(false);
  const [values, setValues] = useState(instance.valuesOverride ?? "");
  const [replicas, setReplicas] = useState<Record<string, string>>({});
  const [preview, setPreview] = useState<{ change: Change; result: Preview } | null>(null);
  const [revealError, setRevealError] = useState<string | null>(null);

  const review = useConsoleMutation(
    trpc.instance.previewChange.mutationOptions({
      onSuccess: (result, variables) => setPreview({ change: variables.change, result }),
    }),
  );
  const apply = useConsoleMutation(trpc.instance.change.mutationOptions({ onSuccess: () => onClose() }), {
    invalidates: [trpc.instance.pathKey()],
    succeeded: (result) =>
      result.changed
        ? `${mode === "upgrade" ? "Upgrade" : "Scaling"} of ${instance.releaseName} requested: the orchestrator applies it${instance.cluster ? ` on ${instance.cluster}` : ""}.`
        : `Nothing to change: ${instance.releaseName} already runs these manifests.`,
  });

  const current = options.data?.versions.find((v) => v.current);
  const chosenVersion = workloadId ?? current?.id ?? null;

  const change = (): Change | null => {
    if (mode === "upgrade") {
      const next: Change = {};
      if (chosenVersion !== null && current && chosenVersion !== current.id) next.workloadId = chosenVersion;
      if (changeValues) next.valuesOverride = values;
      return Object.keys(next).length > 0 ? next : null;
    }
    const list = (options.data?.scalable ?? []).flatMap((object) => {
      const text = replicas[`${object.kind}/${object.name}`];
      if (text === undefined || text.trim() === "" || Number(text) === object.desired) return [];
      return [{ kind: object.kind, name: object.name, replicas: Number(text) }];
    });
    return list.length > 0 ? { replicas: list } : null;
  };
  const pending = change();

  const reveal = async () => {
    setRevealError(null);
    try {
      const clear = await queryClient.fetchQuery(
        trpc.instance.get.queryOptions({ id: instance.id, revealSecrets: true }),
      );
      setValues(clear.valuesOverride ?? "");
    } catch (error) {
      setRevealError(error instanceof Error ? error.message : String(error));
    }
  };

  const title = mode === "upgrade" ? `Upgrade ${instance.releaseName}` : `Scale ${instance.releaseName}`;

  if (preview) {
    return (
      <>
        <DialogTitle id="change-instance-title">{title}: review the changes</DialogTitle>
        <DialogContent dividers>
          <Stack spacing={2}>
            <Typography variant="body2">
              {preview.result.from.version !== preview.result.to.version
                ? `Version ${preview.result.from.version} → ${preview.result.to.version}. `
                : ""}
              {preview.result.upgrade
                ? "Re-rendered as an upgrade (Is Upgrade). "
                : "Replicas set by hand are kept in the instance's manifests. "}
              Applying it updates the objects on {instance.cluster ?? "its cluster"}; the instance shows
              Deploying until the cluster has them.
            </Typography>
            <ManifestDiffView diff={preview.result.diff} />
            {apply.error && <Alert severity="error">{apply.error.message}</Alert>}
          </Stack>
        </DialogContent>
        <DialogActions sx={{ px: 3, pb: 2 }}>
          <Button color="inherit" onClick={() => setPreview(null)} disabled={apply.isPending}>
            Back
          </Button>
          <Button color="inherit" onClick={onClose} disabled={apply.isPending}>
            Cancel
          </Button>
          <Button
            variant="contained"
            loading={apply.isPending}
            disabled={!preview.result.changed}
            onClick={() => apply.mutate({ id: instance.id, change: preview.change })}
          >
            {mode === "upgrade" ? "Apply upgrade" : "Apply scaling"}
          </Button>
        </DialogActions>
      </>
    );
  }

  return (
    <>
      <DialogTitle id="change-instance-title">{title}</DialogTitle>
      <DialogContent dividers>
        {options.isPending ? (
          <Skeleton variant="rounded" height={160} />
        ) : options.error ? (
          <Alert severity="error">{options.error.message}</Alert>
        ) : mode === "upgrade" ? (
          <Stack spacing={2.5}>
            <TextField
              select
              id={versionId}
              label="Workload version"
              value={chosenVersion ?? ""}
              onChange={(e) => setWorkloadId(Number(e.target.value))}
              helperText={`ACCEPTED versions of ${options.data.workload.name}.`}
            >
              {options.data.versions.map((v) => (
                <MenuItem key={v.id} value={v.id}>
                  {v.version}
                  {v.current ? " (current)" : ""}
                </MenuItem>
              ))}
            </TextField>
            <FormControlLabel
              control={
                <Checkbox checked={changeValues} onChange={(e) => setChangeValues(e.target.checked)} />
              }
              label="Change the values override"
            />
            {changeValues && (
              <>
                {values.includes(REDACTED) && (
                  <Alert
                    severity="warning"
                    action={
                      instance.canRevealSecrets ? (
                        <Button color="inherit" size="small" onClick={() => void reveal()}>
                          Reveal
                        </Button>
                      ) : undefined
                    }
                  >
                    Secret-named values read {REDACTED}: type them again
                    {instance.canRevealSecrets
                      ? ", or reveal the current ones (recorded in the audit log)"
                      : ""}
                    , or they become the text {REDACTED}.
                  </Alert>
                )}
                {revealError && <Alert severity="error">{revealError}</Alert>}
                <YamlEditor
                  label="Values Override"
                  value={values}
                  onChange={setValues}
                  error={
                    review.error?.message && /values/i.test(review.error.message)
                      ? review.error.message
                      : undefined
                  }
                  helperText="Replaces the instance's values override; empty for none."
                  testId="upgrade-values-override"
                />
              </>
            )}
          </Stack>
        ) : options.data.scalable.length === 0 ? (
          <Alert severity="info">This instance has no Deployment or StatefulSet to scale.</Alert>
        ) : (
          <Stack spacing={2}>
            <Typography variant="body2" color="text.secondary">
              Replicas per object (0 to {options.data.maxReplicas}). Kept in the instance&apos;s manifests, so
              a re-sync or a migration keeps them; an upgrade renders the chart&apos;s replicas again.
            </Typography>
            {options.data.scalable.map((object) => {
              const key = `${object.kind}/${object.name}`;
              return (
                <TextField
                  key={key}
                  type="number"
                  label={`${object.kind} ${object.name}`}
                  value={replicas[key] ?? String(object.desired)}
                  onChange={(e) => setReplicas((r) => ({ ...r, [key]: e.target.value }))}
                  helperText={`Now ${object.desired} replica${object.desired === 1 ? "" : "s"}.`}
                  slotProps={{ htmlInput: { min: 0, max: options.data.maxReplicas, step: 1 } }}
                />
              );
            })}
          </Stack>
        )}
        {review.error && (
          <Alert severity="error" sx={{ mt: 2 }}>
            {review.error.message}
          </Alert>
        )}
      </DialogContent>
      <DialogActions sx={{ px: 3, pb: 2 }}>
        <Button color="inherit" onClick={onClose} disabled={review.isPending}>
          Cancel
        </Button>
        <Button
          variant="contained"
          loading={review.isPending}
          disabled={pending === null}
          onClick={() => pending && review.mutate({ id: instance.id, change: pending })}
        >
          Review changes
        </Button>
      </DialogActions>
    </>
  );
}
