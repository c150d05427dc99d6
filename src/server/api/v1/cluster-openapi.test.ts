import { describe, expect, it } from "vitest";
import { clusterComponents, clusterPaths } from "./cluster-openapi";

function refsIn(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) refsIn(item, found);
  else if (typeof value === "object" && value !== null) {
    for (const [key, child] of Object.entries(value)) {
      if (key === "$ref" && typeof child === "string") found.push(child);
      else refsIn(child, found);
    }
  }
  return found;
}

describe("the cluster part of the OpenAPI document", () => {
  const components = clusterComponents();
  const paths = clusterPaths();

  it("documents every cluster route and method", () => {
    expect(Object.keys(paths)).toEqual([
      "/api/v1/cluster/",
      "/api/v1/cluster/{id}/",
      "/api/v1/cluster/{id}/drain/",
      "/api/v1/cluster/{id}/uncordon/",
      "/api/v1/cluster/{id}/metrics/",
    ]);
    expect(Object.keys(paths["/api/v1/cluster/"] as object)).toEqual(["get", "post"]);
    expect(Object.keys(paths["/api/v1/cluster/{id}/"] as object)).toEqual(["parameters", "get", "delete"]);
    expect(Object.keys(paths["/api/v1/cluster/{id}/drain/"] as object)).toEqual([
      "parameters",
      "get",
      "post",
    ]);
    expect(Object.keys(paths["/api/v1/cluster/{id}/uncordon/"] as object)).toEqual(["parameters", "post"]);
  });

  it("refers only to schemas it defines, or to the shared Error", () => {
    const defined = new Set([...Object.keys(components), "Error"]);
    for (const target of refsIn([paths, components])) {
      expect(defined).toContain(target.replace("#/components/schemas/", ""));
    }
  });

  it("offers the registration's choices and never a kubeconfig in an answer", () => {
    const registration = components.ClusterRegistration as {
      properties: Record<string, { enum?: unknown[] }>;
    };
    expect(registration.properties.availabilityPct?.enum).toEqual([90, 95, 99, 99.9]);
    expect(registration.properties.greenEnergyPct?.enum).toEqual([0, 20, 40, 60, 80, 100]);
    const answers = JSON.stringify([
      components.Cluster,
      components.ClusterPage,
      components.ClusterMetrics,
      components.ClusterDrainStatus,
    ]);
    expect(answers).not.toMatch(/"kubeconfig"|kubeconfigCipher/);
  });
});
