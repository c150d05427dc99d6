import { describe, expect, it } from "vitest";
import { GiB, makeCluster } from "@/server/testing/placement-factories";
import { energyKwhPerPeriod } from "./energy-model";
import {
  createEvaluator,
  fulfilmentTransition,
  ISOLATED_CONNECTIVITY_REASON,
  measurementOf,
  type EvaluationCluster,
  type EvaluationSubject,
  type UsageReading,
} from "./evaluation";
import { readStoredTargets } from "./model";

/** Two OK clusters and one in ERROR (which feasibility must ignore). */
const clusters: EvaluationCluster[] = [
  {
    candidate: makeCluster({
      name: "edge",
      availabilityPct: 95,
      greenEnergyPct: 80,
      vramGb: 0,
      capacity: { cpuMillicores: 8_000, memoryBytes: 16 * GiB },
    }),
    storageGb: 100,
    cpuInUseMillicores: 2_000,
  },
  {
    candidate: makeCluster({
      name: "core",
      availabilityPct: 99.9,
      greenEnergyPct: 20,
      vramGb: 24,
      capacity: { cpuMillicores: 64_000, memoryBytes: 256 * GiB, gpus: 2 },
    }),
    storageGb: 1_000,
    cpuInUseMillicores: 48_000,
  },
  {
    candidate: makeCluster({
      name: "broken",
      status: "ERROR",
      availabilityPct: 99.99,
      vramGb: 80,
      capacity: { cpuMillicores: 512_000, memoryBytes: 1024 * GiB },
    }),
    storageGb: 10_000,
    cpuInUseMillicores: null,
  },
];

type Target = [name: string, condition: string, value: string | number | string[] | number[]];

function bodyOf(targets: Target[], extra: Record<string, unknown> = {}) {
  return {
    userLabel: "t",
    intentExpectations: [
      {
        expectationId: "e1",
        expectationVerb: "DELIVER",
        expectationObject: { objectType: "NEMO_WORKLOAD", objectInstance: "i", objectContexts: [] },
        expectationTargets: targets.map(([targetName, targetCondition, targetValueRange]) => ({
          targetName,
          targetCondition,
          targetValueRange,
          targetContexts: [],
        })),
        expectationContexts: [],
      },
    ],
    intentContexts: [],
    ...extra,
  };
}

const usage: UsageReading = { ok: true, cpuMillicores: 250, memoryMiB: 512, diskMiB: 3_072 };

function subject(
  targets: Target[],
  overrides: Partial<Omit<EvaluationSubject, "instance">> & {
    instance?: Partial<EvaluationSubject["instance"]>;
  } = {},
): EvaluationSubject {
  const { instance, ...rest } = overrides;
  return {
    intentType: "DeliverComputingWorkload",
    body: bodyOf(targets),
    usage,
    ...rest,
    instance: {
      id: "instance-1",
      label: "web-abc1234",
      status: "DEPLOYED",
      statusReason: null,
      clusterId: "id-edge",
      migrationInFlight: false,
      ...instance,
    },
  };
}

const evaluate = (s: EvaluationSubject) => createEvaluator(clusters).evaluate(s);

describe("stored targets", () => {
  it("reads expectations and targets, numbers stored as strings as numbers", () => {
    expect(
      readStoredTargets(
        bodyOf([
          ["cpuUsage", "IS_GREATER_THAN", "2"],
          ["vram", "IS_WITHIN_RANGE", ["8", "16"]],
        ]),
      ),
    ).toEqual([
      { expectationId: "e1", targetName: "cpuUsage", targetCondition: "IS_GREATER_THAN", targetValue: 2 },
      { expectationId: "e1", targetName: "vram", targetCondition: "IS_WITHIN_RANGE", targetValue: [8, 16] },
    ]);
    expect(readStoredTargets({ expectations: [] })).toEqual([]);
    expect(readStoredTargets(null)).toEqual([]);
  });

  it("knows what each target measures, matching names like placement does", () => {
    expect(measurementOf("Green-Energy", 50)).toMatchObject({
      kind: "property",
      property: { key: "greenEnergy" },
    });
    expect(measurementOf("gpu", "true")).toMatchObject({ kind: "property", property: { key: "gpuPresent" } });
    expect(measurementOf("CPU_usage", 1)).toEqual({ kind: "usage", resource: "cpu" });
    expect(measurementOf("CompEnergyConsumption", 1)).toEqual({ kind: "usage", resource: "energy" });
    expect(measurementOf("CompEnergyEfficiency", 1)).toEqual({ kind: "utilisation" });
    expect(measurementOf("GreenEnergyConsumptionRate", 1)).toMatchObject({
      property: { key: "greenEnergy" },
    });
    expect(measurementOf("isolatedConnectivity", "true")).toEqual({ kind: "isolatedConnectivity" });
    expect(measurementOf("speed", 1)).toEqual({ kind: "unknown" });
  });
});

