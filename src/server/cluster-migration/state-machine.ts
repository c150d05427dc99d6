import { z } from "zod";

/**
 * The migration state machine (IBMC), pure: the states a persisted migration
 * goes through, which moves are legal, and the shape of one recorded step.
 *
 *   REQUESTED → BACKING_UP → BACKED_UP → RESTORING → VERIFYING → COMPLETED
 *
 * Before anything exists on the target (REQUESTED, BACKING_UP) a failure ends
 * FAILED; from BACKED_UP on a partial copy may exist on the target, so a
 * failure ends ROLLED_BACK (the copy is removed, the instance stays on its
 * source). COMPLETED, FAILED and ROLLED_BACK are terminal.
 */

import {
  MIGRATION_STATES,
  TRANSITIONS,
  canTransition,
  type ActiveMigrationState,
  type MigrationStateName,
} from "@/common/migration-status";

// The vocabulary is shared with the console; the server side adds the errors and the recorded steps.
export * from "@/common/migration-status";

export const migrationStateSchema = z.enum(MIGRATION_STATES);

export class IllegalTransitionError extends Error {
  override readonly name = "IllegalTransitionError";
  constructor(
    readonly from: MigrationStateName,
    readonly to: MigrationStateName,
  ) {
    super(
      `illegal migration transition ${from} → ${to}` +
        (TRANSITIONS[from].length > 0
          ? ` (from ${from} only ${TRANSITIONS[from].join(" or ")})`
          : ` (${from} is terminal)`),
    );
  }
}

/** `next` when the move is legal; throws IllegalTransitionError otherwise. */
export function transition(current: MigrationStateName, next: MigrationStateName): MigrationStateName {
  if (!canTransition(current, next)) throw new IllegalTransitionError(current, next);
  return next;
}

/** The same check as data, for callers that report rather than throw. */
export function checkTransition(
  current: MigrationStateName,
  next: MigrationStateName,
): { ok: true; state: MigrationStateName } | { ok: false; error: IllegalTransitionError } {
  return canTransition(current, next)
    ? { ok: true, state: next }
    : { ok: false, error: new IllegalTransitionError(current, next) };
}

/** Where a failure in `state` ends: FAILED before the target was touched, ROLLED_BACK after. */
export function failureStateFor(state: ActiveMigrationState): "FAILED" | "ROLLED_BACK" {
  return state === "REQUESTED" || state === "BACKING_UP" ? "FAILED" : "ROLLED_BACK";
}

// ---------------------------------------------------------------------------
// Steps: the migration's own timeline (`Migration.steps`)

export const migrationStepSchema = z.object({
  state: migrationStateSchema,
  /** ISO 8601. */
  at: z.iso.datetime({ offset: true }),
  message: z.string(),
  /** The cluster the step happened on, when it happened on one. */
  cluster: z.string().optional(),
  /** Who asked, on the REQUESTED step: a user name, or "ibmc-controller" for an intent. */
  actor: z.string().optional(),
});
export type MigrationStep = z.infer<typeof migrationStepSchema>;

export function migrationStep(
  state: MigrationStateName,
  message: string,
  extra: { cluster?: string; actor?: string; at?: Date } = {},
): MigrationStep {
  return {
    state,
    at: (extra.at ?? new Date()).toISOString(),
    message,
    ...(extra.cluster !== undefined && { cluster: extra.cluster }),
    ...(extra.actor !== undefined && { actor: extra.actor }),
  };
}

/** Steps as stored; a malformed entry is dropped rather than failing a page. */
export function parseSteps(value: unknown): MigrationStep[] {
  if (!Array.isArray(value)) return [];
  const steps: MigrationStep[] = [];
  for (const item of value) {
    const parsed = migrationStepSchema.safeParse(item);
    if (parsed.success) steps.push(parsed.data);
  }
  return steps;
}
