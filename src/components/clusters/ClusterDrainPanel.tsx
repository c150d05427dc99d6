"use client";

import LowPriorityIcon from "@mui/icons-material/LowPriority";
import Alert from "@mui/material/Alert";
import Button from "@mui/material/Button";
import Chip from "@mui/material/Chip";
import LinearProgress from "@mui/material/LinearProgress";
import Skeleton from "@mui/material/Skeleton";
import Stack from "@mui/material/Stack";
import Table from "@mui/material/Table";
import TableBody from "@mui/material/TableBody";
import TableCell from "@mui/material/TableCell";
import TableHead from "@mui/material/TableHead";
import TableRow from "@mui/material/TableRow";
import Typography from "@mui/material/Typography";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { ConfirmDialog } from "@/components/ConfirmDialog";
import { Mono } from "@/components/ResourceTable";
import { Section } from "@/components/ui/Section";
import { Time } from "@/components/ui/Time";
import { useConsoleMutation } from "@/components/ui/use-console-mutation";
import { useTRPC } from "@/trpc/react";
import type { RouterOutputs } from "@/trpc/types";

type DrainStatus = RouterOutputs["cluster"]["drainStatus"];
type DrainInstance = DrainStatus["instances"][number];

/** While migrations of the drain are in flight the panel follows them closely; while cordoned, now and then. */
const MIGRATING_POLL_MS = 2_000;
const CORDONED_POLL_MS = 10_000;

const STATE_CHIP: Record<
  DrainInstance["state"],
  { label: string; color: "success" | "info" | "warning" | "default" }
> = {
  moved: { label: "Moved", color: "success" },
  migrating: { label: "Migrating", color: "info" },
  stuck: { label: "Nowhere to go", color: "warning" },
  waiting: { label: "Waiting", color: "default" },
  running: { label: "Running here", color: "default" },
};

function where(instance: DrainInstance): string {
  if (instance.state === "moved") return instance.cluster ? `Now on ${instance.cluster}` : "Moved";
  return instance.reason ?? "";
}

/**
 * The cluster page's drain panel (its provider and admins): drain — cordon
 * and migrate every instance away, after a confirmation — with live progress
 * (N of M moved), each instance still here with its state and, when no other
 * cluster can take it, the placement's reason; "Drain again" retries what is
 * left; Uncordon lets placements back in.
 */
