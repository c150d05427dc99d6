"use client";

import ErrorOutlineIcon from "@mui/icons-material/ErrorOutlineOutlined";
import UploadFileOutlinedIcon from "@mui/icons-material/UploadFileOutlined";
import Alert from "@mui/material/Alert";
import AlertTitle from "@mui/material/AlertTitle";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import FormControlLabel from "@mui/material/FormControlLabel";
import MenuItem from "@mui/material/MenuItem";
import Paper from "@mui/material/Paper";
import Stack from "@mui/material/Stack";
import Switch from "@mui/material/Switch";
import TextField from "@mui/material/TextField";
import Typography from "@mui/material/Typography";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useId, useState, type ChangeEvent, type FormEvent } from "react";
import { formErrors, NO_FORM_ERRORS, type FormErrors } from "@/components/ui/form-errors";
import { useConsoleMutation } from "@/components/ui/use-console-mutation";
import type { Problem } from "@/common/problem";
import { YamlEditor } from "@/components/instances/YamlEditor";
import { FormActions } from "@/components/FormActions";
import { errorStatus } from "@/trpc/query-client";
import { useTRPC } from "@/trpc/react";
import type { RouterInputs } from "@/trpc/types";
import { InstancePicker } from "./InstancePicker";
import { IntentTargetRows } from "./IntentTargetRows";
import {
  formTargets,
  newTargetRow,
  NO_SUPPORTED_INTENTS,
  supportedIntentChoices,
  targetRowErrors,
  type IntentTypeChoice,
  type TargetRow,
} from "./targets";
import { IntentTypeName } from "./IntentTypeName";

type CreateInput = RouterInputs["intent"]["create"];
type FormInput = Extract<CreateInput, { source: "form" }>;
type Condition = FormInput["targets"][number]["targetCondition"];

const PROBLEMS_ABOVE = "See the problems above (line numbers on the left).";

/** Largest YAML file the picker reads (the server has its own limit). */
const MAX_YAML_BYTES = 256 * 1024;

interface Draft {
  useYaml: boolean;
  instanceId: string;
  intentType: string;
  start: string;
  end: string;
  targets: TargetRow[];
  yaml: string;
  fileName: string;
}

const empty = (instanceId: string): Draft => ({
  useYaml: false,
  instanceId,
  intentType: "",
  start: "",
  end: "",
  targets: [],
  yaml: "",
  fileName: "",
});

/**
 * "line 7: targetCondition IS_SMALLER_THAN is not a condition; use one of …":
 * the message names the field as the document spells it; without a line, the
 * path of the field's parent goes first ("intentExpectations[0]: …").
 */
export function yamlProblemText(p: Problem): string {
  if (p.line) return `line ${p.line}: ${p.message}`;
  const field = p.field && p.field !== "(root)" ? p.field : "";
  const parent = field.includes(".") ? field.slice(0, field.lastIndexOf(".")) : "";
  return parent ? `${parent}: ${p.message}` : p.message;
}

/** Checks the browser can make without the server; the server checks everything again. */
function localErrors(draft: Draft, intentType: IntentTypeChoice | undefined): Record<string, string> {
  const fields: Record<string, string> = {};
  if (draft.useYaml) {
    if (!draft.yaml.trim()) fields.yaml = "Choose a YAML file or paste the intent.";
    return fields;
  }
  if (!draft.instanceId) fields.instanceId = "Choose the workload instance.";
  if (!intentType) fields.intentType = "Choose an intent type.";
  if (draft.start && draft.end && new Date(draft.end) <= new Date(draft.start))
    fields.end = "End must be after Start.";
  return { ...fields, ...targetRowErrors(draft.targets, intentType, "targets") };
}

const isoOf = (local: string) => new Date(local).toISOString();

/**
 * Create Intent: from a form (instance, catalogue type, validity, target
 * rows) or from a YAML file (3GPP TS 28.312, either annex spelling), with
 * an optional instance override. Field errors land beside their fields; a
 * YAML problem shows with its line and field path. Created → the list,
 * with the new intent's report open.
 */
