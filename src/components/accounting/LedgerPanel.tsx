"use client";

import VerifiedOutlinedIcon from "@mui/icons-material/VerifiedOutlined";
import Alert from "@mui/material/Alert";
import Button from "@mui/material/Button";
import Stack from "@mui/material/Stack";
import Typography from "@mui/material/Typography";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Section } from "@/components/ui/Section";
import { Time } from "@/components/ui/Time";
import { useTRPC } from "@/trpc/react";
import type { RouterOutputs } from "@/trpc/types";

type Verification = NonNullable<RouterOutputs["accounting"]["lastVerification"]>;

function Result({ result }: { result: Verification }) {
  const m = result.firstMismatch;
  return (
    <Alert severity={result.ok ? "success" : "error"} data-testid="ledger-verification">
      {result.ok
        ? `The ledger is intact: ${result.checked} transactions checked, up to sequence ${result.lastSequence}.`
        : m
          ? `Transaction ${m.sequence} does not match: ${m.field}${m.account ? ` of ${m.account}` : ""} — expected ${m.expected}, found ${m.found}.`
          : "The ledger does not verify."}{" "}
      <Typography component="span" variant="body2" color="text.secondary">
        Verified by {result.verifiedBy} at <Time value={result.verifiedAt} /> in {result.durationMs} ms.
      </Typography>
    </Alert>
  );
}

/** Verify ledger (admins): recompute the hash chain and balances; the result and the last verified sequence. */
export function LedgerPanel() {
  const trpc = useTRPC();
  const client = useQueryClient();
  const last = useQuery(trpc.accounting.lastVerification.queryOptions());
  const verify = useMutation(
    trpc.accounting.verifyLedger.mutationOptions({
      onSuccess: (result) => client.setQueryData(trpc.accounting.lastVerification.queryKey(), result),
    }),
  );
  const shown = verify.data ?? last.data ?? null;
  return (
    <Section
      title="Ledger verification"
      icon={<VerifiedOutlinedIcon />}
      testId="ledger-panel"
      description="Recomputes every transaction's hash from the first one and every account's balance from the transactions, and names the first entry that does not match."
    >
      <Stack spacing={1.5} sx={{ alignItems: "flex-start" }}>
        <Button variant="contained" onClick={() => verify.mutate()} disabled={verify.isPending}>
          {verify.isPending ? "Verifying…" : "Verify ledger"}
        </Button>
        {verify.error ? <Alert severity="error">Verification failed: {verify.error.message}</Alert> : null}
        {last.error ? <Alert severity="error">The last verification could not be loaded.</Alert> : null}
        {shown ? (
          <Result result={shown} />
        ) : last.isPending ? null : (
          <Typography color="text.secondary">The ledger has not been verified yet.</Typography>
        )}
      </Stack>
    </Section>
  );
}