describe("each kind of target", () => {
  it("judges cluster properties on the instance's cluster", () => {
    const report = evaluate(
      subject([
        ["availability", "IS_GREATER_THAN", "90"],
        ["greenEnergy", "IS_EQUAL_TO_OR_GREATER_THAN", 60],
      ]),
    );
    expect(report).toMatchObject({
      fulfilmentStatus: "FULFILLED",
      notFulfilledState: null,
      feasibility: "FEASIBLE",
    });
    expect(report.targetResults.map((t) => [t.targetAchievedValue, t.unit])).toEqual([
      [95, "%"],
      [80, "%"],
    ]);
  });

  it("judges GPUs by count or presence, and VRAM", () => {
    const onCore = { instance: { clusterId: "id-core" } };
    expect(evaluate(subject([["gpu", "IS_EQUAL_TO_OR_GREATER_THAN", 2]], onCore)).fulfilmentStatus).toBe(
      "FULFILLED",
    );
    expect(evaluate(subject([["gpu", "IS_EQUAL_TO", "true"]], onCore)).targetResults[0]).toMatchObject({
      targetAchievedValue: "true",
      fulfilmentStatus: "FULFILLED",
      unit: "GPUs",
    });
    const edge = evaluate(subject([["vram", "IS_EQUAL_TO_OR_GREATER_THAN", 16]]));
    expect(edge).toMatchObject({ notFulfilledState: "DEGRADED", feasibility: "FEASIBLE" });
    expect(edge.notFulfilledReasons).toEqual(["vram is 0 GB, needs at least 16 GB"]);
  });

  it("judges usage targets on the instance's measured usage (disk in GB)", () => {
    const report = evaluate(
      subject([
        ["cpuUsage", "IS_LESS_THAN", 1_000],
        ["ramUsage", "IS_WITHIN_RANGE", [256, 1_024]],
        ["diskUsage", "IS_EQUAL_TO", 3],
      ]),
    );
    expect(report.fulfilmentStatus).toBe("FULFILLED");
    expect(report.targetResults.map((t) => [t.targetAchievedValue, t.unit])).toEqual([
      [250, "millicores"],
      [512, "MiB"],
      [3, "GB"],
    ]);
  });

  it("names the target, the achieved and the required value when violated", () => {
    const report = evaluate(subject([["cpuUsage", "IS_GREATER_THAN", "1000"]]));
    expect(report).toMatchObject({
      fulfilmentStatus: "NOT_FULFILLED",
      notFulfilledState: "DEGRADED",
      notFulfilledReasons: ["cpuUsage is 250 millicores, needs more than 1000 millicores"],
      feasibility: "FEASIBLE",
    });
    expect(report.targetResults[0]).toMatchObject({
      fulfilmentStatus: "NOT_FULFILLED",
      targetAchievedValue: 250,
      reason: "cpuUsage is 250 millicores, needs more than 1000 millicores",
    });
  });

  it("says why usage could not be measured", () => {
    const report = evaluate(
      subject([["ramUsage", "IS_LESS_THAN", 100]], {
        usage: { ok: false, reason: "cluster edge: namespace web-abc1234 not found" },
      }),
    );
    expect(report.notFulfilledReasons).toEqual([
      "ramUsage could not be measured: cluster edge: namespace web-abc1234 not found",
    ]);
    expect(report.targetResults[0]!.targetAchievedValue).toBeNull();
  });

  it("models energy: consumption per day from usage, green share and utilisation from the cluster", () => {
    // 0.25 cores × 12 W + 0.5 GiB × 0.375 W = 3.1875 W → 76.5 Wh a day.
    expect(energyKwhPerPeriod(250, 512)).toBe(0.077);
    const report = evaluate(
      subject(
        [
          ["CompEnergyConsumption", "IS_LESS_THAN", 1],
          ["GreenEnergyConsumptionRate", "IS_GREATER_THAN", 50],
          ["CompEnergyEfficiency", "IS_EQUAL_TO_OR_GREATER_THAN", 30],
        ],
        { intentType: "EnergyCarbonEfficiency" },
      ),
    );
    expect(report.targetResults.map((t) => [t.targetAchievedValue, t.unit, t.fulfilmentStatus])).toEqual([
      [0.077, "kWh", "FULFILLED"],
      [80, "%", "FULFILLED"],
      [25, "%", "NOT_FULFILLED"],
    ]);
    expect(report.notFulfilledReasons).toEqual(["CompEnergyEfficiency is 25 %, needs at least 30 %"]);
  });

  it("acknowledges isolated connectivity, which nothing measures yet", () => {
    const report = evaluate(
      subject([["isolatedConnectivity", "IS_EQUAL_TO", "true"]], { intentType: "cloud_continuum" }),
    );
    expect(report).toMatchObject({
      fulfilmentStatus: "NOT_FULFILLED",
      notFulfilledState: "ACKNOWLEDGED",
      notFulfilledReasons: [ISOLATED_CONNECTIVITY_REASON],
      feasibility: "FEASIBLE",
    });
    expect(fulfilmentTransition(null, report).notify).toBe(false);
  });

  it("refuses unknown targets and targets that cannot be judged, with the condition's message", () => {
    const unknown = evaluate(subject([["speed", "IS_GREATER_THAN", 1]]));
    expect(unknown).toMatchObject({
      notFulfilledState: "FULFILMENTFAILED",
      feasibility: "INFEASIBLE",
      infeasibilityReason: "unknown target speed: the evaluator cannot measure it",
      notFulfilledReasons: ["unknown target speed: the evaluator cannot measure it"],
    });
    const mismatch = evaluate(subject([["cpuUsage", "IS_GREATER_THAN", "lots"]]));
    expect(mismatch.targetResults[0]!.reason).toBe(
      'cpuUsage cannot be judged: IS_GREATER_THAN needs a number target, got "lots"',
    );
    expect(mismatch.feasibility).toBe("INFEASIBLE");
  });
});

