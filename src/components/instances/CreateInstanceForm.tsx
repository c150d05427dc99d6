"use client";

import ErrorOutlineIcon from "@mui/icons-material/ErrorOutlineOutlined";
import Alert from "@mui/material/Alert";
import AlertTitle from "@mui/material/AlertTitle";
import Box from "@mui/material/Box";
import Chip from "@mui/material/Chip";
import Divider from "@mui/material/Divider";
import Checkbox from "@mui/material/Checkbox";
import FormControlLabel from "@mui/material/FormControlLabel";
import FormGroup from "@mui/material/FormGroup";
import FormHelperText from "@mui/material/FormHelperText";
import ListItemText from "@mui/material/ListItemText";
import MenuItem from "@mui/material/MenuItem";
import Paper from "@mui/material/Paper";
import Skeleton from "@mui/material/Skeleton";
import Stack from "@mui/material/Stack";
import Switch from "@mui/material/Switch";
import TextField from "@mui/material/TextField";
import Typography from "@mui/material/Typography";
import { useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent, type ReactNode } from "react";
import { IntentTargetRows } from "@/components/intents/IntentTargetRows";
import {
  formTargets,
  newTargetRow,
  NO_SUPPORTED_INTENTS,
  supportedIntentChoices,
  targetRowErrors,
  type IntentTypeChoice,
  type TargetRow,
} from "@/components/intents/targets";
import { FormActions } from "@/components/FormActions";
import { StatusChip } from "@/components/StatusChip";
import {
  formErrors,
  NO_FORM_ERRORS,
  problemLocation,
  withoutFields,
  type FormErrors,
} from "@/components/ui/form-errors";
import { Section } from "@/components/ui/Section";
import { useConsoleMutation } from "@/components/ui/use-console-mutation";
import { errorStatus } from "@/trpc/query-client";
import { useTRPC } from "@/trpc/react";
import type { RouterInputs } from "@/trpc/types";
import { YamlEditor } from "./YamlEditor";
import { intentTypeLabel } from "@/common/intent-catalogue";
import { IntentTypeName } from "@/components/intents/IntentTypeName";

type CreateInput = RouterInputs["instance"]["create"];
type Condition = NonNullable<NonNullable<CreateInput["intent"]>["targets"][number]["targetCondition"]>;

interface Draft {
  releaseName: string;
  clusterName: string;
  /** Only the proposed cluster may take the instance (otherwise it is a preference). */
  pinProposedCluster: boolean;
  valuesOverride: string;
  includeCrds: boolean;
  isUpgrade: boolean;
  noHooks: boolean;
  /** "" = no intent template. */
  intentType: string;
  start: string;
  end: string;
  targets: TargetRow[];
}

const EMPTY: Draft = {
  releaseName: "",
  clusterName: "",
  pinProposedCluster: false,
  valuesOverride: "",
  includeCrds: false,
  isUpgrade: false,
  noHooks: false,
  intentType: "",
  start: "",
  end: "",
  targets: [],
};

/** Checks the browser can make without the server; the server checks everything again. */
function localErrors(draft: Draft, intentType: IntentTypeChoice | undefined): Record<string, string> {
  const fields: Record<string, string> = {};
  if (!draft.releaseName.trim()) fields.releaseName = "Release Name is required.";
  if (draft.start && draft.end && new Date(draft.end) <= new Date(draft.start))
    fields["intent.end"] = "End must be after Start.";
  return { ...fields, ...targetRowErrors(draft.targets, intentType, "intent.targets") };
}

/** A part of the form: the console's Section, its fields one under another. */
function FormSection({
  title,
  description,
  children,
}: {
  title: string;
  description?: string;
  children: ReactNode;
}) {
  return (
    <Section plain title={title} description={description}>
      <Stack spacing={2.5}>{children}</Stack>
    </Section>
  );
}

