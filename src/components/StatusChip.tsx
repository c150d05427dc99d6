import CircularProgress from "@mui/material/CircularProgress";
import Chip, { type ChipProps } from "@mui/material/Chip";
import Tooltip from "@mui/material/Tooltip";

type Tone = NonNullable<ChipProps["color"]>;

/** Status → colour, for every noun's status in one place. */
const TONES: Record<string, Tone> = {
  OK: "success",
  ACCEPTED: "success",
  DEPLOYED: "success",
  ACTIVATED: "success",
  FULFILLED: "success",
  FEASIBLE: "success",
  COMPLIANT: "info",
  ACKNOWLEDGED: "info",
  DEGRADED: "warning",
  SUSPENDED: "warning",
  PENDING: "warning",
  CREATED: "info",
  RENDERED: "info",
  DEPLOYING: "info",
  // Teal (secondary) sets an instance being moved apart from one being deployed.
  MIGRATING: "secondary",
  DELETING: "warning",
  ERROR: "error",
  FAILED: "error",
  NOT_FULFILLED: "error",
  INFEASIBLE: "error",
  FULFILMENTFAILED: "error",
  TERMINATED: "default",
  DELETED: "default",
  DEREGISTERED: "default",
  // Migration states (flow 5): in flight, done, and the two ways it can end badly.
  REQUESTED: "info",
  BACKING_UP: "info",
  BACKED_UP: "info",
  RESTORING: "info",
  VERIFYING: "info",
  COMPLETED: "success",
  ROLLED_BACK: "warning",
  DEACTIVATED: "default",
};

/**
 * A status as a chip. `busy` adds a spinner (something is still happening:
 * a cluster waiting for its join); `reason` shows on hover and on keyboard
 * focus, so an ERROR explains itself without opening anything.
 */
export function StatusChip({
  status,
  reason,
  busy = false,
}: {
  status: string;
  reason?: string | null;
  busy?: boolean;
}) {
  const chip = (
    <Chip
      size="small"
      variant="outlined"
      color={TONES[status] ?? "default"}
      label={status.replaceAll("_", " ")}
      icon={busy ? <CircularProgress size={11} color="inherit" aria-hidden="true" /> : undefined}
      aria-busy={busy || undefined}
      // Focusable only when there is a reason to reveal.
      tabIndex={reason ? 0 : undefined}
      sx={{ fontSize: 12, height: 22, "& .MuiChip-icon": { ml: "6px" } }}
    />
  );
  if (!reason) return chip;
  return (
    <Tooltip title={reason} describeChild arrow>
      {chip}
    </Tooltip>
  );
}
