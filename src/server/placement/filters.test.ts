import { describe, expect, it } from "vitest";
import {
  FILTERS,
  acceleratorFilter,
  availabilityFilter,
  baseRateFilter,
  clusterStatusFilter,
  costClassFilter,
  excludedClustersFilter,
  firstRejection,
  greenEnergyFilter,
  proposedClusterFilter,
  resourcesFilter,
} from "./filters";
import { prepareRequest } from "./request";
import { GiB, makeCluster, makeRequest, makeTarget } from "@/server/testing/placement-factories";
import { type PlacementRequest } from "./schema";

const prepared = (overrides: Partial<PlacementRequest> = {}) => prepareRequest(makeRequest(overrides));

describe("filter plugins", () => {
  it("each have a unique name and a description", () => {
    const names = FILTERS.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
    for (const filter of FILTERS) expect(filter.description.length).toBeGreaterThan(10);
  });

  it("keep a healthy cluster under a request without constraints", () => {
    expect(firstRejection(makeCluster(), prepared())).toBeNull();
  });
});

describe("ClusterStatus", () => {
  it.each(["PENDING", "ERROR", "DEREGISTERED"] as const)(
    "skips a cluster in status %s with the controller's wording",
    (status) => {
      const cluster = makeCluster({ name: "nemo-smart-farming", status });
      expect(clusterStatusFilter.filter(cluster, prepared())).toEqual({
        code: "Error",
        reason: "ClusterNotReady",
        message: `Skipping cluster nemo-smart-farming due to invalid or missing Status: ${status}`,
        plugin: "ClusterStatus",
      });
    },
  );

  it("keeps an OK cluster", () => {
    expect(clusterStatusFilter.filter(makeCluster(), prepared()).code).toBe("Success");
  });
});

describe("ExcludedClusters", () => {
  it("drops an excluded cluster and says when it is the current one of a migration", () => {
    const cluster = makeCluster({ name: "dev-onelab" });
    const status = excludedClustersFilter.filter(
      cluster,
      prepared({ excludeClusters: ["dev-onelab"], currentCluster: "dev-onelab" }),
    );
    expect(status).toMatchObject({ code: "Error", reason: "ClusterExcluded" });
    expect(status.message).toBe(
      "Cluster dev-onelab is excluded from this placement (it is the instance's current cluster)",
    );
  });

  it("keeps a cluster that is not excluded", () => {
    const status = excludedClustersFilter.filter(
      makeCluster({ name: "a" }),
      prepared({ excludeClusters: ["b"] }),
    );
    expect(status.code).toBe("Success");
  });
});

describe("ProposedCluster", () => {
  it("keeps only the proposed cluster", () => {
    const request = prepared({ proposedCluster: "k3s-onelab" });
    expect(proposedClusterFilter.filter(makeCluster({ name: "k3s-onelab" }), request).code).toBe("Success");
    expect(proposedClusterFilter.filter(makeCluster({ name: "pro-onelab" }), request)).toMatchObject({
      code: "Error",
      reason: "NotProposedCluster",
      message: "Cluster pro-onelab is not the proposed cluster k3s-onelab",
    });
  });

  it("keeps every cluster when nothing was proposed", () => {
    expect(proposedClusterFilter.filter(makeCluster(), prepared()).code).toBe("Success");
  });
});

describe("Availability", () => {
  it("rejects a cluster at the threshold of IS_GREATER_THAN with the controller's wording", () => {
    const status = availabilityFilter.filter(
      makeCluster({ name: "dev-onelab", availabilityPct: 90 }),
      prepared({ targets: [makeTarget({ condition: "IS_GREATER_THAN", value: 95 })] }),
    );
    expect(status).toEqual({
      code: "Error",
      reason: "IntentTargetNotMet",
      message:
        "Cluster dev-onelab does not meet intent availability requirement (offers 90 %, needs more than 95 %)",
      plugin: "Availability",
    });
  });

  it("applies every condition to the property", () => {
    const cluster = makeCluster({ availabilityPct: 95 });
    const judge = (condition: PlacementRequest["targets"][number]["condition"], value: number | number[]) =>
      availabilityFilter.filter(cluster, prepared({ targets: [makeTarget({ condition, value })] })).code;
    expect(judge("IS_EQUAL_TO_OR_GREATER_THAN", 95)).toBe("Success");
    expect(judge("IS_GREATER_THAN", 95)).toBe("Error");
    expect(judge("IS_LESS_THAN", 99)).toBe("Success");
    expect(judge("IS_WITHIN_RANGE", [95, 99])).toBe("Success");
    expect(judge("IS_OUTSIDE_RANGE", [95, 99])).toBe("Error");
    expect(judge("IS_ONE_OF", [90, 95])).toBe("Success");
    expect(judge("IS_NOT_ONE_OF", [90, 95])).toBe("Error");
  });

  it("marks a target that cannot be judged as Misconfigured", () => {
    const status = availabilityFilter.filter(
      makeCluster(),
      prepared({ targets: [makeTarget({ condition: "IS_GREATER_THAN", value: "high" })] }),
    );
    expect(status).toMatchObject({
      code: "Misconfigured",
      reason: "TargetMisconfigured",
      plugin: "Availability",
    });
    expect(status.message).toBe(
      'Intent target availability cannot be checked: IS_GREATER_THAN needs a number target, got "high"',
    );
  });

  it("ignores targets that belong to other plugins", () => {
    const request = prepared({ targets: [makeTarget({ targetName: "greenEnergy", value: 99 })] });
    expect(availabilityFilter.filter(makeCluster({ greenEnergyPct: 0 }), request).code).toBe("Success");
  });
});

