"use client";

import AddIcon from "@mui/icons-material/Add";
import Alert from "@mui/material/Alert";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import Chip from "@mui/material/Chip";
import Dialog from "@mui/material/Dialog";
import DialogActions from "@mui/material/DialogActions";
import DialogContent from "@mui/material/DialogContent";
import DialogTitle from "@mui/material/DialogTitle";
import FormControlLabel from "@mui/material/FormControlLabel";
import Paper from "@mui/material/Paper";
import Skeleton from "@mui/material/Skeleton";
import Stack from "@mui/material/Stack";
import Switch from "@mui/material/Switch";
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
import { useQuery } from "@tanstack/react-query";
import { useId, useMemo, useState, type FormEvent } from "react";
import { MAX_REGION_LENGTH } from "@/common/cluster-registration";
import { regionCreateSchema, regionDataSchema } from "@/common/accounting-pricing";
import { ConfirmDialog } from "@/components/ConfirmDialog";
import { formErrors, type FormErrors } from "@/components/ui/form-errors";
import { Time } from "@/components/ui/Time";
import { useConsoleMutation } from "@/components/ui/use-console-mutation";
import { visuallyHidden } from "@/components/ui/visually-hidden";
import { useTRPC } from "@/trpc/react";
import type { RouterOutputs } from "@/trpc/types";

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

const AMOUNT_FIELDS = [
  [
    "regionalCpuCosts",
    "Regional CPU costs",
    "Threshold vs CPU millicores · 10³: at or below, no CPU charge.",
  ],
  [
    "regionalMemoryCosts",
    "Regional memory costs",
    "Threshold vs memory MiB · 10³: at or below, no memory charge.",
  ],
  ["regionalGpuCosts", "Regional GPU costs", "Units added to every ML (GPU) charge."],
  ["highDemandCost", "High-demand cost", "Added before the compute charge's / 1000 while in high demand."],
] as const;
type AmountField = (typeof AMOUNT_FIELDS)[number][0];

interface Draft {
  name: string;
  highDemand: boolean;
  regionalCpuCosts: string;
  regionalMemoryCosts: string;
  regionalGpuCosts: string;
  highDemandCost: string;
}

const EMPTY: Draft = {
  name: "",
  highDemand: false,
  regionalCpuCosts: "",
  regionalMemoryCosts: "",
  regionalGpuCosts: "",
  highDemandCost: "0",
};

function draftOf(region: Region): Draft {
  return {
    name: region.name,
    highDemand: region.highDemand ?? false,
    regionalCpuCosts: region.regionalCpuCosts ?? "",
    regionalMemoryCosts: region.regionalMemoryCosts ?? "",
    regionalGpuCosts: region.regionalGpuCosts ?? "",
    highDemandCost: region.highDemandCost ?? "0",
  };
}

/** The draft's data as the schemas read it (empty amounts left out, so "is required" names them). */
function dataOf(draft: Draft) {
  const data: Record<string, unknown> = { highDemand: draft.highDemand };
  for (const [key] of AMOUNT_FIELDS) if (draft[key].trim() !== "") data[key] = draft[key].trim();
  return data;
}

/** The first message per field, keyed by the field (a tRPC update's "data.x" is field "x"). */
function fieldsOf(errors: FormErrors): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [path, message] of Object.entries(errors.fields)) {
    const key = path.startsWith("data.") ? path.slice(5) : path;
    fields[key] ??= message;
  }
  return fields;
}

