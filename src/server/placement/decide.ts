import { FILTERS, firstRejection, type StatusCode } from "./filters";
import { PRIORITIZERS, type ScoreContext } from "./prioritizers";
import { prepareRequest, type FilterName, type IgnoredTarget, type PreparedRequest } from "./request";
import {
  placementConfig,
  type ClusterCandidate,
  type PlacementConfig,
  type PlacementRequest,
  type PrioritizerName,
  type PrioritizerWeights,
  type ResourceRequests,
} from "./schema";
import { unmetTargets } from "./unmet-targets";

export interface FilteredCluster {
  readonly cluster: string;
  readonly plugin: FilterName;
  readonly code: StatusCode;
  readonly reason: string;
  readonly message: string;
}

export interface ClusterScore {
  readonly cluster: string;
  /** Σ weight × score over the prioritizers. */
  readonly total: number;
  /** Unweighted scores, −100..100. */
  readonly perPrioritizer: Readonly<Record<PrioritizerName, number>>;
}

/**
 * What became of the cluster the user proposed. `pinned`: a hard requirement
 * (only that cluster may take the instance); otherwise a preference, which
 * `accepted` when the cluster passed every filter and so got the bonus.
 */
export type ProposalVerdict =
  | { readonly cluster: string; readonly pinned: boolean; readonly accepted: true }
  | {
      readonly cluster: string;
      readonly pinned: boolean;
      readonly accepted: false;
      /** Null when the proposed cluster is not in the cluster set at all. */
      readonly plugin: FilterName | null;
      readonly reason: string;
      readonly message: string;
    };

/**
 * A placement decision and its explanation, for the "why this cluster?" panel
 * and the dry-run endpoint. Plain data: serializes as JSON as is.
 */
export interface PlacementDecision {
  readonly instanceId: string | null;
  /** Name of the chosen cluster. */
  readonly winner: string | null;
  readonly winnerId: string | null;
  readonly feasible: boolean;
  /** What the decision places (for commit and display). */
  readonly requests: ResourceRequests;
  readonly currentCluster: string | null;
  readonly weights: PrioritizerWeights;
  /** Targets that are not properties of a cluster and so did not filter. */
  readonly ignoredTargets: readonly IgnoredTarget[];
  /** Set when the user proposed a cluster (pinned or preferred). */
  readonly proposal: ProposalVerdict | null;
  /** Every rejected cluster with the first filter that rejected it, in name order. */
  readonly filtered: readonly FilteredCluster[];
  /** Every cluster that passed the filters, best first (total descending, then name). */
  readonly scores: readonly ClusterScore[];
  /** Why no cluster was chosen, one self-contained sentence (callers show it as is, with no prefix). */
  readonly reasonIfNone: string | null;
}

export const DEFAULT_CONFIG: PlacementConfig = placementConfig();

/** Code-unit order: the same on every machine and locale, and what the engine's indexes use. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sortByName<T extends { readonly name: string }>(clusters: readonly T[]): T[] {
  const sorted = [...clusters].sort((a, b) => compareNames(a.name, b.name));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]?.name === sorted[i - 1]?.name) throw new Error(`duplicate cluster name ${sorted[i]?.name}`);
  }
  return sorted;
}

const LISTED_NAMES = 3;

/** Filters that decide whether a cluster is in the running at all, before any intent target is judged. */
const GATE_FILTERS: ReadonlySet<FilterName> = new Set([
  "ProposedCluster",
  "ClusterStatus",
  "Cordoned",
  "ExcludedClusters",
]);

/**
 * One sentence saying why nothing was chosen. The intent targets no cluster
 * in the running meets on its own come first, with the best value offered;
 * otherwise the rejections grouped by the filter that made them.
 */
