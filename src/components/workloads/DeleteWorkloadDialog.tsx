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

export interface DeleteTarget {
  id: number;
  name: string;
  version: string;
}

export function DeleteWorkloadDialog({
  workload,
  onClose,
  onDeleted,
}: {
  workload: DeleteTarget | null;
  onClose(): void;
  onDeleted(workload: DeleteTarget): void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const titleId = useId();
  const remove = useMutation(
    trpc.workload.delete.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.workload.pathKey() });
        if (workload) onDeleted(workload);
        remove.reset();
      },
    }),
  );
  const close = () => {
    remove.reset();
    onClose();
  };
  return (
    <Dialog open={workload !== null} onClose={remove.isPending ? undefined : close} aria-labelledby={titleId}>
      <DialogTitle id={titleId}>Delete workload?</DialogTitle>
      <DialogContent>
        <DialogContentText>
          Delete{" "}
          <strong>
            {workload?.name} {workload?.version}
          </strong>{" "}
          and its uploaded chart? This cannot be undone.
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
          onClick={() => workload && remove.mutate({ id: workload.id })}
        >
          Delete
        </Button>
      </DialogActions>
    </Dialog>
  );
}
