import { isCurrentCluster } from "./filters";
import { type PreparedRequest } from "./request";
import { type ClusterCandidate, type CostClass, type PrioritizerName } from "./schema";

/**
 * Prioritizer plugins: each scores a cluster that passed every filter in
 * −100..100 (integers, as in Open Cluster Management). The decision multiplies
 * each score by its configured weight and sums.
 *
 * The score functions are exported on their own so the fast engine computes
 * exactly the same integers from its precomputed arrays.
 */

export const MIN_SCORE = -100;
export const MAX_SCORE = 100;

/** Facts about the whole cluster set that relative scores need. */
export interface ScoreContext {
  readonly request: PreparedRequest;
  /** The largest instanceCount in the cluster set (every status). */
  readonly maxInstanceCount: number;
}

export interface Prioritizer {
  readonly name: PrioritizerName;
  readonly description: string;
  score(cluster: ClusterCandidate, context: ScoreContext): number;
}

/** Rounds to an integer and turns −0 into 0, so equal scores are equal by Object.is too. */
function integer(x: number): number {
  return Math.round(x) + 0;
}

/** 100 when the resource stays fully free after placing `requested`, −100 when it is fully used. */
export function leastAllocatedScore(capacity: number, allocated: number, requested: number): number {
  if (capacity <= 0) return MIN_SCORE;
  const freeRatio = Math.min(Math.max((capacity - allocated - requested) / capacity, 0), 1);
  return integer(200 * freeRatio - 100);
}

export function greenEnergyScore(greenEnergyPct: number): number {
  return integer(2 * Math.min(Math.max(greenEnergyPct, 0), 100) - 100);
}

/** low_cost is preferred; a negative CostClass weight prefers high_performance instead. */
export function costClassScore(cost: CostClass): number {
  return cost === "low_cost" ? MAX_SCORE : MIN_SCORE;
}

/** 100 for a cluster without instances, −100 for the busiest cluster of the set. */
export function balanceScore(instanceCount: number, maxInstanceCount: number): number {
  if (maxInstanceCount <= 0) return MAX_SCORE;
  return integer(100 - (200 * Math.min(instanceCount, maxInstanceCount)) / maxInstanceCount);
}

export function steadyScore(isCurrent: boolean): number {
  return isCurrent ? MAX_SCORE : 0;
}

/**
 * 100 for the cluster the user prefers, −100 for every other one, 0 for all
 * when there is no preference. The malus doubles the bonus's reach without a
 * larger weight, so the default weight makes a preferred cluster that passes
 * the filters win.
 */
export function preferredClusterScore(isPreferred: boolean | null): number {
  if (isPreferred === null) return 0;
  return isPreferred ? MAX_SCORE : MIN_SCORE;
}

export const PRIORITIZERS: readonly Prioritizer[] = [
  {
    name: "LeastAllocatedCpu",
    description: "Prefers clusters with more unrequested CPU after placing the instance.",
    score(cluster, { request }) {
      const requested = isCurrentCluster(cluster, request) ? 0 : request.cpuMillicores;
      return leastAllocatedScore(cluster.capacity.cpuMillicores, cluster.allocated.cpuMillicores, requested);
    },
  },
  {
    name: "LeastAllocatedMemory",
    description: "Prefers clusters with more unrequested memory after placing the instance.",
    score(cluster, { request }) {
      const requested = isCurrentCluster(cluster, request) ? 0 : request.memoryBytes;
      return leastAllocatedScore(cluster.capacity.memoryBytes, cluster.allocated.memoryBytes, requested);
    },
  },
  {
    name: "GreenEnergy",
    description: "Prefers clusters with a larger share of green energy.",
    score: (cluster) => greenEnergyScore(cluster.greenEnergyPct),
  },
  {
    name: "CostClass",
    description: "Prefers low_cost clusters (a negative weight prefers high_performance).",
    score: (cluster) => costClassScore(cluster.cost),
  },
  {
    name: "Balance",
    description: "Spreads instances: prefers clusters running fewer instances than the busiest one.",
    score: (cluster, { maxInstanceCount }) => balanceScore(cluster.instanceCount, maxInstanceCount),
  },
  {
    name: "Steady",
    description: "Prefers the cluster an already placed instance runs on, so it is not moved without need.",
    score: (cluster, { request }) => steadyScore(isCurrentCluster(cluster, request)),
  },
  {
    name: "PreferredCluster",
    description:
      "Prefers the cluster the user proposed without pinning the instance to it; it still has to pass every filter.",
    score(cluster, { request }) {
      const preferred = request.request.preferredCluster;
      return preferredClusterScore(preferred === undefined ? null : cluster.name === preferred);
    },
  },
];
