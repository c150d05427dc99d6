import { validateConditionValue, type ConditionOutcome } from "./conditions";
import { type ClusterCandidate, type IntentTarget, type PlacementRequest } from "./schema";

/**
 * What a placement request asks of clusters, worked out once per decision:
 * which intent targets are cluster properties (hard filters), which are not
 * (usage targets the evaluator judges after deployment), and the effective
 * resource request.
 */

export type FilterName =
  | "ProposedCluster"
  | "ClusterStatus"
  | "Cordoned"
  | "ExcludedClusters"
  | "Availability"
  | "GreenEnergy"
  | "CostClass"
  | "BaseRate"
  | "Accelerator"
  | "Resources";

export type ClusterPropertyKey =
  "availability" | "greenEnergy" | "cost" | "gpu" | "gpuPresent" | "vram" | "cpuBaseRate" | "memoryBaseRate";

interface PropertyBase<K extends ClusterPropertyKey> {
  readonly key: K;
  /** The filter plugin that enforces targets on this property. */
  readonly plugin: FilterName;
  /** Appended to numbers in messages. */
  readonly unit: string;
  /** How people call it in sentences: "green energy", "cost class". */
  readonly label: string;
}
export interface NumericProperty extends PropertyBase<Exclude<ClusterPropertyKey, "cost" | "gpuPresent">> {
  readonly kind: "number";
  readonly read: (cluster: ClusterCandidate) => number;
}
export interface TextProperty extends PropertyBase<"cost" | "gpuPresent"> {
  readonly kind: "string";
  readonly read: (cluster: ClusterCandidate) => string;
}
export type ClusterProperty = NumericProperty | TextProperty;

/**
 * GPUs a cluster has. The clusters table records VRAM but not a GPU count, so a
 * cluster reporting VRAM without a count is taken to have one GPU.
 */
export function gpuCount(cluster: ClusterCandidate): number {
  return cluster.capacity.gpus ?? (cluster.vramGb > 0 ? 1 : 0);
}

export const CLUSTER_PROPERTIES = {
  availability: {
    key: "availability",
    plugin: "Availability",
    label: "availability",
    unit: " %",
    kind: "number",
    read: (c) => c.availabilityPct,
  },
  greenEnergy: {
    key: "greenEnergy",
    plugin: "GreenEnergy",
    label: "green energy",
    unit: " %",
    kind: "number",
    read: (c) => c.greenEnergyPct,
  },
  cost: {
    key: "cost",
    plugin: "CostClass",
    label: "cost class",
    unit: "",
    kind: "string",
    read: (c) => c.cost,
  },
  gpu: { key: "gpu", plugin: "Accelerator", label: "GPUs", unit: "", kind: "number", read: gpuCount },
  // "gpu IS_EQUAL_TO 'true'" as intents written from YAML say it.
  gpuPresent: {
    key: "gpuPresent",
    plugin: "Accelerator",
    label: "GPU presence",
    unit: "",
    kind: "string",
    read: (c) => (gpuCount(c) > 0 ? "true" : "false"),
  },
  vram: {
    key: "vram",
    plugin: "Accelerator",
    label: "VRAM",
    unit: " GB",
    kind: "number",
    read: (c) => c.vramGb,
  },
  cpuBaseRate: {
    key: "cpuBaseRate",
    plugin: "BaseRate",
    label: "CPU base rate",
    unit: "",
    kind: "number",
    read: (c) => c.cpuBaseRate,
  },
  memoryBaseRate: {
    key: "memoryBaseRate",
    plugin: "BaseRate",
    label: "memory base rate",
    unit: "",
    kind: "number",
    read: (c) => c.memoryBaseRate,
  },
} as const satisfies { [K in ClusterPropertyKey]: ClusterProperty & { key: K } };

