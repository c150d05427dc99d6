"use client";

import Alert from "@mui/material/Alert";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import Chip from "@mui/material/Chip";
import List from "@mui/material/List";
import ListItem from "@mui/material/ListItem";
import ListItemText from "@mui/material/ListItemText";
import Paper from "@mui/material/Paper";
import Skeleton from "@mui/material/Skeleton";
import Stack from "@mui/material/Stack";
import Table from "@mui/material/Table";
import TableBody from "@mui/material/TableBody";
import TableCell from "@mui/material/TableCell";
import TableHead from "@mui/material/TableHead";
import TableRow from "@mui/material/TableRow";
import Typography from "@mui/material/Typography";
import { useQuery } from "@tanstack/react-query";
import dynamic from "next/dynamic";
import { useState } from "react";
import type { PageSize } from "@/common/list-page";
import { ConfirmDialog } from "@/components/ConfirmDialog";
import { DefinitionList, Field } from "@/components/ui/DefinitionList";
import { Section } from "@/components/ui/Section";
import { Time } from "@/components/ui/Time";
import { useConsoleMutation } from "@/components/ui/use-console-mutation";
import { useTRPC } from "@/trpc/react";
import type { RouterOutputs } from "@/trpc/types";
import { CfdrlDecisionsTable } from "./CfdrlDecisionsTable";
import { evaluationView } from "./evaluation-view";
import { formatNumber } from "./format";

type AgentStatus = RouterOutputs["cfdrl"]["status"]["agents"][number];
type Model = RouterOutputs["cfdrl"]["models"]["items"][number];

// recharts comes with a loss curve when it is asked for (Show loss curve), never with the page: where
// the section sits depends on how many migrations are listed above it.
const CfdrlLossChart = dynamic(() => import("./CfdrlCharts").then((m) => m.CfdrlLossChart), {
  ssr: false,
  loading: () => <Skeleton variant="rounded" height={180} aria-label="Loading the loss curve" />,
});

const REFRESH_MS = 10_000;
const AGENT_TITLES: Record<string, string> = { scaling: "Scaling agent", migration: "Migration agent" };

function AgentCard({ status }: { status: AgentStatus }) {
  const [showLoss, setShowLoss] = useState(false);
  return (
    <Paper
      variant="outlined"
      sx={{ p: 2, flex: 1, minWidth: 0 }}
      component="section"
      aria-label={AGENT_TITLES[status.agent]}
      data-testid={`cfdrl-agent-${status.agent}`}
    >
      <Typography variant="h4" component="h3" sx={{ fontSize: 16, fontWeight: 600, mb: 1.5 }}>
        {AGENT_TITLES[status.agent]}
      </Typography>
      <DefinitionList>
        <Field label="Model version">
          {status.activeModel ? `v${status.activeModel.version}` : "None saved yet"}
        </Field>
        <Field label="Training steps">{status.trainingSteps.toLocaleString("en-GB")}</Field>
        <Field label="Epsilon">{formatNumber(status.epsilon)}</Field>
        <Field label="Replay buffer">{`${status.bufferSize.toLocaleString("en-GB")} transitions`}</Field>
        <Field label="Last decision">
          {status.lastDecisionAt ? <Time value={status.lastDecisionAt} /> : "None yet"}
        </Field>
      </DefinitionList>
      <Box sx={{ mt: 2 }}>
        {status.lossCurve.length === 0 ? (
          <Typography color="text.secondary">No training yet: the loss curve starts with it.</Typography>
        ) : showLoss ? (
          <CfdrlLossChart agent={status.agent} points={status.lossCurve} />
        ) : (
          <Button variant="outlined" size="small" onClick={() => setShowLoss(true)}>
            Show loss curve
          </Button>
        )}
      </Box>
    </Paper>
  );
}

