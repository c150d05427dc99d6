"use client";

import CheckCircleOutlineIcon from "@mui/icons-material/CheckCircleOutlineOutlined";
import HelpOutlineIcon from "@mui/icons-material/HelpOutlineOutlined";
import ScienceOutlinedIcon from "@mui/icons-material/ScienceOutlined";
import Alert from "@mui/material/Alert";
import AlertTitle from "@mui/material/AlertTitle";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import Chip from "@mui/material/Chip";
import CircularProgress from "@mui/material/CircularProgress";
import Skeleton from "@mui/material/Skeleton";
import Stack from "@mui/material/Stack";
import Table from "@mui/material/Table";
import TableBody from "@mui/material/TableBody";
import TableCell from "@mui/material/TableCell";
import TableHead from "@mui/material/TableHead";
import TableRow from "@mui/material/TableRow";
import Typography from "@mui/material/Typography";
import Tooltip from "@mui/material/Tooltip";
import { useQuery } from "@tanstack/react-query";
import { Section } from "@/components/ui/Section";
import { useConsoleMutation } from "@/components/ui/use-console-mutation";
import { useTRPC } from "@/trpc/react";
import type { RouterOutputs } from "@/trpc/types";
import { noClusterDetail } from "./failure-reason";
import { isTransitional, LIVE_REFRESH_MS, type InstanceStatus } from "./status";
import { intentTypeDisplayName } from "@/common/intent-catalogue";

type Decision = NonNullable<RouterOutputs["instance"]["placement"]>;

/** What a prioritizer rewards: its one-line explanation from the domain (placement/prioritizers.ts). */
function helpOf(decision: Decision, name: string): string | null {
  return decision.prioritizers.find((p) => p.name === name)?.description ?? null;
}

/**
 * A pinned proposal is a requirement (accepted or rejected); an unpinned one
 * a preference (it qualified and got the PreferredCluster bonus, or not).
 * Decisions stored before preferences existed carry no `pinned`: they were pins.
 */
function proposalLabel(proposal: NonNullable<Decision["proposal"]>): string {
  if (proposal.pinned === false) {
    return proposal.accepted
      ? `Preferred ${proposal.cluster}: qualified`
      : `Preferred ${proposal.cluster}: did not qualify`;
  }
  return proposal.accepted
    ? `Pinned to ${proposal.cluster}: accepted`
    : `Pinned to ${proposal.cluster}: rejected`;
}

