import { compileCondition, type Condition } from "./conditions";
import { decidePlacement, sortByName, type PlacementDecision } from "./decide";
import {
  balanceScore,
  costClassScore,
  greenEnergyScore,
  leastAllocatedScore,
  steadyScore,
} from "./prioritizers";
import { CLUSTER_PROPERTIES, gpuCount, prepareRequest, type NumericProperty, type TextProperty } from "./request";
import {
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
 * the static part of every score, and for each numeric cluster property the
 * OK clusters sorted by that property. A decision then:
 *   - binary-searches the most selective threshold target (availability > 95,
 *     green energy ≥ 40, …) for the contiguous run of clusters that meet it,
 *     and visits only those, instead of every cluster;
 *   - judges the other targets with conditions compiled once per decision;
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
  decide(request: PlacementRequest): PlacementDecision;
  /**
   * Books a decision of this engine: the winner's allocation and instance count
   * grow by the request; when the instance moves from `currentCluster`, that
   * cluster's shrink. Later decisions see the capacity consumed.
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
const NUMERIC_KEYS: readonly NumericKey[] = ["availability", "greenEnergy", "gpu", "vram", "cpuBaseRate", "memoryBaseRate"];
const TEXT_KEYS: readonly TextKey[] = ["cost", "gpuPresent"];

/** OK clusters in ascending order of one property (ties in name order), with the values alongside. */
interface SortedIndex {
  readonly order: Int32Array;
  readonly values: Float64Array;
}

interface NumericCheck {
  readonly values: Float64Array;
  readonly test: (value: number) => boolean;
}
interface TextCheck {
  readonly values: readonly string[];
  readonly test: (value: string) => boolean;
}

const LAZY_KEYS = ["proposal", "filtered", "scores", "reasonIfNone"] as const;
type LazyKey = (typeof LAZY_KEYS)[number];

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

/** The run of a sorted index meeting a condition, or null when the matches are not one run. */
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

export function createPlacementEngine(
  clusters: readonly ClusterCandidate[],
  config: PlacementConfigInput = {},
): PlacementEngine {
  return new FastPlacementEngine(clusterCandidateSchema.array().parse(clusters), placementConfig(config));
}

class FastPlacementEngine implements PlacementEngine {
  readonly size: number;
  /** Replaced, never mutated, on commit: a decision's lazy explanation keeps the state it was made on. */
  private snapshot: readonly ClusterCandidate[];
  private readonly indexOf = new Map<string, number>();
  private readonly names: string[];
  private readonly ids: string[];
  private readonly okList: Int32Array;
  private readonly numeric: Record<NumericKey, Float64Array>;
  private readonly text: Record<TextKey, string[]>;
  private readonly sorted: Record<NumericKey, SortedIndex>;
  private readonly capCpu: Float64Array;
  private readonly capMemory: Float64Array;
  private readonly gpus: Float64Array;
  private readonly allocCpu: Float64Array;
  private readonly allocMemory: Float64Array;
  private readonly allocGpus: Float64Array;
  private readonly instances: Float64Array;
  /** Weighted GreenEnergy + CostClass scores: they depend on the cluster alone. */
  private readonly staticScore: Float64Array;
  private maxInstances = 0;
  /** `excludedAt[i] === stamp` marks cluster i excluded in the current decision, without allocating a set. */
  private readonly excludedAt: Uint32Array;
  private stamp = 0;
  private readonly issued = new WeakSet<PlacementDecision>();
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
    this.text = Object.fromEntries(TEXT_KEYS.map((key) => [key, list.map(CLUSTER_PROPERTIES[key].read)])) as Record<
      TextKey,
      string[]
    >;
    this.capCpu = column((c) => c.capacity.cpuMillicores);
    this.capMemory = column((c) => c.capacity.memoryBytes);
    this.gpus = column(gpuCount);
    this.allocCpu = column((c) => c.allocated.cpuMillicores);
    this.allocMemory = column((c) => c.allocated.memoryBytes);
    this.allocGpus = column((c) => c.allocated.gpus ?? 0);
    this.instances = column((c) => c.instanceCount);
    this.maxInstances = list.reduce((max, c) => Math.max(max, c.instanceCount), 0);
    const w = config.weights;
    this.staticScore = column((c) => 0 + w.GreenEnergy * greenEnergyScore(c.greenEnergyPct) + w.CostClass * costClassScore(c.cost));
    this.excludedAt = new Uint32Array(n);

    const ok: number[] = [];
    list.forEach((c, i) => {
      if (c.status === "OK") ok.push(i);
    });
    this.okList = Int32Array.from(ok);
    this.sorted = Object.fromEntries(
      NUMERIC_KEYS.map((key) => {
        const values = this.numeric[key];
        const order = Int32Array.from(ok).sort((a, b) => (values[a] as number) - (values[b] as number) || a - b);
        return [key, { order, values: Float64Array.from(order, (i) => values[i] as number) }];
      }),
    ) as Record<NumericKey, SortedIndex>;
  }

  clusters(): readonly ClusterCandidate[] {
    return this.snapshot;
  }

  decide(request: PlacementRequest): PlacementDecision {
    const prepared = prepareRequest(request);
    const snapshot = this.snapshot;
    const config = this.config;
    let reference: PlacementDecision | undefined;
    const explain = () => (reference ??= decidePlacement(snapshot, request, config));
    const decide = (best: number) => this.decision(request, prepared.ignoredTargets, best, explain);

    // 1. Filter. Targets are compiled once; a misconfigured one rejects every cluster.
    const numericChecks: NumericCheck[] = [];
    const textChecks: TextCheck[] = [];
    let order = this.okList;
    let from = 0;
    let to = order.length;
    for (const { target, property } of prepared.propertyTargets) {
      if (property.kind === "number") {
        const compiled = compileCondition(target.condition, target.value, "number");
        if (!compiled.ok) return decide(-1);
        numericChecks.push({ values: this.numeric[property.key], test: compiled.test });
        // 1a. The most selective threshold target picks the run of clusters to visit.
        if (request.proposedCluster === undefined) {
          const index = this.sorted[property.key];
          const run = runMeeting(target.condition, target.value, index.values);
          if (run && run[1] - run[0] < to - from) {
            order = index.order;
            [from, to] = run;
          }
        }
      } else {
        const compiled = compileCondition(target.condition, target.value, "string");
        if (!compiled.ok) return decide(-1);
        textChecks.push({ values: this.text[property.key], test: compiled.test });
      }
    }
    if (request.proposedCluster !== undefined) {
      const proposed = this.indexOf.get(request.proposedCluster);
      if (proposed === undefined || this.snapshot[proposed]?.status !== "OK") return decide(-1);
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
    const current = request.currentCluster === undefined ? -1 : (this.indexOf.get(request.currentCluster) ?? -1);
    const { needsAccelerator, vramGb, gpus, cpuMillicores, memoryBytes } = prepared;
    const w = this.config.weights;
    const { numeric, capCpu, capMemory, allocCpu, allocMemory, allocGpus, instances, staticScore } = this;
    const vram = numeric.vram;

    let best = -1;
    let bestTotal = -Infinity;
    visit: for (let k = from; k < to; k++) {
      const i = order[k] as number;
      if (this.excludedAt[i] === stamp) continue;
      for (const check of numericChecks) if (!check.test(check.values[i] as number)) continue visit;
      for (const check of textChecks) if (!check.test(check.values[i] as string)) continue visit;
      const here = i === current;
      if (needsAccelerator) {
        const clusterGpus = this.gpus[i] as number;
        const clusterVram = vram[i] as number;
        if (clusterVram <= 0 || clusterGpus <= 0 || clusterVram < vramGb) continue;
        if (clusterGpus - (allocGpus[i] as number) < (here ? 0 : gpus)) continue;
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
      if (w.LeastAllocatedMemory !== 0) total += w.LeastAllocatedMemory * leastAllocatedScore(capM, usedM, memory);
      if (w.Balance !== 0) total += w.Balance * balanceScore(instances[i] as number, this.maxInstances);
      if (w.Steady !== 0) total += w.Steady * steadyScore(here);
      if (total > bestTotal || (total === bestTotal && i < best)) {
        best = i;
        bestTotal = total;
      }
    }
    return decide(best);
  }

  /** 3. Explain: the choice now, the explanation when first read. */
  private decision(
    request: PlacementRequest,
    ignoredTargets: PlacementDecision["ignoredTargets"],
    best: number,
    explain: () => PlacementDecision,
  ): PlacementDecision {
    const winner = best >= 0 ? (this.names[best] ?? null) : null;
    const eager: Omit<PlacementDecision, LazyKey> = {
      instanceId: request.instanceId ?? null,
      winner,
      winnerId: best >= 0 ? (this.ids[best] ?? null) : null,
      feasible: winner !== null,
      requests: request.requests,
      currentCluster: request.currentCluster ?? null,
      weights: this.config.weights,
      ignoredTargets,
    };
    const decision = { ...eager } as PlacementDecision;
    for (const key of LAZY_KEYS) {
      Object.defineProperty(decision, key, {
        enumerable: true,
        configurable: true,
        get() {
          const reference = explain();
          if (reference.winner !== winner) {
            throw new PlacementError(
              `placement engine chose ${winner ?? "no cluster"}, the reference ${reference.winner ?? "no cluster"}`,
            );
          }
          const value = reference[key];
          Object.defineProperty(decision, key, { value, enumerable: true });
          return value;
        },
      });
    }
    this.issued.add(decision);
    return decision;
  }

  commit(decision: PlacementDecision): void {
    if (!this.issued.has(decision)) throw new PlacementError("only decisions of this engine can be committed");
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
    const count = Math.max(0, (this.instances[i] as number) + sign);
    const previousCount = this.instances[i] as number;
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