export function ClusterDrainPanel({ clusterId, clusterName }: { clusterId: string; clusterName: string }) {
  const trpc = useTRPC();
  const [confirming, setConfirming] = useState(false);
  const status = useQuery({
    ...trpc.cluster.drainStatus.queryOptions({ id: clusterId }),
    refetchInterval: (query) => {
      const data = query.state.data;
      if (!data) return false;
      if (data.instances.some((i) => i.state === "migrating")) return MIGRATING_POLL_MS;
      return data.cordoned ? CORDONED_POLL_MS : false;
    },
  });
  const invalidates = [trpc.cluster.pathKey()];
  const drain = useConsoleMutation(
    trpc.cluster.drain.mutationOptions({ onSuccess: () => setConfirming(false) }),
    {
      invalidates,
      succeeded: (done) =>
        done.remaining === 0
          ? `Cluster ${done.cluster} cordoned; nothing runs on it.`
          : `Cluster ${done.cluster} cordoned; moving ${done.remaining} instance(s) away.`,
    },
  );
  const uncordon = useConsoleMutation(trpc.cluster.uncordon.mutationOptions(), {
    invalidates,
    succeeded: (done) => `Cluster ${done.name} uncordoned: it takes placements again.`,
    failed: (error) => error.message,
  });
  const again = useConsoleMutation(trpc.cluster.drain.mutationOptions(), {
    invalidates,
    succeeded: (done) => `Drained ${done.cluster} again.`,
    failed: (error) => error.message,
  });

  const data = status.data;
  const left = data?.instances.filter((i) => i.state === "stuck" || i.state === "waiting").length ?? 0;
  return (
    <Section
      title="Drain"
      titleId="drain-heading"
      headingVariant="h2"
      icon={<LowPriorityIcon />}
      testId="drain-panel"
      actions={
        data && (
          <Stack direction="row" spacing={1}>
            {data.cordoned && left > 0 && (
              <Button size="small" loading={again.isPending} onClick={() => again.mutate({ id: clusterId })}>
                Drain again
              </Button>
            )}
            {data.cordoned ? (
              <Button
                size="small"
                variant="outlined"
                loading={uncordon.isPending}
                onClick={() => uncordon.mutate({ id: clusterId })}
              >
                Uncordon
              </Button>
            ) : (
              <Button size="small" variant="contained" color="warning" onClick={() => setConfirming(true)}>
                Drain cluster
              </Button>
            )}
          </Stack>
        )
      }
      description="Draining cordons the cluster (no new placements or migrations onto it) and migrates every instance on it to another cluster that meets its intents."
    >
      {status.error ? (
        <Alert
          severity="error"
          action={
            <Button color="inherit" size="small" onClick={() => void status.refetch()}>
              Retry
            </Button>
          }
        >
          {status.error.message}
        </Alert>
      ) : !data ? (
        <Skeleton variant="rounded" height={64} />
      ) : (
        <DrainProgress status={data} />
      )}
      <ConfirmDialog
        open={confirming}
        title={<>Drain {clusterName}?</>}
        confirmLabel="Drain"
        pending={drain.isPending}
        error={drain.error?.message}
        onCancel={() => {
          drain.reset();
          setConfirming(false);
        }}
        onConfirm={() => drain.mutate({ id: clusterId })}
        maxWidth="xs"
      >
        {clusterName} is cordoned: nothing new is placed on it. Every instance running on it
        {data ? ` (${data.remaining})` : ""} migrates to another cluster that meets its intents; one that no
        other cluster can take stays and is listed with the reason. Uncordon lets placements back in.
      </ConfirmDialog>
    </Section>
  );
}

function DrainProgress({ status }: { status: DrainStatus }) {
  if (!status.cordoned) {
    return (
      <Typography color="text.secondary" data-testid="drain-summary">
        Not cordoned: the cluster takes placements.{" "}
        {status.remaining === 0
          ? "No instance runs on it."
          : `${status.remaining} instance(s) run on it; draining moves them away.`}
      </Typography>
    );
  }
  const percent = status.total === 0 ? 100 : Math.round((status.moved / status.total) * 100);
  return (
    <Stack spacing={1.5}>
      <Alert severity={status.done ? "success" : "warning"} variant="outlined" data-testid="drain-summary">
        Cordoned by {status.drainedBy ?? "its provider"}
        {status.drainStartedAt && (
          <>
            {" "}
            since <Time value={status.drainStartedAt} />
          </>
        )}
        . {status.total > 0 && `${status.moved} of ${status.total} instance(s) moved. `}
        {status.done && "Nothing runs on it any more: it can be deregistered."}
      </Alert>
      {status.total > 0 && (
        <LinearProgress
          variant="determinate"
          value={percent}
          aria-label={`${status.moved} of ${status.total} instances moved`}
          data-testid="drain-progress"
        />
      )}
      {status.instances.length > 0 && (
        <Table size="small" aria-label="Instances of the drain">
          <TableHead>
            <TableRow>
              <TableCell scope="col">Instance</TableCell>
              <TableCell scope="col">State</TableCell>
              <TableCell scope="col">Where / why</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {status.instances.map((instance) => {
              const chip = STATE_CHIP[instance.state];
              return (
                <TableRow key={instance.id} data-testid={`drain-row-${instance.shortId}`}>
                  <TableCell>
                    <Typography variant="body2" component="span" sx={{ fontWeight: 600 }}>
                      {instance.releaseName}
                    </Typography>{" "}
                    <Mono>{instance.shortId}</Mono>
                  </TableCell>
                  <TableCell>
                    <Chip size="small" variant="outlined" color={chip.color} label={chip.label} />
                  </TableCell>
                  <TableCell sx={{ overflowWrap: "anywhere" }}>{where(instance)}</TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      )}
    </Stack>
  );
}
