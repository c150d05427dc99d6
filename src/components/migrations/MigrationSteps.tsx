"use client";

import CheckCircleIcon from "@mui/icons-material/CheckCircle";
import ErrorIcon from "@mui/icons-material/Error";
import RadioButtonUncheckedIcon from "@mui/icons-material/RadioButtonUnchecked";
import RemoveCircleOutlineIcon from "@mui/icons-material/RemoveCircleOutlined";
import Box from "@mui/material/Box";
import CircularProgress from "@mui/material/CircularProgress";
import Step from "@mui/material/Step";
import StepContent from "@mui/material/StepContent";
import StepLabel from "@mui/material/StepLabel";
import Stepper from "@mui/material/Stepper";
import Typography from "@mui/material/Typography";
import type { ReactElement } from "react";
import { Time } from "@/components/ui/Time";
import { formatDuration, stepperModel, type RecordedStep, type StepStatus } from "./steps";

const ICON: Record<StepStatus, ReactElement> = {
  done: <CheckCircleIcon color="success" />,
  active: <CircularProgress size={20} thickness={5} aria-hidden="true" />,
  pending: <RadioButtonUncheckedIcon color="disabled" />,
  error: <ErrorIcon color="error" />,
  skipped: <RemoveCircleOutlineIcon color="disabled" />,
};

/** Read by screen readers, not shown ("1px" strings: a bare 1 in `sx` means 100 %). */
const VISUALLY_HIDDEN = {
  position: "absolute",
  width: "1px",
  height: "1px",
  overflow: "hidden",
  clipPath: "inset(50%)",
  whiteSpace: "nowrap",
} as const;

/** How a screen reader announces each step's state. */
const SPOKEN: Record<StepStatus, string> = {
  done: "done",
  active: "in progress",
  pending: "not reached yet",
  error: "failed",
  skipped: "not recorded",
};

/**
 * A migration's steps as a vertical stepper: REQUESTED → … → COMPLETED,
 * each with when it was reached, how long it took (the current one counts
 * up to `now`, with a spinner) and what the controller or the agent said.
 */
export function MigrationSteps({
  migration,
  now,
}: {
  migration: { state: string; steps: readonly RecordedStep[] };
  /** When the data was read: keeps rendering pure while the current step's time counts up. */
  now: number;
}) {
  const rows = stepperModel(migration, now);
  const activeIndex = rows.findIndex((r) => r.status === "active" || r.status === "error");
  return (
    <Stepper
      orientation="vertical"
      activeStep={activeIndex === -1 ? rows.length : activeIndex}
      aria-label="Migration steps"
      sx={{ m: 0, p: 0, "& .MuiStepContent-root, & .MuiStepConnector-line": { borderColor: "divider" } }}
    >
      {rows.map((row) => (
        <Step
          key={row.state}
          completed={row.status === "done"}
          active={row.status === "active" || row.status === "error"}
          // Every step keeps its text visible, not only the current one.
          expanded
          data-testid="migration-step"
          data-state={row.state}
          data-status={row.status}
          aria-current={row.status === "active" ? "step" : undefined}
        >
          <StepLabel
            icon={ICON[row.status]}
            error={row.status === "error"}
            optional={
              row.at ? (
                <Typography variant="caption" color="text.secondary" component="span">
                  <Time value={row.at} format="time" titleFormat="dateTime" />
                  {row.durationMs !== null && (
                    <span data-testid="step-duration">
                      {" "}
                      · {row.status === "active" ? "for " : ""}
                      {formatDuration(row.durationMs)}
                    </span>
                  )}
                </Typography>
              ) : undefined
            }
          >
            <Box component="span" sx={{ fontWeight: row.status === "pending" ? 400 : 600 }}>
              {row.label}
            </Box>
            <Box component="span" sx={VISUALLY_HIDDEN}>
              {`, ${SPOKEN[row.status]}`}
            </Box>
          </StepLabel>
          <StepContent>
            <Typography
              variant="body2"
              color={
                row.status === "pending" || row.status === "skipped" ? "text.disabled" : "text.secondary"
              }
            >
              {row.message}
              {row.cluster && !row.message.includes(row.cluster) ? ` (${row.cluster})` : ""}
            </Typography>
            {row.notes.map((note) => (
              <Typography key={note.at.toISOString() + note.message} variant="body2" color="text.secondary">
                <Time value={note.at} format="time" /> · {note.message}
              </Typography>
            ))}
          </StepContent>
        </Step>
      ))}
    </Stepper>
  );
}
