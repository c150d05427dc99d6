"use client";

import CloseIcon from "@mui/icons-material/Close";
import UploadFileOutlinedIcon from "@mui/icons-material/UploadFileOutlined";
import Alert from "@mui/material/Alert";
import Autocomplete from "@mui/material/Autocomplete";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import Dialog from "@mui/material/Dialog";
import DialogActions from "@mui/material/DialogActions";
import DialogContent from "@mui/material/DialogContent";
import DialogTitle from "@mui/material/DialogTitle";
import FormControl from "@mui/material/FormControl";
import FormHelperText from "@mui/material/FormHelperText";
import IconButton from "@mui/material/IconButton";
import InputAdornment from "@mui/material/InputAdornment";
import MenuItem from "@mui/material/MenuItem";
import Stack from "@mui/material/Stack";
import TextField from "@mui/material/TextField";
import Typography from "@mui/material/Typography";
import { useQuery } from "@tanstack/react-query";
import { useId, useRef, useState, type ChangeEvent, type FormEvent, type ReactNode } from "react";
import { formErrors, NO_FORM_ERRORS, withoutFields, type FormErrors } from "@/components/ui/form-errors";
import { useConsoleMutation } from "@/components/ui/use-console-mutation";
import { parseKubeconfig } from "@/common/kubeconfig";
import {
  AVAILABILITY_OPTIONS,
  COST_CLASSES,
  DEFAULT_REGION,
  GREEN_ENERGY_OPTIONS,
  MAX_KUBECONFIG_BYTES,
  MAX_REGION_LENGTH,
  registerClusterInputSchema,
} from "@/common/cluster-registration";
import { useTRPC } from "@/trpc/react";
import type { RouterOutputs } from "@/trpc/types";

/**
 * The Register Cluster form (flow 1). The browser checks every field with the
 * domain's own rules (registration-schema.ts) before sending anything; the
 * server checks again and its answers land on the same fields (a duplicate
 * name's 409 on Cluster Name). The kubeconfig is read here, as text, and
 * travels only in the registration request.
 */

type Cluster = RouterOutputs["cluster"]["register"];

const TEXT_FIELDS = [
  "name",
  "managedApi",
  "cpus",
  "memoryGb",
  "storageGb",
  "vramGb",
  "availabilityPct",
  "greenEnergyPct",
  "cost",
  "cpuBaseRate",
  "memoryBaseRate",
  "region",
  "gridIntensity",
  "gridIntensityHourly",
] as const;
type DraftField = (typeof TEXT_FIELDS)[number];

interface Draft extends Record<DraftField, string> {
  kubeconfig: string;
  fileName: string;
}

const EMPTY: Draft = {
  kubeconfig: "",
  fileName: "",
  name: "",
  managedApi: "",
  cpus: "",
  memoryGb: "",
  storageGb: "",
  vramGb: "",
  availabilityPct: "",
  greenEnergyPct: "",
  cost: "",
  cpuBaseRate: "",
  memoryBaseRate: "",
  region: "",
  gridIntensity: "",
  gridIntensityHourly: "",
};

const LABELS: Record<DraftField | "kubeconfig", string> = {
  kubeconfig: "Cluster Config File",
  name: "Cluster Name",
  managedApi: "Managed API",
  cpus: "CPUs",
  memoryGb: "Memory (GB)",
  storageGb: "Storage (GB)",
  vramGb: "V-RAM (GB)",
  availabilityPct: "Availability %",
  greenEnergyPct: "Green Energy %",
  cost: "Cost",
  cpuBaseRate: "CPU Base Rate",
  memoryBaseRate: "Memory Base Rate",
  region: "Region",
  gridIntensity: "Grid Intensity (gCO₂e/kWh)",
  gridIntensityHourly: "Hourly Grid Intensity (optional)",
};

const OPTIONAL_FIELDS: ReadonlySet<DraftField> = new Set(["region", "gridIntensity", "gridIntensityHourly"]);

const COST_LABELS: Record<(typeof COST_CLASSES)[number], string> = {
  low_cost: "Low cost (low_cost)",
  high_performance: "High performance (high_performance)",
};

/** The draft as the schema's input: an empty field is missing, not zero. */
function toInput(draft: Draft): Record<string, unknown> {
  const input: Record<string, unknown> = { kubeconfig: draft.kubeconfig };
  for (const key of TEXT_FIELDS) {
    const value = draft[key].trim();
    if (value === "") continue;
    // The hourly profile is typed as 24 numbers separated by commas or spaces.
    input[key] = key === "gridIntensityHourly" ? value.split(/[\s,;]+/).filter(Boolean) : value;
  }
  return input;
}

