"use client";

import CloseIcon from "@mui/icons-material/Close";
import Alert from "@mui/material/Alert";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import Checkbox from "@mui/material/Checkbox";
import Chip from "@mui/material/Chip";
import Dialog from "@mui/material/Dialog";
import DialogActions from "@mui/material/DialogActions";
import DialogContent from "@mui/material/DialogContent";
import DialogTitle from "@mui/material/DialogTitle";
import FormControl from "@mui/material/FormControl";
import FormHelperText from "@mui/material/FormHelperText";
import IconButton from "@mui/material/IconButton";
import InputLabel from "@mui/material/InputLabel";
import ListItemText from "@mui/material/ListItemText";
import MenuItem from "@mui/material/MenuItem";
import Select from "@mui/material/Select";
import Stack from "@mui/material/Stack";
import TextField from "@mui/material/TextField";
import { useId, useState, type FormEvent } from "react";
import { formErrors, NO_FORM_ERRORS, withoutFields, type FormErrors } from "@/components/ui/form-errors";
import { useConsoleMutation } from "@/components/ui/use-console-mutation";
import { useTRPC } from "@/trpc/react";
import type { RouterInputs, RouterOutputs } from "@/trpc/types";
import { intentTypeDisplayName } from "@/common/intent-catalogue";
import { IntentTypeName } from "@/components/intents/IntentTypeName";

/** An intent type as the "Supported Intents" choice shows it (from the catalogue, via the page). */
export interface IntentTypeOption {
  type: IntentTypeName;
  label: string;
  description: string;
}

type Workload = RouterOutputs["workload"]["create"];
type IntentTypeName = NonNullable<RouterInputs["workload"]["create"]["supportedIntents"]>[number];

interface Draft {
  name: string;
  version: string;
  supportedIntents: IntentTypeName[];
  ingressSupport: boolean;
}

const EMPTY: Draft = { name: "", version: "", supportedIntents: [], ingressSupport: false };

/** Checks the browser can make without the server; the server checks everything again. */
function localErrors(draft: Draft): Record<string, string> {
  const fields: Record<string, string> = {};
  if (!draft.name.trim()) fields.name = "Enter a workload name.";
  if (!draft.version.trim()) fields.version = "Enter a version.";
  return fields;
}

