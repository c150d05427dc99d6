/**
 * CFDRL agent speed: decision latency (features + greedy masked argmax; the state read from the
 * driver is excluded) and training throughput (transitions/s at batch 32, 2×64 hidden, Huber on the
 * Bellman target, Adam), for the product's hand-written Float32Array DQN against
 * @tensorflow/tfjs (CPU backend and WASM backend) doing the same work in the same run.
 * Baselines per library: one predict per decision vs one batched predict for `--instances`
 * decisions (per-decision cost). Also checks that tfjs' seeded initialisers give the same weights
 * twice, and that the hand-written network gives the same weights for the same seed.
 *
 *   npx tsx bench/cfdrl.bench.ts [--seconds 3] [--decisions 3000] [--instances 100] [--backends cpu,wasm]
 *
 * One core: the network runs on the main thread (tfjs-wasm is held to one thread); run it under
 * `taskset -c 0` to pin it. Targets: ≤ 5 ms p50 per decision, ≥ 2,000 transitions/s training.
 */
import { performance } from "node:perf_hooks";
import { readFileSync } from "node:fs";
import * as tf from "@tensorflow/tfjs";
import { setThreadsCount } from "@tensorflow/tfjs-backend-wasm";
import {
  DqnAgent,
  allowedScalingActions,
  createRng,
  scalingDqnConfig,
  scalingFeatures,
  type ScalingObservation,
} from "../src/server/rl";

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} needs a positive number`);
  return value;
}
const backendsAt = process.argv.indexOf("--backends");
const BACKENDS = (backendsAt >= 0 ? (process.argv[backendsAt + 1] ?? "") : "cpu,wasm")
  .split(",")
  .filter(Boolean);
const SECONDS = option("seconds", 3);
const DECISIONS = option("decisions", 3_000);
const INSTANCES = option("instances", 100);
const TARGET_P50_MS = 5;
const TARGET_RATE = 2_000;
const BATCH = 32;
const HIDDEN = [64, 64];

const loadavg = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
const fmt = (ms: number) => `${(ms * 1000).toFixed(1)} µs`;

const rng = createRng(2026);
const observation = (): ScalingObservation => ({
  replicas: 1 + rng.int(10),
  minReplicas: 1,
  maxReplicas: 10,
  cpuMillicoresPerPod: rng.next() * 1_000,
  cpuTargetMillicores: 500,
  memoryMiBPerPod: rng.next() * 200,
  memoryTargetMiB: 100,
  latencyP95Ms: rng.next() * 400,
  latencySloMs: 200,
  requestRate: rng.next() * 500,
});
const observations = Array.from({ length: 1_024 }, observation);
const transitions = observations.map((o, i) => ({
  state: scalingFeatures(o),
  action: i % 3,
  reward: -rng.next() * 5,
  nextState: scalingFeatures(observations[(i + 1) % observations.length]!),
  done: false,
}));

interface Figures {
  name: string;
  p50: number;
  p99: number;
  batchedPerDecision: number;
  transitionsPerSecond: number;
}

function timeDecisions(decide: (o: ScalingObservation) => number): { p50: number; p99: number } {
  for (let i = 0; i < 200; i++) decide(observations[i % observations.length]!);
  const lat: number[] = [];
  for (let i = 0; i < DECISIONS; i++) {
    const o = observations[i % observations.length]!;
    const t0 = performance.now();
    decide(o);
    lat.push(performance.now() - t0);
  }
  return { p50: quantile(lat, 0.5), p99: quantile(lat, 0.99) };
}

/** p50 over rounds of one batched decision for `INSTANCES` instances, per decision. */
function timeBatched(decideMany: (os: ScalingObservation[]) => void): number {
  const group = observations.slice(0, INSTANCES);
  for (let i = 0; i < 10; i++) decideMany(group);
  const rounds: number[] = [];
  const t0 = performance.now();
  while (performance.now() - t0 < SECONDS * 300 || rounds.length < 20) {
    const r0 = performance.now();
    decideMany(group);
    rounds.push(performance.now() - r0);
  }
  return quantile(rounds, 0.5) / INSTANCES;
}

function timeTraining(step: () => void): number {
  for (let i = 0; i < 20; i++) step();
  const t0 = performance.now();
  let steps = 0;
  while (performance.now() - t0 < SECONDS * 1_000) {
    step();
    steps++;
  }
  return (steps * BATCH) / ((performance.now() - t0) / 1_000);
}

function argmaxAllowed(q: ArrayLike<number>, allowed: boolean[]): number {
  let best = -1;
  for (let a = 0; a < allowed.length; a++) if (allowed[a] && (best < 0 || q[a]! > q[best]!)) best = a;
  return best;
}

function handWritten(): Figures {
  const agent = new DqnAgent(
    scalingDqnConfig({ hidden: HIDDEN, batchSize: BATCH, bufferCapacity: 10_000, seed: 1 }),
  );
  for (const t of transitions) agent.remember(t);
  const single = timeDecisions((o) =>
    agent.act(scalingFeatures(o), { greedy: true, allowed: allowedScalingActions(o) }),
  );
  const batchedPerDecision = timeBatched((os) => {
    const qs = agent.qValuesBatch(os.map(scalingFeatures));
    os.forEach((o, i) => argmaxAllowed(qs[i]!, allowedScalingActions(o)));
  });
  const transitionsPerSecond = timeTraining(() => agent.trainStep());
  return { name: "hand-written Float32Array", ...single, batchedPerDecision, transitionsPerSecond };
}

function handWrittenDeterministic(): boolean {
  const run = () => {
    const agent = new DqnAgent(scalingDqnConfig({ hidden: HIDDEN, batchSize: BATCH, seed: 7 }));
    for (const t of transitions.slice(0, 200)) agent.remember(t);
    for (let i = 0; i < 50; i++) agent.trainStep();
    return Buffer.from(agent.exportWeights().weights);
  };
  return run().equals(run());
}

function tfModel(seed: number): tf.Sequential {
  const m = tf.sequential();
  HIDDEN.forEach((units, i) =>
    m.add(
      tf.layers.dense({
        units,
        activation: "relu",
        kernelInitializer: tf.initializers.heUniform({ seed: seed + i }),
        ...(i === 0 ? { inputShape: [transitions[0]!.state.length] } : {}),
      }),
    ),
  );
  m.add(tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 99 }) }));
  return m;
}

async function tfjs(backend: string): Promise<Figures & { seededInit: boolean }> {
  await tf.setBackend(backend);
  await tf.ready();
  const inputSize = transitions[0]!.state.length;
  const online = tfModel(1);
  const target = tfModel(1);
  const seededInit = online
    .getWeights()
    .every((w, i) => tf.tidy(() => w.equal(target.getWeights()[i]!).all().dataSync()[0] === 1));
  const predict = (m: tf.Sequential, x: tf.Tensor) => m.predict(x) as tf.Tensor;
  const single = timeDecisions((o) => {
    const q = tf.tidy(() => predict(online, tf.tensor2d(scalingFeatures(o), [1, inputSize]))).dataSync();
    return argmaxAllowed(q, allowedScalingActions(o));
  });
  const batchedPerDecision = timeBatched((os) => {
    const flat = new Float32Array(os.length * inputSize);
    os.forEach((o, i) => flat.set(scalingFeatures(o), i * inputSize));
    const q = tf.tidy(() => predict(online, tf.tensor2d(flat, [os.length, inputSize]))).dataSync();
    os.forEach((o, i) => argmaxAllowed(q.subarray(i * 3, i * 3 + 3), allowedScalingActions(o)));
  });
  const optimizer = tf.train.adam(1e-3);
  const sample = createRng(3, 2);
  const states = new Float32Array(BATCH * inputSize);
  const nexts = new Float32Array(BATCH * inputSize);
  const actions = new Int32Array(BATCH);
  const rewards = new Float32Array(BATCH);
  const dones = new Float32Array(BATCH);
  const transitionsPerSecond = timeTraining(() => {
    // the same work as DqnAgent.trainStep: sample, target max, Huber on the taken action, Adam
    for (let b = 0; b < BATCH; b++) {
      const t = transitions[sample.int(transitions.length)]!;
      states.set(t.state, b * inputSize);
      nexts.set(t.nextState, b * inputSize);
      actions[b] = t.action;
      rewards[b] = t.reward;
      dones[b] = t.done ? 1 : 0;
    }
    tf.tidy(() => {
      const s = tf.tensor2d(states, [BATCH, inputSize]);
      const ns = tf.tensor2d(nexts, [BATCH, inputSize]);
      const y = tf.tensor1d(rewards).add(
        predict(target, ns)
          .max(1)
          .mul(0.9)
          .mul(tf.scalar(1).sub(tf.tensor1d(dones))),
      );
      const mask = tf.oneHot(tf.tensor1d(actions, "int32"), 3);
      optimizer.minimize(() =>
        tf.losses.huberLoss<tf.Tensor, tf.Scalar>(y, predict(online, s).mul(mask).sum(1)),
      );
    });
  });
  optimizer.dispose();
  online.dispose();
  target.dispose();
  return {
    name: `@tensorflow/tfjs ${backend}`,
    ...single,
    batchedPerDecision,
    transitionsPerSecond,
    seededInit,
  };
}

async function main() {
  setThreadsCount(1);
  console.log(`load average before: ${loadavg()}`);
  console.log(
    `batch ${BATCH}, hidden ${HIDDEN.join("×")}, ${DECISIONS} decisions, batched groups of ${INSTANCES}`,
  );
  const rows: Figures[] = [handWritten()];
  const deterministic = handWrittenDeterministic();
  const seeded: string[] = [];
  for (const backend of BACKENDS) {
    const r = await tfjs(backend);
    rows.push(r);
    seeded.push(`${backend} ${r.seededInit ? "yes" : "NO"}`);
  }
  const ours = rows[0]!;
  console.log("");
  console.log(
    [
      "implementation".padEnd(28),
      "p50/decision".padStart(13),
      "p99".padStart(11),
      "batched p50/dec.".padStart(17),
      "train trans/s".padStart(14),
      "train ratio".padStart(12),
    ].join(" "),
  );
  for (const r of rows) {
    console.log(
      [
        r.name.padEnd(28),
        fmt(r.p50).padStart(13),
        fmt(r.p99).padStart(11),
        fmt(r.batchedPerDecision).padStart(17),
        r.transitionsPerSecond.toFixed(0).padStart(14),
        `${(ours.transitionsPerSecond / r.transitionsPerSecond).toFixed(2)}×`.padStart(12),
      ].join(" "),
    );
  }
  console.log("");
  for (const r of rows.slice(1)) {
    console.log(
      `${r.name}: decision p50 ${(r.p50 / ours.p50).toFixed(1)}× the hand-written one's, one predict per decision ${(r.p50 / r.batchedPerDecision).toFixed(1)}× its batched per-decision cost`,
    );
  }
  console.log(
    `hand-written: decision p50 ${fmt(ours.p50)} (target ≤ ${TARGET_P50_MS} ms: ${ours.p50 <= TARGET_P50_MS ? "met" : "MISSED"}), ` +
      `training ${ours.transitionsPerSecond.toFixed(0)} transitions/s (target ≥ ${TARGET_RATE}: ${ours.transitionsPerSecond >= TARGET_RATE ? "met" : "MISSED"})`,
  );
  console.log(
    `same seed → same weights: hand-written ${deterministic ? "yes" : "NO"}; tfjs seeded initialisers: ${seeded.join(", ")}`,
  );
  console.log(`load average after: ${loadavg()}`);
  if (!deterministic) process.exitCode = 1;
}

await main();
