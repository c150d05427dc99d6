import CheckCircleOutlineIcon from "@mui/icons-material/CheckCircleOutlineOutlined";
import HelpOutlineIcon from "@mui/icons-material/HelpOutlineOutlined";
import SyncProblemIcon from "@mui/icons-material/SyncProblem";
import Chip from "@mui/material/Chip";
import Tooltip from "@mui/material/Tooltip";

export type DriftStatus = "unknown" | "in_sync" | "drifted";

const LOOK: Record<DriftStatus, { label: string; color: "success" | "warning" | "default"; hint: string }> = {
  in_sync: {
    label: "In sync",
    color: "success",
    hint: "Every field the console applied is as applied on the cluster.",
  },
  drifted: {
    label: "Drifted",
    color: "warning",
    hint: "Objects were changed or deleted on the cluster by hand: see Drift on the instance page.",
  },
  unknown: { label: "Not checked", color: "default", hint: "The drift check has not looked at it yet." },
};

/**
 * Whether a deployed instance's live objects match its manifests, as a chip
 * (lists and the instance page). The explanation shows on hover and on
 * keyboard focus.
 */
export function DriftChip({ status, checkedAt }: { status: DriftStatus; checkedAt?: Date | string | null }) {
  const look = LOOK[status];
  const when = checkedAt ? ` Checked ${new Date(checkedAt).toLocaleString()}.` : "";
  const Icon =
    status === "in_sync" ? CheckCircleOutlineIcon : status === "drifted" ? SyncProblemIcon : HelpOutlineIcon;
  return (
    <Tooltip title={`${look.hint}${when}`} describeChild arrow>
      <Chip
        size="small"
        variant="outlined"
        color={look.color}
        label={look.label}
        icon={<Icon fontSize="small" aria-hidden="true" />}
        tabIndex={0}
        data-testid="drift-chip"
        data-drift={status}
        sx={{ fontSize: 12, height: 22, "& .MuiChip-icon": { ml: "6px", fontSize: 14 } }}
      />
    </Tooltip>
  );
}

/** The list cell: the chip for a DEPLOYED instance, a dash otherwise (no verdict about nothing running). */
export function DriftCell({ drift }: { drift: DriftStatus | null }) {
  return drift === null ? (
    <span aria-label="No drift check: not deployed">—</span>
  ) : (
    <DriftChip status={drift} />
  );
}