function mib(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MiB`;
}

/** The score axis: −100..100, a tick every 50. */
const SCORE_TICKS = [-100, -50, 0, 50, 100] as const;
/** Where a score sits across the bar area, in % from its left edge. */
const scoreAt = (score: number) => (Math.max(-100, Math.min(100, score)) + 100) / 2;

/**
 * The winner's score per prioritizer as diverging horizontal bars from 0.
 * Drawn with plain boxes rather than a chart library: it is on the first
 * paint of every instance page, and a charting library would be most of
 * that page's JavaScript. Each bar's tooltip names what the prioritizer rewards.
 */
function ScoreChart({ decision }: { decision: Decision }) {
  const winner = decision.scores.find((s) => s.cluster === decision.winner);
  if (!winner) return null;
  const data = Object.entries(winner.perPrioritizer).map(([name, score]) => ({
    name,
    score,
    weight: (decision.weights as Record<string, number>)[name] ?? 0,
  }));
  const grid = (
    <Box aria-hidden="true" sx={{ position: "absolute", inset: 0, pointerEvents: "none" }}>
      {SCORE_TICKS.map((tick) => (
        <Box
          key={tick}
          sx={{
            position: "absolute",
            top: 0,
            bottom: 0,
            left: `${scoreAt(tick)}%`,
            borderLeft: tick === 0 ? "1px solid #8fa4b1" : "1px dashed",
            borderColor: tick === 0 ? undefined : "divider",
          }}
        />
      ))}
    </Box>
  );
  return (
    <Box
      role="img"
      aria-label={`Scores of ${winner.cluster}: ${data.map((d) => `${d.name} ${d.score}`).join(", ")}`}
      data-testid="score-chart"
      sx={{
        display: "grid",
        gridTemplateColumns: "minmax(0, 190px) minmax(0, 1fr)",
        columnGap: 1,
        rowGap: 0,
        pr: 3,
        minWidth: 0,
        fontSize: 12,
      }}
    >
      {data.map((d) => {
        const help = helpOf(decision, d.name);
        const from = scoreAt(Math.min(d.score, 0));
        const to = scoreAt(Math.max(d.score, 0));
        return (
          <Box key={d.name} sx={{ display: "contents" }}>
            <Box
              sx={{
                textAlign: "right",
                alignSelf: "center",
                color: "text.secondary",
                overflow: "hidden",
                textOverflow: "ellipsis",
                whiteSpace: "nowrap",
              }}
            >
              {d.name} ×{d.weight}
            </Box>
            <Box sx={{ position: "relative", height: 30 }}>
              {grid}
              <Tooltip title={`${help ? `${d.name}: ${help}` : d.name} — score ${d.score}`} placement="top">
                <Box
                  data-testid="score-bar"
                  data-name={d.name}
                  data-score={d.score}
                  sx={{
                    position: "absolute",
                    top: 5,
                    bottom: 5,
                    left: `${from}%`,
                    width: `${to - from}%`,
                    // A zero score still shows, as a sliver on the zero line.
                    minWidth: 2,
                    bgcolor: d.score >= 0 ? "#0b5cad" : "#e96d76",
                    borderRadius: d.score >= 0 ? "0 3px 3px 0" : "3px 0 0 3px",
                  }}
                />
              </Tooltip>
            </Box>
          </Box>
        );
      })}
      <Box />
      <Box aria-hidden="true" sx={{ position: "relative", height: 20, color: "text.secondary" }}>
        {SCORE_TICKS.map((tick) => (
          <Box
            key={tick}
            component="span"
            sx={{ position: "absolute", top: 2, left: `${scoreAt(tick)}%`, transform: "translateX(-50%)" }}
          >
            {tick}
          </Box>
        ))}
      </Box>
    </Box>
  );
}

/** Each prioritizer of the chart, its weight and what it rewards (the chart's tooltip says it too). */
function PrioritizerLegend({ decision }: { decision: Decision }) {
  if (decision.prioritizers.length === 0) return null;
  return (
    <Box
      component="dl"
      aria-label="What each prioritizer rewards"
      data-testid="prioritizer-explanations"
      sx={{
        m: 0,
        mt: 1,
        display: "grid",
        gridTemplateColumns: "max-content 1fr",
        columnGap: 1.5,
        rowGap: 0.5,
      }}
    >
      {decision.prioritizers.map((p) => (
        <Box
          key={p.name}
          sx={{ display: "contents" }}
          data-testid="prioritizer-explanation"
          data-name={p.name}
        >
          <Typography component="dt" variant="body2" sx={{ fontWeight: 500 }}>
            {p.name}{" "}
            <Box component="span" sx={{ color: "text.secondary", fontWeight: 400 }}>
              ×{p.weight}
            </Box>
          </Typography>
          <Typography component="dd" variant="body2" color="text.secondary" sx={{ m: 0 }}>
            {p.description ?? "No longer used by the product."}
          </Typography>
        </Box>
      ))}
    </Box>
  );
}

function Ranking({ decision }: { decision: Decision }) {
  if (decision.scores.length === 0) return null;
  const best = Math.max(...decision.scores.map((s) => Math.abs(s.total)), 1);
  return (
    <Box>
      <Typography variant="subtitle2" sx={{ mb: 1 }}>
        Clusters that passed every filter, best first
      </Typography>
      <Stack spacing={0.75} data-testid="placement-ranking">
        {decision.scores.map((s) => (
          <Stack key={s.cluster} direction="row" spacing={1.5} sx={{ alignItems: "center" }}>
            <Typography
              variant="body2"
              sx={{ width: 170, fontWeight: s.cluster === decision.winner ? 600 : 400 }}
            >
              {s.cluster}
            </Typography>
            <Box sx={{ flexGrow: 1, height: 8, bgcolor: "#eef2f7", borderRadius: 4, overflow: "hidden" }}>
              <Box
                sx={{
                  width: `${Math.max(2, (Math.max(s.total, 0) / best) * 100)}%`,
                  height: "100%",
                  bgcolor: s.cluster === decision.winner ? "primary.main" : "primary.light",
                }}
              />
            </Box>
            <Typography variant="body2" color="text.secondary" sx={{ width: 56, textAlign: "right" }}>
              {s.total}
            </Typography>
          </Stack>
        ))}
      </Stack>
    </Box>
  );
}

function Rejected({ decision }: { decision: Decision }) {
  if (decision.filtered.length === 0) {
    return (
      <Typography variant="body2" color="text.secondary">
        No cluster was filtered out.
      </Typography>
    );
  }
  return (
    <Box>
      <Typography variant="subtitle2" sx={{ mb: 0.5 }}>
        Rejected clusters
      </Typography>
      <Table size="small" aria-label="Rejected clusters" sx={{ "& td, & th": { px: 1, py: 0.75 } }}>
        <TableHead>
          <TableRow>
            <TableCell>Cluster</TableCell>
            <TableCell>Filter</TableCell>
            <TableCell>Why</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {decision.filtered.map((f) => (
            <TableRow key={f.cluster} data-testid="rejected-cluster" data-cluster={f.cluster}>
              <TableCell sx={{ fontWeight: 500, whiteSpace: "nowrap" }}>{f.cluster}</TableCell>
              <TableCell>
                <Chip
                  size="small"
                  variant="outlined"
                  color={f.code === "Misconfigured" ? "warning" : "default"}
                  label={f.plugin}
                  title={f.reason}
                />
              </TableCell>
              <TableCell sx={{ color: "text.secondary" }}>{f.message}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Box>
  );
}

function Explanation({ decision, statusReason }: { decision: Decision; statusReason: string | null }) {
  const winnerScore = decision.scores.find((s) => s.cluster === decision.winner);
  return (
    <Stack spacing={2.5}>
      {decision.winner ? (
        <Stack direction="row" spacing={1.5} useFlexGap sx={{ alignItems: "center", flexWrap: "wrap" }}>
          <CheckCircleOutlineIcon color="success" aria-hidden="true" />
          <Typography data-testid="placement-winner">
            Placed on <strong>{decision.winner}</strong>
            {winnerScore ? ` with a total score of ${winnerScore.total} (Σ weight × score)` : ""}
          </Typography>
          {decision.proposal && (
            <Chip
              size="small"
              color={decision.proposal.accepted ? "success" : "warning"}
              variant="outlined"
              label={proposalLabel(decision.proposal)}
            />
          )}
        </Stack>
      ) : (
        <Alert severity="error" data-testid="placement-none">
          <AlertTitle>No cluster can take this instance</AlertTitle>
          {noClusterDetail(decision.reasonIfNone, statusReason)}
        </Alert>
      )}
      {/* Without a winner the rejected proposal is the reason itself, told above. */}
      {decision.proposal && !decision.proposal.accepted && decision.winner && (
        <Alert severity="warning">
          {decision.proposal.pinned === false
            ? `The preferred cluster ${decision.proposal.cluster} did not qualify, so the instance went where it fits best: ${decision.proposal.message}`
            : decision.proposal.message}
        </Alert>
      )}
      <Stack direction={{ xs: "column", lg: "row" }} spacing={3}>
        <Box sx={{ flex: 1, minWidth: 0 }}>
          {winnerScore && (
            <>
              <Typography variant="subtitle2" sx={{ mb: 0.5 }}>
                {decision.winner}: score per prioritizer (−100..100, × weight)
              </Typography>
              <ScoreChart decision={decision} />
              <PrioritizerLegend decision={decision} />
            </>
          )}
        </Box>
        <Box sx={{ flex: 1, minWidth: 0 }}>
          <Ranking decision={decision} />
        </Box>
      </Stack>
      <Rejected decision={decision} />
      {decision.ignoredTargets.length > 0 && (
        <Box>
          <Typography variant="subtitle2" sx={{ mb: 0.5 }}>
            Intent targets placement did not use
          </Typography>
          <Box component="ul" sx={{ m: 0, pl: 2.5 }} data-testid="ignored-targets">
            {decision.ignoredTargets.map((t) => (
              <li key={`${t.intentType}-${t.targetName}`}>
                <Typography variant="body2">
                  <strong>
                    {intentTypeDisplayName(t.intentType)} · {t.targetName}
                  </strong>{" "}
                  — {t.message}
                </Typography>
              </li>
            ))}
          </Box>
        </Box>
      )}
      <Typography variant="caption" color="text.secondary">
        Requests placed: {decision.requests.cpuMillicores} m CPU, {mib(decision.requests.memoryBytes)} memory
        {decision.requests.gpus ? `, ${decision.requests.gpus} GPU` : ""}.
      </Typography>
    </Stack>
  );
}

/**
 * "Why this cluster?": the Meta-Orchestrator's stored explanation of where
 * the instance went — the winner's per-prioritizer scores, every cluster a
 * filter rejected with the filter's own words, the targets that are not
 * placement constraints — and a dry run of where it would go now.
 */
export function PlacementPanel({
  instanceId,
  status,
  statusReason,
  currentCluster,
  onShowMigrations,
}: {
  instanceId: string;
  status: InstanceStatus;
  /** Shown by the instance details: the panel does not repeat it. */
  statusReason: string | null;
  /** Where the instance runs now: after a migration, not where it was placed. */
  currentCluster: string | null;
  onShowMigrations?: () => void;
}) {
  const trpc = useTRPC();
  const placement = useQuery({
    ...trpc.instance.placement.queryOptions({ id: instanceId }),
    refetchInterval: (query) =>
      query.state.data === null && isTransitional(status) ? LIVE_REFRESH_MS : false,
  });
  // Its answer (or refusal) is shown in the panel itself, not as a notice; nothing changes.
  const dryRun = useConsoleMutation(trpc.instance.dryRun.mutationOptions());

  return (
    <Section
      title="Why this cluster?"
      titleId="why-cluster"
      icon={<HelpOutlineIcon color="primary" aria-hidden="true" />}
      actions={
        status !== "DELETED" && (
          <Button
            size="small"
            startIcon={<ScienceOutlinedIcon />}
            loading={dryRun.isPending}
            onClick={() => dryRun.mutate({ id: instanceId })}
          >
            Where would it go now?
          </Button>
        )
      }
    >
      {dryRun.data && (
        <Alert severity="info" sx={{ mb: 2 }} onClose={() => dryRun.reset()} data-testid="dry-run-result">
          {dryRun.data.winner ? (
            <>
              Placing it now would choose <strong>{dryRun.data.winner}</strong> (score{" "}
              {dryRun.data.scores[0]?.total ?? "—"}, {dryRun.data.filtered.length} rejected).
            </>
          ) : (
            // The reason is a whole sentence of its own ("No cluster offers …"): not behind "no cluster:".
            <>Placing it now would fail: {dryRun.data.reasonIfNone ?? "every cluster was ruled out"}.</>
          )}{" "}
          Nothing was moved.
        </Alert>
      )}
      {dryRun.error && (
        <Alert severity="error" sx={{ mb: 2 }}>
          {dryRun.error.message}
        </Alert>
      )}
      {placement.isPending ? (
        <Stack spacing={1}>
          <Skeleton width="40%" />
          <Skeleton variant="rounded" height={160} />
        </Stack>
      ) : placement.error ? (
        <Alert severity="error">{placement.error.message}</Alert>
      ) : placement.data === null ? (
        <Stack direction="row" spacing={1.5} sx={{ alignItems: "center" }} data-testid="placement-pending">
          {isTransitional(status) && <CircularProgress size={18} aria-hidden="true" />}
          <Typography color="text.secondary">
            {isTransitional(status)
              ? "The Meta-Orchestrator has not placed this instance yet."
              : "This instance was never placed."}
          </Typography>
        </Stack>
      ) : (
        <Stack spacing={2}>
          {placement.data.winner && currentCluster && placement.data.winner !== currentCluster && (
            <Alert
              severity="info"
              data-testid="placement-moved"
              action={
                onShowMigrations && (
                  <Button color="inherit" size="small" onClick={onShowMigrations}>
                    See migrations
                  </Button>
                )
              }
            >
              Since it was placed, this instance was migrated to <strong>{currentCluster}</strong>. Below is
              how it was first placed on {placement.data.winner}.
            </Alert>
          )}
          <Explanation decision={placement.data} statusReason={statusReason} />
        </Stack>
      )}
    </Section>
  );
}
