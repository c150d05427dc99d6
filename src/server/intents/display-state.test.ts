import { describe, expect, it } from "vitest";
import { intentDisplayState, type IntentDisplayFacts } from "./display-state";

// Fixed instants only: the rule compares the facts with the `now` it is given, never the wall clock.
const now = new Date("2026-12-07T10:00:00.000Z");
const minutes = (m: number) => new Date(now.getTime() + m * 60_000);
const facts = (over: Partial<IntentDisplayFacts> = {}): IntentDisplayFacts => ({
  adminState: "ACTIVATED",
  validFrom: null,
  validUntil: null,
  targetsChangedAt: null,
  lastEvaluatedAt: minutes(-5),
  ...over,
});

describe("intentDisplayState", () => {
  it("is re-evaluating while the last evaluation predates the target change", () => {
    expect(intentDisplayState(facts({ targetsChangedAt: minutes(-1) }), now).reevaluating).toBe(true);
    expect(
      intentDisplayState(facts({ targetsChangedAt: minutes(-1), lastEvaluatedAt: null }), now).reevaluating,
    ).toBe(true);
    // An evaluation at the change's instant found it due and judged the new value.
    expect(
      intentDisplayState(facts({ targetsChangedAt: minutes(-1), lastEvaluatedAt: minutes(-1) }), now)
        .reevaluating,
    ).toBe(false);
    expect(intentDisplayState(facts(), now)).toEqual({ reevaluating: false, scheduledFrom: null });
  });

  it("is never re-evaluating when the evaluator will not judge it (suspended, scheduled, expired)", () => {
    const changed = { targetsChangedAt: minutes(-1) };
    expect(intentDisplayState(facts({ ...changed, adminState: "DEACTIVATED" }), now).reevaluating).toBe(
      false,
    );
    expect(intentDisplayState(facts({ ...changed, validUntil: minutes(-2) }), now).reevaluating).toBe(false);
    expect(intentDisplayState(facts({ ...changed, validFrom: minutes(30) }), now)).toEqual({
      reevaluating: false,
      scheduledFrom: minutes(30),
    });
  });

  it("is scheduled only while active and before its start", () => {
    expect(intentDisplayState(facts({ validFrom: minutes(1) }), now).scheduledFrom).toEqual(minutes(1));
    expect(intentDisplayState(facts({ validFrom: now }), now).scheduledFrom).toBeNull();
    expect(
      intentDisplayState(facts({ validFrom: minutes(1), adminState: "DEACTIVATED" }), now).scheduledFrom,
    ).toBeNull();
  });
});
