/**
 * Placement decisions per second over 1,000 clusters with 3-target intents:
 * the prepared engine (`createPlacementEngine`) against the straightforward
 * placement (`decidePlacement`), which re-sorts and re-filters every cluster
 * and builds the full explanation on every decision. Same clusters, same
 * requests, same run; the winners of both are checked to be identical.
 *
 *   npx tsx bench/placement.bench.ts [--clusters 1000] [--seconds 2]
 *
 * Target: ≥ 20,000 engine decisions/s on one core.
 */
import { performance } from "node:perf_hooks";
import {
  PRIORITIZERS,
  compareNames,
  createPlacementEngine,
  decidePlacement,
  evaluateCondition,
  gpuCount,
  placementConfig,
  prepareRequest,
  type ClusterCandidate,
  type IntentTarget,
  type PlacementConfig,
  type PlacementRequest,
  type PreparedRequest,
} from "../src/server/placement";
import { GiB, picker, randomClusters, type Picker } from "@/server/testing/placement-factories";

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} needs a positive number`);
  return value;
}

const CLUSTERS = option("clusters", 1_000);
const SECONDS = option("seconds", 2);
const REQUESTS = 4_096;
const TARGET_RATE = 20_000;

/** An availability floor, a green-energy floor and a third target (cost class, VRAM or a usage target). */
function threeTargetIntent(rng: Picker): IntentTarget[] {
  const third: IntentTarget = rng.pick<IntentTarget>([
    {
      intentType: "DeliverComputingWorkload",
      targetName: "cost",
      condition: "IS_EQUAL_TO",
      value: "low_cost",
    },
    {
      intentType: "DeliverComputingWorkload",
      targetName: "cost",
      condition: "IS_ONE_OF",
      value: ["low_cost", "high_performance"],
    },
    { intentType: "DeliverComputingWorkload", targetName: "cpuUsage", condition: "IS_LESS_THAN", value: 500 },
    { intentType: "MachineLearning", targetName: "vram", condition: "IS_EQUAL_TO_OR_GREATER_THAN", value: 0 },
  ]);
  return [
    {
      intentType: "Availability",
      targetName: "availability",
      condition: rng.pick(["IS_GREATER_THAN", "IS_EQUAL_TO_OR_GREATER_THAN"] as const),
      value: rng.pick([50, 80, 90, 95, 99]),
    },
    {
      intentType: "GreenEnergy",
      targetName: "greenEnergy",
      condition: "IS_EQUAL_TO_OR_GREATER_THAN",
      value: rng.pick([0, 20, 40, 60]),
    },
    third,
  ];
}

function requests(rng: Picker, count: number): PlacementRequest[] {
  return Array.from({ length: count }, (_, i) => ({
    instanceId: `instance-${i}`,
    requests: {
      cpuMillicores: rng.pick([250, 500, 1_000, 2_000]),
      memoryBytes: rng.pick([0.5, 1, 2, 4]) * GiB,
    },
    targets: threeTargetIntent(rng),
  }));
}

/** Every filter of the placement, as plain checks without the messages an explanation needs. */
function passes(cluster: ClusterCandidate, prepared: PreparedRequest): boolean {
  const { request } = prepared;
  if (request.proposedCluster !== undefined && request.proposedCluster !== cluster.name) return false;
  if (cluster.status !== "OK" || prepared.excluded.has(cluster.name)) return false;
  for (const { target, property } of prepared.propertyTargets) {
    const outcome = evaluateCondition(target.condition, property.read(cluster), target.value);
    if (!outcome.ok || !outcome.satisfied) return false;
  }
  const here = request.currentCluster === cluster.name;
  if (prepared.needsAccelerator) {
    if (cluster.vramGb <= 0 || gpuCount(cluster) <= 0 || cluster.vramGb < prepared.vramGb) return false;
    if (gpuCount(cluster) - (cluster.allocated.gpus ?? 0) < (here ? 0 : prepared.gpus)) return false;
  }
  const cpu = here ? 0 : prepared.cpuMillicores;
  const memory = here ? 0 : prepared.memoryBytes;
  return (
    cluster.capacity.cpuMillicores - cluster.allocated.cpuMillicores >= cpu &&
    cluster.capacity.memoryBytes - cluster.allocated.memoryBytes >= memory
  );
}

/**
 * The naive baseline without explanation: re-sort every cluster, filter every
 * cluster, score every survivor, sort the scores, take the first.
 */
function naiveWinner(
  clusters: readonly ClusterCandidate[],
  request: PlacementRequest,
  config: PlacementConfig,
): { winner: string | null } {
  const prepared = prepareRequest(request);
  const sorted = [...clusters].sort((a, b) => compareNames(a.name, b.name));
  const context = {
    request: prepared,
    maxInstanceCount: sorted.reduce((max, c) => Math.max(max, c.instanceCount), 0),
  };
  const scored = sorted
    .filter((cluster) => passes(cluster, prepared))
    .map((cluster) => ({
      name: cluster.name,
      total: PRIORITIZERS.reduce((sum, p) => sum + config.weights[p.name] * p.score(cluster, context), 0),
    }))
    .sort((a, b) => b.total - a.total || compareNames(a.name, b.name));
  return { winner: scored[0]?.name ?? null };
}

interface Run {
  readonly rate: number;
  readonly decisions: number;
  readonly winners: (string | null)[];
}

/** Decides round-robin over the request pool for about `seconds`, after a warm-up. */
function measure(
  decide: (request: PlacementRequest) => { readonly winner: string | null },
  pool: PlacementRequest[],
  seconds: number,
): Run {
  for (let i = 0; i < 200; i++) decide(pool[i % pool.length] as PlacementRequest);
  const winners: (string | null)[] = [];
  const deadline = performance.now() + seconds * 1_000;
  const started = performance.now();
  let n = 0;
  while (performance.now() < deadline) {
    // Check the clock every 64 decisions so reading it does not dominate.
    for (let k = 0; k < 64; k++, n++) winners.push(decide(pool[n % pool.length] as PlacementRequest).winner);
  }
  const elapsed = (performance.now() - started) / 1_000;
  return { rate: n / elapsed, decisions: n, winners };
}

function rate(value: number): string {
  return `${Math.round(value).toLocaleString("en-US")} decisions/s`;
}

const rng = picker(20_250_601);
const clusters = randomClusters(rng, CLUSTERS, "wide");
const pool = requests(rng, REQUESTS);
const config = placementConfig();

const buildStarted = performance.now();
const engine = createPlacementEngine(clusters, config);
const buildMs = performance.now() - buildStarted;

const naive = measure((request) => decidePlacement(clusters, request, config), pool, SECONDS);
const naiveBare = measure((request) => naiveWinner(clusters, request, config), pool, SECONDS);
const fast = measure((request) => engine.decide(request), pool, SECONDS);
// Reading the explanation of every decision: what a "why this cluster?" panel costs per decision.
const explained = measure(
  (request) => {
    const decision = engine.decide(request);
    void decision.scores;
    return decision;
  },
  pool,
  SECONDS,
);
// Deciding and committing: capacity is consumed as it goes, so later decisions differ.
const committing = createPlacementEngine(clusters, config);
const withCommit = measure(
  (request) => {
    const decision = committing.decide(request);
    if (decision.feasible) committing.commit(decision);
    return decision;
  },
  pool,
  SECONDS,
);

function mismatchesAgainst(run: Run): number {
  let count = 0;
  for (let i = 0; i < Math.min(run.winners.length, fast.winners.length); i++) {
    if (run.winners[i] !== fast.winners[i]) count++;
  }
  return count;
}
const mismatches = mismatchesAgainst(naive) + mismatchesAgainst(naiveBare);
const compared =
  Math.min(naive.winners.length, fast.winners.length) +
  Math.min(naiveBare.winners.length, fast.winners.length);
const feasible = fast.winners.slice(0, REQUESTS).filter((w) => w !== null).length;

console.log(
  `placement benchmark — Node ${process.version}, ${CLUSTERS} clusters, 3-target intents, ${SECONDS} s per run`,
);
console.log(
  `  engine built in ${buildMs.toFixed(1)} ms; ${feasible} of the first ${Math.min(REQUESTS, fast.winners.length)} requests feasible`,
);
console.log(`  naive, reference with full explanation   ${rate(naive.rate)}  (${naive.decisions} decisions)`);
console.log(
  `  naive, winner only (re-sort, filter all) ${rate(naiveBare.rate)}  (${naiveBare.decisions} decisions)`,
);
console.log(`  engine                                   ${rate(fast.rate)}  (${fast.decisions} decisions)`);
console.log(`  engine, explanation read every decision  ${rate(explained.rate)}`);
console.log(`  engine, decide + commit                  ${rate(withCommit.rate)}`);
console.log(`  ratio engine / naive reference:  ${(fast.rate / naive.rate).toFixed(1)}×`);
console.log(`  ratio engine / naive winner-only: ${(fast.rate / naiveBare.rate).toFixed(1)}×`);
console.log(`  winners compared with the engine's: ${compared}, mismatches: ${mismatches}`);
console.log(
  `  target ≥ ${TARGET_RATE.toLocaleString("en-US")} decisions/s: ${fast.rate >= TARGET_RATE ? "met" : "NOT met"}`,
);
if (mismatches > 0) process.exitCode = 1;
