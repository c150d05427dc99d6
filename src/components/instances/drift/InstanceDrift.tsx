"use client";

import SyncIcon from "@mui/icons-material/Sync";
import Alert from "@mui/material/Alert";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import Skeleton from "@mui/material/Skeleton";
import Stack from "@mui/material/Stack";
import Typography from "@mui/material/Typography";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { ConfirmDialog } from "@/components/ConfirmDialog";
import { Section } from "@/components/ui/Section";
import { Time } from "@/components/ui/Time";
import { useConsoleMutation } from "@/components/ui/use-console-mutation";
import { useTRPC } from "@/trpc/react";
import type { RouterOutputs } from "@/trpc/types";
import { DriftChip } from "./DriftChip";

type Drift = RouterOutputs["drift"]["forInstance"];
type ObjectDrift = NonNullable<Drift["summary"]>["objects"][number];

/** How often the page looks for a new verdict (the check itself runs every metrics period). */
const DRIFT_REFRESH_MS = 15_000;

function driftQueryOptions(trpc: ReturnType<typeof useTRPC>, instanceId: string) {
  return { ...trpc.drift.forInstance.queryOptions({ instanceId }), refetchInterval: DRIFT_REFRESH_MS };
}

/** The page header's chip: only for a deployed instance (nothing else has live objects to compare). */
export function InstanceDriftChip({ instanceId, status }: { instanceId: string; status: string }) {
  const trpc = useTRPC();
  const drift = useQuery({ ...driftQueryOptions(trpc, instanceId), enabled: status === "DEPLOYED" });
  if (status !== "DEPLOYED" || !drift.data) return null;
  return <DriftChip status={drift.data.status} checkedAt={drift.data.checkedAt} />;
}

/** One drifted field as a two-line diff: the applied value, then the live one. */
function FieldDiff({ field }: { field: ObjectDrift["fields"][number] }) {
  return (
    <Box component="li" sx={{ mb: 1, listStyle: "none" }}>
      <Typography variant="body2" sx={{ fontFamily: "ui-monospace, monospace", fontWeight: 600 }}>
        {field.path}
        {field.changedBy && (
          <Typography component="span" variant="caption" color="text.secondary" sx={{ ml: 1 }}>
            changed by {field.changedBy}
          </Typography>
        )}
      </Typography>
      <Box
        component="pre"
        sx={{
          m: 0,
          mt: 0.5,
          p: 1,
          borderRadius: 1,
          bgcolor: "action.hover",
          overflowX: "auto",
          fontSize: 12.5,
        }}
        aria-label={`Applied ${field.expected ?? "absent"}, live ${field.actual ?? "absent"}`}
      >
        <Box component="span" sx={{ color: "error.main", display: "block" }}>
          - applied: {field.expected ?? "(absent)"}
        </Box>
        <Box component="span" sx={{ color: "success.main", display: "block" }}>
          + live: {field.actual ?? "(absent)"}
        </Box>
      </Box>
    </Box>
  );
}

function DriftedObject({ object }: { object: ObjectDrift }) {
  return (
    <Box component="li" sx={{ mb: 2, listStyle: "none" }} data-testid="drifted-object">
      <Typography variant="subtitle2">
        {object.kind}/{object.name}{" "}
        <Typography
          component="span"
          variant="body2"
          color={object.state === "missing" ? "error" : "warning.main"}
        >
          {object.state === "missing" ? "— missing (deleted on the cluster)" : "— changed"}
        </Typography>
      </Typography>
      {object.fields.length > 0 && (
        <Box
          component="ul"
          sx={{ pl: 0, mt: 1, mb: 0 }}
          aria-label={`Changed fields of ${object.kind}/${object.name}`}
        >
          {object.fields.map((field) => (
            <FieldDiff key={field.path} field={field} />
          ))}
        </Box>
      )}
    </Box>
  );
}

/**
 * The Overview's Drift section of a deployed instance: In sync / Drifted,
 * when it was checked, which objects and fields differ (applied vs. live),
 * and Re-sync behind a confirmation.
 */
