import { compileCondition, evaluateCondition, type Condition } from "./conditions";
import { decidePlacement, sortByName, type PlacementDecision } from "./decide";
import {
  MAX_SCORE,
  balanceScore,
  costClassScore,
  greenEnergyScore,
  leastAllocatedScore,
  preferredClusterScore,
  steadyScore,
} from "./prioritizers";
import {
  CLUSTER_PROPERTIES,
  gpuCount,
  prepareRequest,
  type NumericProperty,
  type PreparedRequest,
  type TextProperty,
} from "./request";
import {
  COST_CLASSES,
  clusterCandidateSchema,
  placementConfig,
  type ClusterCandidate,
  type PlacementConfig,
  type PlacementConfigInput,
  type PlacementRequest,
  type ResourceRequests,
} from "./schema";

/**
 * The fast path for many decisions over one cluster set.
 *
 * Built once, it keeps the clusters in name order as columns (typed arrays),
 * the static part of every score (green energy, cost class), and for each
 * numeric cluster property the OK clusters sorted by it, with every cluster's
 * rank. A decision then:
 *   - binary-searches each threshold or range target (availability > 95,
 *     green energy ≥ 40, …) for the run of ranks that meet it, and visits only
 *     the clusters of the shortest run, instead of every cluster;
 *   - checks the other runs by rank, text targets (cost class) by a mask of
 *     the allowed values judged once, and the rest by compiled conditions;
 *   - skips a cluster whose static score plus the best the request-dependent
 *     prioritizers could add cannot beat the best total so far;
 *   - keeps the best total as it goes instead of sorting the scores.
 * Winners are exactly those of {@link decidePlacement}: filters and scores are
 * the same functions over the same numbers, totals are exact integers, ties go
 * to the lower name index (= name order).
 *
 * The explanation (filtered clusters, scores, proposal verdict, reason) of an
 * engine decision is computed on first read, by {@link decidePlacement} over
 * the cluster state as it was at decision time; most decisions are never
 * explained, and explaining 1,000 clusters costs far more than choosing one.
 */
export interface PlacementEngine {
  readonly size: number;
  readonly config: PlacementConfig;
  /**
   * Chooses a cluster. The request is trusted to match placementRequestSchema
   * (parse it where it enters: API, queue) and must not be changed afterwards:
   * the deferred explanation reads it.
   */
  decide(request: PlacementRequest): PlacementDecision;
  /**
   * Books a decision over this cluster set: the winner's allocation and instance
   * count grow by the request; when the instance moves from `currentCluster`,
   * that cluster's shrink. Later decisions see the capacity consumed. Throws a
   * PlacementConflictError when the winner no longer has room.
   */
  commit(decision: PlacementDecision): void;
  /** Frees what an instance requested on a cluster (the instance was deleted). */
  release(clusterName: string, requests: ResourceRequests): void;
  /** The clusters as the engine sees them now, in name order. */
  clusters(): readonly ClusterCandidate[];
}

export class PlacementError extends Error {
  override readonly name: string = "PlacementError";
}

/** The winner no longer has room: another decision was committed there since this one was made. */
export class PlacementConflictError extends PlacementError {
  override readonly name = "PlacementConflictError";
}

type NumericKey = NumericProperty["key"];
type TextKey = TextProperty["key"];
const NUMERIC_KEYS: readonly NumericKey[] = [
  "availability",
  "greenEnergy",
  "gpu",
  "vram",
  "cpuBaseRate",
  "memoryBaseRate",
];

/** The few values a text property can take; clusters store the position of theirs. */
const TEXT_DOMAINS: Readonly<Record<TextKey, readonly string[]>> = {
  cost: COST_CLASSES,
  gpuPresent: ["false", "true"],
};

/** OK clusters in ascending order of one property (ties in name order), with the values alongside. */
interface SortedIndex {
  readonly order: Int32Array;
  readonly values: Float64Array;
  /** rank[i]: position of cluster i in `order`, −1 for clusters that are not OK. */
  readonly rank: Int32Array;
}

