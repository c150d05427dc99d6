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

export interface DeleteIntentTarget {
  id: string;
  shortId: string;
  intentType: string;
  releaseName: string;
}

/** Confirms before deleting an intent (its reports end with TERMINATED; the instance stays). */
export function DeleteIntentDialog({
  intent,
  onClose,
  onDeleted,
}: {
  intent: DeleteIntentTarget | null;
  onClose(): void;
  onDeleted(intent: DeleteIntentTarget): void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const titleId = useId();
  const remove = useMutation(
    trpc.intent.action.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.intent.pathKey() });
        if (intent) onDeleted(intent);
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
    <Dialog open={intent !== null} onClose={remove.isPending ? undefined : close} aria-labelledby={titleId}>
      <DialogTitle id={titleId}>Delete intent?</DialogTitle>
      <DialogContent>
        <DialogContentText>
          Delete the{" "}
          <strong>
            {intent?.intentType} intent {intent?.shortId}
          </strong>{" "}
          of {intent?.releaseName}? The evaluator stops checking it; the instance keeps running where it is.
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
          onClick={() => intent && remove.mutate({ id: intent.id, action: "delete" })}
        >
          Delete
        </Button>
      </DialogActions>
    </Dialog>
  );
}
