"use client";

import AddIcon from "@mui/icons-material/Add";
import AssessmentOutlinedIcon from "@mui/icons-material/AssessmentOutlined";
import ContentCopyIcon from "@mui/icons-material/ContentCopy";
import DeleteOutlineIcon from "@mui/icons-material/DeleteOutlineOutlined";
import FileDownloadOutlinedIcon from "@mui/icons-material/FileDownloadOutlined";
import PauseCircleOutlineIcon from "@mui/icons-material/PauseCircleOutlined";
import PlayCircleOutlineIcon from "@mui/icons-material/PlayCircleOutlined";
import TrackChangesOutlinedIcon from "@mui/icons-material/TrackChangesOutlined";
import TuneIcon from "@mui/icons-material/Tune";
import Chip from "@mui/material/Chip";
import IconButton from "@mui/material/IconButton";
import Link from "@mui/material/Link";
import Stack from "@mui/material/Stack";
import Tooltip from "@mui/material/Tooltip";
import Typography from "@mui/material/Typography";
import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import dynamic from "next/dynamic";
import NextLink from "next/link";
import { useRouter } from "next/navigation";
import { useState, type ReactElement } from "react";
import { ButtonLink } from "@/components/links";
import { downloadText, fileSafe } from "@/components/manifests/ManifestBrowser";
import { Mono, ResourceTable, useListControls, type Column } from "@/components/ResourceTable";
import { StatusChip } from "@/components/StatusChip";
import { useNotice } from "@/components/ui/Notice";
import { Time } from "@/components/ui/Time";
import { useConsoleMutation } from "@/components/ui/use-console-mutation";
import { useTRPC } from "@/trpc/react";
import type { RouterInputs, RouterOutputs } from "@/trpc/types";
import { ChangeTargetDialog, type ChangeTargetIntent } from "./ChangeTargetDialog";
import { DeleteIntentDialog, type DeleteIntentTarget } from "./DeleteIntentDialog";
import { INTENT_REFRESH_MS, shortId, valueWithUnit } from "./format";
import type { ReportTarget } from "./IntentReportDialog";
import { IntentStateChip, showsFulfilment } from "./IntentStateChip";
import { INTENT_LIST, intentListInput, type IntentSort } from "./list-query";
import { conditionText, type IntentTypeChoice } from "./targets";
import { IntentTypeName } from "./IntentTypeName";

/** The report dialog (and its charts) loads when a report is first opened, not with the list. */
const IntentReportDialog = dynamic(() => import("./IntentReportDialog").then((m) => m.IntentReportDialog), {
  ssr: false,
});

type Row = RouterOutputs["intent"]["list"]["items"][number];
type Sort = IntentSort;
type Action = RouterInputs["intent"]["action"]["action"];

/** A disabled button still needs its tooltip: MUI asks for a wrapper that can receive pointer events. */
function WithTooltip({ title, children }: { title: string; children: ReactElement }) {
  return (
    <Tooltip title={title}>
      <span style={{ display: "inline-flex" }}>{children}</span>
    </Tooltip>
  );
}

/** The 7-character id, the full one on hover and one click from the clipboard. */
function IntentId({ id, onCopied }: { id: string; onCopied: () => void }) {
  return (
    <Stack direction="row" spacing={0.25} sx={{ alignItems: "center" }}>
      <Tooltip title={id}>
        <span>
          <Mono>{shortId(id)}</Mono>
        </span>
      </Tooltip>
      <Tooltip title="Copy the full ID">
        <IconButton
          size="small"
          aria-label={`Copy ID ${shortId(id)}`}
          onClick={() => void navigator.clipboard?.writeText(id).then(onCopied, () => undefined)}
          sx={{ p: 0.25, color: "text.disabled" }}
        >
          <ContentCopyIcon sx={{ fontSize: 14 }} />
        </IconButton>
      </Tooltip>
    </Stack>
  );
}

/** The latest report's verdict, unless it would mislead (scheduled, or judged a target since changed). */
function IntentStatus({ row }: { row: Row }) {
  return (
    <Stack direction="row" spacing={0.75} useFlexGap sx={{ flexWrap: "wrap" }} data-testid="intent-status">
      {!showsFulfilment(row) ? (
        <IntentStateChip intent={row} />
      ) : row.fulfilmentStatus ? (
        <StatusChip status={row.fulfilmentStatus} />
      ) : (
        <Typography variant="body2" component="span" color="text.secondary">
          No report
        </Typography>
      )}
      {showsFulfilment(row) && row.notFulfilledState && <StatusChip status={row.notFulfilledState} />}
      {row.adminState === "DEACTIVATED" && <StatusChip status={row.adminState} />}
    </Stack>
  );
}