function ModelsTable({ canRollback }: { canRollback: boolean }) {
  const trpc = useTRPC();
  const models = useQuery({ ...trpc.cfdrl.models.queryOptions({}), refetchInterval: REFRESH_MS });
  const [target, setTarget] = useState<Model | null>(null);
  const [error, setError] = useState<string | null>(null);
  const rollback = useConsoleMutation(
    trpc.cfdrl.rollback.mutationOptions({
      onSuccess: () => setTarget(null),
      onError: (failure) => setError(failure.message),
    }),
    {
      invalidates: [trpc.cfdrl.models.queryKey(), trpc.cfdrl.status.queryKey()],
      succeeded: (model) => `The ${model.agent} agent now decides with version ${model.version}.`,
    },
  );
  if (models.isPending) return <Skeleton variant="rounded" height={120} aria-label="Loading models" />;
  if (models.error)
    return <Alert severity="error">The models could not be loaded: {models.error.message}</Alert>;
  if (models.data.items.length === 0)
    return (
      <Typography color="text.secondary">No model saved yet: the agents save one as they train.</Typography>
    );
  return (
    <>
      <Table size="small" aria-label="Saved CFDRL models" data-testid="cfdrl-models">
        <TableHead>
          <TableRow>
            <TableCell>Agent</TableCell>
            <TableCell align="right">Version</TableCell>
            <TableCell align="right">Training steps</TableCell>
            <TableCell align="right">Epsilon</TableCell>
            <TableCell align="right">Loss</TableCell>
            <TableCell>Saved</TableCell>
            <TableCell>State</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {models.data.items.map((m) => (
            <TableRow key={`${m.agent}-${m.version}`} data-testid="cfdrl-model">
              <TableCell sx={{ textTransform: "capitalize" }}>{m.agent}</TableCell>
              <TableCell align="right">v{m.version}</TableCell>
              <TableCell align="right">{m.trainingSteps.toLocaleString("en-GB")}</TableCell>
              <TableCell align="right">{formatNumber(m.epsilon)}</TableCell>
              <TableCell align="right">{formatNumber(m.loss)}</TableCell>
              <TableCell sx={{ whiteSpace: "nowrap" }}>
                <Time value={m.createdAt} />
                {m.createdBy ? ` by ${m.createdBy}` : ""}
              </TableCell>
              <TableCell>
                {m.active ? (
                  <Chip size="small" color="success" variant="outlined" label="Active" />
                ) : canRollback ? (
                  <Button
                    size="small"
                    variant="outlined"
                    onClick={() => {
                      setError(null);
                      setTarget(m);
                    }}
                    aria-label={`Roll the ${m.agent} agent back to version ${m.version}`}
                  >
                    Roll back
                  </Button>
                ) : null}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <ConfirmDialog
        open={target !== null}
        title={target ? `Roll the ${target.agent} agent back to version ${target.version}?` : ""}
        confirmLabel="Roll back"
        pending={rollback.isPending}
        error={error}
        onCancel={() => setTarget(null)}
        onConfirm={() => target && rollback.mutate({ agent: target.agent, version: target.version })}
      >
        The agent decides with this version from its next decision and keeps training from it; the version
        active now stays saved. The rollback is recorded in the audit log.
      </ConfirmDialog>
    </>
  );
}

function RecentDecisions() {
  const trpc = useTRPC();
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState<PageSize>(10);
  const decisions = useQuery({
    ...trpc.cfdrl.decisions.queryOptions({ page, pageSize }),
    refetchInterval: REFRESH_MS,
  });
  if (decisions.isPending) return <Skeleton variant="rounded" height={160} aria-label="Loading decisions" />;
  if (decisions.error)
    return <Alert severity="error">The decisions could not be loaded: {decisions.error.message}</Alert>;
  if (decisions.data.total === 0)
    return (
      <Typography color="text.secondary">
        No decisions yet: enable CFDRL on an instance (its CFDRL tab) to let the agents decide.
      </Typography>
    );
  return (
    <CfdrlDecisionsTable
      label="Recent CFDRL decisions across instances"
      showInstance
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

function Evaluation() {
  const trpc = useTRPC();
  const evaluation = useQuery(trpc.cfdrl.evaluation.queryOptions());
  if (evaluation.isPending)
    return <Skeleton variant="rounded" height={160} aria-label="Loading the evaluation" />;
  if (evaluation.error)
    return <Alert severity="error">The evaluation could not be loaded: {evaluation.error.message}</Alert>;
  if (!evaluation.data)
    return (
      <Typography color="text.secondary" data-testid="cfdrl-no-evaluation">
        No evaluation yet — run <code>npm run rl:evaluate</code>.
      </Typography>
    );
  const run = evaluation.data;
  const view = evaluationView(run.results);
  return (
    <Stack spacing={2} data-testid="cfdrl-evaluation">
      <Typography variant="body2" color="text.secondary">
        Run of <Time value={run.createdAt} />
        {view.durationSeconds !== null ? ` (${view.durationSeconds} s)` : ""}: mean ± standard deviation over
        the evaluation seeds.
      </Typography>
      {view.summary.length > 0 && (
        <Table size="small" aria-label="Evaluation results per trace and policy">
          <TableHead>
            <TableRow>
              <TableCell>Trace</TableCell>
              <TableCell>Policy</TableCell>
              <TableCell align="right">Mean reward</TableCell>
              <TableCell align="right">Mean replicas</TableCell>
              <TableCell align="right">SLO violations</TableCell>
              <TableCell align="right">Actions</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {view.summary.map((row) => (
              <TableRow key={`${row.trace}-${row.policy}`}>
                <TableCell>{row.trace}</TableCell>
                <TableCell>{row.policy}</TableCell>
                <TableCell align="right">{row.meanReward}</TableCell>
                <TableCell align="right">{row.meanReplicas}</TableCell>
                <TableCell align="right">{row.sloViolationRate}</TableCell>
                <TableCell align="right">{row.actions}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      {view.targets.length > 0 && (
        <List dense aria-label="Targets" disablePadding>
          {view.targets.map((t) => (
            <ListItem key={t.id} disableGutters>
              <Chip
                size="small"
                variant="outlined"
                color={t.met ? "success" : "error"}
                label={t.met ? "Met" : "Not met"}
                sx={{ mr: 1.5, minWidth: 72 }}
              />
              <ListItemText primary={t.description} secondary={t.detail || undefined} />
            </ListItem>
          ))}
        </List>
      )}
      {view.hpaWins.length > 0 && (
        <Alert severity="info">Where the calibrated HPA wins: {view.hpaWins.join(" ")}</Alert>
      )}
      {view.hpaTargets.length > 0 && (
        <Typography variant="body2" color="text.secondary">
          HPA target utilisation tuned on the training seeds:{" "}
          {view.hpaTargets.map((h) => `${h.trace} ${h.target}`).join(", ")}.
        </Typography>
      )}
      {!view.readable && (
        <Box component="pre" sx={{ fontSize: 12, maxHeight: 240, overflow: "auto", m: 0 }}>
          {JSON.stringify(run.results, null, 2)}
        </Box>
      )}
      {run.plotDataUrl && (
        // A data URL from the database: next/image would add nothing (no resizing, no remote host).
        // eslint-disable-next-line @next/next/no-img-element
        <img
          src={run.plotDataUrl}
          alt="Reward and replicas over time per policy, from the evaluation lab"
          style={{ maxWidth: "100%", height: "auto" }}
          data-testid="cfdrl-evaluation-plot"
        />
      )}
    </Stack>
  );
}

/**
 * The Orchestration page's CFDRL section (its queries prefetched with the page): each
 * agent's status and loss curve, the saved models with rollback (admins),
 * recent decisions across the caller's instances, and the evaluation lab's
 * last results.
 */
export function CfdrlOverview({ canRollback }: { canRollback: boolean }) {
  const trpc = useTRPC();
  const status = useQuery({ ...trpc.cfdrl.status.queryOptions(), refetchInterval: REFRESH_MS });
  return (
    <Stack spacing={2.5} data-testid="cfdrl-overview">
      <Section
        title="CFDRL agents"
        titleId="cfdrl-agents-title"
        description="Deep-Q-network agents that scale instances and move them between clusters, with their training."
      >
        {status.isPending ? (
          <Skeleton variant="rounded" height={200} aria-label="Loading agent status" />
        ) : status.error ? (
          <Alert severity="error">The status of the agents could not be loaded: {status.error.message}</Alert>
        ) : (
          <Stack direction={{ xs: "column", md: "row" }} spacing={2}>
            {status.data.agents.map((agent) => (
              <AgentCard key={agent.agent} status={agent} />
            ))}
          </Stack>
        )}
      </Section>
      <Section title="CFDRL models" titleId="cfdrl-models-title">
        <ModelsTable canRollback={canRollback} />
      </Section>
      <Section title="Recent CFDRL decisions" titleId="cfdrl-decisions-title">
        <RecentDecisions />
      </Section>
      <Section title="Evaluation lab" titleId="cfdrl-evaluation-title">
        <Evaluation />
      </Section>
    </Stack>
  );
}
