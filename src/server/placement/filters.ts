import { describeViolation, evaluateCondition, type ActualValue } from "./conditions";
import { gpuCount, type FilterName, type PreparedRequest } from "./request";
import { type ClusterCandidate } from "./schema";

/**
 * Filter plugins, in the manner of Open Cluster Management: each keeps or
 * rejects one cluster and says why with a typed status. A cluster is rejected
 * by the first plugin (in {@link FILTERS} order) that does not return Success.
 */

export type StatusCode = "Success" | "Warning" | "Error" | "Misconfigured";

export interface PluginStatus {
  readonly code: StatusCode;
  /** Machine-readable, stable across releases: "IntentTargetNotMet", "InsufficientCpu", … */
  readonly reason: string;
  /** For people: "Cluster dev-onelab does not meet intent availability requirement (offers 90 %, needs more than 95 %)". */
  readonly message: string;
  readonly plugin: FilterName;
}

export interface FilterPlugin {
  readonly name: FilterName;
  readonly description: string;
  filter(cluster: ClusterCandidate, request: PreparedRequest): PluginStatus;
}

const passed = new Map<FilterName, PluginStatus>();
function success(plugin: FilterName): PluginStatus {
  let status = passed.get(plugin);
  if (!status) {
    status = { code: "Success", reason: "Passed", message: "", plugin };
    passed.set(plugin, status);
  }
  return status;
}

function rejected(plugin: FilterName, reason: string, message: string): PluginStatus {
  return { code: "Error", reason, message, plugin };
}

/** Whether the instance already runs on `cluster` (its requests are then part of `allocated`). */
export function isCurrentCluster(cluster: ClusterCandidate, request: PreparedRequest): boolean {
  return request.request.currentCluster === cluster.name;
}

function formatCores(millicores: number): string {
  return `${Math.round(millicores) / 1000} CPU`;
}

function formatBytes(bytes: number): string {
  return `${Math.round((bytes / 2 ** 30) * 10) / 10} GiB`;
}

/** Judges every intent target on properties enforced by `plugin`. */
function checkTargets(plugin: FilterName, cluster: ClusterCandidate, request: PreparedRequest): PluginStatus {
  for (const { target, property, misconfigured } of request.propertyTargets) {
    if (property.plugin !== plugin) continue;
    if (misconfigured) {
      return {
        code: "Misconfigured",
        reason: "TargetMisconfigured",
        message: `Intent target ${target.targetName} cannot be checked: ${misconfigured.message}`,
        plugin,
      };
    }
    const actual: ActualValue = property.read(cluster);
    const outcome = evaluateCondition(target.condition, actual, target.value);
    if (!outcome.ok) {
      return {
        code: "Misconfigured",
        reason: "TargetMisconfigured",
        message: `Intent target ${target.targetName} cannot be checked: ${outcome.message}`,
        plugin,
      };
    }
    if (!outcome.satisfied) {
      const violation = describeViolation(target.condition, actual, target.value, {
        unit: property.unit,
      });
      return rejected(
        plugin,
        "IntentTargetNotMet",
        `Cluster ${cluster.name} does not meet intent ${target.targetName} requirement (${violation})`,
      );
    }
  }
  return success(plugin);
}

function targetFilter(name: FilterName, description: string): FilterPlugin {
  return { name, description, filter: (cluster, request) => checkTargets(name, cluster, request) };
}

export const proposedClusterFilter: FilterPlugin = {
  name: "ProposedCluster",
  description: "When the user proposed a cluster, keeps only that cluster.",
  filter(cluster, { request }) {
    const proposed = request.proposedCluster;
    if (proposed === undefined || proposed === cluster.name) return success("ProposedCluster");
    return rejected(
      "ProposedCluster",
      "NotProposedCluster",
      `Cluster ${cluster.name} is not the proposed cluster ${proposed}`,
    );
  },
};

export const clusterStatusFilter: FilterPlugin = {
  name: "ClusterStatus",
  description: "Keeps clusters whose registration completed (status OK).",
  filter(cluster) {
    if (cluster.status === "OK") return success("ClusterStatus");
    return rejected(
      "ClusterStatus",
      "ClusterNotReady",
      `Skipping cluster ${cluster.name} due to invalid or missing Status: ${cluster.status}`,
    );
  },
};

export const cordonedFilter: FilterPlugin = {
  name: "Cordoned",
  description: "Drops clusters their provider cordoned (drained): they take no new placements.",
  filter(cluster) {
    if (!cluster.cordoned) return success("Cordoned");
    return rejected(
      "Cordoned",
      "ClusterCordoned",
      `Cluster ${cluster.name} is cordoned: it is being drained and takes no new placements`,
    );
  },
};

