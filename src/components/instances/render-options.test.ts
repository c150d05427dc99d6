import { describe, expect, it } from "vitest";
import { renderOptionsLabel } from "./render-options";

const plain = { valuesOverride: null, includeCrds: false, isUpgrade: false, noHooks: false };

describe("renderOptionsLabel (issue 13, bug 12)", () => {
  it("says a values override was applied instead of 'Defaults'", () => {
    expect(renderOptionsLabel({ ...plain, valuesOverride: "replicaCount: 3\n" })).toBe(
      "Values override applied",
    );
    expect(renderOptionsLabel({ ...plain, valuesOverride: "token: <redacted>\n", noHooks: true })).toBe(
      "Values override applied · No Hooks",
    );
  });

  it("reads 'Defaults' only without an override or a switch", () => {
    expect(renderOptionsLabel(plain)).toBe("Defaults");
    expect(renderOptionsLabel({ ...plain, valuesOverride: "  \n" })).toBe("Defaults");
    expect(renderOptionsLabel({ ...plain, includeCrds: true, isUpgrade: true })).toBe(
      "Include CRDs · Is Upgrade",
    );
  });
});