/** The workload the instance is of: chosen from the URL (?workload=) or picked here among ACCEPTED ones. */
function WorkloadChoice({
  workloadId,
  onPick,
  error,
}: {
  workloadId: number | undefined;
  onPick: (id: number) => void;
  error: string | undefined;
}) {
  const trpc = useTRPC();
  const workload = useQuery({
    ...trpc.workload.get.queryOptions({ id: workloadId ?? 0 }),
    enabled: workloadId !== undefined,
  });
  const choices = useQuery({
    ...trpc.workload.list.queryOptions({ pageSize: 50, sort: "id", direction: "desc" }),
    enabled: workloadId === undefined,
  });

  if (workloadId === undefined) {
    const accepted = (choices.data?.items ?? []).filter((w) => w.status === "ACCEPTED");
    return (
      <TextField
        select
        label="Workload"
        required
        value=""
        onChange={(e) => onPick(Number(e.target.value))}
        error={Boolean(error)}
        helperText={
          error ??
          (choices.isPending
            ? "Loading workloads…"
            : accepted.length === 0
              ? "No ACCEPTED workload yet: register one and upload its chart in Workload Monitoring."
              : "An ACCEPTED workload: its chart is rendered with the options below.")
        }
      >
        {accepted.map((w) => (
          <MenuItem key={w.id} value={String(w.id)}>
            {w.name} {w.version} (ID {w.id})
          </MenuItem>
        ))}
      </TextField>
    );
  }
  if (workload.isPending) return <Skeleton variant="rounded" height={72} />;
  if (workload.error) {
    return (
      <Alert severity="error">
        <AlertTitle>
          {errorStatus(workload.error) === 404 ? "Workload not found" : "Couldn't load the workload"}
        </AlertTitle>
        {workload.error.message}
      </Alert>
    );
  }
  const w = workload.data;
  return (
    <Box>
      <Paper variant="outlined" sx={{ p: 2, bgcolor: "action.hover" }} data-testid="instance-workload">
        <Stack direction="row" spacing={1.5} useFlexGap sx={{ alignItems: "center", flexWrap: "wrap" }}>
          <Typography sx={{ fontWeight: 600 }}>
            {w.name} {w.version}
          </Typography>
          <StatusChip status={w.status} />
          <Typography variant="body2" color="text.secondary">
            Workload ID {w.id}
            {w.chart ? ` · chart ${w.chart.chartName} ${w.chart.chartVersion}` : " · no chart"}
          </Typography>
          {w.supportedIntents.map((intent) => (
            <Chip key={intent} label={intentTypeLabel(intent)} size="small" variant="outlined" />
          ))}
        </Stack>
      </Paper>
      {w.status !== "ACCEPTED" && (
        <Alert severity="warning" sx={{ mt: 1.5 }}>
          {w.name} {w.version} is {w.status}: upload a valid Helm chart before creating instances.
        </Alert>
      )}
      {error && <FormHelperText error>{error}</FormHelperText>}
    </Box>
  );
}

/**
 * Create Workload Instance: release name, optional proposed cluster, values
 * override, the three render switches and an optional intent template. The
 * server renders the chart; its field errors land on the fields, a render
 * failure (with file:line) in an alert. Created → the instance's page.
 */
