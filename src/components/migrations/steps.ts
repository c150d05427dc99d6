/**
 * The migration views' plain logic (no React): the stepper model built from a
 * migration's recorded steps, durations and the polling rule. The state
 * names are the server's (Prisma enum MigrationState).
 */

import { isTerminalState, MIGRATION_STATES, type MigrationStateName } from "@/common/migration-status";

// The server's state machine is plain data and zod: the views use its names and its terminal set.
export type MigrationState = MigrationStateName;
export { MIGRATION_STATES };

/** The happy path, in order: what the stepper shows for every migration. */
export const MIGRATION_PATH: readonly MigrationState[] = [
  "REQUESTED",
  "BACKING_UP",
  "BACKED_UP",
  "RESTORING",
  "VERIFYING",
  "COMPLETED",
];

export function isActiveMigration(state: MigrationState): boolean {
  return !isTerminalState(state);
}

/** How often migration views re-read the server while a migration is in flight. */
export const MIGRATION_LIVE_MS = 1_500;

/** How often they look for a new migration otherwise (an intent can start one at any time). */
export const MIGRATION_SETTLED_MS = 10_000;

export const STEP_LABEL: Record<MigrationState, string> = {
  REQUESTED: "Requested",
  BACKING_UP: "Backing up",
  BACKED_UP: "Backed up",
  RESTORING: "Restoring",
  VERIFYING: "Verifying",
  COMPLETED: "Completed",
  FAILED: "Failed",
  ROLLED_BACK: "Rolled back",
};

/** What each step means, shown under a step that has not happened yet. */
const STEP_HINT: Record<MigrationState, string> = {
  REQUESTED: "The migration controller accepted the request.",
  BACKING_UP: "The source cluster's agent backs the namespace up.",
  BACKED_UP: "The backup is in the shared store.",
  RESTORING: "The target cluster's agent restores the namespace.",
  VERIFYING: "Waiting for the workload to run on the target.",
  COMPLETED: "The instance runs on the target cluster.",
  FAILED: "The migration stopped before the target was touched.",
  ROLLED_BACK: "The copy on the target was removed; the instance stays on its source.",
};

/** One recorded step as the API returns it (`at` an ISO string or a Date). */
export interface RecordedStep {
  state: string;
  at: string | Date;
  message: string;
  cluster?: string | null | undefined;
}

export type StepStatus = "done" | "active" | "pending" | "error" | "skipped";

export interface StepView {
  state: MigrationState;
  label: string;
  status: StepStatus;
  /** When the step was reached (null: not yet). */
  at: Date | null;
  /** Time spent in this step: until the next one, or until `now` while it is the current one. */
  durationMs: number | null;
  message: string;
  cluster: string | null;
  /** Later notes recorded in the same state ("verified", "source copy removed"), oldest first. */
  notes: Array<{ at: Date; message: string }>;
}

function toDate(value: string | Date): Date {
  return value instanceof Date ? value : new Date(value);
}

function isMigrationState(value: string): value is MigrationState {
  return (MIGRATION_STATES as readonly string[]).includes(value);
}

/**
 * The stepper's rows: the happy path with what happened on each step, then
 * the failure step when the migration ended FAILED or ROLLED_BACK (the path
 * steps it never reached are dropped then). Each step's duration runs to the
 * next recorded step; the current step's runs to `now`.
 */
export function stepperModel(
  migration: { state: string; steps: readonly RecordedStep[] },
  now: number,
): StepView[] {
  const state: MigrationState = isMigrationState(migration.state) ? migration.state : "REQUESTED";
  const recorded = migration.steps
    .filter((s): s is RecordedStep & { state: MigrationState } => isMigrationState(s.state))
    .map((s) => ({ ...s, at: toDate(s.at) }))
    .sort((a, b) => a.at.getTime() - b.at.getTime());
  // The first record of each state (a redelivered step may be recorded twice).
  const byState = new Map<MigrationState, (typeof recorded)[number]>();
  for (const step of recorded) if (!byState.has(step.state)) byState.set(step.state, step);
  const nextAfter = (state: MigrationState, at: Date) =>
    recorded.find((s) => s.state !== state && s.at.getTime() > at.getTime())?.at ?? null;
  const failed = state === "FAILED" || state === "ROLLED_BACK";
  const active = isActiveMigration(state);

  const view = (s: MigrationState, status: StepStatus): StepView => {
    const step = byState.get(s);
    const at = step?.at ?? null;
    let durationMs: number | null = null;
    if (at && s !== "COMPLETED" && status !== "error") {
      const next = nextAfter(s, at);
      if (next) durationMs = next.getTime() - at.getTime();
      else if (status === "active") durationMs = Math.max(0, now - at.getTime());
    }
    return {
      state: s,
      label: STEP_LABEL[s],
      status,
      at,
      durationMs,
      message: step?.message ?? STEP_HINT[s],
      cluster: step?.cluster ?? null,
      notes: recorded
        .filter((r) => r.state === s && r !== step)
        .map((r) => ({ at: r.at, message: r.message })),
    };
  };

  const currentIndex = MIGRATION_PATH.indexOf(state);
  const rows: StepView[] = [];
  for (const [i, s] of MIGRATION_PATH.entries()) {
    if (failed) {
      // Only the steps it went through, then the failure.
      if (byState.has(s)) rows.push(view(s, "done"));
      continue;
    }
    if (state === "COMPLETED") {
      rows.push(view(s, byState.has(s) || s === "COMPLETED" ? "done" : "skipped"));
    } else if (i < currentIndex) {
      rows.push(view(s, byState.has(s) ? "done" : "skipped"));
    } else if (i === currentIndex) {
      rows.push(view(s, active ? "active" : "done"));
    } else {
      rows.push(view(s, "pending"));
    }
  }
  if (failed) rows.push(view(state, "error"));
  return rows;
}

/** "850 ms", "12 s", "3 min 05 s", "1 h 02 min". */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.max(0, Math.round(ms))} ms`;
  const seconds = Math.round(ms / 1_000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, "0")} s`;
  const hours = Math.floor(minutes / 60);
  return `${hours} h ${String(minutes % 60).padStart(2, "0")} min`;
}

/**
 * From request to the end (the first terminal step; a cleanup noted later
 * does not count), or to `now` while in flight.
 */
export function migrationDuration(
  migration: {
    state: string;
    createdAt: Date | string;
    updatedAt: Date | string;
    steps?: readonly RecordedStep[];
  },
  now: number,
): number {
  const start = toDate(migration.createdAt).getTime();
  if (isMigrationState(migration.state) && isActiveMigration(migration.state))
    return Math.max(0, now - start);
  const ended = (migration.steps ?? [])
    .filter((s) => isMigrationState(s.state) && !isActiveMigration(s.state))
    .map((s) => toDate(s.at).getTime())
    .sort((a, b) => a - b)[0];
  return Math.max(0, (ended ?? toDate(migration.updatedAt).getTime()) - start);
}

/** The 7-character form of an id, as tables show it. */
export const shortMigrationId = (id: string) => id.slice(0, 7);
