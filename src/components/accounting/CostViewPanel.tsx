"use client";

import Alert from "@mui/material/Alert";
import MenuItem from "@mui/material/MenuItem";
import Skeleton from "@mui/material/Skeleton";
import Table from "@mui/material/Table";
import TableBody from "@mui/material/TableBody";
import TableCell from "@mui/material/TableCell";
import TableHead from "@mui/material/TableHead";
import TableRow from "@mui/material/TableRow";
import TextField from "@mui/material/TextField";
import Typography from "@mui/material/Typography";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Section } from "@/components/ui/Section";
import { useTRPC } from "@/trpc/react";
import { tokens } from "./tokens";

type Group = "workload" | "owner" | "cluster" | "region";
const GROUP_LABELS: Record<Group, string> = {
  workload: "Workload",
  owner: "Owner",
  cluster: "Cluster",
  region: "Region",
};

/** One view across every cluster: cost, green credits and gCO₂e by workload, owner, cluster or region. */
export function CostViewPanel() {
  const trpc = useTRPC();
  const [groupBy, setGroupBy] = useState<Group>("workload");
  const view = useQuery({ ...trpc.accounting.costView.queryOptions({ groupBy }), refetchInterval: 30_000 });
  return (
    <Section
      title="Across all clusters"
      testId="cost-view"
      actions={
        <TextField
          select
          size="small"
          label="Group by"
          value={groupBy}
          onChange={(e) => setGroupBy(e.target.value as Group)}
          sx={{ minWidth: 140 }}
        >
          {(Object.keys(GROUP_LABELS) as Group[]).map((g) => (
            <MenuItem key={g} value={g}>
              {GROUP_LABELS[g]}
            </MenuItem>
          ))}
        </TextField>
      }
    >
      {view.isPending ? (
        <Skeleton variant="rounded" height={120} aria-label="Loading costs" />
      ) : view.error ? (
        <Alert severity="error">The costs could not be loaded: {view.error.message}</Alert>
      ) : view.data.length === 0 ? (
        <Typography color="text.secondary">Nothing billed yet.</Typography>
      ) : (
        <Table size="small" aria-label={`Costs by ${GROUP_LABELS[groupBy].toLowerCase()}`}>
          <TableHead>
            <TableRow>
              <TableCell>{GROUP_LABELS[groupBy]}</TableCell>
              <TableCell align="right">Charged</TableCell>
              <TableCell align="right">Green credits</TableCell>
              <TableCell align="right">gCO₂e</TableCell>
              <TableCell align="right">gCO₂e avoided</TableCell>
              <TableCell align="right">Items</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {view.data.map((row) => (
              <TableRow key={row.key}>
                <TableCell>{row.label}</TableCell>
                <TableCell align="right" sx={{ whiteSpace: "nowrap" }}>
                  {tokens(row.charged)}
                </TableCell>
                <TableCell align="right" sx={{ whiteSpace: "nowrap" }}>
                  {tokens(row.greenReward)}
                </TableCell>
                <TableCell align="right">{row.gco2e.toFixed(2)}</TableCell>
                <TableCell align="right">{row.gco2eAvoided.toFixed(2)}</TableCell>
                <TableCell align="right">{row.items}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </Section>
  );
}
