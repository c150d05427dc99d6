"use client";

import Alert from "@mui/material/Alert";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import FormControlLabel from "@mui/material/FormControlLabel";
import FormGroup from "@mui/material/FormGroup";
import Skeleton from "@mui/material/Skeleton";
import Stack from "@mui/material/Stack";
import Switch from "@mui/material/Switch";
import TextField from "@mui/material/TextField";
import Typography from "@mui/material/Typography";
import { useQuery } from "@tanstack/react-query";
import dynamic from "next/dynamic";
import { useState, type FormEvent } from "react";
import { CFDRL_MAX_REPLICAS, cfdrlBoundsProblem } from "@/common/cfdrl";
import type { PageSize } from "@/common/list-page";
import { formErrors } from "@/components/ui/form-errors";
import { Section } from "@/components/ui/Section";
import { Time } from "@/components/ui/Time";
import { useConsoleMutation } from "@/components/ui/use-console-mutation";
import { useTRPC } from "@/trpc/react";
import type { RouterOutputs } from "@/trpc/types";
import { CfdrlDecisionsTable } from "./CfdrlDecisionsTable";

type Settings = RouterOutputs["cfdrl"]["settings"];

// recharts comes with the chart, after the tab's own code.
const CfdrlRewardChart = dynamic(() => import("./CfdrlCharts").then((m) => m.CfdrlRewardChart), {
  ssr: false,
  loading: () => <Skeleton variant="rounded" height={240} aria-label="Loading the chart" />,
});

/** Decisions arrive every CFDRL period (60 s by default, seconds in the quick start). */
const LIVE_REFRESH_MS = 5_000;

type Field = "minReplicas" | "maxReplicas";

function SettingsForm({ settings, editable }: { settings: Settings; editable: boolean }) {
  const trpc = useTRPC();
  const [scaling, setScaling] = useState(settings.scalingEnabled);
  const [migration, setMigration] = useState(settings.migrationEnabled);
  const [min, setMin] = useState(String(settings.minReplicas));
  const [max, setMax] = useState(String(settings.maxReplicas));
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [formError, setFormError] = useState<string | undefined>();
  const save = useConsoleMutation(
    trpc.cfdrl.updateSettings.mutationOptions({
      onError: (failure) => {
        const found = formErrors(failure);
        setErrors({ minReplicas: found.fields.minReplicas, maxReplicas: found.fields.maxReplicas });
        setFormError(found.fields.minReplicas || found.fields.maxReplicas ? undefined : found.form);
      },
    }),
    {
      invalidates: [trpc.cfdrl.settings.queryKey({ instanceId: settings.instanceId })],
      succeeded: (saved) =>
        `CFDRL settings saved: scaling ${saved.scalingEnabled ? "on" : "off"}, migration ${saved.migrationEnabled ? "on" : "off"}, ${saved.minReplicas}–${saved.maxReplicas} replicas.`,
    },
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const minReplicas = min.trim() === "" ? Number.NaN : Number(min);
    const maxReplicas = max.trim() === "" ? Number.NaN : Number(max);
    const problem = cfdrlBoundsProblem(minReplicas, maxReplicas);
    if (problem) {
      setErrors({ [problem.field]: problem.message });
      return;
    }
    setErrors({});
    setFormError(undefined);
    save.mutate({
      instanceId: settings.instanceId,
      scalingEnabled: scaling,
      migrationEnabled: migration,
      minReplicas,
      maxReplicas,
    });
  };
  const edited = (field: Field, value: string) => {
    (field === "minReplicas" ? setMin : setMax)(value);
    setErrors((current) => ({ ...current, [field]: undefined }));
  };
  return (
    <Box
      component="form"
      onSubmit={submit}
      noValidate
      aria-label="CFDRL settings"
      data-testid="cfdrl-settings"
    >
      <Stack spacing={2}>
        <FormGroup row>
          <FormControlLabel
            control={
              <Switch
                checked={scaling}
                onChange={(e) => setScaling(e.target.checked)}
                disabled={!editable}
                slotProps={{ input: { "aria-describedby": "cfdrl-scaling-help" } }}
              />
            }
            label="Scaling agent"
          />
          <FormControlLabel
            control={
              <Switch
                checked={migration}
                onChange={(e) => setMigration(e.target.checked)}
                disabled={!editable}
                slotProps={{ input: { "aria-describedby": "cfdrl-migration-help" } }}
              />
            }
            label="Migration agent"
          />
        </FormGroup>
        <Typography id="cfdrl-scaling-help" variant="body2" color="text.secondary">
          The scaling agent adds or removes replicas within the bounds below, one step per decision.
        </Typography>
        <Typography id="cfdrl-migration-help" variant="body2" color="text.secondary">
          The migration agent may move the instance to another cluster that meets all its intents.
        </Typography>
        <Stack direction={{ xs: "column", sm: "row" }} spacing={2} sx={{ alignItems: { sm: "flex-start" } }}>
          <TextField
            id="cfdrl-min-replicas"
            label="Minimum replicas"
            size="small"
            value={min}
            onChange={(e) => edited("minReplicas", e.target.value)}
            disabled={!editable}
            error={Boolean(errors.minReplicas)}
            helperText={errors.minReplicas ?? `0 to ${CFDRL_MAX_REPLICAS}`}
            slotProps={{ htmlInput: { inputMode: "numeric", maxLength: 3 } }}
          />
          <TextField
            id="cfdrl-max-replicas"
            label="Maximum replicas"
            size="small"
            value={max}
            onChange={(e) => edited("maxReplicas", e.target.value)}
            disabled={!editable}
            error={Boolean(errors.maxReplicas)}
            helperText={errors.maxReplicas ?? `At least the minimum, at most ${CFDRL_MAX_REPLICAS}`}
            slotProps={{ htmlInput: { inputMode: "numeric", maxLength: 3 } }}
          />
          <Button type="submit" variant="contained" disabled={!editable || save.isPending}>
            Save
          </Button>
        </Stack>
        {formError && <Alert severity="error">{formError}</Alert>}
        {settings.updatedAt && (
          <Typography variant="caption" color="text.secondary">
            Last changed by {settings.updatedBy ?? "someone"} <Time value={settings.updatedAt} />
          </Typography>
        )}
      </Stack>
    </Box>
  );
}

