import { CONDITIONS, type Condition } from "@/server/placement/conditions";
import {
  PRIORITIZER_NAMES,
  type ClusterCandidate,
  type IntentTarget,
  type PlacementConfigInput,
  type PlacementRequest,
} from "@/server/placement/schema";

/** Small factories for the placement tests and benchmark: each builds a valid object, callers override what they are about. */

export const GiB = 2 ** 30;

type ClusterOverrides = Partial<Omit<ClusterCandidate, "capacity" | "allocated">> & {
  capacity?: Partial<ClusterCandidate["capacity"]>;
  allocated?: Partial<ClusterCandidate["allocated"]>;
};

export function makeCluster(overrides: ClusterOverrides = {}): ClusterCandidate {
  const name = overrides.name ?? "cluster-a";
  return {
    id: `id-${name}`,
    status: "OK",
    availabilityPct: 99,
    greenEnergyPct: 50,
    cost: "low_cost",
    cpuBaseRate: 10,
    memoryBaseRate: 5,
    vramGb: 0,
    instanceCount: 0,
    ...overrides,
    name,
    capacity: { cpuMillicores: 16_000, memoryBytes: 32 * GiB, ...overrides.capacity },
    allocated: { cpuMillicores: 0, memoryBytes: 0, ...overrides.allocated },
  };
}

export function makeTarget(overrides: Partial<IntentTarget> = {}): IntentTarget {
  return {
    intentType: "Availability",
    targetName: "availability",
    condition: "IS_GREATER_THAN",
    value: 95,
    ...overrides,
  };
}

export function makeRequest(overrides: Partial<PlacementRequest> = {}): PlacementRequest {
  return {
    instanceId: "instance-1",
    requests: { cpuMillicores: 500, memoryBytes: 512 * 2 ** 20 },
    targets: [],
    ...overrides,
  };
}

/** The product's reference test-bed (figures from the deliverable; nemo-smart-farming still joining). */
export function testBedClusters(): ClusterCandidate[] {
  return [
    makeCluster({
      name: "dev-onelab",
      availabilityPct: 90,
      greenEnergyPct: 0,
      cost: "low_cost",
      cpuBaseRate: 8,
      memoryBaseRate: 4,
      capacity: { cpuMillicores: 68_000, memoryBytes: 172 * GiB },
    }),
    makeCluster({
      name: "staging-onelab",
      availabilityPct: 99.9,
      greenEnergyPct: 60,
      cost: "high_performance",
      cpuBaseRate: 15,
      memoryBaseRate: 8,
      capacity: { cpuMillicores: 32_000, memoryBytes: 62 * GiB },
    }),
    makeCluster({
      name: "pro-onelab",
      availabilityPct: 95,
      greenEnergyPct: 20,
      cost: "high_performance",
      cpuBaseRate: 20,
      memoryBaseRate: 10,
      vramGb: 14,
      capacity: { cpuMillicores: 32_000, memoryBytes: 62 * GiB, gpus: 1 },
    }),
    makeCluster({
      name: "k3s-onelab",
      availabilityPct: 95,
      greenEnergyPct: 40,
      cost: "low_cost",
      cpuBaseRate: 6,
      memoryBaseRate: 3,
      capacity: { cpuMillicores: 16_000, memoryBytes: 32 * GiB },
    }),
    makeCluster({
      name: "nemo-smart-farming",
      status: "PENDING",
      availabilityPct: 99,
      greenEnergyPct: 0,
      cost: "low_cost",
      cpuBaseRate: 4,
      memoryBaseRate: 2,
      capacity: { cpuMillicores: 6_000, memoryBytes: 8 * GiB },
    }),
  ];
}

/** mulberry32: a tiny seeded PRNG, so random tests and benchmarks replay exactly. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Picker {
  readonly next: () => number;
  pick<T>(items: readonly T[]): T;
  int(min: number, max: number): number;
  chance(p: number): boolean;
}

export function picker(seed: number): Picker {
  const next = seededRandom(seed);
  return {
    next,
    pick<T>(items: readonly T[]): T {
      if (items.length === 0) throw new Error("pick from an empty list");
      return items[Math.floor(next() * items.length)] as T;
    },
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
  };
}

/**
 * Random clusters over small value domains, so equal properties, equal scores
 * and ties by name are common. Names mix case to exercise code-unit order.
 */
