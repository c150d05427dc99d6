"use client";

import Alert from "@mui/material/Alert";
import Button from "@mui/material/Button";
import Skeleton from "@mui/material/Skeleton";
import Table from "@mui/material/Table";
import TableBody from "@mui/material/TableBody";
import TableCell from "@mui/material/TableCell";
import TableHead from "@mui/material/TableHead";
import TableRow from "@mui/material/TableRow";
import Typography from "@mui/material/Typography";
import { useQuery } from "@tanstack/react-query";
import { Section } from "@/components/ui/Section";
import { useTRPC } from "@/trpc/react";
import type { RouterOutputs } from "@/trpc/types";
import { tokens } from "./tokens";

type Account = RouterOutputs["accounting"]["accounts"][number];

const KIND_LABELS: Record<Account["kind"], string> = {
  WORKLOAD: "Workload",
  CLUSTER: "Cluster",
  USER: "Datasets (you)",
  PLATFORM: "Platform",
};

/**
 * Balance per account the caller holds: a service provider's workloads (and
 * their dataset rewards), an infrastructure provider's clusters (earnings),
 * an admin every account.
 */
export function AccountsPanel({ title }: { title: string }) {
  const trpc = useTRPC();
  const accounts = useQuery({ ...trpc.accounting.accounts.queryOptions(), refetchInterval: 15_000 });
  return (
    <Section title={title} testId="accounts-panel">
      {accounts.isPending ? (
        <Skeleton variant="rounded" height={120} aria-label="Loading balances" />
      ) : accounts.error ? (
        <Alert
          severity="error"
          action={
            <Button color="inherit" size="small" onClick={() => void accounts.refetch()}>
              Retry
            </Button>
          }
        >
          The balances could not be loaded: {accounts.error.message}
        </Alert>
      ) : accounts.data.length === 0 ? (
        <Typography color="text.secondary" data-testid="accounts-empty">
          No accounts yet. A workload gets its account when it is accepted, a cluster when it joins, and you
          when you upload a dataset.
        </Typography>
      ) : (
        <Table size="small" aria-label={title}>
          <TableHead>
            <TableRow>
              <TableCell>Account</TableCell>
              <TableCell>Kind</TableCell>
              <TableCell>Owner</TableCell>
              <TableCell align="right">Balance</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {accounts.data.map((a) => (
              <TableRow key={a.id} data-testid={`account-${a.id}`}>
                <TableCell>{a.displayName}</TableCell>
                <TableCell>{KIND_LABELS[a.kind]}</TableCell>
                <TableCell>{a.owner ?? "—"}</TableCell>
                <TableCell align="right" data-testid="account-balance" sx={{ whiteSpace: "nowrap" }}>
                  {tokens(a.balance)}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </Section>
  );
}