describe("selectivity", () => {
  const targets: Target[] = [
    ["availability", "IS_GREATER_THAN", 99],
    ["greenEnergy", "IS_GREATER_THAN", 50],
  ];

  it("needs every target under ALL_OF (the default)", () => {
    expect(evaluate(subject(targets)).fulfilmentStatus).toBe("NOT_FULFILLED");
  });

  it("is satisfied by one target under ANY_OF and ONE_OF, from the column or the body", () => {
    expect(evaluate(subject(targets, { contextSelectivity: "ANY_OF" })).fulfilmentStatus).toBe("FULFILLED");
    expect(
      evaluate(subject(targets, { body: bodyOf(targets, { contextSelectivity: "ONE_OF" }) }))
        .fulfilmentStatus,
    ).toBe("FULFILLED");
  });

  it("is infeasible under ANY_OF only when every target is", () => {
    const report = evaluate(
      subject(
        [
          ["cpuUsage", "IS_GREATER_THAN", 1_000_000],
          ["availability", "IS_GREATER_THAN", 99],
        ],
        { contextSelectivity: "ANY_OF", instance: { clusterId: "id-core" } },
      ),
    );
    expect(report).toMatchObject({ fulfilmentStatus: "FULFILLED", feasibility: "FEASIBLE" });
  });
});

