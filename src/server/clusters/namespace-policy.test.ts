import { describe, expect, it } from "vitest";
import type { KubernetesManifest } from "./manifests";
import { describePolicyViolations, namespacePolicyViolations } from "./namespace-policy";

const object = (kind: string, name: string, namespace?: string): KubernetesManifest => ({
  apiVersion: "v1",
  kind,
  metadata: { name, ...(namespace !== undefined && { namespace }) },
});

describe("namespace policy", () => {
  it("lets a chart create namespaced objects in the instance's namespace", () => {
    const manifests = [
      object("Deployment", "web"),
      object("Service", "web", "shop-1a2b3c4"),
      object("Role", "r"),
    ];
    expect(namespacePolicyViolations(manifests, "shop-1a2b3c4", { allowClusterScoped: false })).toEqual([]);
  });

  it("refuses cluster-scoped kinds and other namespaces unless an admin approved them", () => {
    const manifests = [
      object("ClusterRoleBinding", "own-the-cluster"),
      object("CustomResourceDefinition", "widgets.example.com"),
      object("MutatingWebhookConfiguration", "inject"),
      object("PersistentVolume", "host"),
      object("ConfigMap", "elsewhere", "kube-system"),
      object("Deployment", "web"),
    ];
    const violations = namespacePolicyViolations(manifests, "shop-1a2b3c4", { allowClusterScoped: false });
    expect(violations.map((v) => `${v.kind}/${v.name}`)).toEqual([
      "ClusterRoleBinding/own-the-cluster",
      "CustomResourceDefinition/widgets.example.com",
      "MutatingWebhookConfiguration/inject",
      "PersistentVolume/host",
      "ConfigMap/elsewhere",
    ]);
    expect(violations[4]?.reason).toBe("it asks for namespace kube-system, not the instance's own");
    expect(namespacePolicyViolations(manifests, "shop-1a2b3c4", { allowClusterScoped: true })).toEqual([]);
  });

  it("explains the first refusals and how to get them allowed", () => {
    const violations = namespacePolicyViolations(
      ["a", "b", "c", "d", "e"].map((name) => object("ClusterRole", name)),
      "ns",
      { allowClusterScoped: false },
    );
    expect(describePolicyViolations(violations)).toBe(
      "The chart declares objects outside the instance's namespace: ClusterRole/a (ClusterRole is cluster-scoped), " +
        "ClusterRole/b (ClusterRole is cluster-scoped), ClusterRole/c (ClusterRole is cluster-scoped) and 2 more. " +
        "An admin must approve cluster-scoped resources for this workload first.",
    );
  });
});
