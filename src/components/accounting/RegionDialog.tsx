"use client";

import Alert from "@mui/material/Alert";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import Dialog from "@mui/material/Dialog";
import DialogActions from "@mui/material/DialogActions";
import DialogContent from "@mui/material/DialogContent";
import DialogTitle from "@mui/material/DialogTitle";
import FormControlLabel from "@mui/material/FormControlLabel";
import Stack from "@mui/material/Stack";
import Switch from "@mui/material/Switch";
import TextField from "@mui/material/TextField";
import Typography from "@mui/material/Typography";
import { useId, useState, type FormEvent } from "react";
import { regionCreateSchema, regionDataSchema } from "@/common/accounting-pricing";
import { MAX_REGION_LENGTH } from "@/common/cluster-registration";
import { formErrors, type FormErrors } from "@/components/ui/form-errors";
import { useConsoleMutation } from "@/components/ui/use-console-mutation";
import { useTRPC } from "@/trpc/react";
import { AMOUNT_FIELDS, type AmountField, type Draft } from "./region-draft";

/*
 * The create/edit dialog of the region table. Loaded when an admin opens it
 * (RegionsTable imports it with next/dynamic): it checks the draft with the
 * server's zod schemas, which stay out of the page's first load.
 */

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

export function RegionDialog({
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
