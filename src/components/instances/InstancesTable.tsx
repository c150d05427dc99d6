"use client";

import AccountTreeOutlinedIcon from "@mui/icons-material/AccountTreeOutlined";
import AddIcon from "@mui/icons-material/Add";
import DeleteOutlineIcon from "@mui/icons-material/DeleteOutlineOutlined";
import CheckIcon from "@mui/icons-material/Check";
import ContentCopyIcon from "@mui/icons-material/ContentCopy";
import DescriptionOutlinedIcon from "@mui/icons-material/DescriptionOutlined";
import LayersOutlinedIcon from "@mui/icons-material/LayersOutlined";
import TimelineIcon from "@mui/icons-material/Timeline";
import Chip from "@mui/material/Chip";
import IconButton from "@mui/material/IconButton";
import Link from "@mui/material/Link";
import MenuItem from "@mui/material/MenuItem";
import Stack from "@mui/material/Stack";
import TextField from "@mui/material/TextField";
import Tooltip from "@mui/material/Tooltip";
import Typography from "@mui/material/Typography";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import NextLink from "next/link";
import { useRouter } from "next/navigation";
import { useState, type ReactElement } from "react";
import { ButtonLink } from "@/components/links";
import { Mono, ResourceTable, useListControls, type Column } from "@/components/ResourceTable";
import { StatusChip } from "@/components/StatusChip";
import { ShowInactiveSwitch, useShowInactive } from "@/components/show-inactive";
import { Time } from "@/components/ui/Time";
import { useNotice } from "@/components/ui/Notice";
import { useTRPC } from "@/trpc/react";
import type { RouterOutputs } from "@/trpc/types";
import { DeleteInstanceDialog, type DeleteInstanceTarget } from "./DeleteInstanceDialog";
import { DriftCell } from "./drift";
import { INSTANCE_LIST, instanceListInput, type InstanceSort } from "./list-query";
import {
  INSTANCE_STATUSES,
  isTransitional,
  LIVE_REFRESH_MS,
  SETTLED_REFRESH_MS,
  type InstanceStatus,
} from "./status";
import { isDeletable } from "@/common/instance-status";

type Row = RouterOutputs["instance"]["list"]["items"][number];
type Sort = InstanceSort;

function Action({ title, children }: { title: string; children: ReactElement }) {
  return (
    <Tooltip title={title}>
      <span style={{ display: "inline-flex" }}>{children}</span>
    </Tooltip>
  );
}

/** The short id, with a button that copies the full id (what the REST API and logs use). */
function CopyableId({ row }: { row: Row }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(row.id);
      setCopied(true);
      setTimeout(() => setCopied(false), 1_500);
    } catch {
      // No clipboard (insecure context, denied): the full id stays in the title.
    }
  };
  return (
    <Stack direction="row" spacing={0.25} sx={{ alignItems: "center" }}>
      <Mono title={row.id}>{row.shortId}</Mono>
      <Tooltip title={copied ? "Copied" : "Copy the full id"}>
        <IconButton size="small" aria-label={`Copy the id of ${row.releaseName}`} onClick={() => void copy()}>
          {copied ? <CheckIcon sx={{ fontSize: 14 }} /> : <ContentCopyIcon sx={{ fontSize: 14 }} />}
        </IconButton>
      </Tooltip>
    </Stack>
  );
}

function RowActions({ row, onDelete }: { row: Row; onDelete: (row: Row) => void }) {
  const who = `${row.releaseName} (${row.shortId})`;
  const page = `/instances/${row.id}`;
  const deletable = isDeletable(row.status);
  return (
    <Stack direction="row" spacing={0.25} sx={{ justifyContent: "flex-end" }}>
      <Action title="Timeline">
        <IconButton
          size="small"
          aria-label={`Timeline of ${who}`}
          component={NextLink}
          href={`${page}?tab=timeline`}
        >
          <TimelineIcon fontSize="small" />
        </IconButton>
      </Action>
      <Action title="Manifests">
        <IconButton
          size="small"
          aria-label={`Manifests of ${who}`}
          component={NextLink}
          href={`${page}?tab=manifests`}
        >
          <DescriptionOutlinedIcon fontSize="small" />
        </IconButton>
      </Action>
      <Action title="Deployment tree">
        <IconButton
          size="small"
          aria-label={`Deployment tree of ${who}`}
          component={NextLink}
          href={`${page}?tab=tree`}
        >
          <AccountTreeOutlinedIcon fontSize="small" />
        </IconButton>
      </Action>
      <Action
        title={
          deletable
            ? "Delete"
            : row.status === "DELETED"
              ? "Already deleted"
              : `${row.status.toLowerCase()}: delete when it settles`
        }
      >
        <IconButton
          size="small"
          aria-label={`Delete ${who}`}
          disabled={!deletable}
          onClick={() => onDelete(row)}
          sx={{ "&:hover": { color: "error.main" } }}
        >
          <DeleteOutlineIcon fontSize="small" />
        </IconButton>
      </Action>
    </Stack>
  );
}

/**
 * Workload Instances: every instance the caller may see, optionally one
 * workload's ("View instances" on a workload) and one status. The list
 * refreshes itself while any row is still being rendered, deployed,
 * migrated or deleted (MIGRATING shows as a teal chip with a spinner), and
 * now and then while rows are DEPLOYED, so a status change shows without
 * reloading.
 */