describe("feasibility", () => {
  it("finds a usage target beyond the largest OK cluster infeasible (an ERROR cluster does not count)", () => {
    const report = evaluate(subject([["cpuUsage", "IS_GREATER_THAN", 100_000]]));
    expect(report).toMatchObject({
      fulfilmentStatus: "NOT_FULFILLED",
      notFulfilledState: "FULFILMENTFAILED",
      feasibility: "INFEASIBLE",
      infeasibilityReason:
        "no registered cluster has more than 100000 millicores of CPU: the largest has 64000 millicores",
    });
    expect(report.notFulfilledReasons).toEqual([
      "no registered cluster has more than 100000 millicores of CPU: the largest has 64000 millicores",
      "cpuUsage is 250 millicores, needs more than 100000 millicores",
    ]);
  });

  it("bounds memory, disk and ranges by capacity", () => {
    expect(evaluate(subject([["ramUsage", "IS_EQUAL_TO_OR_GREATER_THAN", 262_144]])).feasibility).toBe(
      "FEASIBLE",
    );
    expect(
      evaluate(subject([["ramUsage", "IS_EQUAL_TO_OR_GREATER_THAN", 262_145]])).infeasibilityReason,
    ).toBe("no registered cluster has 262145 MiB of memory: the largest has 262144 MiB");
    expect(evaluate(subject([["diskUsage", "IS_WITHIN_RANGE", [2_000, 3_000]]])).infeasibilityReason).toBe(
      "diskUsage between 2000 GB and 3000 GB is out of reach: storage lies between 0 and 1000 GB on the largest registered cluster",
    );
    expect(evaluate(subject([["cpuUsage", "IS_LESS_THAN", 0]])).feasibility).toBe("INFEASIBLE");
  });

  it("names the property target no OK cluster satisfies", () => {
    const report = evaluate(subject([["availability", "IS_GREATER_THAN", 99.95]]));
    expect(report).toMatchObject({
      feasibility: "INFEASIBLE",
      infeasibilityReason:
        "no registered cluster offers availability of more than 99.95 % (highest availability offered: 99.9 %)",
      notFulfilledState: "FULFILMENTFAILED",
    });
  });

  it("names the green-energy target no OK cluster meets, with the highest share offered", () => {
    const report = evaluate(
      subject([
        ["availability", "IS_EQUAL_TO_OR_GREATER_THAN", 95],
        ["greenEnergy", "IS_EQUAL_TO_OR_GREATER_THAN", 90],
      ]),
    );
    expect(report.infeasibilityReason).toBe(
      "no registered cluster offers green energy of at least 90 % (highest green energy offered: 80 %)",
    );
  });

  it("leaves a cordoned (draining) cluster out: it takes no placements, so it makes nothing feasible", () => {
    const cordoned = clusters.map((c) =>
      c.candidate.name === "core" ? { ...c, candidate: { ...c.candidate, cordoned: true } } : c,
    );
    const target: Target[] = [["availability", "IS_EQUAL_TO_OR_GREATER_THAN", 99]];
    expect(createEvaluator(clusters).evaluate(subject(target)).feasibility).toBe("FEASIBLE");
    const report = createEvaluator(cordoned).evaluate(
      subject(target, { instance: { clusterId: "id-core" } }),
    );
    expect(report).toMatchObject({
      feasibility: "INFEASIBLE",
      infeasibilityReason:
        "no registered cluster offers availability of at least 99 % (highest availability offered: 95 %)",
    });
    // The instance still on the cordoned cluster is judged there: it meets the target meanwhile.
    expect(report.fulfilmentStatus).toBe("FULFILLED");
  });

  it("says when no single cluster satisfies property targets together", () => {
    const report = evaluate(
      subject([
        ["greenEnergy", "IS_GREATER_THAN", 50],
        ["vram", "IS_EQUAL_TO_OR_GREATER_THAN", 16],
      ]),
    );
    expect(report.infeasibilityReason).toBe(
      "no single cluster offers green energy of more than 50 % and VRAM of at least 16 GB together",
    );
  });
});

