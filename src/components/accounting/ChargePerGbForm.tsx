"use client";

import Alert from "@mui/material/Alert";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import Skeleton from "@mui/material/Skeleton";
import Stack from "@mui/material/Stack";
import TextField from "@mui/material/TextField";
import Typography from "@mui/material/Typography";
import { useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { formatTokens, tokensToUnits } from "@/common/tokens";
import { formErrors } from "@/components/ui/form-errors";
import { useConsoleMutation } from "@/components/ui/use-console-mutation";
import { useTRPC } from "@/trpc/react";

/**
 * The network rule's price (Accounting page, admin section): tokens per GB
 * an ingress workload sends and receives above the free 5 GB of a period.
 * Read-only for other roles.
 */
function Form({ chargePerGb, canEdit }: { chargePerGb: string; canEdit: boolean }) {
  const trpc = useTRPC();
  const [text, setText] = useState(formatTokens(BigInt(chargePerGb)).replace(/ tokens?$/, ""));
  const [error, setError] = useState<string | undefined>();
  const save = useConsoleMutation(
    trpc.accounting.updateSettings.mutationOptions({
      onError: (failure) => setError(formErrors(failure).fields.chargePerGb ?? failure.message),
    }),
    {
      invalidates: [trpc.accounting.settings.queryKey()],
      succeeded: (saved) => `Network charge set to ${formatTokens(BigInt(saved.chargePerGb))} per GB.`,
    },
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const units = tokensToUnits(text);
    if (units === null) {
      setError("Write tokens with at most 8 decimals, like 0.1.");
      return;
    }
    save.mutate({ chargePerGb: units.toString() });
  };
  if (!canEdit) {
    return (
      <Typography variant="body2">
        Network: {formatTokens(BigInt(chargePerGb))} per GB above the free 5 GB of each period.
      </Typography>
    );
  }
  return (
    <Box component="form" onSubmit={submit} noValidate>
      <Stack direction={{ xs: "column", sm: "row" }} spacing={2} sx={{ alignItems: { sm: "flex-start" } }}>
        <TextField
          id="charge-per-gb"
          label="Network charge per GB (tokens)"
          size="small"
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            setError(undefined);
          }}
          error={Boolean(error)}
          helperText={error ?? "Charged per GB above the free 5 GB of each period (ingress workloads)."}
          slotProps={{ htmlInput: { inputMode: "decimal", maxLength: 30 } }}
        />
        <Button type="submit" variant="contained" disabled={save.isPending}>
          Save
        </Button>
      </Stack>
    </Box>
  );
}

export function ChargePerGbForm({ canEdit }: { canEdit: boolean }) {
  const trpc = useTRPC();
  const settings = useQuery(trpc.accounting.settings.queryOptions());
  if (settings.isError) {
    return (
      <Alert
        severity="error"
        action={
          <Button color="inherit" size="small" onClick={() => void settings.refetch()}>
            Retry
          </Button>
        }
      >
        The accounting settings could not be loaded: {settings.error.message}
      </Alert>
    );
  }
  if (!settings.data)
    return <Skeleton variant="rounded" height={56} aria-label="Loading the network charge" />;
  return <Form key={settings.data.chargePerGb} chargePerGb={settings.data.chargePerGb} canEdit={canEdit} />;
}