export function CreateWorkloadDialog({
  open,
  onClose,
  onCreated,
  intentTypes,
}: {
  open: boolean;
  onClose: () => void;
  onCreated: (workload: Workload) => void;
  intentTypes: IntentTypeOption[];
}) {
  const trpc = useTRPC();
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [errors, setErrors] = useState<FormErrors>(NO_FORM_ERRORS);
  const ids = { title: useId(), intents: useId(), ingress: useId() };

  const create = useConsoleMutation(
    trpc.workload.create.mutationOptions({
      onSuccess: (workload) => {
        setDraft(EMPTY);
        setErrors(NO_FORM_ERRORS);
        onCreated(workload);
      },
      onError: (error) => setErrors(formErrors(error, { topLevel: true })),
    }),
    { invalidates: [trpc.workload.list.queryKey()] },
  );

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => {
    setDraft((d) => ({ ...d, [key]: value }));
    // A field's message goes once the user changes it; others stay until the next submit.
    setErrors((e) => withoutFields(e, (path) => path === key));
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const local = localErrors(draft);
    if (Object.keys(local).length > 0) {
      setErrors({ ...NO_FORM_ERRORS, fields: local });
      return;
    }
    create.mutate({
      name: draft.name.trim(),
      version: draft.version.trim(),
      supportedIntents: draft.supportedIntents,
      ingressSupport: draft.ingressSupport,
    });
  };

  const reset = () => {
    setDraft(EMPTY);
    setErrors(NO_FORM_ERRORS);
    create.reset();
  };

  // The catalogue's display names, as every view shows intent types.
  const labelOf = (type: IntentTypeName) => intentTypeDisplayName(type);

  return (
    <Dialog
      open={open}
      onClose={create.isPending ? undefined : onClose}
      aria-labelledby={ids.title}
      fullWidth
      maxWidth="sm"
    >
      <Box component="form" noValidate onSubmit={submit} data-testid="create-workload-form">
        <DialogTitle id={ids.title} sx={{ pr: 6 }}>
          Create Workload
        </DialogTitle>
        {/* Outside the title, so the dialog's accessible name is just "Create Workload". */}
        <IconButton
          aria-label="Close"
          onClick={onClose}
          disabled={create.isPending}
          sx={{ position: "absolute", right: 12, top: 12 }}
        >
          <CloseIcon />
        </IconButton>
        <DialogContent dividers>
          <Stack spacing={2.5} sx={{ pt: 0.5 }}>
            {errors.form && <Alert severity="error">{errors.form}</Alert>}
            <TextField
              label="Name"
              required
              autoFocus
              value={draft.name}
              onChange={(e) => set("name", e.target.value)}
              error={Boolean(errors.fields.name)}
              helperText={
                errors.fields.name ?? "Letters, digits, '.', '_' or '-'; unique together with the version."
              }
              slotProps={{ htmlInput: { maxLength: 63, autoComplete: "off", spellCheck: false } }}
            />
            <TextField
              label="Version"
              required
              value={draft.version}
              onChange={(e) => set("version", e.target.value)}
              error={Boolean(errors.fields.version)}
              helperText={
                errors.fields.version ??
                "SemVer, for example 1.0.0. An accepted workload changes only as a new version."
              }
              slotProps={{ htmlInput: { maxLength: 64, autoComplete: "off", spellCheck: false } }}
            />
            <FormControl error={Boolean(errors.fields.supportedIntents)}>
              <InputLabel id={ids.intents}>Supported Intents</InputLabel>
              <Select<IntentTypeName[]>
                labelId={ids.intents}
                label="Supported Intents"
                multiple
                value={draft.supportedIntents}
                onChange={(e) => {
                  const value = e.target.value;
                  const picked = typeof value === "string" ? value.split(",") : value;
                  set(
                    "supportedIntents",
                    intentTypes.map((t) => t.type).filter((type) => picked.includes(type)),
                  );
                }}
                renderValue={(selected) => (
                  <Box sx={{ display: "flex", flexWrap: "wrap", gap: 0.5 }}>
                    {selected.map((type) => (
                      <Chip key={type} label={labelOf(type)} size="small" />
                    ))}
                  </Box>
                )}
                MenuProps={{ slotProps: { paper: { sx: { maxHeight: 360 } } } }}
              >
                {intentTypes.map((intent) => (
                  <MenuItem key={intent.type} value={intent.type}>
                    <Checkbox
                      checked={draft.supportedIntents.includes(intent.type)}
                      size="small"
                      sx={{ p: 0.5, mr: 1 }}
                    />
                    <ListItemText
                      primary={<IntentTypeName type={intent.type} />}
                      secondary={intent.description}
                    />
                  </MenuItem>
                ))}
              </Select>
              <FormHelperText>
                {errors.fields.supportedIntents ?? "Intent types instances of this workload can be given."}
              </FormHelperText>
            </FormControl>
            <FormControl>
              <InputLabel id={ids.ingress}>Ingress Support</InputLabel>
              <Select
                labelId={ids.ingress}
                label="Ingress Support"
                value={draft.ingressSupport ? "true" : "false"}
                onChange={(e) => set("ingressSupport", e.target.value === "true")}
              >
                <MenuItem value="false">False</MenuItem>
                <MenuItem value="true">True</MenuItem>
              </Select>
              <FormHelperText>Whether the chart exposes an ingress.</FormHelperText>
            </FormControl>
          </Stack>
        </DialogContent>
        <DialogActions sx={{ px: 3, py: 2 }}>
          <Button onClick={reset} disabled={create.isPending}>
            Reset
          </Button>
          <Box sx={{ flexGrow: 1 }} />
          <Button onClick={onClose} disabled={create.isPending} color="inherit">
            Cancel
          </Button>
          <Button type="submit" variant="contained" loading={create.isPending}>
            Create
          </Button>
        </DialogActions>
      </Box>
    </Dialog>
  );
}