export function CreateInstanceForm({
  initialWorkloadId,
  intentTypes,
}: {
  initialWorkloadId: number | undefined;
  intentTypes: readonly IntentTypeChoice[];
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const [workloadId, setWorkloadId] = useState(initialWorkloadId);
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [errors, setErrors] = useState<FormErrors>(NO_FORM_ERRORS);
  const ids = { form: useId(), formBox: useId() };
  const clusters = useQuery(trpc.instance.clusters.queryOptions());
  // The same query WorkloadChoice shows: its Supported Intents are the template's choices.
  const workload = useQuery({
    ...trpc.workload.get.queryOptions({ id: workloadId ?? 0 }),
    enabled: workloadId !== undefined,
  });

  const create = useConsoleMutation(
    trpc.instance.create.mutationOptions({
      onSuccess: (instance) => router.push(`/instances/${instance.id}`),
      onError: (error) => {
        setErrors(formErrors(error));
        // The summary alert is at the top of the form: bring it into view.
        document.getElementById(ids.formBox)?.scrollIntoView({ behavior: "smooth", block: "start" });
      },
    }),
    { invalidates: [trpc.instance.list.queryKey()] },
  );

  const clearError = (...paths: string[]) => setErrors((e) => withoutFields(e, (p) => paths.includes(p)));

  const set = <K extends keyof Draft>(key: K, value: Draft[K], errorPath: string = key) => {
    setDraft((d) => ({ ...d, [key]: value }));
    clearError(errorPath);
  };

  const offered = supportedIntentChoices(intentTypes, workload.data?.supportedIntents);
  const noneSupported = workload.data !== undefined && offered.length === 0;
  const intentType = offered.find((t) => t.type === draft.intentType);
  const chooseIntentType = (type: string) => {
    const chosen = offered.find((t) => t.type === type);
    setDraft((d) => ({ ...d, intentType: type, targets: chosen ? [newTargetRow(chosen)] : [] }));
    setErrors((e) => withoutFields(e, (k) => k.startsWith("intent")));
  };

  const clearErrors = (match: (key: string) => boolean) => setErrors((e) => withoutFields(e, match));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (workloadId === undefined) {
      setErrors({ ...NO_FORM_ERRORS, fields: { workloadId: "Choose the workload to instantiate." } });
      return;
    }
    const local = localErrors(draft, intentType);
    if (Object.keys(local).length > 0) {
      setErrors({ ...NO_FORM_ERRORS, fields: local });
      return;
    }
    const input: CreateInput = {
      workloadId,
      releaseName: draft.releaseName.trim(),
      valuesOverride: draft.valuesOverride,
      includeCrds: draft.includeCrds,
      isUpgrade: draft.isUpgrade,
      noHooks: draft.noHooks,
      ...(draft.clusterName
        ? { clusterName: draft.clusterName, pinProposedCluster: draft.pinProposedCluster }
        : {}),
      ...(intentType
        ? {
            intent: {
              intentType: intentType.type,
              ...(draft.start ? { start: new Date(draft.start) } : {}),
              ...(draft.end ? { end: new Date(draft.end) } : {}),
              targets: formTargets<Condition>(draft.targets, intentType),
            },
          }
        : {}),
    };
    create.mutate(input);
  };

  const reset = () => {
    setDraft(EMPTY);
    setErrors(NO_FORM_ERRORS);
    create.reset();
  };

  const f = errors.fields;
  const [firstProblem, ...moreProblems] = errors.problems;
  const intentError = f["intent"] ?? f["intent.targets"] ?? f["intent.intentType"];

  return (
    <Paper variant="outlined" sx={{ p: { xs: 2, md: 3 }, maxWidth: 980 }}>
      <Box
        component="form"
        id={ids.formBox}
        noValidate
        onSubmit={submit}
        aria-labelledby={ids.form}
        data-testid="create-instance-form"
        // Clear of the sticky app bar when an error scrolls the form's top into view.
        sx={{ scrollMarginTop: 88 }}
      >
        <Typography id={ids.form} variant="h2" sx={{ mb: 2.5 }}>
          Create Workload Instance
        </Typography>
        <Stack spacing={4}>
          {(errors.form || firstProblem) && (
            <Alert severity="error" icon={<ErrorOutlineIcon />} data-testid="create-error" role="alert">
              <AlertTitle>
                {firstProblem ? "The chart does not render with these options" : "Not created"}
              </AlertTitle>
              {firstProblem ? (
                <>
                  {problemLocation(firstProblem) && (
                    <Box component="code" sx={{ display: "block", fontWeight: 600, mb: 0.5 }}>
                      {problemLocation(firstProblem)}
                    </Box>
                  )}
                  <Box sx={{ whiteSpace: "pre-wrap" }}>{firstProblem.message}</Box>
                  {moreProblems.length > 0 && (
                    <Box component="ul" sx={{ pl: 2.5, mb: 0 }}>
                      {moreProblems.map((p, i) => (
                        <li key={i}>
                          {problemLocation(p) ? <code>{problemLocation(p)}</code> : null} {p.message}
                        </li>
                      ))}
                    </Box>
                  )}
                </>
              ) : (
                errors.form
              )}
            </Alert>
          )}

          <FormSection title="Workload">
            <WorkloadChoice
              workloadId={workloadId}
              error={f.workloadId}
              onPick={(id) => {
                setWorkloadId(id);
                clearError("workloadId");
                router.replace(`/instances/new?workload=${id}`);
              }}
            />
          </FormSection>

          <FormSection
            title="Release"
            description="How the chart is rendered (helm template): the release name, values and switches."
          >
            <Stack direction={{ xs: "column", md: "row" }} spacing={2.5}>
              <TextField
                label="Release Name"
                required
                autoFocus
                fullWidth
                value={draft.releaseName}
                onChange={(e) => set("releaseName", e.target.value)}
                error={Boolean(f.releaseName)}
                helperText={
                  f.releaseName ??
                  "A DNS-1123 label: lowercase letters, digits and '-', at most 53 characters."
                }
                slotProps={{ htmlInput: { maxLength: 53, autoComplete: "off", spellCheck: false } }}
              />
              <TextField
                select
                label="Cluster Name"
                fullWidth
                value={draft.clusterName}
                onChange={(e) => set("clusterName", e.target.value)}
                // "" is a real choice here: show it rather than an empty box.
                slotProps={{ select: { displayEmpty: true }, inputLabel: { shrink: true } }}
                error={Boolean(f.clusterName)}
                helperText={
                  f.clusterName ??
                  (draft.clusterName && draft.pinProposedCluster
                    ? "Pinned: only this cluster may take the instance; it fails if this cluster cannot meet the intents."
                    : "Optional preference: chosen when it meets the intents and has room, otherwise the orchestrator picks the best other cluster.")
                }
              >
                <MenuItem value="">
                  <em>Let the orchestrator choose</em>
                </MenuItem>
                {(clusters.data ?? []).map((c) => (
                  <MenuItem key={c.name} value={c.name}>
                    <ListItemText
                      primary={c.name}
                      secondary={`availability ${c.availabilityPct} % · green energy ${c.greenEnergyPct} % · ${c.cost.replace("_", " ")}`}
                    />
                  </MenuItem>
                ))}
              </TextField>
            </Stack>
            {draft.clusterName ? (
              <FormControlLabel
                control={
                  <Checkbox
                    checked={draft.pinProposedCluster}
                    onChange={(e) => set("pinProposedCluster", e.target.checked)}
                  />
                }
                label="Pin to this cluster"
              />
            ) : null}
            <YamlEditor
              label="Values Override"
              value={draft.valuesOverride}
              onChange={(value) => set("valuesOverride", value)}
              error={f.valuesOverride}
              placeholder={'replicaCount: 2\nimage:\n  tag: "1.25"'}
              helperText="YAML merged over the chart's values.yaml (helm -f)."
            />
            <FormGroup row sx={{ gap: 3 }}>
              <FormControlLabel
                control={
                  <Switch
                    checked={draft.includeCrds}
                    onChange={(e) => set("includeCrds", e.target.checked)}
                  />
                }
                label="Include CRDs"
              />
              <FormControlLabel
                control={
                  <Switch checked={draft.isUpgrade} onChange={(e) => set("isUpgrade", e.target.checked)} />
                }
                label="Is Upgrade"
              />
              <FormControlLabel
                control={
                  <Switch checked={draft.noHooks} onChange={(e) => set("noHooks", e.target.checked)} />
                }
                label="No Hooks"
              />
            </FormGroup>
          </FormSection>

          <Divider />

          <FormSection
            title="Intent template"
            description="Optional: what the instance must get (3GPP TS 28.312 targets). Placement honours it and the evaluator checks it."
          >
            {noneSupported && (
              <Alert severity="info" data-testid="no-supported-intents">
                {NO_SUPPORTED_INTENTS}: the instance is placed by capacity and cost only.
              </Alert>
            )}
            <Stack direction={{ xs: "column", md: "row" }} spacing={2.5}>
              <TextField
                select
                label="Intent Type"
                fullWidth
                disabled={noneSupported}
                value={intentType ? draft.intentType : ""}
                onChange={(e) => chooseIntentType(e.target.value)}
                slotProps={{ select: { displayEmpty: true }, inputLabel: { shrink: true } }}
                error={Boolean(intentError)}
                helperText={
                  intentError ??
                  intentType?.description ??
                  "No intent: placement uses capacity and cost only."
                }
              >
                <MenuItem value="">
                  <em>No intent</em>
                </MenuItem>
                {offered.map((t) => (
                  <MenuItem key={t.type} value={t.type}>
                    <IntentTypeName type={t.type} />
                  </MenuItem>
                ))}
              </TextField>
              <TextField
                label="Start"
                type="datetime-local"
                fullWidth
                disabled={!intentType}
                value={draft.start}
                onChange={(e) => set("start", e.target.value, "intent.start")}
                error={Boolean(f["intent.start"])}
                helperText={f["intent.start"] ?? "Empty: from now."}
                slotProps={{ inputLabel: { shrink: true } }}
              />
              <TextField
                label="End"
                type="datetime-local"
                fullWidth
                disabled={!intentType}
                value={draft.end}
                onChange={(e) => set("end", e.target.value, "intent.end")}
                error={Boolean(f["intent.end"])}
                helperText={f["intent.end"] ?? "Empty: until deleted."}
                slotProps={{ inputLabel: { shrink: true } }}
              />
            </Stack>
            {intentType && (
              <IntentTargetRows
                intentType={intentType}
                rows={draft.targets}
                onChange={(targets) => setDraft((d) => ({ ...d, targets }))}
                errors={f}
                path="intent.targets"
                onClearErrors={clearErrors}
              />
            )}
          </FormSection>

          <FormActions
            cancelHref={workloadId !== undefined ? `/instances?workload=${workloadId}` : "/instances"}
            onReset={reset}
            pending={create.isPending}
          />
        </Stack>
      </Box>
    </Paper>
  );
}
