"use client";

import OpenInFullIcon from "@mui/icons-material/OpenInFull";
import ReplayIcon from "@mui/icons-material/Replay";
import UpgradeIcon from "@mui/icons-material/Upgrade";
import Button from "@mui/material/Button";
import dynamic from "next/dynamic";
import { useState } from "react";
import { ConfirmDialog } from "@/components/ConfirmDialog";
import { isChangeable, isRetryable, type InstanceStatus } from "@/common/instance-status";
import { useConsoleMutation } from "@/components/ui/use-console-mutation";
import { useTRPC } from "@/trpc/react";
import type { ChangeMode, ChangeTarget } from "./ChangeInstanceDialog";

/** Loaded when first opened: the instance page's first load does not carry the diff view. */
const ChangeInstanceDialog = dynamic(
  () => import("./ChangeInstanceDialog").then((m) => m.ChangeInstanceDialog),
  {
    ssr: false,
  },
);

export interface ActionsInstance extends ChangeTarget {
  status: InstanceStatus;
  statusReason: string | null;
}

/**
 * The instance page's actions on a running or failed instance: Retry a
 * FAILED one (confirmed; it is placed again over the clusters of now), and
 * Upgrade / Scale a DEPLOYED one (a dialog that shows the manifest diff
 * before it is applied). Progress shows in the status chip, which polls
 * while the orchestrator works, and on the timeline.
 */
export function InstanceActions({ instance }: { instance: ActionsInstance }) {
  const trpc = useTRPC();
  const [retrying, setRetrying] = useState(false);
  const [changing, setChanging] = useState<ChangeMode | null>(null);
  const retry = useConsoleMutation(
    trpc.instance.retry.mutationOptions({
      onSuccess: () => {
        retry.reset();
        setRetrying(false);
      },
    }),
    {
      invalidates: [trpc.instance.pathKey()],
      succeeded: () => `Retry of ${instance.releaseName} requested: the orchestrator places it again.`,
    },
  );
  const closeRetry = () => {
    retry.reset();
    setRetrying(false);
  };
  return (
    <>
      {isRetryable(instance.status) && (
        <Button variant="contained" startIcon={<ReplayIcon />} onClick={() => setRetrying(true)}>
          Retry
        </Button>
      )}
      {isChangeable(instance.status) && (
        <>
          <Button variant="outlined" startIcon={<UpgradeIcon />} onClick={() => setChanging("upgrade")}>
            Upgrade
          </Button>
          <Button variant="outlined" startIcon={<OpenInFullIcon />} onClick={() => setChanging("scale")}>
            Scale
          </Button>
        </>
      )}
      <ConfirmDialog
        open={retrying}
        title="Retry instance?"
        confirmLabel="Retry"
        pending={retry.isPending}
        error={retry.error?.message}
        onCancel={closeRetry}
        onConfirm={() => retry.mutate({ id: instance.id })}
      >
        Place{" "}
        <strong>
          {instance.releaseName} ({instance.shortId})
        </strong>{" "}
        again over the clusters as they are now, and deploy it where it fits.
        {instance.statusReason ? ` It failed with: ${instance.statusReason}` : ""}
        {instance.cluster
          ? ` Whatever its failed attempt left on ${instance.cluster} is removed there if it goes elsewhere.`
          : ""}
      </ConfirmDialog>
      {changing && (
        <ChangeInstanceDialog instance={instance} mode={changing} onClose={() => setChanging(null)} />
      )}
    </>
  );
}
