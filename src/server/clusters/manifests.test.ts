import { describe, expect, it } from "vitest";
import { isClusterDriverError } from "./errors";
import { manifestTotals, parseManifests, podResources, type PodSpec } from "./manifests";
import { GIB, MIB } from "./quantity";
import { makeConfigMap, makeDeployment, makeStatefulSet } from "@/server/testing/cluster-factories";

function podSpec(containers: PodSpec["containers"], initContainers?: PodSpec["containers"]): PodSpec {
  return { containers, ...(initContainers ? { initContainers } : {}) };
}

describe("manifest resources", () => {
  it("sums the requests of a pod's containers", () => {
    const { requests } = podResources(
      podSpec([
        { name: "app", resources: { requests: { cpu: "250m", memory: "128Mi" } } },
        { name: "sidecar", resources: { requests: { cpu: "0.25", memory: "64Mi" } } },
      ]),
    );
    expect(requests).toMatchObject({ cpuMillicores: 500, memoryBytes: 192 * MIB, gpus: 0 });
  });

  it("implies a request from a limit when only the limit is set", () => {
    const { requests, limits } = podResources(
      podSpec([{ name: "gpu", resources: { limits: { cpu: "1", memory: "1Gi", "nvidia.com/gpu": 1 } } }]),
    );
    expect(requests).toMatchObject({ cpuMillicores: 1000, memoryBytes: GIB, gpus: 1 });
    expect(limits).toMatchObject({ cpuMillicores: 1000, memoryBytes: GIB, gpus: 1 });
  });

  it("leaves a limit unbounded when any container sets none", () => {
    const { limits } = podResources(
      podSpec([
        { name: "a", resources: { limits: { cpu: "1" } } },
        { name: "b", resources: { requests: { cpu: "1" } } },
      ]),
    );
    expect(limits.cpuMillicores).toBeUndefined();
  });

  it("takes the larger of the containers' sum and the largest init container", () => {
    const { requests } = podResources(
      podSpec(
        [{ name: "app", resources: { requests: { cpu: "100m", memory: "2Gi" } } }],
        [{ name: "migrate", resources: { requests: { cpu: "2", memory: "64Mi" } } }],
      ),
    );
    expect(requests.cpuMillicores).toBe(2000);
    expect(requests.memoryBytes).toBe(2 * GIB);
  });

  it("adds up what all replicas and claims will request, for placement", () => {
    const totals = manifestTotals([
      makeDeployment({ replicas: 3, cpu: "500m", memory: "256Mi" }),
      makeStatefulSet({ replicas: 2, cpu: "1", memory: "1Gi", storage: "5Gi" }),
      makeConfigMap(),
    ]);
    expect(totals).toMatchObject({
      cpuMillicores: 3500,
      memoryBytes: 3 * 256 * MIB + 2 * GIB,
      storageBytes: 10 * GIB,
      pods: 5,
    });
  });

  it("reports an invalid quantity as INVALID_MANIFEST naming the resource", () => {
    let caught: unknown;
    try {
      manifestTotals([makeDeployment({ name: "broken", cpu: "lots" })]);
    } catch (error) {
      caught = error;
    }
    expect(isClusterDriverError(caught, "INVALID_MANIFEST")).toBe(true);
    expect(String(caught)).toMatch(/Deployment\/broken/);
  });

  it("rejects manifests without kind or name at the boundary", () => {
    expect(() => parseManifests([{ apiVersion: "v1", metadata: { name: "x" } }])).toThrow(/kind/);
    expect(() => parseManifests([{ apiVersion: "v1", kind: "ConfigMap", metadata: {} }])).toThrow(/name/);
    expect(parseManifests([makeConfigMap()])).toHaveLength(1);
  });
});