function summarizeRejections(
  clusters: readonly ClusterCandidate[],
  prepared: PreparedRequest,
  filtered: readonly FilteredCluster[],
  proposal: ProposalVerdict | null,
): string {
  // A rejected preference is no reason on its own: every other cluster was ruled out too.
  if (proposal && proposal.pinned && !proposal.accepted) {
    return proposal.plugin === null
      ? proposal.message
      : `Proposed cluster ${proposal.cluster} was rejected: ${proposal.message}`;
  }
  if (clusters.length === 0) return "No clusters are registered";
  const gated = new Set(filtered.filter((f) => GATE_FILTERS.has(f.plugin)).map((f) => f.cluster));
  const inTheRunning = clusters.filter((c) => !gated.has(c.name));
  if (inTheRunning.length > 0) {
    const unmet = unmetTargets(inTheRunning, prepared.propertyTargets);
    if (unmet.length > 0) return capitalize(unmet.join("; "));
  }
  // In filter-chain order: the reader follows the funnel from the first filter to the last.
  const groups = new Map<FilterName, FilteredCluster[]>(FILTERS.map((f) => [f.name, []]));
  for (const entry of filtered) {
    const group = groups.get(entry.plugin);
    if (group) group.push(entry);
    else groups.set(entry.plugin, [entry]);
  }
  const parts = [...groups]
    .filter(([, entries]) => entries.length > 0)
    .map(([plugin, entries]) => {
      const first = entries[0];
      // A misconfigured target fails every cluster the same way: its message is the useful part.
      if (first?.code === "Misconfigured") return `${plugin}: ${first.message}`;
      const names = entries.slice(0, LISTED_NAMES).map((e) => e.cluster);
      const more = entries.length > LISTED_NAMES ? ` and ${entries.length - LISTED_NAMES} more` : "";
      return `${plugin} rejected ${entries.length} (${names.join(", ")}${more})`;
    });
  return `Every cluster was ruled out: ${parts.join("; ")}`;
}

function capitalize(sentence: string): string {
  return sentence.charAt(0).toUpperCase() + sentence.slice(1);
}

/**
 * The straightforward placement: every filter on every cluster, every
 * prioritizer on every survivor, a full sort. The reference the fast engine
 * must agree with, and the explanation it defers to.
 */
export function decidePlacement(
  clusters: readonly ClusterCandidate[],
  request: PlacementRequest,
  config: PlacementConfig = DEFAULT_CONFIG,
): PlacementDecision {
  const prepared = prepareRequest(request);
  const weights = config.weights;
  // Name order, so the explanation does not depend on the order clusters were listed in.
  const sorted = sortByName(clusters);

  // 1. Filter: each cluster runs the filter chain until a plugin rejects it.
  const filtered: FilteredCluster[] = [];
  const kept: ClusterCandidate[] = [];
  for (const cluster of sorted) {
    const rejection = firstRejection(cluster, prepared);
    if (rejection) {
      const { plugin, code, reason, message } = rejection;
      filtered.push({ cluster: cluster.name, plugin, code, reason, message });
    } else {
      kept.push(cluster);
    }
  }

  // 2. Score: weighted sum of the prioritizers; ties go to the name that sorts first.
  const context: ScoreContext = {
    request: prepared,
    maxInstanceCount: sorted.reduce((max, c) => Math.max(max, c.instanceCount), 0),
  };
  const scores: ClusterScore[] = kept.map((cluster) => {
    const perPrioritizer = {} as Record<PrioritizerName, number>;
    let total = 0;
    for (const prioritizer of PRIORITIZERS) {
      const score = prioritizer.score(cluster, context);
      perPrioritizer[prioritizer.name] = score;
      total += weights[prioritizer.name] * score;
    }
    return { cluster: cluster.name, total, perPrioritizer };
  });
  scores.sort((a, b) => b.total - a.total || compareNames(a.cluster, b.cluster));

  // 3. Explain: the winner, the fate of a proposal, and why nothing fit.
  const best = scores[0];
  const winner = best ? sorted.find((c) => c.name === best.cluster) : undefined;
  const proposal =
    request.proposedCluster !== undefined
      ? proposalVerdict(request.proposedCluster, true, sorted, filtered)
      : proposalVerdict(request.preferredCluster, false, sorted, filtered);
  return {
    instanceId: request.instanceId ?? null,
    winner: winner?.name ?? null,
    winnerId: winner?.id ?? null,
    feasible: winner !== undefined,
    requests: request.requests,
    currentCluster: request.currentCluster ?? null,
    weights,
    ignoredTargets: prepared.ignoredTargets,
    proposal,
    filtered,
    scores,
    reasonIfNone: winner ? null : summarizeRejections(sorted, prepared, filtered, proposal),
  };
}

function proposalVerdict(
  proposed: string | undefined,
  pinned: boolean,
  clusters: readonly ClusterCandidate[],
  filtered: readonly FilteredCluster[],
): ProposalVerdict | null {
  if (proposed === undefined) return null;
  if (!clusters.some((c) => c.name === proposed)) {
    return {
      cluster: proposed,
      pinned,
      accepted: false,
      plugin: null,
      reason: "UnknownCluster",
      message: `Proposed cluster ${proposed} is not registered`,
    };
  }
  const rejection = filtered.find((f) => f.cluster === proposed);
  if (!rejection) return { cluster: proposed, pinned, accepted: true };
  return {
    cluster: proposed,
    pinned,
    accepted: false,
    plugin: rejection.plugin,
    reason: rejection.reason,
    message: rejection.message,
  };
}