function RowActions({
  row,
  canManage,
  busy,
  onReport,
  onEdit,
  onAction,
  onDelete,
  onExport,
}: {
  row: Row;
  canManage: boolean;
  busy: boolean;
  onReport: () => void;
  onEdit: () => void;
  onAction: (action: Exclude<Action, "delete">) => void;
  onDelete: () => void;
  onExport: () => void;
}) {
  const who = `intent ${shortId(row.id)}`;
  const active = row.adminState === "ACTIVATED";
  return (
    <Stack direction="row" spacing={0.25} sx={{ justifyContent: "flex-end" }}>
      <WithTooltip title="Intent report">
        <IconButton size="small" aria-label={`Intent report of ${who}`} onClick={onReport}>
          <AssessmentOutlinedIcon fontSize="small" />
        </IconButton>
      </WithTooltip>
      <WithTooltip title="Export YAML">
        <IconButton size="small" aria-label={`Export YAML of ${who}`} onClick={onExport}>
          <FileDownloadOutlinedIcon fontSize="small" />
        </IconButton>
      </WithTooltip>
      {canManage && (
        <>
          <WithTooltip title="Edit target value">
            <IconButton size="small" aria-label={`Edit target value of ${who}`} onClick={onEdit}>
              <TuneIcon fontSize="small" />
            </IconButton>
          </WithTooltip>
          <WithTooltip title={active ? "Already started" : "Start: the evaluator checks it again"}>
            <IconButton
              size="small"
              aria-label={`Start ${who}`}
              disabled={active || busy}
              onClick={() => onAction("start")}
            >
              <PlayCircleOutlineIcon fontSize="small" />
            </IconButton>
          </WithTooltip>
          <WithTooltip title={active ? "Suspend: the evaluator stops checking it" : "Already suspended"}>
            <IconButton
              size="small"
              aria-label={`Suspend ${who}`}
              disabled={!active || busy}
              onClick={() => onAction("suspend")}
            >
              <PauseCircleOutlineIcon fontSize="small" />
            </IconButton>
          </WithTooltip>
          <WithTooltip title="Delete">
            <IconButton
              size="small"
              aria-label={`Delete ${who}`}
              disabled={busy}
              onClick={onDelete}
              sx={{ "&:hover": { color: "error.main" } }}
            >
              <DeleteOutlineIcon fontSize="small" />
            </IconButton>
          </WithTooltip>
        </>
      )}
    </Stack>
  );
}

/**
 * Intent Management: the intents the caller may see (an admin: all), or
 * one instance's (`?instanceId=`), with their fulfilment as the evaluator
 * last reported it. Re-read every two seconds, so a new report, a suspend
 * or a violation shows without reloading. Each row opens its report, edits
 * a target value, starts / suspends, exports its YAML or deletes it.
 */
