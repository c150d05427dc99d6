import { describe, expect, it } from "vitest";
import { formatDuration, migrationDuration, stepperModel, type RecordedStep } from "./steps";

const t0 = Date.parse("2026-03-01T10:00:00.000Z");
const at = (seconds: number) => new Date(t0 + seconds * 1_000).toISOString();

const steps = (...entries: Array<[string, number, string?]>): RecordedStep[] =>
  entries.map(([state, s, cluster]) => ({ state, at: at(s), message: `${state} message`, cluster }));

describe("stepperModel", () => {
  it("shows the whole path of a completed migration with each step's duration", () => {
    const model = stepperModel(
      {
        state: "COMPLETED",
        steps: steps(
          ["REQUESTED", 0],
          ["BACKING_UP", 1, "dev-onelab"],
          ["BACKED_UP", 4, "dev-onelab"],
          ["RESTORING", 5, "staging-onelab"],
          ["VERIFYING", 9, "staging-onelab"],
          ["COMPLETED", 12, "staging-onelab"],
        ),
      },
      t0 + 60_000,
    );
    expect(model.map((s) => [s.state, s.status, s.durationMs])).toEqual([
      ["REQUESTED", "done", 1_000],
      ["BACKING_UP", "done", 3_000],
      ["BACKED_UP", "done", 1_000],
      ["RESTORING", "done", 4_000],
      ["VERIFYING", "done", 3_000],
      ["COMPLETED", "done", null],
    ]);
    expect(model[1]?.cluster).toBe("dev-onelab");
    expect(model[1]?.message).toBe("BACKING_UP message");
    expect(model[5]?.notes).toEqual([]);
  });

  it("keeps later notes of a state with that state", () => {
    const model = stepperModel(
      {
        state: "COMPLETED",
        steps: [
          ...steps(["REQUESTED", 0], ["VERIFYING", 2], ["COMPLETED", 3]),
          { state: "COMPLETED", at: at(9), message: "source copy removed" },
        ],
      },
      t0 + 60_000,
    );
    expect(model.find((s) => s.state === "COMPLETED")?.notes).toEqual([
      { at: new Date(t0 + 9_000), message: "source copy removed" },
    ]);
  });

  it("marks the current step active, timed until now, and the rest pending", () => {
    const model = stepperModel(
      { state: "BACKING_UP", steps: steps(["REQUESTED", 0], ["BACKING_UP", 2]) },
      t0 + 7_000,
    );
    expect(model.map((s) => [s.state, s.status, s.durationMs])).toEqual([
      ["REQUESTED", "done", 2_000],
      ["BACKING_UP", "active", 5_000],
      ["BACKED_UP", "pending", null],
      ["RESTORING", "pending", null],
      ["VERIFYING", "pending", null],
      ["COMPLETED", "pending", null],
    ]);
    expect(model[2]?.at).toBeNull();
  });

  it("ends a rolled-back migration with the failure, dropping the steps it never reached", () => {
    const model = stepperModel(
      {
        state: "ROLLED_BACK",
        steps: [
          ...steps(["REQUESTED", 0], ["BACKING_UP", 1], ["BACKED_UP", 2], ["RESTORING", 3]),
          { state: "ROLLED_BACK", at: at(20), message: "restore timed out" },
        ],
      },
      t0 + 60_000,
    );
    expect(model.map((s) => [s.state, s.status])).toEqual([
      ["REQUESTED", "done"],
      ["BACKING_UP", "done"],
      ["BACKED_UP", "done"],
      ["RESTORING", "done"],
      ["ROLLED_BACK", "error"],
    ]);
    expect(model[3]?.durationMs).toBe(17_000);
    expect(model[4]?.message).toBe("restore timed out");
  });

  it("orders steps by time, keeps the first of a repeated state and ignores unknown ones", () => {
    const model = stepperModel(
      {
        state: "RESTORING",
        steps: steps(
          ["BACKED_UP", 2],
          ["REQUESTED", 0],
          ["BACKING_UP", 1],
          ["BACKED_UP", 3],
          ["NOPE", 4],
          ["RESTORING", 5],
        ),
      },
      t0 + 6_000,
    );
    expect(model.find((s) => s.state === "BACKED_UP")?.durationMs).toBe(3_000);
    expect(model.find((s) => s.state === "RESTORING")?.durationMs).toBe(1_000);
  });
});

describe("formatDuration", () => {
  it("reads naturally at every scale", () => {
    expect(formatDuration(850)).toBe("850 ms");
    expect(formatDuration(12_400)).toBe("12 s");
    expect(formatDuration(185_000)).toBe("3 min 05 s");
    expect(formatDuration(3_720_000)).toBe("1 h 02 min");
  });
});

describe("migrationDuration", () => {
  it("runs to the last update once settled, to now while in flight", () => {
    const row = { createdAt: new Date(t0), updatedAt: new Date(t0 + 9_000) };
    expect(migrationDuration({ ...row, state: "COMPLETED" }, t0 + 60_000)).toBe(9_000);
    expect(migrationDuration({ ...row, state: "RESTORING" }, t0 + 60_000)).toBe(60_000);
  });

  it("ends at the terminal step, not at a cleanup noted afterwards", () => {
    const row = { createdAt: new Date(t0), updatedAt: new Date(t0 + 30_000), state: "COMPLETED" };
    const recorded = steps(["REQUESTED", 0], ["COMPLETED", 8], ["COMPLETED", 30]);
    expect(migrationDuration({ ...row, steps: recorded }, t0 + 60_000)).toBe(8_000);
  });
});
