"use client";

import SearchIcon from "@mui/icons-material/Search";
import Alert from "@mui/material/Alert";
import AlertTitle from "@mui/material/AlertTitle";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import InputAdornment from "@mui/material/InputAdornment";
import LinearProgress from "@mui/material/LinearProgress";
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
import TextField from "@mui/material/TextField";
import Typography from "@mui/material/Typography";
import { useEffect, useState, type ReactNode } from "react";
import { errorStatus } from "@/trpc/query-client";
import { PAGE_SIZES, type PageSize, type SortDirection } from "@/common/list-page";
import { emptyStateText } from "./empty-state";
import type { ListState } from "./list-input";
import { visuallyHidden } from "./ui/visually-hidden";

export { PAGE_SIZES, type PageSize };

/**
 * The list table every area uses: server-side pagination (10/25/50), one
 * sort column, a debounced search box, a skeleton while loading, an error
 * alert with retry, and a friendly empty state.
 */

export type Direction = SortDirection;
export type { ListState };

export interface ListControls<Sort extends string> {
  input: ListState<Sort>;
  searchText: string;
  setSearchText: (text: string) => void;
  setPage: (page: number) => void;
  setPageSize: (size: PageSize) => void;
  toggleSort: (sort: Sort) => void;
}

/**
 * Table state, from the table's first list state (the one its page prefetches);
 * the search term reaches the query 300 ms after typing stops, and resets to page 1.
 */
export function useListControls<Sort extends string>(initial: ListState<Sort>): ListControls<Sort> {
  const [state, setState] = useState<ListState<Sort>>(initial);
  const [searchText, setSearchText] = useState("");
  useEffect(() => {
    const handle = setTimeout(() => {
      const search = searchText.trim() || undefined;
      setState((s) => (s.search === search ? s : { ...s, search, page: 1 }));
    }, 300);
    return () => clearTimeout(handle);
  }, [searchText]);
  return {
    input: state,
    searchText,
    setSearchText,
    setPage: (page) => setState((s) => ({ ...s, page })),
    setPageSize: (pageSize) => setState((s) => ({ ...s, pageSize, page: 1 })),
    toggleSort: (sort) =>
      setState((s) => ({
        ...s,
        sort,
        direction: s.sort === sort && s.direction === "asc" ? "desc" : "asc",
        page: 1,
      })),
  };
}

export interface Column<Row, Sort extends string> {
  key: string;
  label: string;
  /** The sort field this column sorts by, if sortable. */
  sort?: Sort;
  align?: "left" | "right";
  /**
   * Hidden on screens narrower than this breakpoint (less important columns
   * make way, so the table fits a 1024 px window without scrolling sideways).
   */
  hideBelow?: "sm" | "md" | "lg" | "xl";
  render: (row: Row) => ReactNode;
}

/** The cell's display for a column that hides on narrow screens. */
function responsive(hideBelow: Column<unknown, string>["hideBelow"]) {
  return hideBelow ? { display: { xs: "none", [hideBelow]: "table-cell" } } : undefined;
}

export interface ListResult<Row> {
  data: { items: Row[]; total: number } | undefined;
  isPending: boolean;
  isFetching: boolean;
  error: unknown;
  refetch: () => unknown;
}

export interface ResourceTableProps<Row, Sort extends string> {
  /** Plural noun, lower case ("workloads"); used in labels and messages. */
  noun: string;
  columns: Column<Row, Sort>[];
  rowKey: (row: Row) => string | number;
  controls: ListControls<Sort>;
  result: ListResult<Row>;
  empty: { icon: ReactNode; title: string; description: string };
  /** Actions beside the search box ("Create Workload"). */
  toolbar?: ReactNode;
  /**
   * The table's filters besides the search (status, state, …): whether one is
   * set, and how to reset them. An empty filtered list then says nothing
   * matches and offers "Clear filters" instead of its "yet" message.
   */
  filters?: { active: boolean; clear: () => void };
}

function errorMessage(error: unknown): string {
  const status = errorStatus(error);
  if (status === 401) return "Your session has ended. Sign in again to continue.";
  if (status === 403) return error instanceof Error ? error.message : "You may not see this list.";
  return error instanceof Error ? error.message : "Unexpected error.";
}

