"use client";

import Alert from "@mui/material/Alert";
import Button from "@mui/material/Button";
import Dialog from "@mui/material/Dialog";
import DialogActions from "@mui/material/DialogActions";
import DialogContent from "@mui/material/DialogContent";
import DialogContentText from "@mui/material/DialogContentText";
import DialogTitle from "@mui/material/DialogTitle";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId } from "react";
import { useTRPC } from "@/trpc/react";

export interface DeleteInstanceTarget {
  id: string;
  releaseName: string;
  shortId: string;
  cluster: string | null;
}

/** Confirms before asking the orchestrator to remove the instance from its cluster. */
export function DeleteInstanceDialog({
  instance,
  onClose,
  onDeleted,
}: {
  instance: DeleteInstanceTarget | null;
  onClose(): void;
  onDeleted?(instance: DeleteInstanceTarget): void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const titleId = useId();
  const remove = useMutation(
    trpc.instance.delete.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.instance.pathKey() });
        if (instance) onDeleted?.(instance);
        remove.reset();
        onClose();
      },
    }),
  );
  const close = () => {
    remove.reset();
    onClose();
  };
  return (
    <Dialog open={instance !== null} onClose={remove.isPending ? undefined : close} aria-labelledby={titleId}>
      <DialogTitle id={titleId}>Delete instance?</DialogTitle>
      <DialogContent>
        <DialogContentText>
          Delete{" "}
          <strong>
            {instance?.releaseName} ({instance?.shortId})
          </strong>
          ?{" "}
          {instance?.cluster
            ? `The orchestrator removes its namespace and every resource in it from ${instance.cluster}.`
            : "It is not running on any cluster, so nothing needs to be removed."}{" "}
          Its timeline is kept.
        </DialogContentText>
        {remove.error && (
          <Alert severity="error" sx={{ mt: 2 }}>
            {remove.error.message}
          </Alert>
        )}
      </DialogContent>
      <DialogActions sx={{ px: 3, pb: 2 }}>
        <Button onClick={close} color="inherit" disabled={remove.isPending} autoFocus>
          Cancel
        </Button>
        <Button
          color="error"
          variant="contained"
          loading={remove.isPending}
          onClick={() => instance && remove.mutate({ id: instance.id })}
        >
          Delete
        </Button>
      </DialogActions>
    </Dialog>
  );
}