function RegionDialog({
  mode,
  initial,
  onClose,
}: {
  mode: "create" | "edit";
  initial: Draft;
  onClose: () => void;
}) {
  const trpc = useTRPC();
  const titleId = useId();
  const [draft, setDraft] = useState<Draft>(initial);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | undefined>();
  const invalidates = [trpc.accounting.regions.queryKey()];
  const onError = (error: unknown) => {
    const parsed = formErrors(error);
    setErrors(fieldsOf(parsed));
    setFormError(parsed.form);
  };
  const create = useConsoleMutation(
    trpc.accounting.createRegion.mutationOptions({ onSuccess: onClose, onError }),
    {
      invalidates,
      succeeded: (region) => `Region ${region.name} created.`,
    },
  );
  const update = useConsoleMutation(
    trpc.accounting.updateRegion.mutationOptions({ onSuccess: onClose, onError }),
    {
      invalidates,
      succeeded: (region) => `Region ${region.name} saved.`,
    },
  );
  const pending = create.isPending || update.isPending;

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => {
    setDraft((d) => ({ ...d, [key]: value }));
    setErrors(({ [key]: _gone, ...rest }) => rest);
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const data = dataOf(draft);
    // The browser checks with the server's own schemas first; the server checks again.
    const parsed =
      mode === "create"
        ? regionCreateSchema.safeParse({ ...data, name: draft.name })
        : regionDataSchema.safeParse(data);
    if (parsed.success) {
      // The parsed amounts are bigints; tRPC (superjson) carries them as they are.
      if (mode === "create") create.mutate({ ...parsed.data, name: draft.name.trim() });
      else update.mutate({ name: draft.name, data: parsed.data });
    } else {
      const fields: Record<string, string> = {};
      for (const issue of parsed.error.issues) {
        const key = String(issue.path[0] ?? "");
        const label = AMOUNT_FIELDS.find(([k]) => k === key)?.[1] ?? (key === "name" ? "Region" : key);
        const empty = key in draft && String(draft[key as keyof Draft]).trim() === "";
        fields[key] ??= empty ? `${label} is required.` : issue.message;
      }
      setErrors(fields);
      const first = ["name", ...AMOUNT_FIELDS.map(([k]) => k)].find((k) => k in fields);
      if (first) document.getElementById(`region-${first}`)?.focus();
    }
  };

  const amount = (key: AmountField, label: string, hint: string) => (
    <TextField
      key={key}
      id={`region-${key}`}
      label={label}
      value={draft[key]}
      onChange={(e) => set(key, e.target.value)}
      required={key !== "highDemandCost"}
      error={Boolean(errors[key])}
      helperText={errors[key] ?? `${hint} Units (1 token = 10⁸).`}
      slotProps={{ htmlInput: { inputMode: "numeric", maxLength: 19, autoComplete: "off" } }}
    />
  );

  return (
    <Dialog open onClose={pending ? undefined : onClose} aria-labelledby={titleId} fullWidth maxWidth="sm">
      <Box component="form" onSubmit={submit} noValidate>
        <DialogTitle id={titleId}>
          {mode === "create"
            ? "New region"
            : initial.regionalCpuCosts
              ? `Edit ${initial.name}`
              : `Set data for ${initial.name}`}
        </DialogTitle>
        <DialogContent>
          <Stack spacing={2} sx={{ pt: 1 }}>
            {formError && <Alert severity="error">{formError}</Alert>}
            <TextField
              id="region-name"
              label="Region"
              value={draft.name}
              onChange={(e) => set("name", e.target.value)}
              required
              disabled={mode === "edit"}
              error={Boolean(errors.name)}
              helperText={errors.name ?? "As clusters name it (eu-west, Paris 2)."}
              slotProps={{ htmlInput: { maxLength: MAX_REGION_LENGTH, autoComplete: "off" } }}
            />
            {AMOUNT_FIELDS.slice(0, 3).map(([key, label, hint]) => amount(key, label, hint))}
            <FormControlLabel
              control={
                <Switch
                  checked={draft.highDemand}
                  onChange={(e) => set("highDemand", e.target.checked)}
                  slotProps={{ input: { "aria-describedby": `${titleId}-hd` } }}
                />
              }
              label="High demand"
            />
            <Typography id={`${titleId}-hd`} variant="caption" color="text.secondary" sx={{ mt: -1 }}>
              While in high demand, compute charges in this region add the high-demand cost.
            </Typography>
            {amount(...AMOUNT_FIELDS[3])}
          </Stack>
        </DialogContent>
        <DialogActions sx={{ px: 3, pb: 2 }}>
          <Button onClick={onClose} color="inherit" disabled={pending}>
            Cancel
          </Button>
          <Button type="submit" variant="contained" disabled={pending}>
            {mode === "create" ? "Create" : "Save"}
          </Button>
        </DialogActions>
      </Box>
    </Dialog>
  );
}

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