export function InstancesTable({
  seesAll,
  workloadId,
}: {
  seesAll: boolean;
  /** Only this workload's instances. */
  workloadId?: number;
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const controls = useListControls(INSTANCE_LIST);
  const [status, setStatus] = useState<InstanceStatus | "">("");
  const [showInactive, setShowInactive] = useShowInactive();
  const [deleting, setDeleting] = useState<DeleteInstanceTarget | null>(null);
  const notify = useNotice();
  const input = instanceListInput(controls.input, { status, workloadId, showInactive });
  const result = useQuery({
    ...trpc.instance.list.queryOptions(input),
    placeholderData: keepPreviousData,
    // Fast while a row is in flight; a DEPLOYED row can start MIGRATING at any time (an intent's
    // violation), so keep an eye on those too, less often.
    refetchInterval: (query) => {
      const rows = query.state.data?.items ?? [];
      if (rows.some((row) => isTransitional(row.status))) return LIVE_REFRESH_MS;
      return rows.some((row) => row.status === "DEPLOYED") ? SETTLED_REFRESH_MS : false;
    },
  });

  const columns: Column<Row, Sort>[] = [
    { key: "id", label: "ID", sort: "shortId", render: (i) => <CopyableId row={i} /> },
    {
      key: "releaseName",
      label: "Release Name",
      sort: "releaseName",
      render: (i) => (
        <Link component={NextLink} href={`/instances/${i.id}`} sx={{ fontWeight: 600 }} underline="hover">
          {i.releaseName}
        </Link>
      ),
    },
    {
      key: "workload",
      label: "Workload",
      sort: "workload",
      render: (i) => (
        <Tooltip title={`Workload ${i.workloadId}`}>
          <span>
            {i.workloadName}{" "}
            <Typography variant="body2" component="span" color="text.secondary">
              {i.workloadVersion}
            </Typography>
          </span>
        </Tooltip>
      ),
    },
    {
      key: "status",
      label: "Status",
      sort: "status",
      render: (i) => (
        <StatusChip
          status={i.status}
          reason={i.status === "FAILED" ? i.statusReason : undefined}
          busy={isTransitional(i.status)}
        />
      ),
    },
    // Whether a deployed instance's live objects still match its manifests (src/server/drift).
    { key: "drift", label: "Drift", hideBelow: "md", render: (i) => <DriftCell drift={i.drift} /> },
    {
      key: "cluster",
      label: "Cluster",
      sort: "cluster",
      render: (i) =>
        i.cluster ?? (
          <Typography variant="body2" component="span" color="text.secondary">
            Not placed
          </Typography>
        ),
    },
    ...(seesAll
      ? [
          {
            key: "owner",
            label: "Owner",
            sort: "owner" as const,
            hideBelow: "lg" as const,
            render: (i: Row) => i.owner,
          },
        ]
      : []),
    {
      key: "createdAt",
      label: "Created",
      sort: "createdAt",
      hideBelow: "md",
      render: (i) => <Time value={i.createdAt} />,
    },
    {
      key: "actions",
      label: "Actions",
      align: "right",
      render: (i) => <RowActions row={i} onDelete={setDeleting} />,
    },
  ];

  return (
    <>
      <ResourceTable
        noun="instances"
        columns={columns}
        rowKey={(i) => i.id}
        controls={controls}
        result={result}
        toolbar={
          <Stack direction="row" spacing={1.5} useFlexGap sx={{ alignItems: "center", flexWrap: "wrap" }}>
            {workloadId !== undefined && (
              <Chip
                label={`Workload ${workloadId}`}
                onDelete={() => router.push("/instances")}
                data-testid="workload-filter"
              />
            )}
            <ShowInactiveSwitch
              checked={showInactive}
              what="deleted instances"
              onChange={(value) => {
                setShowInactive(value);
                controls.setPage(1);
              }}
            />
            <TextField
              select
              size="small"
              label="Status"
              value={status}
              onChange={(e) => {
                setStatus(e.target.value as InstanceStatus | "");
                controls.setPage(1);
              }}
              sx={{ minWidth: 160 }}
              slotProps={{ select: { displayEmpty: true }, inputLabel: { shrink: true } }}
            >
              <MenuItem value="">All statuses</MenuItem>
              {INSTANCE_STATUSES.map((s) => (
                <MenuItem key={s} value={s}>
                  {s}
                </MenuItem>
              ))}
            </TextField>
            <ButtonLink
              href={workloadId !== undefined ? `/instances/new?workload=${workloadId}` : "/instances/new"}
              variant="contained"
              startIcon={<AddIcon />}
            >
              Create Instance
            </ButtonLink>
          </Stack>
        }
        filters={{
          active: status !== "",
          clear: () => {
            setStatus("");
            controls.setPage(1);
          },
        }}
        empty={{
          icon: <LayersOutlinedIcon />,
          title: workloadId !== undefined ? "No instances of this workload yet" : "No workload instances yet",
          description: seesAll
            ? "Instances created by service providers will appear here as they are rendered, placed and deployed."
            : "Create an instance of an accepted workload and follow it here as it is rendered, placed and deployed.",
        }}
      />
      <DeleteInstanceDialog
        instance={deleting}
        onClose={() => setDeleting(null)}
        onDeleted={(i) => notify(`Deleting ${i.releaseName} (${i.shortId}); the orchestrator removes it.`)}
      />
    </>
  );
}