/** Every field's first message, with "is required" for the ones left empty. */
function check(draft: Draft) {
  const parsed = registerClusterInputSchema.safeParse(toInput(draft));
  if (parsed.success) return { data: parsed.data, fields: {} };
  const fields: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const key = String(issue.path[0] ?? "");
    if (key in fields) continue;
    const empty = key === "kubeconfig" ? !draft.kubeconfig : draft[key as DraftField]?.trim() === "";
    fields[key] = empty && key in LABELS ? `${LABELS[key as DraftField]} is required.` : issue.message;
  }
  return { data: undefined, fields };
}

/** What the Region field says: empty is the default region; a region without pricing data is not billed. */
function regionHint(value: string, regions: RouterOutputs["accounting"]["regions"] | undefined): string {
  const name = value.trim();
  if (!name) return `Where the cluster is, for pricing; empty means "${DEFAULT_REGION}".`;
  const known = regions?.find((r) => r.name === name);
  if (known?.hasData) return `Region ${name}: its pricing data applies.`;
  return `Region ${name} has no pricing data yet: its instances are not billed until an admin sets it.`;
}

function kib(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KiB`;
}

/** A group of the form's fields under a legend (a fieldset, not a page section). */
function Fieldset({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Box component="fieldset" sx={{ border: 0, p: 0, m: 0, minWidth: 0 }}>
      <Typography component="legend" variant="overline" color="text.secondary" sx={{ mb: 1 }}>
        {title}
      </Typography>
      <Box sx={{ display: "grid", gap: 2, gridTemplateColumns: { xs: "1fr", sm: "1fr 1fr" } }}>
        {children}
      </Box>
    </Box>
  );
}

export function RegisterClusterDialog({
  open,
  onClose,
  onRegistered,
}: {
  open: boolean;
  onClose: () => void;
  onRegistered: (cluster: Cluster) => void;
}) {
  const trpc = useTRPC();
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [fileSize, setFileSize] = useState(0);
  const [errors, setErrors] = useState<FormErrors>(NO_FORM_ERRORS);
  const fileInput = useRef<HTMLInputElement>(null);
  // The regions with pricing data (and those named without it), offered in the Region field.
  const regions = useQuery({ ...trpc.accounting.regions.queryOptions(), enabled: open });
  const ids = { title: useId(), file: useId(), fileLabel: useId(), fileHelp: useId() };

  const register = useConsoleMutation(
    trpc.cluster.register.mutationOptions({
      onSuccess: (cluster) => {
        setDraft(EMPTY);
        setFileSize(0);
        setErrors(NO_FORM_ERRORS);
        onRegistered(cluster);
      },
      onError: (error) => setErrors(formErrors(error, { topLevel: true })),
    }),
    {
      invalidates: [trpc.cluster.list.queryKey()],
      succeeded: (cluster) =>
        `Cluster ${cluster.name} registered. It shows PENDING until the Meta-Orchestrator joins it.`,
    },
  );

  const clearError = (key: string) => setErrors((e) => withoutFields(e, (path) => path === key));

  const set = (key: DraftField, value: string) => {
    setDraft((d) => ({ ...d, [key]: value }));
    // A field's message goes once the user changes it; others stay until the next submit.
    clearError(key);
  };

  const chooseFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    // Cleared, so choosing the same file again (after editing it) reads it again.
    event.target.value = "";
    if (!file) return;
    clearError("kubeconfig");
    if (file.size > MAX_KUBECONFIG_BYTES) {
      setDraft((d) => ({ ...d, kubeconfig: "", fileName: file.name }));
      setFileSize(file.size);
      setErrors((e) => ({
        ...e,
        fields: {
          ...e.fields,
          kubeconfig: `${LABELS.kubeconfig} is larger than ${MAX_KUBECONFIG_BYTES / 1024} KiB.`,
        },
      }));
      return;
    }
    const text = await file.text();
    setFileSize(file.size);
    setDraft((d) => {
      // The kubeconfig already says where the API is: offer it when Managed API is still empty.
      let managedApi = d.managedApi;
      if (!managedApi.trim()) {
        try {
          managedApi = parseKubeconfig(text).server;
        } catch {
          // Not a kubeconfig: the check on submit says so on the field.
        }
      }
      return { ...d, kubeconfig: text, fileName: file.name, managedApi };
    });
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const { data, fields } = check(draft);
    if (!data) {
      setErrors({ ...NO_FORM_ERRORS, fields });
      // Take the keyboard to the first field that needs attention.
      const first = ["kubeconfig", ...TEXT_FIELDS].find((key) => key in fields);
      if (first) document.getElementById(first === "kubeconfig" ? ids.file : `cluster-${first}`)?.focus();
      return;
    }
    register.mutate(data);
  };

  const reset = () => {
    setDraft(EMPTY);
    setFileSize(0);
    setErrors(NO_FORM_ERRORS);
    register.reset();
  };

  const field = (key: DraftField) => ({
    id: `cluster-${key}`,
    label: LABELS[key],
    value: draft[key],
    required: !OPTIONAL_FIELDS.has(key),
    onChange: (e: ChangeEvent<HTMLInputElement>) => set(key, e.target.value),
    error: Boolean(errors.fields[key]),
  });
  const help = (key: DraftField, hint: string) => errors.fields[key] ?? hint;
  const numeric = (unit?: string) => ({
    htmlInput: { min: 0, step: 1, inputMode: "numeric" as const },
    ...(unit ? { input: { endAdornment: <InputAdornment position="end">{unit}</InputAdornment> } } : {}),
  });

  return (
    <Dialog
      open={open}
      onClose={register.isPending ? undefined : onClose}
      aria-labelledby={ids.title}
      fullWidth
      maxWidth="md"
    >
      <Box component="form" noValidate onSubmit={submit} data-testid="register-cluster-form">
        <DialogTitle id={ids.title} sx={{ pr: 6 }}>
          Register Cluster
          <IconButton
            aria-label="Close"
            onClick={onClose}
            disabled={register.isPending}
            sx={{ position: "absolute", right: 12, top: 12 }}
          >
            <CloseIcon />
          </IconButton>
        </DialogTitle>
        <DialogContent dividers>
          <Stack spacing={3}>
            {errors.form && <Alert severity="error">{errors.form}</Alert>}
            <Fieldset title="Cluster access">
              <FormControl error={Boolean(errors.fields.kubeconfig)} required sx={{ gridColumn: "1 / -1" }}>
                <Typography id={ids.fileLabel} variant="body2" sx={{ mb: 0.75, fontWeight: 500 }}>
                  {LABELS.kubeconfig}
                  <span aria-hidden="true"> *</span>
                </Typography>
                <Stack direction="row" spacing={1.5} sx={{ alignItems: "center", minWidth: 0 }}>
                  <Button
                    id={ids.file}
                    variant="outlined"
                    color={errors.fields.kubeconfig ? "error" : "primary"}
                    startIcon={<UploadFileOutlinedIcon />}
                    onClick={() => fileInput.current?.click()}
                    aria-labelledby={`${ids.fileLabel} ${ids.file}`}
                    aria-describedby={ids.fileHelp}
                    autoFocus
                  >
                    {draft.fileName ? "Choose another file" : "Choose kubeconfig"}
                  </Button>
                  <Typography
                    variant="body2"
                    color={draft.fileName ? "text.primary" : "text.secondary"}
                    data-testid="kubeconfig-file-name"
                    noWrap
                    sx={{
                      fontFamily: draft.fileName ? "ui-monospace, Menlo, Consolas, monospace" : undefined,
                    }}
                  >
                    {draft.fileName ? `${draft.fileName} · ${kib(fileSize)}` : "No file chosen"}
                  </Typography>
                </Stack>
                <input
                  ref={fileInput}
                  type="file"
                  aria-label={LABELS.kubeconfig}
                  data-testid="kubeconfig-input"
                  accept=".yaml,.yml,.conf,.config,.kubeconfig,text/plain,application/yaml,application/x-yaml"
                  hidden
                  onChange={(e) => void chooseFile(e)}
                />
                <FormHelperText id={ids.fileHelp} sx={{ mx: 0 }}>
                  {errors.fields.kubeconfig ??
                    "The kubeconfig the Meta-Orchestrator uses to reach the cluster. It is encrypted at rest and never shown again."}
                </FormHelperText>
              </FormControl>
              <TextField
                {...field("name")}
                helperText={help("name", "Lowercase letters, digits and '-'; unique in the continuum.")}
                slotProps={{ htmlInput: { maxLength: 63, autoComplete: "off", spellCheck: false } }}
              />
              <TextField
                {...field("managedApi")}
                placeholder="https://api.cluster.example:6443"
                helperText={help(
                  "managedApi",
                  "The cluster's API URL (sim://<name> for a simulated cluster).",
                )}
                slotProps={{ htmlInput: { autoComplete: "off", spellCheck: false } }}
              />
              <Autocomplete
                freeSolo
                options={(regions.data ?? []).map((r) => r.name)}
                inputValue={draft.region}
                onInputChange={(_event, value) => set("region", value)}
                loading={regions.isLoading}
                renderInput={(params) => (
                  <TextField
                    {...params}
                    id={`cluster-region`}
                    label={LABELS.region}
                    error={Boolean(errors.fields.region)}
                    placeholder={DEFAULT_REGION}
                    helperText={help("region", regionHint(draft.region, regions.data))}
                    slotProps={{
                      ...params.slotProps,
                      htmlInput: { ...params.slotProps.htmlInput, maxLength: MAX_REGION_LENGTH },
                    }}
                  />
                )}
              />
            </Fieldset>
            <Fieldset title="Capacity">
              <TextField
                {...field("cpus")}
                type="number"
                helperText={help("cpus", "Whole CPUs, at least 1.")}
                slotProps={numeric()}
              />
              <TextField
                {...field("memoryGb")}
                type="number"
                helperText={help("memoryGb", "At least 1 GB.")}
                slotProps={numeric("GB")}
              />
              <TextField
                {...field("storageGb")}
                type="number"
                helperText={help("storageGb", "0 if none.")}
                slotProps={numeric("GB")}
              />
              <TextField
                {...field("vramGb")}
                type="number"
                helperText={help("vramGb", "GPU memory; 0 without GPUs.")}
                slotProps={numeric("GB")}
              />
            </Fieldset>
            <Fieldset title="Service level and pricing">
              <TextField
                {...field("availabilityPct")}
                select
                helperText={help("availabilityPct", "The availability the cluster offers.")}
              >
                {AVAILABILITY_OPTIONS.map((v) => (
                  <MenuItem key={v} value={String(v)}>
                    {v} %
                  </MenuItem>
                ))}
              </TextField>
              <TextField
                {...field("greenEnergyPct")}
                select
                helperText={help("greenEnergyPct", "Share of its energy from renewable sources.")}
              >
                {GREEN_ENERGY_OPTIONS.map((v) => (
                  <MenuItem key={v} value={String(v)}>
                    {v} %
                  </MenuItem>
                ))}
              </TextField>
              <TextField
                {...field("cost")}
                select
                helperText={help("cost", "The cost class placement weighs.")}
              >
                {COST_CLASSES.map((v) => (
                  <MenuItem key={v} value={v}>
                    {COST_LABELS[v]}
                  </MenuItem>
                ))}
              </TextField>
              <Box sx={{ display: { xs: "none", sm: "block" } }} />
              <TextField
                {...field("cpuBaseRate")}
                type="number"
                helperText={help("cpuBaseRate", "Credits per CPU and period.")}
                slotProps={numeric("millitokens")}
              />
              <TextField
                {...field("memoryBaseRate")}
                type="number"
                helperText={help("memoryBaseRate", "Credits per GB of memory and period.")}
                slotProps={numeric("millitokens")}
              />
              <TextField
                {...field("gridIntensity")}
                type="number"
                helperText={help(
                  "gridIntensity",
                  "gCO₂e per kWh of the grid it draws from (0–5000); empty: no carbon is recorded.",
                )}
                slotProps={numeric("gCO₂e/kWh")}
              />
              <TextField
                {...field("gridIntensityHourly")}
                helperText={help(
                  "gridIntensityHourly",
                  "24 values in gCO₂e/kWh, UTC hour 0 first, separated by commas; overrides the flat figure.",
                )}
              />
            </Fieldset>
          </Stack>
        </DialogContent>
        <DialogActions sx={{ px: 3, py: 2 }}>
          <Button onClick={reset} disabled={register.isPending}>
            Reset
          </Button>
          <Box sx={{ flexGrow: 1 }} />
          <Button onClick={onClose} disabled={register.isPending} color="inherit">
            Cancel
          </Button>
          <Button type="submit" variant="contained" loading={register.isPending}>
            Register
          </Button>
        </DialogActions>
      </Box>
    </Dialog>
  );
}