export function InstanceDrift({
  instanceId,
  releaseName,
  status,
}: {
  instanceId: string;
  releaseName: string;
  status: string;
}) {
  const trpc = useTRPC();
  const [confirming, setConfirming] = useState(false);
  const drift = useQuery({ ...driftQueryOptions(trpc, instanceId), enabled: status === "DEPLOYED" });
  const resync = useConsoleMutation(
    trpc.drift.resync.mutationOptions({
      onSuccess: () => {
        resync.reset();
        setConfirming(false);
      },
    }),
    {
      invalidates: [
        trpc.drift.pathKey(),
        trpc.instance.timeline.queryKey({ id: instanceId }),
        trpc.instance.tree.queryKey({ id: instanceId }),
      ],
      succeeded: (data) =>
        data.status === "in_sync"
          ? `${releaseName} re-synced: in sync with its manifests.`
          : `${releaseName} re-synced, but it still differs from its manifests.`,
    },
  );
  if (status !== "DEPLOYED") return null;

  let body;
  if (drift.isPending) body = <Skeleton variant="rounded" height={56} aria-label="Loading the drift check" />;
  else if (drift.error)
    body = (
      <Alert
        severity="error"
        action={
          <Button color="inherit" size="small" onClick={() => void drift.refetch()}>
            Retry
          </Button>
        }
      >
        Couldn&apos;t load the drift check: {drift.error.message}
      </Alert>
    );
  else {
    const d = drift.data;
    const objects = d.summary?.objects ?? [];
    body = (
      <Stack spacing={1.5}>
        <Stack direction="row" spacing={1.5} sx={{ alignItems: "center", flexWrap: "wrap" }}>
          <DriftChip status={d.status} checkedAt={d.checkedAt} />
          <Typography variant="body2" color="text.secondary">
            {d.checkedAt ? (
              <>
                Checked <Time value={d.checkedAt} />
                {d.summary ? ` · ${d.summary.compared} objects compared` : ""}
              </>
            ) : (
              "Not checked yet: the check runs every metrics period."
            )}
          </Typography>
        </Stack>
        {d.status === "in_sync" && (
          <Typography variant="body2">
            Every field the console applied is as applied (status and defaulted fields are not compared).
          </Typography>
        )}
        {d.status === "drifted" && (
          <>
            <Alert severity="warning">
              Objects of this instance were changed or deleted on its cluster by hand. Re-sync applies the
              stored manifests again.
            </Alert>
            <Box component="ul" sx={{ pl: 0, m: 0 }} aria-label="Drifted objects">
              {objects.map((object) => (
                <DriftedObject key={`${object.kind}/${object.name}`} object={object} />
              ))}
            </Box>
            {d.summary && d.summary.moreObjects > 0 && (
              <Typography variant="body2" color="text.secondary">
                …and {d.summary.moreObjects} more drifted objects.
              </Typography>
            )}
          </>
        )}
      </Stack>
    );
  }

  return (
    <Box sx={{ mt: 2.5 }}>
      <Section
        title="Drift"
        testId="instance-drift"
        description="Live objects compared with the manifests the console applied."
        actions={
          <Button
            variant="outlined"
            size="small"
            startIcon={<SyncIcon />}
            disabled={!drift.data?.canResync}
            onClick={() => setConfirming(true)}
          >
            Re-sync
          </Button>
        }
      >
        {body}
      </Section>
      <ConfirmDialog
        open={confirming}
        title="Re-sync instance?"
        confirmLabel="Re-sync"
        pending={resync.isPending}
        error={resync.error?.message}
        onCancel={() => {
          resync.reset();
          setConfirming(false);
        }}
        onConfirm={() => resync.mutate({ instanceId })}
      >
        Apply the stored manifests of <strong>{releaseName}</strong> to its cluster again? Changes made there
        by hand to the fields the console manages are overwritten, and deleted objects are recreated. The
        timeline records the re-sync.
      </ConfirmDialog>
    </Box>
  );
}
