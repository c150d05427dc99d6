import { describe, expect, it } from "vitest";
import { INTENT_STANDING_PRIORITY, NOT_FULFILLED_STATES, worstStanding } from "./intent-status";

describe("intent standings", () => {
  it("orders every standing once", () => {
    expect([...INTENT_STANDING_PRIORITY].sort()).toEqual([...NOT_FULFILLED_STATES, "FULFILLED"].sort());
  });

  it("sums up several intents by the worst of them", () => {
    expect(worstStanding(["FULFILLED", "DEGRADED", "ACKNOWLEDGED"])).toBe("DEGRADED");
    expect(worstStanding(["TERMINATED", "FULFILLED"])).toBe("FULFILLED");
    expect(worstStanding(["COMPLIANT", "FULFILMENTFAILED"])).toBe("FULFILMENTFAILED");
    expect(worstStanding([])).toBeNull();
  });
});