describe("the instance's state", () => {
  const target: Target[] = [["cpuUsage", "IS_GREATER_THAN", 2]];

  it.each(["CREATED", "RENDERED", "DEPLOYING"] as const)(
    "acknowledges a %s instance: not deployed yet",
    (status) => {
      const report = evaluate(subject(target, { instance: { status }, usage: null }));
      expect(report).toMatchObject({
        fulfilmentStatus: "NOT_FULFILLED",
        notFulfilledState: "ACKNOWLEDGED",
        notFulfilledReasons: ["instance web-abc1234 is not deployed yet"],
      });
      expect(report.targetResults[0]).toMatchObject({
        targetAchievedValue: null,
        fulfilmentStatus: "NOT_FULFILLED",
      });
    },
  );

  it("fails with the instance's reason when it FAILED", () => {
    const report = evaluate(
      subject(target, { instance: { status: "FAILED", statusReason: "No cluster can take this instance" } }),
    );
    expect(report).toMatchObject({
      notFulfilledState: "FULFILMENTFAILED",
      notFulfilledReasons: ["instance web-abc1234 failed: No cluster can take this instance"],
    });
  });

  it("terminates with a DELETED instance", () => {
    expect(evaluate(subject(target, { instance: { status: "DELETED" } }))).toMatchObject({
      notFulfilledState: "TERMINATED",
      notFulfilledReasons: ["instance web-abc1234 was deleted"],
    });
  });

  it("is COMPLIANT while the instance migrates, and when violated with a migration in flight", () => {
    expect(evaluate(subject(target, { instance: { status: "MIGRATING" } }))).toMatchObject({
      fulfilmentStatus: "NOT_FULFILLED",
      notFulfilledState: "COMPLIANT",
      notFulfilledReasons: ["instance web-abc1234 is migrating"],
    });
    const violated = evaluate(
      subject([["availability", "IS_GREATER_THAN", 99]], { instance: { migrationInFlight: true } }),
    );
    expect(violated.notFulfilledState).toBe("COMPLIANT");
    // A migration in flight does not hide a fulfilled intent.
    expect(evaluate(subject(target, { instance: { migrationInFlight: true } })).fulfilmentStatus).toBe(
      "FULFILLED",
    );
  });

  it("says when the instance's cluster is no longer registered", () => {
    const report = evaluate(
      subject([["availability", "IS_GREATER_THAN", 90]], { instance: { clusterId: "gone" } }),
    );
    expect(report.notFulfilledReasons).toEqual([
      "availability could not be measured: the cluster of instance web-abc1234 is not registered",
    ]);
  });
});

describe("notification", () => {
  const fulfilled = { fulfilmentStatus: "FULFILLED", notFulfilledState: null } as const;
  const degraded = { fulfilmentStatus: "NOT_FULFILLED", notFulfilledState: "DEGRADED" } as const;
  const failed = { fulfilmentStatus: "NOT_FULFILLED", notFulfilledState: "FULFILMENTFAILED" } as const;
  const waiting = { fulfilmentStatus: "NOT_FULFILLED", notFulfilledState: "ACKNOWLEDGED" } as const;
  const compliant = { fulfilmentStatus: "NOT_FULFILLED", notFulfilledState: "COMPLIANT" } as const;

  it("announces a violation once per transition into it", () => {
    expect(fulfilmentTransition(null, degraded)).toEqual({ lastFulfilment: "NOT_FULFILLED", notify: true });
    expect(fulfilmentTransition("FULFILLED", failed)).toEqual({
      lastFulfilment: "NOT_FULFILLED",
      notify: true,
    });
    expect(fulfilmentTransition("NOT_FULFILLED", degraded)).toEqual({
      lastFulfilment: "NOT_FULFILLED",
      notify: false,
    });
    expect(fulfilmentTransition("NOT_FULFILLED", fulfilled)).toEqual({
      lastFulfilment: "FULFILLED",
      notify: false,
    });
  });

  it("leaves the last judged outcome alone for waiting states, so a later violation still counts", () => {
    expect(fulfilmentTransition(null, waiting)).toEqual({ lastFulfilment: null, notify: false });
    expect(fulfilmentTransition("FULFILLED", compliant)).toEqual({
      lastFulfilment: "FULFILLED",
      notify: false,
    });
  });
});
