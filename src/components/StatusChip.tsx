import Chip, { type ChipProps } from "@mui/material/Chip";

type Tone = NonNullable<ChipProps["color"]>;

/** Status → colour, for every noun's status in one place. */
const TONES: Record<string, Tone> = {
  OK: "success",
  ACCEPTED: "success",
  DEPLOYED: "success",
  ACTIVATED: "success",
  FULFILLED: "success",
  PENDING: "warning",
  CREATED: "info",
  RENDERED: "info",
  DEPLOYING: "info",
  MIGRATING: "info",
  DELETING: "warning",
  ERROR: "error",
  FAILED: "error",
  NOT_FULFILLED: "error",
  DELETED: "default",
  DEREGISTERED: "default",
  DEACTIVATED: "default",
};

export function StatusChip({ status }: { status: string }) {
  return (
    <Chip
      size="small"
      variant="outlined"
      color={TONES[status] ?? "default"}
      label={status.replaceAll("_", " ")}
      sx={{ fontSize: 12, height: 22 }}
    />
  );
}
