import CircularProgress from "@mui/material/CircularProgress";
import Chip from "@mui/material/Chip";
import Tooltip from "@mui/material/Tooltip";
import { STATUS_TONES } from "@/common/status-tones";

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
      color={STATUS_TONES[status] ?? "default"}
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
