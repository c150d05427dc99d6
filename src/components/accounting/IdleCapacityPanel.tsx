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
import { useTRPC } from "@/trpc/react";
import { tokens } from "./tokens";

/** The window the panel shows: the last 60 billed periods (an hour at the default period). */
const PERIODS = 60;

const cores = (millicores: number) => (millicores / 1000).toFixed(2);
const gib = (mib: number) => (mib / 1024).toFixed(1);

/**
 * Idle capacity per cluster, "capacity paid by nobody": registered CPU and
 * memory less what billed instances used, valued at the cluster's rates.
 * Infrastructure providers see their own clusters, admins all.
 */
export function IdleCapacityPanel() {
  const trpc = useTRPC();
  const view = useQuery({
    ...trpc.accounting.idleCapacity.queryOptions({ periods: PERIODS }),
    refetchInterval: 30_000,
  });
  return (
    <Section title="Idle capacity (paid by nobody)" testId="idle-capacity">
      {view.isPending ? (
        <Skeleton variant="rounded" height={120} aria-label="Loading idle capacity" />
      ) : view.error ? (
        <Alert severity="error">Idle capacity could not be loaded: {view.error.message}</Alert>
      ) : view.data.items.length === 0 ? (
        <Typography color="text.secondary">No billed period yet.</Typography>
      ) : (
        <>
          <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
            Mean over the last {PERIODS} billed periods: capacity less what billed instances used. Value: the
            compute rule applied to the idle share at the cluster&apos;s base rates.
          </Typography>
          <Table size="small" aria-label="Idle capacity by cluster">
            <TableHead>
              <TableRow>
                <TableCell>Cluster</TableCell>
                <TableCell>Region</TableCell>
                <TableCell align="right">Idle CPU (cores)</TableCell>
                <TableCell align="right">Idle memory (GiB)</TableCell>
                <TableCell align="right">Idle value</TableCell>
                <TableCell align="right">Earned</TableCell>
                <TableCell align="right">Periods</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {view.data.items.map((row) => (
                <TableRow key={row.clusterId} data-testid={`idle-${row.clusterName}`}>
                  <TableCell>{row.clusterName}</TableCell>
                  <TableCell>{row.region}</TableCell>
                  <TableCell align="right" sx={{ whiteSpace: "nowrap" }}>
                    {cores(row.idleCpuMillicores)} of {cores(row.capacityCpuMillicores)} ({row.idleCpuPct} %)
                  </TableCell>
                  <TableCell align="right" sx={{ whiteSpace: "nowrap" }}>
                    {gib(row.idleMemoryMiB)} of {gib(row.capacityMemoryMiB)} ({row.idleMemoryPct} %)
                  </TableCell>
                  <TableCell align="right" sx={{ whiteSpace: "nowrap" }}>
                    {tokens(row.amount)}
                  </TableCell>
                  <TableCell align="right" sx={{ whiteSpace: "nowrap" }}>
                    {tokens(row.earned)}
                  </TableCell>
                  <TableCell align="right">
                    {row.periods}
                    {row.instancesFailed > 0 ? ` (${row.instancesFailed} unbilled)` : ""}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </>
      )}
    </Section>
  );
}
