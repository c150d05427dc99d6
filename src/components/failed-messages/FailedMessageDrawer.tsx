"use client";

import CloseIcon from "@mui/icons-material/Close";
import Alert from "@mui/material/Alert";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import CircularProgress from "@mui/material/CircularProgress";
import Divider from "@mui/material/Divider";
import Drawer from "@mui/material/Drawer";
import IconButton from "@mui/material/IconButton";
import Stack from "@mui/material/Stack";
import Typography from "@mui/material/Typography";
import { useQuery } from "@tanstack/react-query";
import { useId, useState } from "react";
import { ConfirmDialog } from "@/components/ConfirmDialog";
import { Mono } from "@/components/ResourceTable";
import { StatusChip } from "@/components/StatusChip";
import { DefinitionList, Field } from "@/components/ui/DefinitionList";
import { Time } from "@/components/ui/Time";
import { useConsoleMutation } from "@/components/ui/use-console-mutation";
import { useTRPC } from "@/trpc/react";

type Action = "replay" | "discard";

const OPEN = new Set(["FAILED", "DEAD"]);

/**
 * One failed message: where it was going, why it failed, its body and
 * headers (secrets redacted by the server), and Replay / Discard behind a
 * confirmation.
 */
export function FailedMessageDrawer({ id, onClose }: { id: string | null; onClose: () => void }) {
  const titleId = useId();
  const trpc = useTRPC();
  const [confirm, setConfirm] = useState<Action | null>(null);
  const detail = useQuery({ ...trpc.failedMessage.get.queryOptions({ id: id ?? "" }), enabled: id !== null });
  const done = () => {
    setConfirm(null);
    onClose();
  };
  const feedback = (verb: string) => ({
    invalidates: [trpc.failedMessage.pathKey()],
    succeeded: (result: { id: string }) => `${verb} ${result.id}.`,
  });
  const replay = useConsoleMutation(
    trpc.failedMessage.replay.mutationOptions({ onSuccess: done }),
    feedback("Replayed"),
  );
  const discard = useConsoleMutation(
    trpc.failedMessage.discard.mutationOptions({ onSuccess: done }),
    feedback("Discarded"),
  );
  const running = confirm === "replay" ? replay : discard;
  const message = detail.data;
  const open = message !== undefined && OPEN.has(message.status);

  return (
    <Drawer
      anchor="right"
      open={id !== null}
      onClose={onClose}
      slotProps={{ paper: { sx: { width: { xs: "100%", sm: 560 } }, "aria-labelledby": titleId } }}
    >
      <Box sx={{ p: 2.5 }} data-testid="failed-message-drawer">
        <Stack direction="row" sx={{ alignItems: "flex-start", mb: 1 }}>
          <Box sx={{ flexGrow: 1, minWidth: 0 }}>
            <Typography variant="overline" color="text.secondary">
              {message?.kind === "outbox" ? "Outbox message" : "Dead letter"}
            </Typography>
            <Typography id={titleId} variant="h3" component="h2" sx={{ wordBreak: "break-all" }}>
              {id}
            </Typography>
          </Box>
          <IconButton aria-label="Close" onClick={onClose}>
            <CloseIcon />
          </IconButton>
        </Stack>
        <Divider sx={{ mb: 1 }} />
        {detail.isPending && id !== null && (
          <Stack sx={{ alignItems: "center", py: 4 }}>
            <CircularProgress aria-label="Loading the message" />
          </Stack>
        )}
        {detail.error && (
          <Alert
            severity="error"
            action={
              <Button color="inherit" size="small" onClick={() => void detail.refetch()}>
                Retry
              </Button>
            }
          >
            {detail.error.message}
          </Alert>
        )}
        {message && (
          <>
            <DefinitionList layout="rows">
              <Field label="Status">
                <StatusChip status={message.status} />
                {message.resolvedBy && (
                  <Typography variant="body2" color="text.secondary">
                    by {message.resolvedBy}, <Time value={message.resolvedAt} />
                  </Typography>
                )}
              </Field>
              {message.queue !== null && (
                <Field label="Queue">
                  <Mono>{message.queue}</Mono>
                </Field>
              )}
              <Field label="Exchange">
                <Mono>{message.exchange || "(default exchange)"}</Mono>
              </Field>
              <Field label="Routing key">
                <Mono>{message.routingKey}</Mono>
              </Field>
              <Field label="Type">{message.messageType ?? "—"}</Field>
              <Field label="Message id">
                <Mono>{message.messageId ?? "—"}</Mono>
              </Field>
              {message.correlationId && (
                <Field label="Correlation">
                  <Mono>{message.correlationId}</Mono>
                </Field>
              )}
              <Field label="Attempts">{message.attempts}</Field>
              <Field label="Failed">
                <Time value={message.createdAt} titleFormat="dateTime" />
              </Field>
              <Field label="Error" testId="failed-message-error">
                {message.error || "—"}
              </Field>
            </DefinitionList>
            <Typography variant="subtitle2" sx={{ mt: 2, mb: 0.5 }}>
              Body
            </Typography>
            {message.payloadNote ? (
              <Alert severity="info">{message.payloadNote}</Alert>
            ) : (
              <Json value={message.payload} testId="failed-message-payload" />
            )}
            {Object.keys(message.headers).length > 0 && (
              <>
                <Typography variant="subtitle2" sx={{ mt: 2, mb: 0.5 }}>
                  Headers
                </Typography>
                <Json value={message.headers} />
              </>
            )}
            <Stack direction="row" spacing={1} sx={{ mt: 3, justifyContent: "flex-end" }}>
              <Button color="error" variant="outlined" disabled={!open} onClick={() => setConfirm("discard")}>
                Discard
              </Button>
              <Button variant="contained" disabled={!message.replayable} onClick={() => setConfirm("replay")}>
                Replay
              </Button>
            </Stack>
          </>
        )}
      </Box>
      <ConfirmDialog
        open={confirm !== null}
        title={confirm === "replay" ? "Replay this message?" : "Discard this message?"}
        confirmLabel={confirm === "replay" ? "Replay" : "Discard"}
        pending={running.isPending}
        error={running.error?.message}
        onCancel={() => {
          running.reset();
          setConfirm(null);
        }}
        onConfirm={() => id && running.mutate({ id })}
      >
        {confirm === "replay"
          ? message?.kind === "outbox"
            ? "The relay publishes it again, with a fresh set of attempts."
            : `It is sent again to ${message?.queue ?? "its queue"} with its original message id; a consumer that already handled that id ignores it.`
          : "Nothing is sent. The message stays listed as discarded, with your name, until the retention removes it."}
      </ConfirmDialog>
    </Drawer>
  );
}

function Json({ value, testId }: { value: unknown; testId?: string }) {
  return (
    <Box
      component="pre"
      data-testid={testId}
      sx={{
        m: 0,
        p: 1.5,
        bgcolor: "action.hover",
        borderRadius: 1,
        fontSize: 12,
        overflow: "auto",
        maxHeight: 320,
        whiteSpace: "pre-wrap",
        wordBreak: "break-all",
      }}
    >
      {JSON.stringify(value, null, 2)}
    </Box>
  );
}
