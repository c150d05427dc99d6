import { describe, expect, it } from "vitest";
import {
  ACTIVE_STATES,
  canTransition,
  checkTransition,
  failureStateFor,
  IllegalTransitionError,
  isActiveState,
  isTerminalState,
  MIGRATION_STATES,
  migrationStep,
  parseSteps,
  TERMINAL_STATES,
  transition,
  type MigrationStateName,
} from "./state-machine";

const LEGAL: ReadonlyArray<[MigrationStateName, MigrationStateName]> = [
  ["REQUESTED", "BACKING_UP"],
  ["REQUESTED", "FAILED"],
  ["BACKING_UP", "BACKED_UP"],
  ["BACKING_UP", "FAILED"],
  ["BACKED_UP", "RESTORING"],
  ["BACKED_UP", "ROLLED_BACK"],
  ["RESTORING", "VERIFYING"],
  ["RESTORING", "ROLLED_BACK"],
  ["VERIFYING", "COMPLETED"],
  ["VERIFYING", "ROLLED_BACK"],
];
const isLegal = (from: MigrationStateName, to: MigrationStateName) =>
  LEGAL.some(([f, t]) => f === from && t === to);

describe("the migration state machine", () => {
  it("has the eight persisted states, five active and three terminal", () => {
    expect(MIGRATION_STATES).toHaveLength(8);
    expect([...ACTIVE_STATES, ...TERMINAL_STATES].sort()).toEqual([...MIGRATION_STATES].sort());
    for (const state of ACTIVE_STATES)
      expect([isActiveState(state), isTerminalState(state)]).toEqual([true, false]);
    for (const state of TERMINAL_STATES)
      expect([isActiveState(state), isTerminalState(state)]).toEqual([false, true]);
  });

  // Every ordered pair of states, legal or not: 64 cases.
  const pairs = MIGRATION_STATES.flatMap((from) => MIGRATION_STATES.map((to) => [from, to] as const));
  it.each(pairs)("%s → %s is legal exactly when listed", (from, to) => {
    const legal = isLegal(from, to);
    expect(canTransition(from, to)).toBe(legal);
    if (legal) {
      expect(transition(from, to)).toBe(to);
      expect(checkTransition(from, to)).toEqual({ ok: true, state: to });
    } else {
      expect(() => transition(from, to)).toThrow(IllegalTransitionError);
      const checked = checkTransition(from, to);
      expect(checked.ok).toBe(false);
      if (!checked.ok) expect(checked.error.message).toContain(`${from} → ${to}`);
    }
  });

  it("says why a move is illegal", () => {
    expect(() => transition("REQUESTED", "COMPLETED")).toThrow(
      "illegal migration transition REQUESTED → COMPLETED (from REQUESTED only BACKING_UP or FAILED)",
    );
    expect(() => transition("COMPLETED", "ROLLED_BACK")).toThrow("(COMPLETED is terminal)");
  });

  it("fails before the target is touched and rolls back after", () => {
    expect(failureStateFor("REQUESTED")).toBe("FAILED");
    expect(failureStateFor("BACKING_UP")).toBe("FAILED");
    expect(failureStateFor("BACKED_UP")).toBe("ROLLED_BACK");
    expect(failureStateFor("RESTORING")).toBe("ROLLED_BACK");
    expect(failureStateFor("VERIFYING")).toBe("ROLLED_BACK");
    for (const state of ACTIVE_STATES) expect(canTransition(state, failureStateFor(state))).toBe(true);
  });

  it("records steps with a timestamp and reads stored steps leniently", () => {
    const at = new Date("2025-05-27T13:04:39.000Z");
    const step = migrationStep("REQUESTED", "requested", { cluster: "dev-onelab", actor: "admin", at });
    expect(step).toEqual({
      state: "REQUESTED",
      at: "2025-05-27T13:04:39.000Z",
      message: "requested",
      cluster: "dev-onelab",
      actor: "admin",
    });
    expect(parseSteps([step, { state: "NOPE" }, 3])).toEqual([step]);
    expect(parseSteps(null)).toEqual([]);
  });
});
