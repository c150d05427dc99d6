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

/**
 * Confirmation before a cluster leaves the continuum. The server refuses
 * while instances run on it (409); that message stays in the dialog so the
 * provider knows what to move first.
 */
export function DeregisterClusterDialog({
  cluster,
  onClose,
  onDeregistered,
}: {
  /** The cluster to deregister; the dialog is open while one is given. */
  cluster: { id: string; name: string } | null;
  onClose(): void;
  onDeregistered(name: string): void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const titleId = useId();
  const deregister = useMutation(
    trpc.cluster.deregister.mutationOptions({
      onSuccess: async (done) => {
        await queryClient.invalidateQueries({ queryKey: trpc.cluster.pathKey() });
        onDeregistered(done.name);
      },
    }),
  );
  const close = () => {
    deregister.reset();
    onClose();
  };

  return (
    <Dialog
      open={cluster !== null}
      onClose={deregister.isPending ? undefined : close}
      aria-labelledby={titleId}
      maxWidth="xs"
      fullWidth
    >
      <DialogTitle id={titleId}>Deregister {cluster?.name}?</DialogTitle>
      <DialogContent>
        <DialogContentText>
          The cluster leaves the continuum: no new instances are placed on it, its metrics stop and its
          kubeconfig is deleted. Its name stays taken.
        </DialogContentText>
        {deregister.error && (
          <Alert severity="error" sx={{ mt: 2 }}>
            {deregister.error.message}
          </Alert>
        )}
      </DialogContent>
      <DialogActions sx={{ px: 3, pb: 2 }}>
        <Button onClick={close} disabled={deregister.isPending} color="inherit" autoFocus>
          Cancel
        </Button>
        <Button
          color="error"
          variant="contained"
          loading={deregister.isPending}
          onClick={() => cluster && deregister.mutate({ id: cluster.id })}
        >
          Deregister
        </Button>
      </DialogActions>
    </Dialog>
  );
}