const PROPERTY_BY_NAME: ReadonlyMap<string, ClusterPropertyKey> = new Map<string, ClusterPropertyKey>([
  ["availability", "availability"],
  ["availabilitypct", "availability"],
  ["greenenergy", "greenEnergy"],
  ["greenenergypct", "greenEnergy"],
  ["cost", "cost"],
  ["costclass", "cost"],
  ["gpu", "gpu"],
  ["gpus", "gpu"],
  ["vram", "vram"],
  ["vramgb", "vram"],
  ["cpubaserate", "cpuBaseRate"],
  ["memorybaserate", "memoryBaseRate"],
]);

const normalized = new Map<string, string>();
const NORMALIZED_CACHE_LIMIT = 1_024;

/** "greenEnergy", "green_energy" and "Green-Energy" name the same target. */
function normalizeName(name: string): string {
  // Memoized: the same few names arrive with every decision. Bounded, since names come from users.
  let result = normalized.get(name);
  if (result === undefined) {
    if (normalized.size >= NORMALIZED_CACHE_LIMIT) normalized.clear();
    result = name.toLowerCase().replace(/[^a-z0-9]/g, "");
    normalized.set(name, result);
  }
  return result;
}

/** The cluster property a target constrains, or null when it is not a property of a cluster. */
export function propertyOfTarget(target: IntentTarget): ClusterProperty | null {
  const key = PROPERTY_BY_NAME.get(normalizeName(target.targetName));
  if (!key) return null;
  if (key === "gpu" && typeof target.value === "string") return CLUSTER_PROPERTIES.gpuPresent;
  return CLUSTER_PROPERTIES[key];
}

export interface PropertyTarget {
  readonly target: IntentTarget;
  readonly property: ClusterProperty;
  /** Set when the target cannot be judged against this property (wrong kind, bad range, …). */
  readonly misconfigured: Extract<ConditionOutcome, { ok: false }> | null;
}

export interface IgnoredTarget {
  readonly intentType: string;
  readonly targetName: string;
  readonly reason: "NotAPlacementConstraint";
  readonly message: string;
}

export interface PreparedRequest {
  readonly request: PlacementRequest;
  readonly propertyTargets: readonly PropertyTarget[];
  readonly ignoredTargets: readonly IgnoredTarget[];
  readonly excluded: ReadonlySet<string>;
  /** A MachineLearning intent, or GPUs / VRAM in the manifests. */
  readonly needsAccelerator: boolean;
  readonly cpuMillicores: number;
  readonly memoryBytes: number;
  readonly gpus: number;
  readonly vramGb: number;
}

const NONE_EXCLUDED: ReadonlySet<string> = new Set();

export function prepareRequest(request: PlacementRequest): PreparedRequest {
  const propertyTargets: PropertyTarget[] = [];
  const ignoredTargets: IgnoredTarget[] = [];
  let machineLearning = false;
  for (const target of request.targets) {
    if (normalizeName(target.intentType) === "machinelearning") machineLearning = true;
    const property = propertyOfTarget(target);
    if (property) {
      propertyTargets.push({
        target,
        property,
        misconfigured: validateConditionValue(target.condition, target.value, property.kind),
      });
    } else {
      ignoredTargets.push({
        intentType: target.intentType,
        targetName: target.targetName,
        reason: "NotAPlacementConstraint",
        message:
          `Target ${target.targetName} (${target.intentType}) is not a placement constraint: ` +
          "it is not a property of a cluster; the intent evaluator checks it after deployment",
      });
    }
  }
  const gpus = request.requests.gpus ?? 0;
  const vramGb = request.requests.vramGb ?? 0;
  return {
    request,
    propertyTargets,
    ignoredTargets,
    excluded: request.excludeClusters?.length ? new Set(request.excludeClusters) : NONE_EXCLUDED,
    needsAccelerator: machineLearning || gpus > 0 || vramGb > 0,
    cpuMillicores: request.requests.cpuMillicores,
    memoryBytes: request.requests.memoryBytes,
    gpus,
    vramGb,
  };
}
