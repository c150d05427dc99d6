import { describe, expect, it } from "vitest";
import { kubeconfigLabel } from "./kubeconfig-label";

describe("kubeconfigLabel (issue 13, bug 8)", () => {
  it("calls a seeded simulated cluster what it is, not 'deleted'", () => {
    const seeded = { kubeconfigContentId: null, managedApi: "sim://edge-a", driver: "SIMULATED" };
    expect(kubeconfigLabel(seeded)).toEqual({ text: "Simulated cluster — no kubeconfig", mono: false });
  });

  it("shows the content id of a stored kubeconfig, shortened, with the full id as its title", () => {
    const id = "0123456789abcdef0123";
    expect(kubeconfigLabel({ kubeconfigContentId: id, managedApi: "sim://x", driver: "SIMULATED" })).toEqual({
      text: "0123456789ab…",
      title: id,
      mono: true,
    });
  });

  it("says that none is stored for a Kubernetes cluster without one", () => {
    const bare = { kubeconfigContentId: null, managedApi: "https://k8s.example:6443", driver: "KUBERNETES" };
    expect(kubeconfigLabel(bare).text).toBe("No kubeconfig stored");
  });
});
