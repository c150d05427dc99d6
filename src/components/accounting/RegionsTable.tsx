"use client";

import AddIcon from "@mui/icons-material/Add";
import Alert from "@mui/material/Alert";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import Chip from "@mui/material/Chip";
import Paper from "@mui/material/Paper";
import Skeleton from "@mui/material/Skeleton";
import Stack from "@mui/material/Stack";
import Table from "@mui/material/Table";
import TableBody from "@mui/material/TableBody";
import TableCell from "@mui/material/TableCell";
import TableContainer from "@mui/material/TableContainer";
import TableHead from "@mui/material/TableHead";
import TablePagination from "@mui/material/TablePagination";
import TableRow from "@mui/material/TableRow";
import TableSortLabel from "@mui/material/TableSortLabel";
import Typography from "@mui/material/Typography";
import { useQuery } from "@tanstack/react-query";
import dynamic from "next/dynamic";
import { useMemo, useState } from "react";
import { ConfirmDialog } from "@/components/ConfirmDialog";
import { Time } from "@/components/ui/Time";
import { useConsoleMutation } from "@/components/ui/use-console-mutation";
import { visuallyHidden } from "@/components/ui/visually-hidden";
import { useTRPC } from "@/trpc/react";
import type { RouterOutputs } from "@/trpc/types";
import { draftOf, EMPTY, type Draft } from "./region-draft";

// The dialog (and the zod schemas it checks with) loads when an admin opens it, not with the page.
const RegionDialog = dynamic(() => import("./RegionDialog").then((m) => m.RegionDialog), { ssr: false });

/**
 * The region table of the MOCA pricing rules (Accounting page, admin
 * section; other roles see it read-only). Lists every region with data and
 * every region clusters name without data ("No data": their instances are
 * not billed until it is set); admins create, edit in a dialog, and delete
 * after confirming (the server refuses while clusters are in the region).
 * Amounts are units (1 token = 10^8 units), at the scale each rule reads them.
 */

type Region = RouterOutputs["accounting"]["regions"][number];
type SortKey = "name" | "clusters";
const PAGE_SIZES = [10, 25, 50];