export function ResourceTable<Row, Sort extends string>(props: ResourceTableProps<Row, Sort>) {
  const { noun, columns, rowKey, controls, result, empty, toolbar, filters } = props;
  const { input } = controls;
  const rows = result.data?.items ?? [];
  const total = result.data?.total ?? 0;
  const loading = result.isPending && !result.data;
  const emptyText = emptyStateText({ noun, search: input.search, filtered: filters?.active ?? false, empty });
  const clearAll = () => {
    controls.setSearchText("");
    if (filters?.active) filters.clear();
  };

  let body: ReactNode;
  if (loading) {
    body = Array.from({ length: Math.min(input.pageSize, 10) }, (_, i) => (
      <TableRow key={`skeleton-${i}`}>
        {columns.map((c) => (
          <TableCell key={c.key} sx={responsive(c.hideBelow)}>
            <Skeleton
              variant="text"
              width={c.align === "right" ? 40 : "70%"}
              sx={{ ml: c.align === "right" ? "auto" : 0 }}
            />
          </TableCell>
        ))}
      </TableRow>
    ));
  } else if (rows.length === 0 && !result.error) {
    body = (
      <TableRow>
        <TableCell colSpan={columns.length} sx={{ border: 0 }}>
          <Stack
            spacing={1.5}
            sx={{ alignItems: "center", py: 7, textAlign: "center" }}
            data-testid="empty-state"
          >
            <Box sx={{ color: "primary.light", "& svg": { fontSize: 48 } }} aria-hidden="true">
              {empty.icon}
            </Box>
            <Typography variant="h3" component="p">
              {emptyText.title}
            </Typography>
            <Typography color="text.secondary" sx={{ maxWidth: 480 }}>
              {emptyText.description}
            </Typography>
            {emptyText.clear && (
              <Button size="small" onClick={clearAll}>
                {emptyText.clear.label}
              </Button>
            )}
          </Stack>
        </TableCell>
      </TableRow>
    );
  } else {
    body = rows.map((row) => (
      <TableRow hover key={rowKey(row)}>
        {columns.map((c) => (
          <TableCell key={c.key} align={c.align} sx={responsive(c.hideBelow)}>
            {c.render(row)}
          </TableCell>
        ))}
      </TableRow>
    ));
  }

  return (
    <Paper variant="outlined" sx={{ overflow: "hidden" }}>
      <Stack
        direction={{ xs: "column", sm: "row" }}
        spacing={2}
        useFlexGap
        sx={{ alignItems: { sm: "center" }, p: 2, flexWrap: "wrap" }}
      >
        <TextField
          type="search"
          size="small"
          value={controls.searchText}
          onChange={(e) => controls.setSearchText(e.target.value)}
          placeholder={`Search ${noun}`}
          sx={{ width: { xs: "100%", sm: 340 } }}
          slotProps={{
            htmlInput: { "aria-label": `Search ${noun}`, maxLength: 100 },
            input: {
              startAdornment: (
                <InputAdornment position="start">
                  <SearchIcon fontSize="small" />
                </InputAdornment>
              ),
            },
          }}
        />
        <Box sx={{ flexGrow: 1 }} />
        {!loading && (
          <Typography variant="body2" color="text.secondary" aria-live="polite">
            {total === 1 ? `1 ${noun.replace(/s$/, "")}` : `${total} ${noun}`}
          </Typography>
        )}
        {toolbar}
      </Stack>
      {result.error ? (
        <Alert
          severity="error"
          sx={{ mx: 2, mb: 2 }}
          action={
            <Button color="inherit" size="small" onClick={() => void result.refetch()}>
              Retry
            </Button>
          }
        >
          <AlertTitle>Couldn&apos;t load {noun}</AlertTitle>
          {errorMessage(result.error)}
        </Alert>
      ) : null}
      <Box sx={{ height: 4 }}>
        {result.isFetching && !loading ? <LinearProgress aria-label={`Loading ${noun}`} /> : null}
      </Box>
      <TableContainer>
        <Table
          size="small"
          aria-label={noun}
          aria-busy={loading || result.isFetching}
          sx={{ "& td, & th": { px: 2, py: 1.25 } }}
        >
          <TableHead>
            <TableRow>
              {columns.map((c) => {
                const active = c.sort !== undefined && input.sort === c.sort;
                return (
                  <TableCell
                    key={c.key}
                    align={c.align}
                    sortDirection={active ? input.direction : false}
                    scope="col"
                    sx={responsive(c.hideBelow)}
                  >
                    {c.sort !== undefined ? (
                      <TableSortLabel
                        active={active}
                        direction={active ? input.direction : "asc"}
                        onClick={() => c.sort !== undefined && controls.toggleSort(c.sort)}
                      >
                        {c.label}
                        {active ? (
                          <Box component="span" sx={visuallyHidden}>
                            {input.direction === "desc" ? "sorted descending" : "sorted ascending"}
                          </Box>
                        ) : null}
                      </TableSortLabel>
                    ) : (
                      c.label
                    )}
                  </TableCell>
                );
              })}
            </TableRow>
          </TableHead>
          <TableBody>{body}</TableBody>
        </Table>
      </TableContainer>
      <TablePagination
        component="div"
        count={total}
        page={total === 0 ? 0 : input.page - 1}
        rowsPerPage={input.pageSize}
        rowsPerPageOptions={[...PAGE_SIZES]}
        onPageChange={(_, page) => controls.setPage(page + 1)}
        onRowsPerPageChange={(e) => controls.setPageSize(Number(e.target.value) as PageSize)}
        labelRowsPerPage="Items per page:"
        labelDisplayedRows={({ from, to, count }) => (count === 0 ? "0 of 0" : `${from} – ${to} of ${count}`)}
        showFirstButton
        showLastButton
      />
    </Paper>
  );
}

export function Mono({ children, title }: { children: ReactNode; title?: string }) {
  return (
    <Box
      component="span"
      title={title}
      sx={{
        fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace",
        fontSize: 13,
        color: "text.secondary",
      }}
    >
      {children}
    </Box>
  );
}