describe("GreenEnergy", () => {
  it("rejects a cluster with too little green energy, whatever the spelling of the target", () => {
    for (const targetName of ["greenEnergy", "green_energy", "GreenEnergyPct"]) {
      const status = greenEnergyFilter.filter(
        makeCluster({ name: "k3s-onelab", greenEnergyPct: 40 }),
        prepared({
          targets: [
            makeTarget({
              intentType: "GreenEnergy",
              targetName,
              condition: "IS_EQUAL_TO_OR_GREATER_THAN",
              value: 50,
            }),
          ],
        }),
      );
      expect(status.message).toBe(
        `Cluster k3s-onelab does not meet intent ${targetName} requirement (offers 40 %, needs at least 50 %)`,
      );
    }
  });
});

describe("CostClass", () => {
  it("compares the cost class as a string", () => {
    const request = prepared({
      targets: [makeTarget({ targetName: "cost", condition: "IS_EQUAL_TO", value: "low_cost" })],
    });
    expect(costClassFilter.filter(makeCluster({ cost: "low_cost" }), request).code).toBe("Success");
    expect(
      costClassFilter.filter(makeCluster({ name: "x", cost: "high_performance" }), request),
    ).toMatchObject({
      reason: "IntentTargetNotMet",
      message: "Cluster x does not meet intent cost requirement (offers high_performance, needs low_cost)",
    });
  });

  it("calls an ordering of cost classes a misconfiguration", () => {
    const request = prepared({
      targets: [makeTarget({ targetName: "cost", condition: "IS_LESS_THAN", value: 3 })],
    });
    expect(costClassFilter.filter(makeCluster(), request).code).toBe("Misconfigured");
  });
});

describe("BaseRate", () => {
  it("filters on the CPU base rate", () => {
    const request = prepared({
      targets: [makeTarget({ targetName: "cpuBaseRate", condition: "IS_EQUAL_TO_OR_LESS_THAN", value: 10 })],
    });
    expect(baseRateFilter.filter(makeCluster({ cpuBaseRate: 10 }), request).code).toBe("Success");
    expect(baseRateFilter.filter(makeCluster({ cpuBaseRate: 20 }), request).reason).toBe(
      "IntentTargetNotMet",
    );
  });
});