/** A target met by one run [from, to) of a sorted index: checked by rank, two integer comparisons. */
interface RunCheck {
  readonly rank: Int32Array;
  readonly from: number;
  readonly to: number;
}
/** Any other numeric target (outside a range, one of a list): checked by its compiled condition. */
interface ValueCheck {
  readonly values: Float64Array;
  readonly test: (value: number) => boolean;
}
/** A text target, judged once per possible value: bit d of `allowed` says whether value d passes. */
interface DomainCheck {
  readonly codes: Uint8Array;
  readonly allowed: number;
}

/** First position whose value is ≥ x. */
function lowerBound(values: Float64Array, x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((values[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First position whose value is > x. */
function upperBound(values: Float64Array, x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((values[mid] as number) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The run of a sorted index meeting a (validated) condition, or null when the matches are not one run. */
function runMeeting(condition: Condition, value: unknown, values: Float64Array): [number, number] | null {
  const n = values.length;
  if (typeof value === "number") {
    switch (condition) {
      case "IS_GREATER_THAN":
        return [upperBound(values, value), n];
      case "IS_EQUAL_TO_OR_GREATER_THAN":
        return [lowerBound(values, value), n];
      case "IS_LESS_THAN":
        return [0, lowerBound(values, value)];
      case "IS_EQUAL_TO_OR_LESS_THAN":
        return [0, upperBound(values, value)];
      case "IS_EQUAL_TO":
        return [lowerBound(values, value), upperBound(values, value)];
      default:
        return null;
    }
  }
  if (condition === "IS_WITHIN_RANGE" && Array.isArray(value)) {
    const [low, high] = value as [number, number];
    return [lowerBound(values, low), upperBound(values, high)];
  }
  return null;
}

/** The explanation of an engine decision: the reference placement over the state the decision saw, run once. */
class DeferredExplanation {
  private reference: PlacementDecision | undefined;

  constructor(
    private readonly snapshot: readonly ClusterCandidate[],
    private readonly request: PlacementRequest,
    private readonly config: PlacementConfig,
    private readonly winner: string | null,
  ) {}

  get(): PlacementDecision {
    if (this.reference === undefined) {
      const reference = decidePlacement(this.snapshot, this.request, this.config);
      // An explanation that names another winner would mislead; it can only come from a bug.
      if (reference.winner !== this.winner) {
        throw new PlacementError(
          `placement engine chose ${this.winner ?? "no cluster"}, the reference ${reference.winner ?? "no cluster"}`,
        );
      }
      this.reference = reference;
    }
    return this.reference;
  }
}

export function createPlacementEngine(
  clusters: readonly ClusterCandidate[],
  config: PlacementConfigInput = {},
): PlacementEngine {
  return new FastPlacementEngine(clusterCandidateSchema.array().parse(clusters), placementConfig(config));
}

class FastPlacementEngine implements PlacementEngine {
  readonly size: number;
  /** Replaced, never mutated, on commit: a decision's deferred explanation keeps the state it was made on. */
  private snapshot: readonly ClusterCandidate[];
  private readonly indexOf = new Map<string, number>();
  private readonly names: string[];
  private readonly ids: string[];
  private readonly ok: Uint8Array;
  private readonly okList: Int32Array;
  private readonly numeric: Record<NumericKey, Float64Array>;
  private readonly sorted: Record<NumericKey, SortedIndex>;
  private readonly textCodes: Record<TextKey, Uint8Array>;
  private readonly capCpu: Float64Array;
  private readonly capMemory: Float64Array;
  private readonly gpus: Float64Array;
  private readonly allocCpu: Float64Array;
  private readonly allocMemory: Float64Array;
  private readonly allocGpus: Float64Array;
  private readonly instances: Float64Array;
  /** Weighted GreenEnergy + CostClass scores: they depend on the cluster alone. */
  private readonly staticScore: Float64Array;
  /** The most the request-dependent prioritizers can add to a total: bounds a cluster's total before scoring it. */
  private readonly dynamicMax: number;
  private maxInstances = 0;
  /** `excludedAt[i] === stamp` marks cluster i excluded in the current decision, without allocating a set. */
  private readonly excludedAt: Uint32Array;
  private stamp = 0;
  private readonly committed = new WeakSet<PlacementDecision>();

  constructor(
    clusters: readonly ClusterCandidate[],
    readonly config: PlacementConfig,
  ) {
    const list = sortByName(clusters);
    const n = list.length;
    this.size = n;
    this.snapshot = list;
    this.names = list.map((c) => c.name);
    this.ids = list.map((c) => c.id);
    list.forEach((c, i) => this.indexOf.set(c.name, i));
    const column = (read: (c: ClusterCandidate) => number) => Float64Array.from(list, read);
    this.numeric = Object.fromEntries(
      NUMERIC_KEYS.map((key) => [key, column(CLUSTER_PROPERTIES[key].read)]),
    ) as Record<NumericKey, Float64Array>;
    this.textCodes = {
      cost: Uint8Array.from(list, (c) => TEXT_DOMAINS.cost.indexOf(CLUSTER_PROPERTIES.cost.read(c))),
      gpuPresent: Uint8Array.from(list, (c) =>
        TEXT_DOMAINS.gpuPresent.indexOf(CLUSTER_PROPERTIES.gpuPresent.read(c)),
      ),
    };
    this.capCpu = column((c) => c.capacity.cpuMillicores);
    this.capMemory = column((c) => c.capacity.memoryBytes);
    this.gpus = column(gpuCount);
    this.allocCpu = column((c) => c.allocated.cpuMillicores);
    this.allocMemory = column((c) => c.allocated.memoryBytes);
    this.allocGpus = column((c) => c.allocated.gpus ?? 0);
    this.instances = column((c) => c.instanceCount);
    this.maxInstances = list.reduce((max, c) => Math.max(max, c.instanceCount), 0);
    const w = config.weights;
    this.staticScore = column(
      (c) => 0 + w.GreenEnergy * greenEnergyScore(c.greenEnergyPct) + w.CostClass * costClassScore(c.cost),
    );
    this.dynamicMax =
      (Math.abs(w.LeastAllocatedCpu) + Math.abs(w.LeastAllocatedMemory) + Math.abs(w.Balance)) * MAX_SCORE +
      Math.max(w.Steady * steadyScore(true), w.Steady * steadyScore(false));
    this.excludedAt = new Uint32Array(n);

    // A cordoned (draining) cluster is out of the running like one that is not OK.
    this.ok = Uint8Array.from(list, (c) => (c.status === "OK" && !c.cordoned ? 1 : 0));
    const ok = this.names.flatMap((_, i) => (this.ok[i] ? [i] : []));
    this.okList = Int32Array.from(ok);
    this.sorted = Object.fromEntries(
      NUMERIC_KEYS.map((key) => {
        const values = this.numeric[key];
        const order = Int32Array.from(ok).sort(
          (a, b) => (values[a] as number) - (values[b] as number) || a - b,
        );
        const rank = new Int32Array(n).fill(-1);
        order.forEach((i, position) => (rank[i] = position));
        return [key, { order, values: Float64Array.from(order, (i) => values[i] as number), rank }];
      }),
    ) as Record<NumericKey, SortedIndex>;
  }

  clusters(): readonly ClusterCandidate[] {
    return this.snapshot;
  }

  decide(request: PlacementRequest): PlacementDecision {
    const prepared = prepareRequest(request);

    // 1. Filter. A misconfigured target rejects every cluster; the explanation says which.
    if (prepared.propertyTargets.some((t) => t.misconfigured !== null)) {
      return this.decision(request, prepared, -1);
    }
    const proposed =
      request.proposedCluster === undefined ? -1 : (this.indexOf.get(request.proposedCluster) ?? -2);
    if (proposed === -2 || (proposed >= 0 && !this.ok[proposed])) return this.decision(request, prepared, -1);

    // 1a. Targets become rank runs, value tests or allowed-value masks; the shortest run is
    //     what gets visited (only the proposed cluster, if there is one).
    const runs: RunCheck[] = [];
    const tests: ValueCheck[] = [];
    const domains: DomainCheck[] = [];
    let order = this.okList;
    let from = 0;
    let to = order.length;
    for (const { target, property } of prepared.propertyTargets) {
      if (property.kind === "string") {
        let allowed = 0;
        TEXT_DOMAINS[property.key].forEach((value, d) => {
          const outcome = evaluateCondition(target.condition, value, target.value);
          if (outcome.ok && outcome.satisfied) allowed |= 1 << d;
        });
        domains.push({ codes: this.textCodes[property.key], allowed });
        continue;
      }
      const index = this.sorted[property.key];
      const run = runMeeting(target.condition, target.value, index.values);
      if (run === null) {
        const compiled = compileCondition(target.condition, target.value, "number");
        // Validated above, so this cannot fail; refusing is still safer than skipping the target.
        if (!compiled.ok) return this.decision(request, prepared, -1);
        tests.push({ values: this.numeric[property.key], test: compiled.test });
        continue;
      }
      runs.push({ rank: index.rank, from: run[0], to: run[1] });
      if (run[1] - run[0] < to - from) {
        order = index.order;
        [from, to] = run;
      }
    }
    if (proposed >= 0) {
      order = Int32Array.of(proposed);
      from = 0;
      to = 1;
    }

    this.stamp = this.stamp === 0xffffffff ? this.resetStamps() : this.stamp + 1;
    const stamp = this.stamp;
    for (const name of prepared.excluded) {
      const i = this.indexOf.get(name);
      if (i !== undefined) this.excludedAt[i] = stamp;
    }
    const current =
      request.currentCluster === undefined ? -1 : (this.indexOf.get(request.currentCluster) ?? -1);
    // A preference adds ±100 × weight to every total: the preferred cluster's bonus, everyone else's malus.
    const prefers = request.preferredCluster !== undefined;
    const preferred = prefers ? (this.indexOf.get(request.preferredCluster as string) ?? -1) : -1;
    const { needsAccelerator, vramGb, gpus, cpuMillicores, memoryBytes } = prepared;
    const w = this.config.weights;
    const { capCpu, capMemory, allocCpu, allocMemory, allocGpus, instances, staticScore, excludedAt } = this;
    const dynamicMax = this.dynamicMax + (prefers ? Math.abs(w.PreferredCluster) * MAX_SCORE : 0);
    const clusterGpus = this.gpus;
    const vram = this.numeric.vram;
    const maxInstances = this.maxInstances;

    let best = -1;
    let bestTotal = -Infinity;
    visit: for (let k = from; k < to; k++) {
      const i = order[k] as number;
      // 1b. Prune: a cluster that cannot beat the best so far even with full marks is neither
      //     filtered nor scored (ties still go to the lower name index).
      const bound = (staticScore[i] as number) + dynamicMax;
      if (bound < bestTotal || (bound === bestTotal && i > best)) continue;
      // 1c. The remaining filters, cheapest first.
      if (excludedAt[i] === stamp) continue;
      for (const check of runs) {
        const rank = check.rank[i] as number;
        if (rank < check.from || rank >= check.to) continue visit;
      }
      for (const check of domains) {
        if (((check.allowed >> (check.codes[i] as number)) & 1) === 0) continue visit;
      }
      for (const check of tests) if (!check.test(check.values[i] as number)) continue visit;
      const here = i === current;
      if (needsAccelerator) {
        const g = clusterGpus[i] as number;
        const v = vram[i] as number;
        if (v <= 0 || g <= 0 || v < vramGb) continue;
        if (g - (allocGpus[i] as number) < (here ? 0 : gpus)) continue;
      }
      const cpu = here ? 0 : cpuMillicores;
      const memory = here ? 0 : memoryBytes;
      const cap = capCpu[i] as number;
      const capM = capMemory[i] as number;
      const used = allocCpu[i] as number;
      const usedM = allocMemory[i] as number;
      if (cap - used < cpu || capM - usedM < memory) continue;

      // 2. Score: the same integer scores as the prioritizers, so totals match exactly.
      let total = staticScore[i] as number;
      if (w.LeastAllocatedCpu !== 0) total += w.LeastAllocatedCpu * leastAllocatedScore(cap, used, cpu);
      if (w.LeastAllocatedMemory !== 0) {
        total += w.LeastAllocatedMemory * leastAllocatedScore(capM, usedM, memory);
      }
      if (w.Balance !== 0) total += w.Balance * balanceScore(instances[i] as number, maxInstances);
      if (w.Steady !== 0) total += w.Steady * steadyScore(here);
      if (prefers && w.PreferredCluster !== 0) {
        total += w.PreferredCluster * preferredClusterScore(i === preferred);
      }
      if (total > bestTotal || (total === bestTotal && i < best)) {
        best = i;
        bestTotal = total;
      }
    }
    return this.decision(request, prepared, best);
  }

  /** 3. Explain: the choice now, the explanation when first read. */
  private decision(request: PlacementRequest, prepared: PreparedRequest, best: number): PlacementDecision {
    const winner = best >= 0 ? (this.names[best] ?? null) : null;
    const explanation = new DeferredExplanation(this.snapshot, request, this.config, winner);
    // Getters in a literal: own and enumerable (JSON, spread and toEqual see them) and cheap to
    // create, which matters at tens of thousands of decisions per second.
    return {
      instanceId: request.instanceId ?? null,
      winner,
      winnerId: best >= 0 ? (this.ids[best] ?? null) : null,
      feasible: winner !== null,
      requests: request.requests,
      currentCluster: request.currentCluster ?? null,
      weights: this.config.weights,
      ignoredTargets: prepared.ignoredTargets,
      get proposal() {
        return explanation.get().proposal;
      },
      get filtered() {
        return explanation.get().filtered;
      },
      get scores() {
        return explanation.get().scores;
      },
      get reasonIfNone() {
        return explanation.get().reasonIfNone;
      },
    };
  }

  commit(decision: PlacementDecision): void {
    if (this.committed.has(decision)) throw new PlacementError("decision already committed");
    if (decision.winner === null) throw new PlacementError("an infeasible decision cannot be committed");
    const i = this.indexOf.get(decision.winner);
    if (i === undefined) throw new PlacementError(`unknown cluster ${decision.winner}`);
    const from = decision.currentCluster;
    // Staying put: the requests are already part of the current cluster's allocation.
    if (from !== decision.winner) {
      const r = decision.requests;
      const fits =
        (this.capCpu[i] as number) - (this.allocCpu[i] as number) >= r.cpuMillicores &&
        (this.capMemory[i] as number) - (this.allocMemory[i] as number) >= r.memoryBytes &&
        (this.gpus[i] as number) - (this.allocGpus[i] as number) >= (r.gpus ?? 0);
      if (!fits) {
        throw new PlacementConflictError(
          `cluster ${decision.winner} no longer has room for the request: another placement was committed there`,
        );
      }
      this.book(i, +1, r);
      const j = from === null ? undefined : this.indexOf.get(from);
      if (j !== undefined) this.book(j, -1, r);
    }
    this.committed.add(decision);
  }

  release(clusterName: string, requests: ResourceRequests): void {
    const i = this.indexOf.get(clusterName);
    if (i === undefined) throw new PlacementError(`unknown cluster ${clusterName}`);
    this.book(i, -1, requests);
  }

  /** Adds (+1) or removes (−1) one instance's requests on cluster i, never below zero. */
  private book(i: number, sign: 1 | -1, requests: ResourceRequests): void {
    const old = this.snapshot[i] as ClusterCandidate;
    const cpu = Math.max(0, (this.allocCpu[i] as number) + sign * requests.cpuMillicores);
    const memory = Math.max(0, (this.allocMemory[i] as number) + sign * requests.memoryBytes);
    const gpus = Math.max(0, (this.allocGpus[i] as number) + sign * (requests.gpus ?? 0));
    const previousCount = this.instances[i] as number;
    const count = Math.max(0, previousCount + sign);
    this.allocCpu[i] = cpu;
    this.allocMemory[i] = memory;
    this.allocGpus[i] = gpus;
    this.instances[i] = count;
    if (count > this.maxInstances) this.maxInstances = count;
    else if (previousCount === this.maxInstances && count < previousCount) {
      this.maxInstances = this.instances.reduce((max, c) => Math.max(max, c), 0);
    }
    const next = this.snapshot.slice();
    next[i] = {
      ...old,
      allocated: {
        cpuMillicores: cpu,
        memoryBytes: memory,
        ...(old.allocated.gpus === undefined && gpus === 0 ? {} : { gpus }),
      },
      instanceCount: count,
    };
    this.snapshot = next;
  }

  private resetStamps(): number {
    this.excludedAt.fill(0);
    return 1;
  }
}
