"use client";

import Alert from "@mui/material/Alert";
import Skeleton from "@mui/material/Skeleton";
import Stack from "@mui/material/Stack";
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

/**
 * An instance's cost breakdown (the instance page's Costs tab, loaded when
 * opened): totals per rule and each billed period with its charge and gCO₂e.
 */
export function InstanceCosts({ instanceId }: { instanceId: string }) {
  const trpc = useTRPC();
  const costs = useQuery({
    ...trpc.accounting.instanceCosts.queryOptions({ instanceId, limit: 50 }),
    refetchInterval: 10_000,
  });
  if (costs.isPending) return <Skeleton variant="rounded" height={160} aria-label="Loading costs" />;
  if (costs.error)
    return <Alert severity="error">The costs could not be loaded: {costs.error.message}</Alert>;
  const { items, totals, gco2e } = costs.data;
  return (
    <Stack spacing={2}>
      <Section title="Totals" testId="instance-cost-totals">
        {Object.keys(totals).length === 0 ? (
          <Typography color="text.secondary">
            Not billed yet: charges appear after each billing period.
          </Typography>
        ) : (
          <Typography>
            {Object.entries(totals)
              .map(([rule, units]) => `${ruleLabel(rule)}: ${tokens(units)}`)
              .join(" · ")}{" "}
            · {gco2e.toFixed(2)} gCO₂e
          </Typography>
        )}
      </Section>
      {items.length > 0 ? (
        <Section title="Billed periods" testId="instance-cost-items">
          <Table size="small" aria-label="Billed periods">
            <TableHead>
              <TableRow>
                <TableCell>Period</TableCell>
                <TableCell>Rule</TableCell>
                <TableCell align="right">Charge</TableCell>
                <TableCell align="right">Green reward</TableCell>
                <TableCell align="right">gCO₂e</TableCell>
                <TableCell align="right">Ledger #</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {items.map((item) => (
                <TableRow key={`${item.rule}-${String(item.periodStart)}`} data-testid="instance-cost-item">
                  <TableCell>
                    <Time value={item.periodStart} />
                  </TableCell>
                  <TableCell>{ruleLabel(item.rule)}</TableCell>
                  <TableCell align="right" sx={{ whiteSpace: "nowrap" }}>
                    {tokens(item.amount)}
                  </TableCell>
                  <TableCell align="right" sx={{ whiteSpace: "nowrap" }}>
                    {item.greenReward ? tokens(item.greenReward) : "—"}
                  </TableCell>
                  <TableCell align="right">{item.gco2e === null ? "—" : item.gco2e.toFixed(3)}</TableCell>
                  <TableCell align="right">{item.ledgerSequence ?? "—"}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Section>
      ) : null}
    </Stack>
  );
}