describe("Accelerator", () => {
  const ml = (overrides: Partial<PlacementRequest> = {}) =>
    prepared({
      targets: [
        makeTarget({
          intentType: "MachineLearning",
          targetName: "gpu",
          condition: "IS_EQUAL_TO",
          value: "true",
        }),
      ],
      ...overrides,
    });

  it("rejects a cluster without a GPU for a MachineLearning intent", () => {
    const status = acceleratorFilter.filter(makeCluster({ name: "dev-onelab", vramGb: 0 }), ml());
    expect(status).toMatchObject({ code: "Error", plugin: "Accelerator", reason: "IntentTargetNotMet" });
    expect(status.message).toBe(
      "Cluster dev-onelab does not meet intent gpu requirement (offers false, needs true)",
    );
  });

  it("requires a GPU for a MachineLearning intent even without a gpu target", () => {
    const request = prepared({
      targets: [makeTarget({ intentType: "MachineLearning", targetName: "cpuUsage" })],
    });
    expect(acceleratorFilter.filter(makeCluster({ name: "x" }), request)).toMatchObject({
      reason: "NoAccelerator",
      message: "Cluster x has no GPU (0 GPUs, 0 GB VRAM)",
    });
  });

  it("rejects a cluster with less VRAM than requested", () => {
    const status = acceleratorFilter.filter(
      makeCluster({ name: "x", vramGb: 8, capacity: { gpus: 1 } }),
      ml({ requests: { cpuMillicores: 0, memoryBytes: 0, vramGb: 14 } }),
    );
    expect(status).toMatchObject({
      reason: "InsufficientVram",
      message: "Cluster x has 8 GB VRAM, the workload needs 14 GB",
    });
  });

  it("rejects a cluster whose GPUs are all requested already", () => {
    const status = acceleratorFilter.filter(
      makeCluster({ name: "x", vramGb: 14, capacity: { gpus: 1 }, allocated: { gpus: 1 } }),
      ml({ requests: { cpuMillicores: 0, memoryBytes: 0, gpus: 1 } }),
    );
    expect(status).toMatchObject({
      reason: "InsufficientGpu",
      message: "Cluster x has 0 free GPU(s), the workload requests 1",
    });
  });

  it("counts a cluster reporting VRAM but no GPU count as one GPU", () => {
    const request = prepared({ requests: { cpuMillicores: 0, memoryBytes: 0, gpus: 1 } });
    expect(acceleratorFilter.filter(makeCluster({ vramGb: 14 }), request).code).toBe("Success");
    expect(acceleratorFilter.filter(makeCluster({ vramGb: 14, capacity: { gpus: 0 } }), request).reason).toBe(
      "NoAccelerator",
    );
  });

  it("judges vram targets as numbers of GB", () => {
    const request = prepared({
      targets: [
        makeTarget({
          intentType: "MachineLearning",
          targetName: "vram",
          condition: "IS_EQUAL_TO_OR_GREATER_THAN",
          value: 16,
        }),
      ],
    });
    expect(acceleratorFilter.filter(makeCluster({ name: "pro", vramGb: 14 }), request).message).toBe(
      "Cluster pro does not meet intent vram requirement (offers 14 GB, needs at least 16 GB)",
    );
  });

  it("keeps any cluster when nothing asks for an accelerator", () => {
    expect(acceleratorFilter.filter(makeCluster({ vramGb: 0 }), prepared()).code).toBe("Success");
  });
});

describe("Resources", () => {
  const cluster = makeCluster({
    name: "k3s-onelab",
    capacity: { cpuMillicores: 16_000, memoryBytes: 32 * GiB },
    allocated: { cpuMillicores: 14_000, memoryBytes: 30 * GiB },
  });

  it("keeps a cluster when the request fits exactly", () => {
    const request = prepared({ requests: { cpuMillicores: 2_000, memoryBytes: 2 * GiB } });
    expect(resourcesFilter.filter(cluster, request).code).toBe("Success");
  });

  it("rejects a cluster short of CPU", () => {
    const status = resourcesFilter.filter(
      cluster,
      prepared({ requests: { cpuMillicores: 4_000, memoryBytes: GiB } }),
    );
    expect(status).toEqual({
      code: "Error",
      reason: "InsufficientCpu",
      message: "Cluster k3s-onelab has not enough free CPU (2 CPU free, 4 CPU requested)",
      plugin: "Resources",
    });
  });

  it("rejects a cluster short of memory", () => {
    const status = resourcesFilter.filter(
      cluster,
      prepared({ requests: { cpuMillicores: 500, memoryBytes: 4 * GiB } }),
    );
    expect(status).toMatchObject({
      reason: "InsufficientMemory",
      message: "Cluster k3s-onelab has not enough free memory (2 GiB free, 4 GiB requested)",
    });
  });

  it("names both shortfalls at once", () => {
    const status = resourcesFilter.filter(
      cluster,
      prepared({ requests: { cpuMillicores: 2_500, memoryBytes: 2.5 * GiB } }),
    );
    expect(status).toMatchObject({
      reason: "InsufficientCpuAndMemory",
      message:
        "Cluster k3s-onelab has not enough free CPU (2 CPU free, 2.5 CPU requested) and memory (2 GiB free, 2.5 GiB requested)",
    });
  });

  it("does not count the request twice on the cluster the instance already runs on", () => {
    const full = makeCluster({ name: "here", allocated: { cpuMillicores: 16_000, memoryBytes: 32 * GiB } });
    const request = prepared({
      requests: { cpuMillicores: 4_000, memoryBytes: GiB },
      currentCluster: "here",
    });
    expect(resourcesFilter.filter(full, request).code).toBe("Success");
  });
});
