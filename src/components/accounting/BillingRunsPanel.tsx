"use client";

import Alert from "@mui/material/Alert";
import Skeleton from "@mui/material/Skeleton";
import Table from "@mui/material/Table";
import TableBody from "@mui/material/TableBody";
import TableCell from "@mui/material/TableCell";
import TableHead from "@mui/material/TableHead";
import TableRow from "@mui/material/TableRow";
import Typography from "@mui/material/Typography";
import { useQuery } from "@tanstack/react-query";
import { Section } from "@/components/ui/Section";
import { Time } from "@/components/ui/Time";
import { useTRPC } from "@/trpc/react";
import { ruleLabel, tokens } from "./tokens";

/** Billing-run status for admins: the last runs, items billed and failed, and each failure's reason. */
export function BillingRunsPanel() {
  const trpc = useTRPC();
  const runs = useQuery({
    ...trpc.accounting.billingRuns.queryOptions({ limit: 10 }),
    refetchInterval: 15_000,
  });
  const failures = (runs.data ?? []).flatMap((r) => r.failures.map((f) => ({ ...f, run: r.id })));
  return (
    <Section title="Billing runs" testId="billing-runs-panel">
      {runs.isPending ? (
        <Skeleton variant="rounded" height={120} aria-label="Loading billing runs" />
      ) : runs.error ? (
        <Alert severity="error">The billing runs could not be loaded: {runs.error.message}</Alert>
      ) : runs.data.length === 0 ? (
        <Typography color="text.secondary">
          No billing run yet: the moca worker bills every period.
        </Typography>
      ) : (
        <>
          <Table size="small" aria-label="Billing runs">
            <TableHead>
              <TableRow>
                <TableCell>Period</TableCell>
                <TableCell>Status</TableCell>
                <TableCell align="right">Instances</TableCell>
                <TableCell align="right">Billed</TableCell>
                <TableCell align="right">Failed</TableCell>
                <TableCell align="right">Charged</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {runs.data.map((r) => (
                <TableRow key={r.id}>
                  <TableCell>
                    <Time value={r.periodStart} />
                  </TableCell>
                  <TableCell>{r.status}</TableCell>
                  <TableCell align="right">{r.instances}</TableCell>
                  <TableCell align="right">{r.itemsBilled}</TableCell>
                  <TableCell align="right">{r.itemsFailed}</TableCell>
                  <TableCell align="right" sx={{ whiteSpace: "nowrap" }}>
                    {tokens(r.amount)}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          {failures.length > 0 ? (
            <Alert severity="warning" sx={{ mt: 1.5 }} data-testid="billing-failures">
              {failures.slice(0, 10).map((f) => (
                <div key={`${f.run}-${f.instanceId}-${f.rule}`}>
                  {ruleLabel(f.rule)} for instance {f.instanceId}
                  {f.clusterName ? ` on ${f.clusterName}` : ""}: {f.reason}
                  {f.retryable
                    ? ` — attempt ${f.attempts}${f.retryOutcome === "GAVE_UP" ? ", given up" : f.nextAttemptAt ? `, next ${new Date(f.nextAttemptAt).toLocaleTimeString()}` : ""}`
                    : ""}
                </div>
              ))}
            </Alert>
          ) : null}
        </>
      )}
    </Section>
  );
}
