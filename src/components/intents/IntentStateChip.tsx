import Chip from "@mui/material/Chip";
import CircularProgress from "@mui/material/CircularProgress";
import { Time } from "@/components/ui/Time";
import type { DateInput } from "@/components/ui/dates";

/** What the server says of an intent besides its latest report (`reevaluating`, `scheduledFrom`). */
export interface IntentDisplayFields {
  reevaluating: boolean;
  scheduledFrom: DateInput | null;
}

export const REEVALUATING_LABEL = "Re-evaluating…";

/**
 * Shown instead of the fulfilment chips when the latest report would
 * mislead: "Scheduled, from <date>" before the validity starts (the
 * evaluator has not judged it), "Re-evaluating…" after a target change until
 * the evaluator judges the new value. Nothing otherwise.
 */
export function IntentStateChip({ intent }: { intent: IntentDisplayFields }) {
  const chip = { size: "small", variant: "outlined", sx: { fontSize: 12, height: 22 } } as const;
  if (intent.scheduledFrom !== null) {
    return (
      <Chip
        {...chip}
        color="info"
        data-testid="intent-scheduled"
        label={
          <>
            Scheduled, from <Time value={intent.scheduledFrom} />
          </>
        }
      />
    );
  }
  if (intent.reevaluating) {
    return (
      <Chip
        {...chip}
        color="info"
        data-testid="intent-reevaluating"
        aria-busy
        icon={<CircularProgress size={11} color="inherit" aria-hidden="true" />}
        label={REEVALUATING_LABEL}
        sx={{ ...chip.sx, "& .MuiChip-icon": { ml: "6px" } }}
      />
    );
  }
  return null;
}

/** Whether the latest report's fulfilment is the one to show (not scheduled, not re-evaluating). */
export const showsFulfilment = (intent: IntentDisplayFields) =>
  intent.scheduledFrom === null && !intent.reevaluating;