export function randomClusters(
  rng: Picker,
  count: number,
  domains: "small" | "wide" = "small",
): ClusterCandidate[] {
  const clusters: ClusterCandidate[] = [];
  const letters = ["a", "B", "c", "D", "e", "_", "z", "Z"];
  for (let i = 0; i < count; i++) {
    const cpu = rng.pick([4_000, 8_000, 16_000, 32_000]);
    const memory = rng.pick([8, 16, 32, 64]) * GiB;
    const vramGb = rng.pick([0, 0, 0, 8, 14]);
    const gpus = rng.pick([undefined, 0, 1, 2]);
    const wide = domains === "wide";
    clusters.push(
      makeCluster({
        name: `${rng.pick(letters)}${rng.pick(letters)}-${i}`,
        status: rng.chance(0.85) ? "OK" : rng.pick(["PENDING", "ERROR", "DEREGISTERED"] as const),
        availabilityPct: wide ? Math.round(rng.next() * 1000) / 10 : rng.pick([90, 95, 99, 99.9, 100]),
        greenEnergyPct: wide ? rng.int(0, 100) : rng.pick([0, 20, 40, 60, 100]),
        cost: rng.pick(["low_cost", "high_performance"] as const),
        cpuBaseRate: rng.int(1, 20),
        memoryBaseRate: rng.int(1, 10),
        vramGb,
        instanceCount: rng.int(0, 5),
        capacity: { cpuMillicores: cpu, memoryBytes: memory, ...(gpus === undefined ? {} : { gpus }) },
        allocated: {
          cpuMillicores: rng.chance(0.05) ? cpu + 1_000 : rng.int(0, cpu / 1_000) * 1_000,
          memoryBytes: rng.int(0, memory / GiB) * GiB,
          ...(gpus ? { gpus: rng.int(0, gpus) } : {}),
        },
      }),
    );
  }
  return clusters;
}

function randomTarget(rng: Picker): IntentTarget {
  const condition: Condition = rng.pick(CONDITIONS);
  const kind = rng.pick([
    "availability",
    "greenEnergy",
    "cost",
    "gpu",
    "vram",
    "cpuBaseRate",
    "usage",
  ] as const);
  switch (kind) {
    case "availability":
    case "greenEnergy": {
      const points = kind === "availability" ? [90, 95, 97, 99, 99.9, 100] : [0, 20, 30, 40, 60, 100];
      const value =
        condition === "IS_WITHIN_RANGE" || condition === "IS_OUTSIDE_RANGE"
          ? [rng.pick(points), rng.pick(points)].sort((a, b) => a - b)
          : condition === "IS_ONE_OF" || condition === "IS_NOT_ONE_OF" || condition === "IS_ALL_OF"
            ? [rng.pick(points), rng.pick(points)]
            : rng.pick(points);
      return {
        intentType: kind === "availability" ? "Availability" : "GreenEnergy",
        targetName: kind,
        condition,
        value,
      };
    }
    case "cost":
      return {
        intentType: "DeliverComputingWorkload",
        targetName: "cost",
        condition: rng.pick(["IS_EQUAL_TO", "IS_ONE_OF", "IS_NOT_ONE_OF", "IS_GREATER_THAN"] as const),
        value: rng.chance(0.5) ? "low_cost" : ["high_performance"],
      };
    case "gpu":
      return rng.chance(0.5)
        ? { intentType: "MachineLearning", targetName: "gpu", condition: "IS_EQUAL_TO", value: "true" }
        : { intentType: "MachineLearning", targetName: "gpu", condition, value: rng.int(0, 2) };
    case "vram":
      return { intentType: "MachineLearning", targetName: "vram", condition, value: rng.pick([0, 8, 14]) };
    case "cpuBaseRate":
      return {
        intentType: "DeliverComputingWorkload",
        targetName: "cpuBaseRate",
        condition,
        value: rng.int(1, 20),
      };
    case "usage":
      return { intentType: "DeliverComputingWorkload", targetName: "cpuUsage", condition, value: 500 };
  }
}

/** A random request over `clusters`: targets of every kind (some misconfigured), proposals, exclusions. */
export function randomRequest(rng: Picker, clusters: readonly ClusterCandidate[]): PlacementRequest {
  const names = clusters.map((c) => c.name);
  const someName = () => (names.length > 0 && rng.chance(0.9) ? rng.pick(names) : "not-registered");
  const gpus = rng.chance(0.15) ? rng.int(1, 2) : undefined;
  const vramGb = rng.chance(0.15) ? rng.pick([4, 8, 14]) : undefined;
  return {
    instanceId: `instance-${rng.int(0, 1_000)}`,
    requests: {
      cpuMillicores: rng.pick([0, 500, 1_000, 4_000, 16_000]),
      memoryBytes: rng.pick([0, 1, 4, 16]) * GiB,
      ...(gpus === undefined ? {} : { gpus }),
      ...(vramGb === undefined ? {} : { vramGb }),
    },
    targets: Array.from({ length: rng.int(0, 3) }, () => randomTarget(rng)),
    ...(rng.chance(0.1) ? { proposedCluster: someName() } : {}),
    ...(rng.chance(0.2) ? { preferredCluster: someName() } : {}),
    ...(rng.chance(0.3) ? { currentCluster: someName() } : {}),
    ...(rng.chance(0.3) ? { excludeClusters: [someName(), someName()] } : {}),
  };
}

export function randomConfig(rng: Picker): PlacementConfigInput {
  if (rng.chance(0.5)) return {};
  return { weights: Object.fromEntries(PRIORITIZER_NAMES.map((name) => [name, rng.int(-3, 3)])) };
}
