"use client";

import Chip from "@mui/material/Chip";
import Link from "@mui/material/Link";
import Table from "@mui/material/Table";
import TableBody from "@mui/material/TableBody";
import TableCell from "@mui/material/TableCell";
import TableHead from "@mui/material/TableHead";
import TablePagination from "@mui/material/TablePagination";
import TableRow from "@mui/material/TableRow";
import Tooltip from "@mui/material/Tooltip";
import Typography from "@mui/material/Typography";
import NextLink from "next/link";
import { PAGE_SIZES, type PageSize } from "@/common/list-page";
import { Time } from "@/components/ui/Time";
import type { RouterOutputs } from "@/trpc/types";
import { actionLabel, formatNumber, OUTCOME_COLOURS, OUTCOME_LABELS, replicaChange } from "./format";

type Decision = RouterOutputs["cfdrl"]["decisions"]["items"][number];

/**
 * CFDRL decisions, newest first: when, what the agent saw, what it chose,
 * the reward, and whether it was applied or dropped (and why). With
 * `showInstance`, which instance (the Orchestration page's list across
 * instances).
 */
export function CfdrlDecisionsTable({
  decisions,
  total,
  page,
  pageSize,
  onPage,
  onPageSize,
  showInstance = false,
  label,
}: {
  decisions: Decision[];
  total: number;
  /** 1-based. */
  page: number;
  pageSize: PageSize;
  onPage: (page: number) => void;
  onPageSize: (size: PageSize) => void;
  showInstance?: boolean;
  label: string;
}) {
  return (
    <>
      <Table size="small" aria-label={label} data-testid="cfdrl-decisions">
        <TableHead>
          <TableRow>
            <TableCell>Time</TableCell>
            {showInstance && <TableCell>Instance</TableCell>}
            <TableCell>Agent</TableCell>
            <TableCell>State</TableCell>
            <TableCell>Action</TableCell>
            <TableCell align="right">Reward</TableCell>
            <TableCell>Outcome</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {decisions.map((d) => (
            <TableRow key={d.id} data-testid="cfdrl-decision">
              <TableCell sx={{ whiteSpace: "nowrap" }}>
                <Time value={d.decidedAt} />
              </TableCell>
              {showInstance && (
                <TableCell>
                  <Link component={NextLink} href={`/instances/${d.instanceId}?tab=cfdrl`} underline="hover">
                    {d.releaseName}
                  </Link>
                </TableCell>
              )}
              <TableCell sx={{ textTransform: "capitalize" }}>{d.agent}</TableCell>
              <TableCell>
                <Typography variant="body2" sx={{ fontSize: 13 }}>
                  {d.stateSummary}
                </Typography>
              </TableCell>
              <TableCell sx={{ whiteSpace: "nowrap" }}>
                {actionLabel(d.action, d.targetCluster)}
                {d.agent === "scaling" && replicaChange(d.fromReplicas, d.toReplicas) && (
                  <Typography component="span" variant="body2" color="text.secondary">
                    {" "}
                    ({replicaChange(d.fromReplicas, d.toReplicas)})
                  </Typography>
                )}
              </TableCell>
              <TableCell align="right">{formatNumber(d.reward)}</TableCell>
              <TableCell>
                <Chip
                  size="small"
                  variant="outlined"
                  color={OUTCOME_COLOURS[d.outcome]}
                  label={OUTCOME_LABELS[d.outcome]}
                  sx={{ fontSize: 12, height: 22 }}
                />
                {d.outcomeReason && (
                  <Tooltip title={d.outcomeReason}>
                    <Typography
                      component="span"
                      variant="body2"
                      color="text.secondary"
                      sx={{ ml: 1, fontSize: 13 }}
                      data-testid="cfdrl-outcome-reason"
                    >
                      {d.outcomeReason}
                    </Typography>
                  </Tooltip>
                )}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <TablePagination
        component="div"
        count={total}
        page={page - 1}
        rowsPerPage={pageSize}
        rowsPerPageOptions={[...PAGE_SIZES]}
        onPageChange={(_, next) => onPage(next + 1)}
        onRowsPerPageChange={(e) => onPageSize(Number(e.target.value) as PageSize)}
      />
    </>
  );
}