export const excludedClustersFilter: FilterPlugin = {
  name: "ExcludedClusters",
  description: "Drops clusters the request excludes, e.g. the source cluster of a migration.",
  filter(cluster, request) {
    if (!request.excluded.has(cluster.name)) return success("ExcludedClusters");
    const why = isCurrentCluster(cluster, request) ? " (it is the instance's current cluster)" : "";
    return rejected(
      "ExcludedClusters",
      "ClusterExcluded",
      `Cluster ${cluster.name} is excluded from this placement${why}`,
    );
  },
};

export const availabilityFilter = targetFilter(
  "Availability",
  "Keeps clusters whose availability meets the intent's availability targets.",
);
export const greenEnergyFilter = targetFilter(
  "GreenEnergy",
  "Keeps clusters whose green-energy share meets the intent's green-energy targets.",
);
export const costClassFilter = targetFilter(
  "CostClass",
  "Keeps clusters whose cost class meets the intent's cost targets.",
);
export const baseRateFilter = targetFilter(
  "BaseRate",
  "Keeps clusters whose CPU and memory base rates meet the intent's base-rate targets.",
);

export const acceleratorFilter: FilterPlugin = {
  name: "Accelerator",
  description:
    "Keeps clusters whose GPUs and VRAM meet the intent's gpu / vram targets, and, for MachineLearning " +
    "intents or manifests requesting GPUs, that have a GPU with enough VRAM and free GPUs.",
  filter(cluster, request) {
    const targets = checkTargets("Accelerator", cluster, request);
    if (targets.code !== "Success" || !request.needsAccelerator) return targets;
    if (cluster.vramGb <= 0 || gpuCount(cluster) <= 0) {
      return rejected(
        "Accelerator",
        "NoAccelerator",
        `Cluster ${cluster.name} has no GPU (${gpuCount(cluster)} GPUs, ${cluster.vramGb} GB VRAM)`,
      );
    }
    if (cluster.vramGb < request.vramGb) {
      return rejected(
        "Accelerator",
        "InsufficientVram",
        `Cluster ${cluster.name} has ${cluster.vramGb} GB VRAM, the workload needs ${request.vramGb} GB`,
      );
    }
    const wanted = isCurrentCluster(cluster, request) ? 0 : request.gpus;
    const free = gpuCount(cluster) - (cluster.allocated.gpus ?? 0);
    if (free < wanted) {
      return rejected(
        "Accelerator",
        "InsufficientGpu",
        `Cluster ${cluster.name} has ${Math.max(free, 0)} free GPU(s), the workload requests ${wanted}`,
      );
    }
    return targets;
  },
};

export const resourcesFilter: FilterPlugin = {
  name: "Resources",
  description: "Keeps clusters with enough unrequested CPU and memory for the rendered manifests' requests.",
  filter(cluster, request) {
    // Already running here: its requests are part of `allocated`, so only overcommit can fail it.
    const current = isCurrentCluster(cluster, request);
    const cpu = current ? 0 : request.cpuMillicores;
    const memory = current ? 0 : request.memoryBytes;
    const freeCpu = cluster.capacity.cpuMillicores - cluster.allocated.cpuMillicores;
    const freeMemory = cluster.capacity.memoryBytes - cluster.allocated.memoryBytes;
    const cpuShort = freeCpu < cpu;
    const memoryShort = freeMemory < memory;
    if (!cpuShort && !memoryShort) return success("Resources");
    const parts: string[] = [];
    if (cpuShort)
      parts.push(`CPU (${formatCores(Math.max(freeCpu, 0))} free, ${formatCores(cpu)} requested)`);
    if (memoryShort) {
      parts.push(`memory (${formatBytes(Math.max(freeMemory, 0))} free, ${formatBytes(memory)} requested)`);
    }
    const reason =
      cpuShort && memoryShort
        ? "InsufficientCpuAndMemory"
        : cpuShort
          ? "InsufficientCpu"
          : "InsufficientMemory";
    return rejected(
      "Resources",
      reason,
      `Cluster ${cluster.name} has not enough free ${parts.join(" and ")}`,
    );
  },
};

/** Filter order: the proposal first, so the proposed cluster is rejected for its own reason. */
export const FILTERS: readonly FilterPlugin[] = [
  proposedClusterFilter,
  clusterStatusFilter,
  cordonedFilter,
  excludedClustersFilter,
  availabilityFilter,
  greenEnergyFilter,
  costClassFilter,
  baseRateFilter,
  acceleratorFilter,
  resourcesFilter,
];

/** The first Error or Misconfigured status of the filter chain, or null when every filter keeps the cluster. */
export function firstRejection(cluster: ClusterCandidate, request: PreparedRequest): PluginStatus | null {
  for (const plugin of FILTERS) {
    const status = plugin.filter(cluster, request);
    // A Warning keeps the cluster, as in Open Cluster Management.
    if (status.code === "Error" || status.code === "Misconfigured") return status;
  }
  return null;
}