export function IntentsTable({
  seesAll,
  canManage,
  instanceId,
  intentTypes,
  openReport,
}: {
  seesAll: boolean;
  canManage: boolean;
  /** Only this instance's intents. */
  instanceId?: string;
  intentTypes: readonly IntentTypeChoice[];
  /** An intent whose report opens on arrival (`?report=`, after "Create"). */
  openReport?: string;
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const controls = useListControls(INTENT_LIST);
  const [reporting, setReporting] = useState<ReportTarget | null>(
    openReport ? { id: openReport, shortId: shortId(openReport) } : null,
  );
  // Mounted from the first report on, so closing it still plays the dialog's exit transition.
  const [reportMounted, setReportMounted] = useState(reporting !== null);
  if (reporting !== null && !reportMounted) setReportMounted(true);
  const closeReport = () => {
    setReporting(null);
    // Reloading should not open it again.
    const url = new URL(window.location.href);
    if (url.searchParams.has("report")) {
      url.searchParams.delete("report");
      window.history.replaceState(window.history.state, "", url);
    }
  };
  const [editing, setEditing] = useState<ChangeTargetIntent | null>(null);
  const [deleting, setDeleting] = useState<DeleteIntentTarget | null>(null);
  const notify = useNotice();
  const result = useQuery({
    ...trpc.intent.list.queryOptions(intentListInput(controls.input, instanceId)),
    placeholderData: keepPreviousData,
    refetchInterval: INTENT_REFRESH_MS,
  });
  const instance = useQuery({
    ...trpc.instance.get.queryOptions({ id: instanceId ?? "" }),
    enabled: instanceId !== undefined,
    staleTime: 60_000,
  });

  const act = useConsoleMutation(trpc.intent.action.mutationOptions(), {
    invalidates: [trpc.intent.pathKey()],
    succeeded: (_, input) =>
      `Intent ${shortId(input.id)} ${input.action === "start" ? "started: the evaluator checks it again" : "suspended"}.`,
    // A row action has no form: its refusal goes to the notice.
    failed: (error) => error.message,
  });

  const exportYaml = async (row: Row) => {
    try {
      const { yaml } = await queryClient.fetchQuery({
        ...trpc.intent.exportYaml.queryOptions({ id: row.id }),
        staleTime: 0,
      });
      downloadText(`${fileSafe(row.externalId ?? `intent-${shortId(row.id)}`)}.yaml`, yaml);
      notify(`Exported intent ${shortId(row.id)} as YAML.`);
    } catch (error) {
      notify(error instanceof Error ? error.message : "Export failed.");
    }
  };

  const columns: Column<Row, Sort>[] = [
    {
      key: "id",
      label: "ID",
      sort: "id",
      render: (i) => <IntentId id={i.id} onCopied={() => notify(`Copied ${i.id}.`)} />,
    },
    { key: "status", label: "Status", sort: "status", render: (i) => <IntentStatus row={i} /> },
    {
      key: "intentType",
      label: "Intent Type",
      sort: "intentType",
      render: (i) => (
        <>
          <IntentTypeName type={i.intentType} layout="stacked" strong />
          {i.externalId && (
            <Typography variant="caption" color="text.secondary" component="div">
              {i.externalId}
            </Typography>
          )}
          {i.targets.map((t) => (
            <Typography
              key={`${t.expectationId}/${t.targetName}`}
              variant="caption"
              color="text.secondary"
              component="div"
            >
              {t.targetName} {conditionText(t.targetCondition)} {valueWithUnit(t.targetValueRange, t.unit)}
            </Typography>
          ))}
        </>
      ),
    },
    {
      key: "instanceId",
      label: "Workload Instance ID",
      sort: "instanceId",
      render: (i) => (
        <Tooltip title={i.instanceId}>
          <Link component={NextLink} href={`/instances/${i.instanceId}`} underline="hover">
            <Mono>{i.instanceShortId}</Mono>{" "}
            <Typography variant="body2" component="span" sx={{ fontWeight: 600 }}>
              {i.releaseName}
            </Typography>
          </Link>
        </Tooltip>
      ),
    },
    {
      key: "lastUpdated",
      label: "Last updated",
      sort: "lastUpdated",
      render: (i) => (
        <Typography variant="body2" component="span" color="text.secondary">
          <Time value={i.lastUpdatedTime} />
        </Typography>
      ),
    },
  ];
  columns.push({
    key: "actions",
    label: "Actions",
    align: "right",
    render: (i) => (
      <RowActions
        row={i}
        canManage={canManage}
        busy={act.isPending && act.variables?.id === i.id}
        onReport={() => setReporting({ id: i.id, shortId: shortId(i.id) })}
        onEdit={() => setEditing({ id: i.id, shortId: shortId(i.id), intentType: i.intentType })}
        onAction={(action) => act.mutate({ id: i.id, action })}
        onDelete={() =>
          setDeleting({
            id: i.id,
            shortId: shortId(i.id),
            intentType: i.intentType,
            releaseName: i.releaseName,
          })
        }
        onExport={() => void exportYaml(i)}
      />
    ),
  });

  const instanceLabel = instance.data
    ? `${instance.data.releaseName} (${instance.data.shortId})`
    : instanceId
      ? shortId(instanceId)
      : "";

  return (
    <>
      <ResourceTable
        noun="intents"
        columns={columns}
        rowKey={(i) => i.id}
        controls={controls}
        result={result}
        toolbar={
          <Stack direction="row" spacing={1.5} sx={{ alignItems: "center" }}>
            {instanceId !== undefined && (
              <Chip
                label={`Instance ${instanceLabel}`}
                onDelete={() => router.push("/intents")}
                data-testid="instance-filter"
              />
            )}
            {canManage && (
              <ButtonLink
                href={instanceId ? `/intents/new?instanceId=${instanceId}` : "/intents/new"}
                variant="contained"
                startIcon={<AddIcon />}
              >
                Create intent
              </ButtonLink>
            )}
          </Stack>
        }
        empty={{
          icon: <TrackChangesOutlinedIcon />,
          title: instanceId ? "No intents on this instance" : "No intents yet",
          description: seesAll
            ? "Intents attached to workload instances will appear here with their fulfilment status."
            : "Attach an intent (availability, green energy, compute, ML or network) to an instance and see here whether it is fulfilled.",
        }}
      />
      {reportMounted && <IntentReportDialog intent={reporting} onClose={closeReport} />}
      <ChangeTargetDialog
        intent={editing}
        intentTypes={intentTypes}
        onClose={() => setEditing(null)}
        onChanged={() => setEditing(null)}
      />
      <DeleteIntentDialog intent={deleting} onClose={() => setDeleting(null)} />
    </>
  );
}
