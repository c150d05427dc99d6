"use client";

import Alert from "@mui/material/Alert";
import AlertTitle from "@mui/material/AlertTitle";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import Dialog from "@mui/material/Dialog";
import DialogActions from "@mui/material/DialogActions";
import DialogContent from "@mui/material/DialogContent";
import DialogTitle from "@mui/material/DialogTitle";
import Paper from "@mui/material/Paper";
import Skeleton from "@mui/material/Skeleton";
import Stack from "@mui/material/Stack";
import Table from "@mui/material/Table";
import TableBody from "@mui/material/TableBody";
import TableCell from "@mui/material/TableCell";
import TableContainer from "@mui/material/TableContainer";
import TableHead from "@mui/material/TableHead";
import TableRow from "@mui/material/TableRow";
import Typography from "@mui/material/Typography";
import { useTheme } from "@mui/material/styles";
import { useQuery } from "@tanstack/react-query";
import { useId } from "react";
import {
  CartesianGrid,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { Mono } from "@/components/ResourceTable";
import { StatusChip } from "@/components/StatusChip";
import { formatDate, timeOf } from "@/components/ui/dates";
import { DefinitionList, Field } from "@/components/ui/DefinitionList";
import { Time } from "@/components/ui/Time";
import { useTRPC } from "@/trpc/react";
import type { RouterOutputs } from "@/trpc/types";
import { IntentStateChip, showsFulfilment } from "./IntentStateChip";
import { INTENT_REFRESH_MS, valueWithUnit } from "./format";
import { conditionText } from "./targets";
import { IntentTypeName } from "./IntentTypeName";

type Report = RouterOutputs["intent"]["report"];
type IntentTarget = Report["intent"]["targets"][number];
type TargetResult = NonNullable<
  Report["latest"]
>["intentFulfilmentReport"]["expectationFulfilmentResult"][number]["targetFulfilmentResult"][number];

export interface ReportTarget {
  id: string;
  shortId: string;
}

/** A round top for the y axis (17,600 → 20,000). */
function niceCeil(value: number): number {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  return (Math.ceil((value / magnitude) * 2) / 2) * magnitude;
}

const targetKey = (t: Pick<IntentTarget, "expectationId" | "targetName">) =>
  `${t.expectationId}/${t.targetName}`;

/** A target's achieved value in one past report (history is keyed by target name; numbers only). */
function historyValue(point: Report["history"][number], target: IntentTarget): number | null {
  const value = point.targets[target.targetName];
  return typeof value === "number" ? value : null;
}

function requiredLines(target: IntentTarget): number[] {
  const range = target.targetValueRange as unknown;
  const values = Array.isArray(range) ? range : [range];
  return values.map(Number).filter((v) => Number.isFinite(v));
}

/** Achieved values of one target over the recent reports, the required value(s) as reference lines. */
function TargetHistoryChart({ target, history }: { target: IntentTarget; history: Report["history"] }) {
  const theme = useTheme();
  const points = history
    .map((h) => ({ t: timeOf(h.time), value: historyValue(h, target) }))
    .filter((p): p is { t: number; value: number } => p.value !== null)
    .sort((a, b) => a.t - b.t);
  const lines = requiredLines(target);
  const unit = target.unit ?? "";
  const last = points.at(-1);
  const title = target.label || target.targetName;
  return (
    <Paper
      variant="outlined"
      sx={{ p: 1.5, minWidth: 0, flex: 1 }}
      data-testid={`history-chart-${target.targetName}`}
      data-points={points.length}
    >
      <Typography variant="subtitle2" component="h4" sx={{ mb: 0.5 }}>
        {title}
        {unit ? ` (${unit})` : ""}
      </Typography>
      {points.length === 0 ? (
        <Typography variant="body2" color="text.secondary" sx={{ py: 4, textAlign: "center" }}>
          No measurements yet.
        </Typography>
      ) : (
        <Box
          sx={{ height: 160 }}
          role="img"
          aria-label={`${title} over the last ${points.length} reports${
            last ? `, last ${valueWithUnit(last.value, target.unit)}` : ""
          }; required ${conditionText(target.targetCondition)} ${valueWithUnit(target.targetValueRange, target.unit)}`}
        >
          <ResponsiveContainer width="100%" height="100%">
            <LineChart data={points} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" stroke={theme.palette.divider} />
              <XAxis
                dataKey="t"
                type="number"
                scale="time"
                domain={["dataMin", "dataMax"]}
                tickFormatter={(t: number) => formatDate(t, "time")}
                tick={{ fontSize: 11 }}
                minTickGap={24}
              />
              <YAxis
                tick={{ fontSize: 11 }}
                width={64}
                // From zero (usage, shares and counts are not negative) to a round top above the data and the
                // requirement; a percentage stops at 100.
                domain={[
                  (min: number) => Math.min(0, min, ...lines),
                  (max: number) => {
                    const highest = Math.max(max, ...lines);
                    const top = niceCeil(highest * 1.05);
                    return unit === "%" && highest <= 100 ? Math.min(100, top) : top;
                  },
                ]}
                tickCount={5}
                tickFormatter={(v: number) => Intl.NumberFormat("en", { notation: "compact" }).format(v)}
              />
              <Tooltip
                labelFormatter={(t) => formatDate(Number(t))}
                formatter={(value) => [valueWithUnit(value, target.unit), "Achieved"]}
              />
              {lines.map((line, i) => (
                <ReferenceLine
                  key={i}
                  y={line}
                  stroke={theme.palette.error.main}
                  strokeDasharray="6 4"
                  label={{
                    value: `required ${valueWithUnit(line, target.unit)}`,
                    position: "insideTopRight",
                    fontSize: 11,
                    fill: theme.palette.text.secondary,
                  }}
                />
              ))}
              <Line
                type="monotone"
                dataKey="value"
                stroke={theme.palette.primary.main}
                strokeWidth={2}
                isAnimationActive={false}
                dot={points.length <= 12}
              />
            </LineChart>
          </ResponsiveContainer>
        </Box>
      )}
    </Paper>
  );
}

function ReportBody({ report }: { report: Report }) {
  const { intent, latest, history } = report;
  const info = latest?.intentFulfilmentReport.intentFulfilmentInfo;
  const feasibility = latest?.intentFeasibilityCheckReport;
  const results = new Map<string, TargetResult>();
  for (const expectation of latest?.intentFulfilmentReport.expectationFulfilmentResult ?? []) {
    for (const result of expectation.targetFulfilmentResult) {
      results.set(
        targetKey({ expectationId: expectation.expectationId, targetName: result.targetName }),
        result,
      );
    }
  }
  const numericTargets = intent.targets.filter((t) =>
    history.some((h) => typeof historyValue(h, t) === "number"),
  );
  return (
    <Stack spacing={2.5}>
      <DefinitionList testId="report-details">
        <Field label="ID">
          <Mono>{intent.id}</Mono>
        </Field>
        <Field label="Name">{intent.name}</Field>
        <Field label="Intent Type">
          <IntentTypeName type={intent.intentType} />
        </Field>
        <Field label="Feasibility" testId="report-feasibility">
          {feasibility ? (
            <StatusChip status={feasibility.feasibilityCheckResult} />
          ) : (
            <Typography variant="body2" component="span" color="text.secondary">
              Not checked yet
            </Typography>
          )}
        </Field>
        <Field label="Fulfilment Status" testId="report-fulfilment">
          {!showsFulfilment(intent) ? (
            // The latest report would mislead: not evaluated yet (scheduled) or judged a target since changed.
            <IntentStateChip intent={intent} />
          ) : info ? (
            <StatusChip status={info.fulfilmentStatus} />
          ) : (
            <Typography variant="body2" component="span" color="text.secondary">
              No report yet
            </Typography>
          )}
        </Field>
        <Field label="Not Fulfilled State" testId="report-not-fulfilled-state">
          {showsFulfilment(intent) && info?.notFulfilledState ? (
            <StatusChip status={info.notFulfilledState} />
          ) : (
            "—"
          )}
        </Field>
        <Field label="Last Updated Time">
          <Time value={latest?.lastUpdatedTime} />
        </Field>
        <Field label="Admin state">
          <StatusChip status={intent.adminState} />
        </Field>
        <Field label="Validity">
          {intent.validFrom || intent.validUntil ? (
            <>
              {intent.validFrom ? <Time value={intent.validFrom} /> : "now"} →{" "}
              {intent.validUntil ? <Time value={intent.validUntil} /> : "until deleted"}
            </>
          ) : (
            "Always"
          )}{" "}
          · every {intent.observationPeriodS} s
        </Field>
      </DefinitionList>

      {feasibility?.infeasibilityReason && (
        <Alert severity="warning" data-testid="infeasibility-reason">
          <AlertTitle>Infeasible</AlertTitle>
          {feasibility.infeasibilityReason}
        </Alert>
      )}

      {!latest && (
        <Alert severity="info">
          No report yet: the evaluator checks the intent every observation period ({intent.observationPeriodS}{" "}
          s) while it is ACTIVATED.
        </Alert>
      )}

      <TableContainer component={Paper} variant="outlined">
        <Table size="small" aria-label="Targets">
          <TableHead>
            <TableRow>
              <TableCell scope="col">Target</TableCell>
              <TableCell scope="col">Condition</TableCell>
              <TableCell scope="col">Required value</TableCell>
              <TableCell scope="col">Achieved value</TableCell>
              <TableCell scope="col">Status</TableCell>
              <TableCell scope="col">Reason</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {intent.targets.map((target) => {
              const result = results.get(targetKey(target));
              const unit = result?.unit ?? target.unit;
              return (
                <TableRow key={targetKey(target)} data-testid={`target-row-${target.targetName}`}>
                  <TableCell>
                    <strong>{target.targetName}</strong>
                    {target.label && target.label !== target.targetName && (
                      <Typography variant="caption" color="text.secondary" component="div">
                        {target.label}
                      </Typography>
                    )}
                  </TableCell>
                  <TableCell>
                    <Mono>{target.targetCondition}</Mono>
                  </TableCell>
                  <TableCell data-testid="required-value">
                    {valueWithUnit(target.targetValueRange, unit)}
                  </TableCell>
                  <TableCell data-testid="achieved-value">
                    {result ? valueWithUnit(result.targetAchievedValue, unit) : "—"}
                  </TableCell>
                  <TableCell>
                    {result ? <StatusChip status={result.targetFulfilmentInfo.fulfilmentStatus} /> : "—"}
                  </TableCell>
                  <TableCell sx={{ maxWidth: 280 }}>
                    {result?.targetFulfilmentInfo.notFulfilledReason ?? ""}
                  </TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      </TableContainer>

      {info && info.notFulfilledReasons.length > 0 && (
        <Box component="section" aria-labelledby="not-fulfilled-reasons">
          <Typography id="not-fulfilled-reasons" variant="subtitle2" component="h3">
            Not fulfilled because
          </Typography>
          <Box component="ul" sx={{ mt: 0.5, mb: 0, pl: 2.5 }} data-testid="not-fulfilled-reasons">
            {info.notFulfilledReasons.map((reason, i) => (
              <li key={i}>
                <Typography variant="body2">{reason}</Typography>
              </li>
            ))}
          </Box>
        </Box>
      )}

      {numericTargets.length > 0 && (
        <Box component="section" aria-labelledby="report-history">
          <Typography id="report-history" variant="subtitle2" component="h3" sx={{ mb: 1 }}>
            Recent reports
          </Typography>
          <Stack direction={{ xs: "column", md: "row" }} spacing={1.5}>
            {numericTargets.map((target) => (
              <TargetHistoryChart key={targetKey(target)} target={target} history={history} />
            ))}
          </Stack>
        </Box>
      )}
    </Stack>
  );
}

/**
 * The intent report (3GPP TS 28.312 IntentReport): feasibility, fulfilment,
 * per-target required vs achieved values with their reasons, and the
 * achieved values over the recent reports. Re-read while open, so the
 * evaluator's next report shows without reopening.
 */
export function IntentReportDialog({
  intent,
  onClose,
}: {
  intent: ReportTarget | null;
  onClose: () => void;
}) {
  const trpc = useTRPC();
  const titleId = useId();
  const report = useQuery({
    ...trpc.intent.report.queryOptions({ id: intent?.id ?? "" }),
    enabled: intent !== null,
    refetchInterval: INTENT_REFRESH_MS,
  });
  return (
    <Dialog open={intent !== null} onClose={onClose} aria-labelledby={titleId} maxWidth="lg" fullWidth>
      <DialogTitle id={titleId}>
        Intent report{" "}
        <Box
          component="span"
          sx={{ fontFamily: "ui-monospace, monospace", fontSize: 16, color: "text.secondary" }}
        >
          {intent?.shortId}
        </Box>
      </DialogTitle>
      <DialogContent dividers>
        {report.isPending ? (
          <Stack spacing={2} aria-label="Loading the report">
            <Skeleton variant="rounded" height={96} />
            <Skeleton variant="rounded" height={120} />
          </Stack>
        ) : report.error ? (
          <Alert
            severity="error"
            action={
              <Button color="inherit" size="small" onClick={() => void report.refetch()}>
                Retry
              </Button>
            }
          >
            <AlertTitle>Couldn&apos;t load the report</AlertTitle>
            {report.error.message}
          </Alert>
        ) : (
          <ReportBody report={report.data} />
        )}
      </DialogContent>
      <DialogActions sx={{ px: 3, py: 1.5 }}>
        <Button onClick={onClose} autoFocus>
          Close
        </Button>
      </DialogActions>
    </Dialog>
  );
}
