"use client";

import Alert from "@mui/material/Alert";
import Button from "@mui/material/Button";
import Dialog, { type DialogProps } from "@mui/material/Dialog";
import DialogActions from "@mui/material/DialogActions";
import DialogContent from "@mui/material/DialogContent";
import DialogContentText from "@mui/material/DialogContentText";
import DialogTitle from "@mui/material/DialogTitle";
import { useId, type ReactNode } from "react";

/**
 * The console's "are you sure?" dialog for destructive actions: the question,
 * what will happen, the server's refusal (kept in the dialog so the user can
 * act on it), Cancel (focused, so Enter does not destroy) and the red action.
 * While the action runs the dialog cannot be dismissed.
 */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  pending,
  error,
  onCancel,
  onConfirm,
  maxWidth,
}: {
  open: boolean;
  title: ReactNode;
  /** What the action does, as the dialog's text. */
  children: ReactNode;
  confirmLabel: string;
  pending: boolean;
  /** The server's message when the action failed. */
  error: string | null | undefined;
  onCancel: () => void;
  onConfirm: () => void;
  /** A narrow dialog spans its width. */
  maxWidth?: DialogProps["maxWidth"];
}) {
  const titleId = useId();
  return (
    <Dialog
      open={open}
      onClose={pending ? undefined : onCancel}
      aria-labelledby={titleId}
      {...(maxWidth ? { maxWidth, fullWidth: true } : {})}
    >
      <DialogTitle id={titleId}>{title}</DialogTitle>
      <DialogContent>
        <DialogContentText component="div">{children}</DialogContentText>
        {error && (
          <Alert severity="error" sx={{ mt: 2 }}>
            {error}
          </Alert>
        )}
      </DialogContent>
      <DialogActions sx={{ px: 3, pb: 2 }}>
        <Button onClick={onCancel} color="inherit" disabled={pending} autoFocus>
          Cancel
        </Button>
        <Button color="error" variant="contained" loading={pending} onClick={onConfirm}>
          {confirmLabel}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