function Decisions({ instanceId, live }: { instanceId: string; live: boolean }) {
  const trpc = useTRPC();
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState<PageSize>(10);
  const decisions = useQuery({
    ...trpc.cfdrl.instanceDecisions.queryOptions({ instanceId, page, pageSize }),
    refetchInterval: live ? LIVE_REFRESH_MS : false,
  });
  if (decisions.isPending) return <Skeleton variant="rounded" height={160} aria-label="Loading decisions" />;
  if (decisions.error)
    return <Alert severity="error">The decisions could not be loaded: {decisions.error.message}</Alert>;
  if (decisions.data.total === 0)
    return (
      <Typography color="text.secondary" data-testid="cfdrl-no-decisions">
        No decisions yet.
        {live ? " The first comes within one CFDRL period." : ""}
      </Typography>
    );
  return (
    <CfdrlDecisionsTable
      label="Recent CFDRL decisions"
      decisions={decisions.data.items}
      total={decisions.data.total}
      page={page}
      pageSize={pageSize}
      onPage={setPage}
      onPageSize={(size) => {
        setPageSize(size);
        setPage(1);
      }}
    />
  );
}

/**
 * The instance page's CFDRL tab (loaded when opened): the enable switches
 * and replica bounds, the agents' recent decisions, and reward and replicas
 * over time.
 */
export function InstanceCfdrl({ instanceId }: { instanceId: string }) {
  const trpc = useTRPC();
  const settings = useQuery(trpc.cfdrl.settings.queryOptions({ instanceId }));
  if (settings.isPending)
    return <Skeleton variant="rounded" height={200} aria-label="Loading CFDRL settings" />;
  if (settings.error)
    return <Alert severity="error">The CFDRL settings could not be loaded: {settings.error.message}</Alert>;
  const s = settings.data;
  const on = s.scalingEnabled || s.migrationEnabled;
  const editable = s.instanceStatus !== "DELETED" && s.instanceStatus !== "DELETING";
  return (
    <Stack spacing={2.5}>
      <Section
        title="CFDRL"
        titleId="cfdrl-settings-title"
        description="Deep-Q-network agents that scale this instance and may move it between clusters."
      >
        {!on && (
          <Alert severity="info" sx={{ mb: 2 }} data-testid="cfdrl-off">
            CFDRL is off for this instance. Switch on an agent and save to let it decide.
          </Alert>
        )}
        {on && s.instanceStatus !== "DEPLOYED" && (
          <Alert severity="warning" sx={{ mb: 2 }}>
            The agents act only while the instance is DEPLOYED (it is {s.instanceStatus}).
          </Alert>
        )}
        <SettingsForm
          key={`${String(s.updatedAt)}-${s.scalingEnabled}-${s.migrationEnabled}-${s.minReplicas}-${s.maxReplicas}`}
          settings={s}
          editable={editable}
        />
      </Section>
      <Section title="Reward and replicas over time" titleId="cfdrl-chart-title">
        <CfdrlRewardChart instanceId={instanceId} live={on} />
      </Section>
      <Section title="Recent decisions" titleId="cfdrl-decisions-title">
        <Decisions instanceId={instanceId} live={on} />
      </Section>
    </Stack>
  );
}
