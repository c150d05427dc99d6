/**
 * The migration vocabulary, shared by the server's state machine and the
 * console's stepper: the states a migration goes through and which moves
 * are legal.
 *
 *   REQUESTED → BACKING_UP → BACKED_UP → RESTORING → VERIFYING → COMPLETED
 *
 * Before anything exists on the target (REQUESTED, BACKING_UP) a failure ends
 * FAILED; from BACKED_UP on, ROLLED_BACK. COMPLETED, FAILED and ROLLED_BACK
 * are terminal.
 *
 * Plain data, no zod: the console bundles it (the server's state machine adds
 * the schema).
 */

export const MIGRATION_STATES = [
  "REQUESTED",
  "BACKING_UP",
  "BACKED_UP",
  "RESTORING",
  "VERIFYING",
  "COMPLETED",
  "FAILED",
  "ROLLED_BACK",
] as const;
export type MigrationStateName = (typeof MIGRATION_STATES)[number];

/** States of a migration in flight (the instance is MIGRATING, `activeInstanceId` is set). */
export const ACTIVE_STATES = [
  "REQUESTED",
  "BACKING_UP",
  "BACKED_UP",
  "RESTORING",
  "VERIFYING",
] as const satisfies readonly MigrationStateName[];
export type ActiveMigrationState = (typeof ACTIVE_STATES)[number];

export const TERMINAL_STATES = [
  "COMPLETED",
  "FAILED",
  "ROLLED_BACK",
] as const satisfies readonly MigrationStateName[];
export type TerminalMigrationState = (typeof TERMINAL_STATES)[number];

/** Every legal move; anything else is a programming error. */
export const TRANSITIONS: Readonly<Record<MigrationStateName, readonly MigrationStateName[]>> = {
  REQUESTED: ["BACKING_UP", "FAILED"],
  BACKING_UP: ["BACKED_UP", "FAILED"],
  BACKED_UP: ["RESTORING", "ROLLED_BACK"],
  RESTORING: ["VERIFYING", "ROLLED_BACK"],
  VERIFYING: ["COMPLETED", "ROLLED_BACK"],
  COMPLETED: [],
  FAILED: [],
  ROLLED_BACK: [],
};

export function isActiveState(state: MigrationStateName): state is ActiveMigrationState {
  return (ACTIVE_STATES as readonly MigrationStateName[]).includes(state);
}

export function isTerminalState(state: MigrationStateName): state is TerminalMigrationState {
  return (TERMINAL_STATES as readonly MigrationStateName[]).includes(state);
}

export function canTransition(current: MigrationStateName, next: MigrationStateName): boolean {
  return TRANSITIONS[current].includes(next);
}

/**
 * What migration views say instead of a cluster the caller may not name (an
 * infrastructure provider looking at another provider's end of a migration).
 */
export const HIDDEN_CLUSTER_LABEL = "another provider's cluster";
