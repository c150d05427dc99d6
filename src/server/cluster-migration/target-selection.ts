import {
  availabilityFilter,
  acceleratorFilter,
  baseRateFilter,
  costClassFilter,
  greenEnergyFilter,
} from "@/server/placement";
import {
  compareNames,
  decidePlacement,
  FILTERS,
  prepareRequest,
  type ClusterCandidate,
  type FilterName,
  type IntentTarget,
  type PlacementRequest,
  type ResourceRequests,
  unmetTargets,
} from "@/server/placement";

/**
 * Where an instance should migrate to, pure: the placement engine run over
 * every cluster except the current one (ExcludedClusters), so only clusters
 * that are OK (ClusterStatus), meet every cluster-property target of the
 * instance's intents and have room for it remain; the best-scoring one is the
 * target. The current cluster is judged on the intent targets alone.
 *
 * Messages use the reference controller's wording ("Cluster dev-onelab does
 * not meet intent availability requirement (offers 90 %, needs more than 95 %)", "Skipping cluster
 * nemo-smart-farming due to invalid or missing Status: ERROR", "Cluster
 * staging-onelab meets all intent requirements").
 */

export type MigrationVerdict = "current" | "rejected" | "skipped" | "eligible" | "chosen";

export interface ClusterEvaluation {
  cluster: string;
  verdict: MigrationVerdict;
  /** Machine-readable: the placement filter's reason ("IntentTargetNotMet", "ClusterNotReady", …), "Eligible", "Chosen", "MeetsTargets". */
  reason: string;
  message: string;
}

export interface TargetSelectionInput {
  /** The cluster the instance runs on (null when it runs nowhere). */
  currentCluster: string | null;
  targets: readonly IntentTarget[];
  clusters: readonly ClusterCandidate[];
  /** What the instance requests (`placement.requests` of the instance). */
  requests: ResourceRequests;
}

export interface TargetSelection {
  /** Whether the current cluster meets every cluster-property target (then the controller does not move it). */
  currentMeetsTargets: boolean;
  /** The best cluster to move to, or null when none qualifies (whatever `currentMeetsTargets` says). */
  target: string | null;
  /** The current cluster first, then every other cluster in name order. */
  evaluations: ClusterEvaluation[];
  /** The lines the controller logs, in order. */
  messages: string[];
  /** Why no target qualifies, in one sentence; null when there is a target. */
  reasonIfNone: string | null;
}

/** The filters that judge intent targets, i.e. whether the current cluster still satisfies the intents. */
const TARGET_FILTERS = [
  availabilityFilter,
  greenEnergyFilter,
  costClassFilter,
  baseRateFilter,
  acceleratorFilter,
];

const LISTED_NAMES = 3;

function judgeCurrent(
  name: string | null,
  clusters: readonly ClusterCandidate[],
  request: PlacementRequest,
): { meets: boolean; evaluation: ClusterEvaluation | null } {
  if (name === null) return { meets: false, evaluation: null };
  const candidate = clusters.find((c) => c.name === name);
  if (!candidate)
    return {
      meets: false,
      evaluation: {
        cluster: name,
        verdict: "current",
        reason: "UnknownCluster",
        message: `Cluster ${name} is not registered any more`,
      },
    };
  const prepared = prepareRequest(request);
  for (const filter of TARGET_FILTERS) {
    const status = filter.filter(candidate, prepared);
    if (status.code === "Error" || status.code === "Misconfigured")
      return {
        meets: false,
        evaluation: { cluster: name, verdict: "current", reason: status.reason, message: status.message },
      };
  }
  return {
    meets: true,
    evaluation: {
      cluster: name,
      verdict: "current",
      reason: "MeetsTargets",
      message: `Cluster ${name} meets all intent requirements`,
    },
  };
}

const GATE_FILTERS: ReadonlySet<FilterName> = new Set(["ClusterStatus", "Cordoned", "ExcludedClusters"]);

function summarize(
  current: string | null,
  rejected: ReadonlyArray<{ plugin: FilterName; cluster: string }>,
  clusters: readonly ClusterCandidate[],
  request: PlacementRequest,
) {
  if (rejected.length === 0)
    return current ? `No cluster other than ${current} is registered` : "No clusters are registered";
  const others = current ? `No cluster other than ${current}` : "No cluster";
  // The targets no other cluster meets even on its own say more than the filter that stopped each one first.
  const gated = new Set(rejected.filter((r) => GATE_FILTERS.has(r.plugin)).map((r) => r.cluster));
  const inTheRunning = clusters.filter((c) => c.name !== current && !gated.has(c.name));
  if (inTheRunning.length > 0) {
    const who = current ? `no cluster other than ${current}` : "no cluster";
    const unmet = unmetTargets(inTheRunning, prepareRequest(request).propertyTargets, who);
    if (unmet.length > 0) {
      const sentence = unmet.join("; ");
      return sentence.charAt(0).toUpperCase() + sentence.slice(1);
    }
  }
  // In filter-chain order, as the placement explanation reads.
  const groups = new Map<FilterName, string[]>(FILTERS.map((f) => [f.name, []]));
  for (const { plugin, cluster } of rejected) groups.get(plugin)?.push(cluster);
  const parts = [...groups]
    .filter(([, names]) => names.length > 0)
    .map(([plugin, names]) => {
      const more = names.length > LISTED_NAMES ? ` and ${names.length - LISTED_NAMES} more` : "";
      return `${plugin} rejected ${names.length} (${names.slice(0, LISTED_NAMES).join(", ")}${more})`;
    });
  return `${others} meets every intent requirement: ${parts.join("; ")}`;
}

export function selectMigrationTarget(input: TargetSelectionInput): TargetSelection {
  const { currentCluster } = input;
  const request: PlacementRequest = {
    requests: input.requests,
    targets: [...input.targets],
    ...(currentCluster !== null && { currentCluster, excludeClusters: [currentCluster] }),
  };
  // The current cluster is excluded: a migration never "moves" an instance onto itself.
  const decision = decidePlacement(input.clusters, request);
  const current = judgeCurrent(currentCluster, input.clusters, request);

  const others: ClusterEvaluation[] = [];
  const rejected: Array<{ plugin: FilterName; cluster: string }> = [];
  for (const entry of decision.filtered) {
    if (entry.cluster === currentCluster) continue;
    rejected.push({ plugin: entry.plugin, cluster: entry.cluster });
    others.push({
      cluster: entry.cluster,
      verdict: entry.plugin === "ClusterStatus" || entry.plugin === "Cordoned" ? "skipped" : "rejected",
      reason: entry.reason,
      message: entry.message,
    });
  }
  for (const score of decision.scores) {
    const chosen = score.cluster === decision.winner;
    others.push({
      cluster: score.cluster,
      verdict: chosen ? "chosen" : "eligible",
      reason: chosen ? "Chosen" : "Eligible",
      message: `Cluster ${score.cluster} meets all intent requirements`,
    });
  }
  others.sort((a, b) => compareNames(a.cluster, b.cluster));
  const evaluations = current.evaluation ? [current.evaluation, ...others] : others;

  const target = decision.winner;
  const reasonIfNone = target === null ? summarize(currentCluster, rejected, input.clusters, request) : null;
  const messages = evaluations.map((e) => e.message);
  if (target !== null) {
    const score = decision.scores[0]?.total ?? 0;
    messages.push(`Cluster ${target} chosen as the migration target (score ${score})`);
  } else if (reasonIfNone) messages.push(reasonIfNone);
  return { currentMeetsTargets: current.meets, target, evaluations, messages, reasonIfNone };
}