function compare(a: Region, b: Region, sort: SortKey): number {
  if (sort === "clusters") return a.clusters - b.clusters || (a.name < b.name ? -1 : 1);
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

export function RegionsTable({ canEdit }: { canEdit: boolean }) {
  const trpc = useTRPC();
  const regions = useQuery(trpc.accounting.regions.queryOptions());
  const [sort, setSort] = useState<{ key: SortKey; direction: "asc" | "desc" }>({
    key: "name",
    direction: "asc",
  });
  const [page, setPage] = useState(0);
  const [pageSize, setPageSize] = useState(10);
  const [dialog, setDialog] = useState<{ mode: "create" | "edit"; draft: Draft } | null>(null);
  const [deleting, setDeleting] = useState<Region | null>(null);
  const remove = useConsoleMutation(
    trpc.accounting.deleteRegion.mutationOptions({ onSuccess: () => setDeleting(null) }),
    {
      invalidates: [trpc.accounting.regions.queryKey()],
      succeeded: (result) => `Region ${result.name} deleted.`,
    },
  );

  const rows = useMemo(() => {
    const sorted = [...(regions.data ?? [])].sort((a, b) => compare(a, b, sort.key));
    return sort.direction === "asc" ? sorted : sorted.reverse();
  }, [regions.data, sort]);
  const visible = rows.slice(page * pageSize, page * pageSize + pageSize);
  const missing = rows.filter((r) => !r.hasData);
  const toggle = (key: SortKey) => {
    setSort((s) => ({ key, direction: s.key === key && s.direction === "asc" ? "desc" : "asc" }));
    setPage(0);
  };
  const header = (key: SortKey, label: string, align?: "right") => (
    <TableCell align={align} sortDirection={sort.key === key ? sort.direction : false}>
      <TableSortLabel
        active={sort.key === key}
        direction={sort.key === key ? sort.direction : "asc"}
        onClick={() => toggle(key)}
      >
        {label}
        {sort.key === key && (
          <Box component="span" sx={visuallyHidden}>
            {sort.direction === "desc" ? "sorted descending" : "sorted ascending"}
          </Box>
        )}
      </TableSortLabel>
    </TableCell>
  );
  const units = (value: string | null) =>
    value === null ? (
      "—"
    ) : (
      <Box component="span" sx={{ fontFamily: "monospace" }}>
        {value}
      </Box>
    );

  return (
    <Stack spacing={2} data-testid="regions-table">
      <Stack
        direction="row"
        sx={{ alignItems: "center", justifyContent: "space-between", gap: 2, flexWrap: "wrap" }}
      >
        <Typography variant="body2" color="text.secondary">
          Regional costs, high demand and GPU costs the compute and ML rules read. Amounts in units (1 token =
          10⁸ units).
        </Typography>
        {canEdit && (
          <Button
            variant="contained"
            startIcon={<AddIcon />}
            onClick={() => setDialog({ mode: "create", draft: EMPTY })}
          >
            New region
          </Button>
        )}
      </Stack>
      {missing.length > 0 && (
        <Alert severity="warning" data-testid="regions-missing">
          {missing.map((r) => r.name).join(", ")} {missing.length === 1 ? "has" : "have"} no pricing data:
          instances on {missing.length === 1 ? "its" : "their"} clusters are not billed (“Data for region must
          be set”)
          {canEdit ? " until you set it." : " until an admin sets it."}
        </Alert>
      )}
      {regions.isError ? (
        <Alert
          severity="error"
          action={
            <Button color="inherit" size="small" onClick={() => void regions.refetch()}>
              Retry
            </Button>
          }
        >
          The regions could not be loaded: {regions.error.message}
        </Alert>
      ) : (
        <Paper variant="outlined">
          <TableContainer>
            <Table size="small" aria-label="Regions">
              <TableHead>
                <TableRow>
                  {header("name", "Region")}
                  <TableCell>High demand</TableCell>
                  <TableCell align="right">CPU costs</TableCell>
                  <TableCell align="right">Memory costs</TableCell>
                  <TableCell align="right">GPU costs</TableCell>
                  <TableCell align="right">High-demand cost</TableCell>
                  {header("clusters", "Clusters", "right")}
                  <TableCell>Updated</TableCell>
                  {canEdit && (
                    <TableCell align="right">
                      <Box component="span" sx={visuallyHidden}>
                        Actions
                      </Box>
                    </TableCell>
                  )}
                </TableRow>
              </TableHead>
              <TableBody>
                {regions.isLoading &&
                  [0, 1, 2].map((i) => (
                    <TableRow key={i}>
                      <TableCell colSpan={canEdit ? 9 : 8}>
                        <Skeleton />
                      </TableCell>
                    </TableRow>
                  ))}
                {!regions.isLoading && rows.length === 0 && (
                  <TableRow>
                    <TableCell colSpan={canEdit ? 9 : 8}>
                      <Typography variant="body2" color="text.secondary" sx={{ py: 2, textAlign: "center" }}>
                        No regions yet.{canEdit ? " Create one with New region." : ""}
                      </Typography>
                    </TableCell>
                  </TableRow>
                )}
                {visible.map((r) => (
                  <TableRow key={r.name} data-testid={`region-${r.name}`}>
                    <TableCell>
                      <Stack direction="row" spacing={1} sx={{ alignItems: "center" }}>
                        <span>{r.name}</span>
                        {!r.hasData && <Chip size="small" color="warning" label="No data" />}
                      </Stack>
                    </TableCell>
                    <TableCell>{r.highDemand === null ? "—" : r.highDemand ? "Yes" : "No"}</TableCell>
                    <TableCell align="right">{units(r.regionalCpuCosts)}</TableCell>
                    <TableCell align="right">{units(r.regionalMemoryCosts)}</TableCell>
                    <TableCell align="right">{units(r.regionalGpuCosts)}</TableCell>
                    <TableCell align="right">{units(r.highDemandCost)}</TableCell>
                    <TableCell align="right">{r.clusters}</TableCell>
                    <TableCell>
                      {r.updatedAt ? (
                        <>
                          <Time value={r.updatedAt} /> {r.updatedBy ? `by ${r.updatedBy}` : ""}
                        </>
                      ) : (
                        "—"
                      )}
                    </TableCell>
                    {canEdit && (
                      <TableCell align="right" sx={{ whiteSpace: "nowrap" }}>
                        <Button size="small" onClick={() => setDialog({ mode: "edit", draft: draftOf(r) })}>
                          {r.hasData ? "Edit" : "Set data"}
                          <Box component="span" sx={visuallyHidden}>
                            {` region ${r.name}`}
                          </Box>
                        </Button>
                        {r.hasData && (
                          <Button size="small" color="error" onClick={() => setDeleting(r)}>
                            Delete
                            <Box component="span" sx={visuallyHidden}>
                              {` region ${r.name}`}
                            </Box>
                          </Button>
                        )}
                      </TableCell>
                    )}
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </TableContainer>
          <TablePagination
            component="div"
            count={rows.length}
            page={page}
            rowsPerPage={pageSize}
            rowsPerPageOptions={PAGE_SIZES}
            onPageChange={(_e, next) => setPage(next)}
            onRowsPerPageChange={(e) => {
              setPageSize(Number(e.target.value));
              setPage(0);
            }}
          />
        </Paper>
      )}
      {dialog && <RegionDialog mode={dialog.mode} initial={dialog.draft} onClose={() => setDialog(null)} />}
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete region ${deleting?.name ?? ""}?`}
        confirmLabel="Delete"
        pending={remove.isPending}
        error={remove.error?.message}
        onCancel={() => {
          setDeleting(null);
          remove.reset();
        }}
        onConfirm={() => deleting && remove.mutate({ name: deleting.name })}
      >
        Its pricing data is removed. A region clusters are still in cannot be deleted: move or deregister them
        first.
      </ConfirmDialog>
    </Stack>
  );
}
