import { describe, expect, it } from "vitest";
import { chipCarriesReason, noClusterDetail } from "./failure-reason";

const reason = "No cluster offers green energy of at least 80 % (highest green energy offered: 60 %)";

describe("a FAILED instance's reason, told once on its page", () => {
  it("is not repeated by the placement panel when the details already show it", () => {
    expect(noClusterDetail(reason, reason)).toBe("Each cluster's verdict is listed below.");
  });

  it("is shown by the placement panel when it differs from the status reason", () => {
    expect(noClusterDetail(reason, "Cluster dev-onelab refused the manifests")).toBe(reason);
    expect(noClusterDetail(reason, null)).toBe(reason);
    expect(noClusterDetail(null, reason)).toBe("Every cluster was ruled out.");
  });

  it("leaves the status chip of the details without a tooltip when the alert shows the reason", () => {
    expect(chipCarriesReason("FAILED", reason)).toBe(false);
    expect(chipCarriesReason("ERROR", "driver unreachable")).toBe(true);
    expect(chipCarriesReason("DEPLOYED", null)).toBe(false);
  });
});