export function CreateIntentForm({
  initialInstanceId,
  intentTypes,
}: {
  initialInstanceId: string | undefined;
  intentTypes: readonly IntentTypeChoice[];
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<Draft>(() => empty(initialInstanceId ?? ""));
  const [errors, setErrors] = useState<FormErrors>(NO_FORM_ERRORS);
  const [loadingTemplate, setLoadingTemplate] = useState(false);
  // An import whose id names an existing intent (409 on `id`): offer to replace that intent.
  const [canReplace, setCanReplace] = useState(false);
  const ids = { title: useId(), form: useId(), file: useId() };
  // The chosen instance (the picker loads the same query): its workload's Supported Intents.
  const chosenInstance = useQuery({
    ...trpc.instance.get.queryOptions({ id: draft.instanceId }),
    enabled: draft.instanceId !== "",
    staleTime: 60_000,
  });

  const create = useConsoleMutation(
    trpc.intent.create.mutationOptions({
      onSuccess: (created) => {
        // The instance's intents, with the new one's report open (it fills in as the evaluator runs).
        const query = new URLSearchParams({ instanceId: created.instanceId, report: created.id });
        router.push(`/intents?${query.toString()}`);
      },
      onError: (error) => {
        const next = formErrors(error, { pointer: PROBLEMS_ABOVE });
        setErrors(next);
        setCanReplace(errorStatus(error) === 409 && "id" in next.fields);
        document.getElementById(ids.form)?.scrollIntoView({ behavior: "smooth", block: "start" });
      },
    }),
    { invalidates: [trpc.intent.pathKey()] },
  );

  const clearErrors = (match: (key: string) => boolean) =>
    setErrors((e) => {
      const stale = Object.keys(e.fields).some(match);
      if (!stale && !e.form && e.problems.length === 0) return e;
      return {
        fields: Object.fromEntries(Object.entries(e.fields).filter(([k]) => !match(k))),
        problems: [],
        form: undefined,
      };
    });

  const set = <K extends keyof Draft>(key: K, value: Draft[K], errorPath: string = key) => {
    setDraft((d) => ({ ...d, [key]: value }));
    clearErrors((k) => k === errorPath);
  };

  // Only the types the chosen instance's workload supports (the server refuses the others).
  const offered = supportedIntentChoices(intentTypes, chosenInstance.data?.supportedIntents);
  const noneSupported = chosenInstance.data !== undefined && offered.length === 0;
  const intentType = offered.find((t) => t.type === draft.intentType);

  const chooseIntentType = (type: string) => {
    const chosen = offered.find((t) => t.type === type);
    setDraft((d) => ({ ...d, intentType: type, targets: chosen ? [newTargetRow(chosen)] : [] }));
    clearErrors((k) => k === "intentType" || k.startsWith("targets"));
  };

  const readFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = "";
    if (!file) return;
    if (file.size > MAX_YAML_BYTES) {
      setErrors({ ...NO_FORM_ERRORS, fields: { yaml: `${file.name} is larger than 256 KiB.` } });
      return;
    }
    const text = await file.text();
    setDraft((d) => ({ ...d, yaml: text, fileName: file.name }));
    clearErrors((k) => k === "yaml");
    setCanReplace(false);
  };

  const insertTemplate = async () => {
    if (!draft.instanceId) {
      setErrors({
        ...NO_FORM_ERRORS,
        fields: { instanceId: "Choose an instance to start from its template." },
      });
      return;
    }
    setLoadingTemplate(true);
    try {
      const { yaml } = await queryClient.fetchQuery({
        ...trpc.intent.template.queryOptions({
          instanceId: draft.instanceId,
          ...(draft.intentType ? { intentType: draft.intentType } : {}),
        }),
        staleTime: 0,
      });
      setDraft((d) => ({ ...d, yaml, fileName: "" }));
      clearErrors((k) => k === "yaml");
    } catch (error) {
      setErrors(formErrors(error));
    } finally {
      setLoadingTemplate(false);
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const local = localErrors(draft, intentType);
    if (Object.keys(local).length > 0) {
      setErrors({ ...NO_FORM_ERRORS, fields: local });
      return;
    }
    let input: CreateInput;
    if (draft.useYaml) {
      input = {
        source: "yaml",
        yaml: draft.yaml,
        ...(draft.instanceId ? { instanceId: draft.instanceId } : {}),
      };
    } else {
      if (!intentType) return;
      input = {
        source: "form",
        instanceId: draft.instanceId,
        intentType: intentType.type as FormInput["intentType"],
        ...(draft.start ? { start: isoOf(draft.start) } : {}),
        ...(draft.end ? { end: isoOf(draft.end) } : {}),
        targets: formTargets<Condition>(draft.targets, intentType),
      };
    }
    create.mutate(input);
  };

  /** The same import again, asking the server to update the intent its id names. */
  const replaceExisting = () => {
    setCanReplace(false);
    create.mutate({
      source: "yaml",
      yaml: draft.yaml,
      ...(draft.instanceId ? { instanceId: draft.instanceId } : {}),
      replace: true,
    });
  };

  const reset = () => {
    setDraft((d) => ({ ...empty(initialInstanceId ?? ""), useYaml: d.useYaml }));
    setErrors(NO_FORM_ERRORS);
    setCanReplace(false);
    create.reset();
  };

  const f = errors.fields;
  const problems = errors.problems;
  // The summary names the field in YAML mode (there are no fields to put it beside).
  const unplaced = Object.entries(f).filter(
    ([k]) => !["instanceId", "intentType", "start", "end", "yaml"].includes(k) && !k.startsWith("targets."),
  );

  return (
    <Paper variant="outlined" sx={{ p: { xs: 2, md: 3 }, maxWidth: 980 }}>
      <Box
        component="form"
        id={ids.form}
        noValidate
        onSubmit={submit}
        aria-labelledby={ids.title}
        data-testid="create-intent-form"
        sx={{ scrollMarginTop: 88 }}
      >
        <Stack direction="row" sx={{ alignItems: "center", mb: 2.5 }} spacing={2}>
          <Typography id={ids.title} variant="h2" sx={{ flexGrow: 1 }}>
            Create Intent
          </Typography>
          <FormControlLabel
            control={
              <Switch
                checked={draft.useYaml}
                onChange={(e) => {
                  setDraft((d) => ({ ...d, useYaml: e.target.checked }));
                  setErrors(NO_FORM_ERRORS);
                  setCanReplace(false);
                }}
              />
            }
            label="Use YAML file"
          />
        </Stack>
        <Stack spacing={3}>
          {(errors.form || problems.length > 0 || unplaced.length > 0) && (
            <Alert
              severity="error"
              icon={<ErrorOutlineIcon />}
              data-testid="create-intent-error"
              role="alert"
            >
              <AlertTitle>{problems.length > 0 ? "The intent YAML is not valid" : "Not created"}</AlertTitle>
              {problems.length > 0 ? (
                <Box component="ul" sx={{ pl: 2.5, my: 0 }} data-testid="yaml-problems">
                  {problems.map((p, i) => (
                    <li key={i}>
                      <Box
                        component="code"
                        title={p.field}
                        sx={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}
                      >
                        {yamlProblemText(p)}
                      </Box>
                    </li>
                  ))}
                </Box>
              ) : (
                <>
                  {errors.form}
                  {unplaced.map(([k, message]) => (
                    <Box key={k}>
                      <code>{k}</code>: {message}
                    </Box>
                  ))}
                  {canReplace && draft.useYaml && (
                    <Button
                      variant="outlined"
                      color="inherit"
                      size="small"
                      sx={{ mt: 1.5 }}
                      onClick={replaceExisting}
                      loading={create.isPending}
                    >
                      Replace the existing intent
                    </Button>
                  )}
                </>
              )}
            </Alert>
          )}

          {draft.useYaml ? (
            <Stack spacing={2.5} component="section" aria-label="Import from YAML">
              <Stack
                direction={{ xs: "column", sm: "row" }}
                spacing={1.5}
                sx={{ alignItems: { sm: "center" } }}
              >
                <Button
                  component="label"
                  variant="outlined"
                  startIcon={<UploadFileOutlinedIcon />}
                  htmlFor={ids.file}
                >
                  Choose YAML file
                </Button>
                <input
                  id={ids.file}
                  type="file"
                  accept=".yaml,.yml,application/yaml,text/yaml"
                  aria-label="YAML file"
                  data-testid="yaml-file"
                  hidden
                  onChange={(e) => void readFile(e)}
                />
                <Typography variant="body2" color="text.secondary" sx={{ flexGrow: 1 }}>
                  {draft.fileName
                    ? `Loaded ${draft.fileName}`
                    : "A 3GPP TS 28.312 intent (.yaml / .yml), or paste it below."}
                </Typography>
                <Button onClick={() => void insertTemplate()} loading={loadingTemplate}>
                  Start from the instance&apos;s template
                </Button>
              </Stack>
              <YamlEditor
                label="Intent YAML"
                value={draft.yaml}
                onChange={(value) => {
                  set("yaml", value);
                  setCanReplace(false);
                }}
                error={f.yaml ?? (problems.length > 0 ? PROBLEMS_ABOVE : undefined)}
                minLines={14}
                testId="intent-yaml"
                placeholder={
                  "id: my-intent\nuserLabel: Availability\nintentExpectation:\n  expectationId: 1\n  expectationVerb: DELIVER\n  expectationObject: { objectType: NEMO_WORKLOAD, objectInstance: <instance id> }\n  expectationTarget: { targetName: availability, targetCondition: IS_EQUAL_TO_OR_GREATER_THAN, targetValueRange: 95 }"
                }
                helperText="TS 28.312: lists in the plural or singular, an optional Intent: wrapper; admin state, priority and observation period may be left out (ACTIVATED, 1, 60 s). Secrets are stored encrypted."
              />
              <InstancePicker
                label="Workload Instance ID (override)"
                value={draft.instanceId}
                onChange={(id) => set("instanceId", id)}
                error={f.instanceId}
                helperText="Optional: attach the intent to this instance instead of the one the YAML names."
              />
            </Stack>
          ) : (
            <Stack spacing={2.5}>
              <InstancePicker
                required
                value={draft.instanceId}
                onChange={(id) => set("instanceId", id)}
                error={f.instanceId}
              />
              {noneSupported ? (
                <Alert severity="info" data-testid="no-supported-intents">
                  <AlertTitle>{NO_SUPPORTED_INTENTS}</AlertTitle>
                  Its provider can add Supported Intents to the workload; or choose another instance.
                </Alert>
              ) : (
                <TextField
                  select
                  label="Intent Type"
                  required
                  fullWidth
                  disabled={!draft.instanceId}
                  value={intentType ? draft.intentType : ""}
                  onChange={(e) => chooseIntentType(e.target.value)}
                  error={Boolean(f.intentType)}
                  helperText={
                    f.intentType ??
                    intentType?.description ??
                    (draft.instanceId
                      ? "What the instance must get: the types its workload supports."
                      : "Choose the workload instance first: its workload decides the types.")
                  }
                >
                  {offered.map((t) => (
                    <MenuItem key={t.type} value={t.type}>
                      <IntentTypeName type={t.type} />
                    </MenuItem>
                  ))}
                </TextField>
              )}
              <Stack direction={{ xs: "column", md: "row" }} spacing={2.5}>
                <TextField
                  label="Start"
                  type="datetime-local"
                  fullWidth
                  value={draft.start}
                  onChange={(e) => set("start", e.target.value)}
                  error={Boolean(f.start)}
                  helperText={f.start ?? "Empty: from now."}
                  slotProps={{ inputLabel: { shrink: true } }}
                />
                <TextField
                  label="End"
                  type="datetime-local"
                  fullWidth
                  value={draft.end}
                  onChange={(e) => set("end", e.target.value)}
                  error={Boolean(f.end)}
                  helperText={f.end ?? "Empty: until deleted."}
                  slotProps={{ inputLabel: { shrink: true }, htmlInput: { min: draft.start || undefined } }}
                />
              </Stack>
              {intentType ? (
                <IntentTargetRows
                  intentType={intentType}
                  rows={draft.targets}
                  onChange={(targets) => setDraft((d) => ({ ...d, targets }))}
                  errors={f}
                  path="targets"
                  onClearErrors={clearErrors}
                />
              ) : (
                f.targets && (
                  <Typography color="error" variant="body2">
                    {f.targets}
                  </Typography>
                )
              )}
            </Stack>
          )}

          <FormActions
            cancelHref={initialInstanceId ? `/intents?instanceId=${initialInstanceId}` : "/intents"}
            onReset={reset}
            pending={create.isPending}
          />
        </Stack>
      </Box>
    </Paper>
  );
}
