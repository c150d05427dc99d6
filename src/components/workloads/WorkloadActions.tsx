"use client";

import ArchiveOutlinedIcon from "@mui/icons-material/ArchiveOutlined";
import UnarchiveOutlinedIcon from "@mui/icons-material/UnarchiveOutlined";
import DeleteOutlineIcon from "@mui/icons-material/DeleteOutlineOutlined";
import DescriptionOutlinedIcon from "@mui/icons-material/DescriptionOutlined";
import AdminPanelSettingsOutlinedIcon from "@mui/icons-material/AdminPanelSettingsOutlined";
import ListAltOutlinedIcon from "@mui/icons-material/ListAltOutlined";
import RocketLaunchOutlinedIcon from "@mui/icons-material/RocketLaunchOutlined";
import UploadFileOutlinedIcon from "@mui/icons-material/UploadFileOutlined";
import IconButton from "@mui/material/IconButton";
import Stack from "@mui/material/Stack";
import Tooltip from "@mui/material/Tooltip";
import NextLink from "next/link";
import type { ReactElement } from "react";

/**
 * Whether /instances/new exists (the instances flow builds it). Set to false
 * to show "Create instance" disabled with a tooltip saying why.
 */
const INSTANCE_CREATION_AVAILABLE = true;

export interface ActionRow {
  id: number;
  name: string;
  version: string;
  status: "PENDING" | "ACCEPTED";
  hasChart: boolean;
  clusterScopedApproved: boolean;
  /** Set while archived (hidden as inactive, no new instances). */
  archivedAt: string | null;
}

/** A disabled button still needs its tooltip: MUI asks for a wrapper that can receive pointer events. */
function Action({ title, disabled, children }: { title: string; disabled: boolean; children: ReactElement }) {
  return (
    <Tooltip title={title}>
      <span style={{ display: "inline-flex", cursor: disabled ? "not-allowed" : undefined }}>{children}</span>
    </Tooltip>
  );
}

export function WorkloadActions({
  workload,
  onUpload,
  onDelete,
  onApproval,
  onArchive,
  archiving = false,
}: {
  workload: ActionRow;
  onUpload: (workload: ActionRow) => void;
  onDelete: (workload: ActionRow) => void;
  /** Archive (true) or unarchive (false) an accepted workload. */
  onArchive: (workload: ActionRow, archive: boolean) => void;
  /** An archive or unarchive of this workload is in flight. */
  archiving?: boolean;
  /** Admins only: decide on the workload's cluster-scoped resources. */
  onApproval?: (workload: ActionRow) => void;
}) {
  const who = `${workload.name} ${workload.version}`;
  const accepted = workload.status === "ACCEPTED";
  const instanceHref = `/instances/new?workload=${workload.id}`;
  const archived = workload.archivedAt !== null;
  const canCreateInstance = accepted && !archived && INSTANCE_CREATION_AVAILABLE;
  return (
    <Stack direction="row" spacing={0.25} sx={{ justifyContent: "flex-end" }}>
      <Action
        title={
          accepted
            ? "Accepted workloads are immutable: register a new version to change the chart"
            : "Upload Helm chart"
        }
        disabled={accepted}
      >
        <IconButton
          size="small"
          aria-label={`Upload Helm chart for ${who}`}
          disabled={accepted}
          onClick={() => onUpload(workload)}
        >
          <UploadFileOutlinedIcon fontSize="small" />
        </IconButton>
      </Action>
      <Action
        title={
          !accepted
            ? "Upload a valid chart first: instances need an ACCEPTED workload"
            : archived
              ? "Archived: unarchive it to create instances"
              : INSTANCE_CREATION_AVAILABLE
                ? "Create instance"
                : "Instances arrive with the instances flow"
        }
        disabled={!canCreateInstance}
      >
        {canCreateInstance ? (
          <IconButton
            size="small"
            aria-label={`Create instance of ${who}`}
            component={NextLink}
            href={instanceHref}
          >
            <RocketLaunchOutlinedIcon fontSize="small" />
          </IconButton>
        ) : (
          <IconButton size="small" aria-label={`Create instance of ${who}`} disabled>
            <RocketLaunchOutlinedIcon fontSize="small" />
          </IconButton>
        )}
      </Action>
      <Action
        title={workload.hasChart ? "View manifests" : "Upload a chart to see its manifests"}
        disabled={!workload.hasChart}
      >
        {workload.hasChart ? (
          <IconButton
            size="small"
            aria-label={`View manifests of ${who}`}
            component={NextLink}
            href={`/workloads/${workload.id}/manifests`}
          >
            <DescriptionOutlinedIcon fontSize="small" />
          </IconButton>
        ) : (
          <IconButton size="small" aria-label={`View manifests of ${who}`} disabled>
            <DescriptionOutlinedIcon fontSize="small" />
          </IconButton>
        )}
      </Action>
      <Action title="View instances" disabled={false}>
        <IconButton
          size="small"
          aria-label={`View instances of ${who}`}
          component={NextLink}
          href={`/instances?workload=${workload.id}`}
        >
          <ListAltOutlinedIcon fontSize="small" />
        </IconButton>
      </Action>
      {onApproval && (
        <Action
          title={
            workload.clusterScopedApproved
              ? "Cluster-scoped resources approved: revoke"
              : "Approve cluster-scoped resources (RBAC, CRDs, webhooks)"
          }
          disabled={false}
        >
          <IconButton
            size="small"
            aria-label={`${workload.clusterScopedApproved ? "Revoke" : "Approve"} cluster-scoped resources for ${who}`}
            aria-pressed={workload.clusterScopedApproved}
            color={workload.clusterScopedApproved ? "warning" : "default"}
            onClick={() => onApproval(workload)}
          >
            <AdminPanelSettingsOutlinedIcon fontSize="small" />
          </IconButton>
        </Action>
      )}
      {accepted ? (
        // An accepted workload is never deleted (instances may depend on it); once unused it is archived.
        <Action
          title={
            archived
              ? "Unarchive: list it and allow new instances again"
              : "Archive: hide it as inactive and allow no new instances (when none of its instances is live)"
          }
          disabled={archiving}
        >
          <IconButton
            size="small"
            aria-label={`${archived ? "Unarchive" : "Archive"} ${who}`}
            disabled={archiving}
            onClick={() => onArchive(workload, !archived)}
          >
            {archived ? <UnarchiveOutlinedIcon fontSize="small" /> : <ArchiveOutlinedIcon fontSize="small" />}
          </IconButton>
        </Action>
      ) : (
        <Action title="Delete" disabled={false}>
          <IconButton
            size="small"
            aria-label={`Delete ${who}`}
            onClick={() => onDelete(workload)}
            sx={{ "&:hover": { color: "error.main" } }}
          >
            <DeleteOutlineIcon fontSize="small" />
          </IconButton>
        </Action>
      )}
    </Stack>
  );
}
