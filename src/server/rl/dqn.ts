/**
 * Deep Q-network on a hand-written Float32Array MLP (README "Library choice": measured against
 * @tensorflow/tfjs in bench/cfdrl.bench.ts). Dense layers with ReLU, a target network synced every
 * `targetSyncEvery` training steps, Huber loss on the Bellman target, Adam, epsilon-greedy with
 * linear or exponential decay, optional action masks. Every random draw comes from seeded streams,
 * so the same config and the same calls give the same weights.
 */
import { z } from "zod";
import { SCALING_ACTIONS, SCALING_FEATURE_SIZE } from "./model";
import { ReplayBuffer, type Transition } from "./replay-buffer";
import { createRng, type Rng } from "./rng";

export interface DqnConfig {
  inputSize: number;
  actions: number;
  hidden: number[];
  learningRate: number;
  gamma: number;
  batchSize: number;
  targetSyncEvery: number;
  epsilonStart: number;
  epsilonEnd: number;
  /** Transitions remembered (decisions taken) over which epsilon goes from start to end. */
  epsilonDecaySteps: number;
  bufferCapacity: number;
  seed: number;
  /** "linear" (default) or "exponential" (1 % of the start-to-end distance left after the decay steps). */
  epsilonDecay?: "linear" | "exponential";
  /** Huber loss threshold (default 1). */
  huberDelta?: number;
}

const int = (field: string, min: number) =>
  z
    .number({ error: `${field} must be a number` })
    .int(`${field} must be an integer`)
    .min(min, `${field} must be ≥ ${min}`);
const num = (field: string, min: number, max: number) =>
  z
    .number({ error: `${field} must be a number` })
    .min(min, `${field} must be ≥ ${min}`)
    .max(max, `${field} must be ≤ ${max}`);

export const dqnConfigSchema = z.object({
  inputSize: int("inputSize", 1),
  actions: int("actions", 2),
  hidden: z
    .array(int("hidden", 1), { error: "hidden must be a list of layer sizes" })
    .max(8, "hidden must have ≤ 8 layers"),
  learningRate: num("learningRate", 1e-8, 1),
  gamma: num("gamma", 0, 1),
  batchSize: int("batchSize", 1),
  targetSyncEvery: int("targetSyncEvery", 1),
  epsilonStart: num("epsilonStart", 0, 1),
  epsilonEnd: num("epsilonEnd", 0, 1),
  epsilonDecaySteps: int("epsilonDecaySteps", 0),
  bufferCapacity: int("bufferCapacity", 1),
  seed: int("seed", 0),
  epsilonDecay: z
    .enum(["linear", "exponential"], { error: "epsilonDecay must be linear or exponential" })
    .optional(),
  huberDelta: num("huberDelta", 1e-6, 1e6).optional(),
});

/** The scaling agent's defaults (2×64 hidden, batch 32: the figures the speed targets are set for). */
export function scalingDqnConfig(overrides: Partial<DqnConfig> = {}): DqnConfig {
  return {
    inputSize: SCALING_FEATURE_SIZE,
    actions: SCALING_ACTIONS.length,
    hidden: [64, 64],
    learningRate: 1e-3,
    gamma: 0.9,
    batchSize: 32,
    targetSyncEvery: 200,
    epsilonStart: 1,
    epsilonEnd: 0.05,
    epsilonDecaySteps: 2_000,
    bufferCapacity: 10_000,
    seed: 1,
    epsilonDecay: "linear",
    ...overrides,
  };
}

/** Epsilon after `n` remembered transitions. */
export function epsilonAt(c: DqnConfig, n: number): number {
  if (c.epsilonDecaySteps <= 0) return c.epsilonEnd;
  const progress = Math.max(0, n) / c.epsilonDecaySteps;
  if ((c.epsilonDecay ?? "linear") === "exponential") {
    return c.epsilonEnd + (c.epsilonStart - c.epsilonEnd) * Math.pow(0.01, progress);
  }
  return c.epsilonEnd + (c.epsilonStart - c.epsilonEnd) * Math.max(0, 1 - progress);
}

/** Huber loss: quadratic within ±delta (gradient x), linear beyond (gradient ±delta). */
export function huberLoss(x: number, delta = 1): number {
  const a = Math.abs(x);
  return a <= delta ? 0.5 * x * x : delta * (a - 0.5 * delta);
}

export function huberGradient(x: number, delta = 1): number {
  return x > delta ? delta : x < -delta ? -delta : x;
}

/** `r + γ · max_a' Q_target(s', a') · (1 − done)`. */
export function bellmanTarget(
  reward: number,
  done: boolean,
  gamma: number,
  nextQ: ArrayLike<number>,
): number {
  if (done) return reward;
  let max = -Infinity;
  for (let i = 0; i < nextQ.length; i++) if (nextQ[i]! > max) max = nextQ[i]!;
  return reward + gamma * max;
}

interface Layer {
  inputs: number;
  outputs: number;
  /** Row-major [inputs][outputs], as a dense layer's kernel. */
  kernel: Float32Array;
  bias: Float32Array;
}

function createLayers(c: DqnConfig, rng: Rng): Layer[] {
  const sizes = [c.inputSize, ...c.hidden, c.actions];
  const layers: Layer[] = [];
  for (let l = 0; l < sizes.length - 1; l++) {
    const inputs = sizes[l]!;
    const outputs = sizes[l + 1]!;
    const last = l === sizes.length - 2;
    // He uniform before a ReLU, Glorot uniform for the linear Q head.
    const limit = last ? Math.sqrt(6 / (inputs + outputs)) : Math.sqrt(6 / inputs);
    const kernel = new Float32Array(inputs * outputs);
    for (let i = 0; i < kernel.length; i++) kernel[i] = (rng.next() * 2 - 1) * limit;
    layers.push({ inputs, outputs, kernel, bias: new Float32Array(outputs) });
  }
  return layers;
}

const cloneLayers = (layers: Layer[]): Layer[] =>
  layers.map((l) => ({ ...l, kernel: l.kernel.slice(), bias: l.bias.slice() }));

function copyInto(to: Layer[], from: Layer[]): void {
  for (let l = 0; l < from.length; l++) {
    to[l]!.kernel.set(from[l]!.kernel);
    to[l]!.bias.set(from[l]!.bias);
  }
}

/** out[b][j] = act(bias[j] + Σ_i in[b][i] · kernel[i][j]) for a batch of `rows`. */
function dense(layer: Layer, input: Float32Array, rows: number, out: Float32Array, relu: boolean): void {
  const { inputs, outputs, kernel, bias } = layer;
  for (let b = 0; b < rows; b++) {
    const o = b * outputs;
    const x = b * inputs;
    for (let j = 0; j < outputs; j++) out[o + j] = bias[j]!;
    for (let i = 0; i < inputs; i++) {
      const v = input[x + i]!;
      if (v === 0) continue; // ReLU zeros are common: skip their row
      const k = i * outputs;
      for (let j = 0; j < outputs; j++) out[o + j] = out[o + j]! + v * kernel[k + j]!;
    }
    if (relu) for (let j = 0; j < outputs; j++) if (out[o + j]! < 0) out[o + j] = 0;
  }
}

export const dqnArchitectureSchema = z.object({
  kind: z.literal("dqn-mlp", { error: "architecture.kind must be dqn-mlp" }),
  activation: z.literal("relu", { error: "architecture.activation must be relu" }),
  layers: z.array(
    z.object({ kernel: z.tuple([z.number().int(), z.number().int()]), bias: z.number().int() }),
  ),
  config: dqnConfigSchema,
  steps: z.number().int().min(0).default(0),
  transitions: z.number().int().min(0).default(0),
  epsilon: z.number().optional(),
});
export type DqnArchitecture = z.infer<typeof dqnArchitectureSchema>;

const ADAM_BETA1 = 0.9;
const ADAM_BETA2 = 0.999;
const ADAM_EPSILON = 1e-7;

export class DqnAgent {
  readonly config: DqnConfig;
  /** Training steps taken (the count saved with each model version). */
  steps = 0;
  /** Transitions remembered: drives the epsilon schedule. */
  transitions = 0;
  /** The loss of the last training step (null before the first; saved with a model version). */
  lastLoss: number | null = null;
  readonly buffer: ReplayBuffer;

  private online: Layer[];
  private target: Layer[];
  private readonly adamM: Layer[];
  private readonly adamV: Layer[];
  private readonly grads: Layer[];
  private readonly exploreRng: Rng;
  private readonly sampleRng: Rng;
  // Scratch space, sized once (single forward and the training batch).
  private readonly single: Float32Array[];
  private readonly batchActs: Float32Array[];
  private readonly batchDeltas: Float32Array[];
  private readonly nextActs: Float32Array[];

  constructor(config: DqnConfig) {
    this.config = dqnConfigSchema.parse(config);
    const c = this.config;
    this.online = createLayers(c, createRng(c.seed, 0));
    this.target = cloneLayers(this.online);
    const zeros = () =>
      this.online.map((l) => ({
        ...l,
        kernel: new Float32Array(l.kernel.length),
        bias: new Float32Array(l.bias.length),
      }));
    this.adamM = zeros();
    this.adamV = zeros();
    this.grads = zeros();
    this.exploreRng = createRng(c.seed, 1);
    this.sampleRng = createRng(c.seed, 2);
    this.buffer = new ReplayBuffer(c.bufferCapacity);
    const sizes = [c.inputSize, ...c.hidden, c.actions];
    this.single = sizes.map((n) => new Float32Array(n));
    this.batchActs = sizes.map((n) => new Float32Array(n * c.batchSize));
    this.batchDeltas = sizes.map((n) => new Float32Array(n * c.batchSize));
    this.nextActs = sizes.map((n) => new Float32Array(n * c.batchSize));
  }

  get epsilon(): number {
    return epsilonAt(this.config, this.transitions);
  }

  /** Q(s, ·) of the online network (a copy). */
  qValues(features: Float32Array): Float32Array {
    this.checkInput(features);
    this.single[0]!.set(features);
    const last = this.online.length - 1;
    for (let l = 0; l <= last; l++) dense(this.online[l]!, this.single[l]!, 1, this.single[l + 1]!, l < last);
    return this.single[last + 1]!.slice();
  }

  /**
   * Q(s, ·) for many states in one pass (the loop deciding for many instances at once): row i of
   * the result is `qValues(states[i])`.
   */
  qValuesBatch(states: readonly Float32Array[]): Float32Array[] {
    const rows = states.length;
    if (rows === 0) return [];
    const sizes = [this.config.inputSize, ...this.config.hidden, this.config.actions];
    const acts = sizes.map((n) => new Float32Array(n * rows));
    states.forEach((s, b) => {
      this.checkInput(s);
      acts[0]!.set(s, b * this.config.inputSize);
    });
    const last = this.online.length - 1;
    for (let l = 0; l <= last; l++) dense(this.online[l]!, acts[l]!, rows, acts[l + 1]!, l < last);
    const out = acts[last + 1]!;
    const A = this.config.actions;
    return states.map((_, b) => out.slice(b * A, b * A + A));
  }

  /**
   * Epsilon-greedy (greedy: never explore). `allowed[i] = false` keeps action i out of both the
   * random pick and the argmax (ties go to the lowest index).
   */
  act(features: Float32Array, options: { greedy?: boolean; allowed?: boolean[] } = {}): number {
    const { allowed } = options;
    if (allowed && allowed.length !== this.config.actions) {
      throw new Error(`allowed must have ${this.config.actions} entries, got ${allowed.length}`);
    }
    const candidates: number[] = [];
    for (let a = 0; a < this.config.actions; a++) if (!allowed || allowed[a]) candidates.push(a);
    if (candidates.length === 0) throw new Error("allowed must allow at least one action");
    if (!options.greedy && this.exploreRng.next() < this.epsilon) {
      return candidates[this.exploreRng.int(candidates.length)]!;
    }
    const q = this.qValues(features);
    let best = candidates[0]!;
    for (const a of candidates) if (q[a]! > q[best]!) best = a;
    return best;
  }

  remember(t: Transition): void {
    this.checkInput(t.state);
    this.checkInput(t.nextState);
    if (!Number.isInteger(t.action) || t.action < 0 || t.action >= this.config.actions) {
      throw new Error(`action must be an integer in 0..${this.config.actions - 1}, got ${t.action}`);
    }
    if (!Number.isFinite(t.reward)) throw new Error(`reward must be finite, got ${t.reward}`);
    this.buffer.push(t);
    this.transitions++;
  }

  /** One Adam step on a sampled batch; null until the buffer holds a batch. */
  trainStep(): { loss: number } | null {
    const c = this.config;
    if (this.buffer.size < c.batchSize) return null;
    const loss = this.backward(this.buffer.sample(c.batchSize, this.sampleRng));
    this.steps++;
    this.adam();
    if (this.steps % c.targetSyncEvery === 0) copyInto(this.target, this.online);
    this.lastLoss = loss;
    return { loss };
  }

  /**
   * The mean Huber loss of `batch` (at most `batchSize` transitions) and its gradient with respect
   * to the online weights, flattened in the `exportWeights` order; nothing is updated. (Gradient
   * checks; the Bellman target is held fixed, as in training.)
   */
  lossAndGradient(batch: readonly Transition[]): { loss: number; gradient: Float32Array } {
    if (batch.length === 0 || batch.length > this.config.batchSize) {
      throw new Error(`batch must hold 1..${this.config.batchSize} transitions, got ${batch.length}`);
    }
    for (const t of batch) {
      this.checkInput(t.state);
      this.checkInput(t.nextState);
    }
    const loss = this.backward(batch);
    const count = this.grads.reduce((n, l) => n + l.kernel.length + l.bias.length, 0);
    const gradient = new Float32Array(count);
    let at = 0;
    for (const g of this.grads) {
      gradient.set(g.kernel, at);
      at += g.kernel.length;
      gradient.set(g.bias, at);
      at += g.bias.length;
    }
    return { loss, gradient };
  }

  /** Forward both networks on `batch`, fill `grads` with the mean Huber loss's gradient; returns the loss. */
  private backward(batch: readonly Transition[]): number {
    const c = this.config;
    const B = batch.length;
    const inSize = c.inputSize;
    const A = c.actions;
    const last = this.online.length - 1;
    const acts = this.batchActs;
    const next = this.nextActs;
    for (let b = 0; b < B; b++) {
      acts[0]!.set(batch[b]!.state, b * inSize);
      next[0]!.set(batch[b]!.nextState, b * inSize);
    }
    for (let l = 0; l <= last; l++) {
      dense(this.online[l]!, acts[l]!, B, acts[l + 1]!, l < last);
      dense(this.target[l]!, next[l]!, B, next[l + 1]!, l < last);
    }
    const q = acts[last + 1]!;
    const qNext = next[last + 1]!;
    const delta = this.batchDeltas[last + 1]!;
    delta.fill(0);
    const huberDelta = c.huberDelta ?? 1;
    let loss = 0;
    for (let b = 0; b < B; b++) {
      const t = batch[b]!;
      const y = bellmanTarget(t.reward, t.done, c.gamma, qNext.subarray(b * A, b * A + A));
      const err = q[b * A + t.action]! - y;
      loss += huberLoss(err, huberDelta);
      delta[b * A + t.action] = huberGradient(err, huberDelta) / B;
    }
    // Backward: gradients of the mean Huber loss, layer by layer.
    for (let l = last; l >= 0; l--) {
      const layer = this.online[l]!;
      const g = this.grads[l]!;
      const input = acts[l]!;
      const d = this.batchDeltas[l + 1]!;
      const { inputs, outputs, kernel } = layer;
      g.kernel.fill(0);
      g.bias.fill(0);
      for (let b = 0; b < B; b++) {
        const o = b * outputs;
        const x = b * inputs;
        for (let j = 0; j < outputs; j++) g.bias[j] = g.bias[j]! + d[o + j]!;
        for (let i = 0; i < inputs; i++) {
          const v = input[x + i]!;
          if (v === 0) continue;
          const k = i * outputs;
          for (let j = 0; j < outputs; j++) g.kernel[k + j] = g.kernel[k + j]! + v * d[o + j]!;
        }
      }
      if (l > 0) {
        // d_prev = (d · kernelᵀ) ⊙ [input > 0] (input is the previous layer's ReLU output)
        const prev = this.batchDeltas[l]!;
        for (let b = 0; b < B; b++) {
          const o = b * outputs;
          const x = b * inputs;
          for (let i = 0; i < inputs; i++) {
            if (input[x + i]! <= 0) {
              prev[x + i] = 0;
              continue;
            }
            const k = i * outputs;
            let s = 0;
            for (let j = 0; j < outputs; j++) s += d[o + j]! * kernel[k + j]!;
            prev[x + i] = s;
          }
        }
      }
    }
    return loss / B;
  }

  private adam(): void {
    const lr = this.config.learningRate;
    const t = this.steps;
    const c1 = 1 - Math.pow(ADAM_BETA1, t);
    const c2 = 1 - Math.pow(ADAM_BETA2, t);
    const update = (p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array) => {
      for (let i = 0; i < p.length; i++) {
        const gi = g[i]!;
        const mi = (m[i] = ADAM_BETA1 * m[i]! + (1 - ADAM_BETA1) * gi);
        const vi = (v[i] = ADAM_BETA2 * v[i]! + (1 - ADAM_BETA2) * gi * gi);
        p[i] = p[i]! - (lr * (mi / c1)) / (Math.sqrt(vi / c2) + ADAM_EPSILON);
      }
    };
    for (let l = 0; l < this.online.length; l++) {
      update(this.online[l]!.kernel, this.grads[l]!.kernel, this.adamM[l]!.kernel, this.adamV[l]!.kernel);
      update(this.online[l]!.bias, this.grads[l]!.bias, this.adamM[l]!.bias, this.adamV[l]!.bias);
    }
  }

  /** Copy the online network into the target network now (also done every `targetSyncEvery` steps). */
  syncTarget(): void {
    copyInto(this.target, this.online);
  }

  /** Q(s, ·) of the target network (tests, diagnostics). */
  targetQValues(features: Float32Array): Float32Array {
    this.checkInput(features);
    let a = features;
    const last = this.target.length - 1;
    for (let l = 0; l <= last; l++) {
      const out = new Float32Array(this.target[l]!.outputs);
      dense(this.target[l]!, a, 1, out, l < last);
      a = out;
    }
    return a;
  }

  /**
   * The online network: `architecture` (layer shapes, config, steps, transitions) and the weights as
   * Float32 little-endian, layer by layer, kernel then bias (the `cfdrl_models.weights` layout).
   */
  exportWeights(): { architecture: DqnArchitecture; weights: Uint8Array } {
    const count = this.online.reduce((n, l) => n + l.kernel.length + l.bias.length, 0);
    const weights = new Uint8Array(count * 4);
    const view = new DataView(weights.buffer);
    let offset = 0;
    for (const l of this.online) {
      for (const arr of [l.kernel, l.bias]) {
        for (let i = 0; i < arr.length; i++, offset += 4) view.setFloat32(offset, arr[i]!, true);
      }
    }
    return {
      architecture: {
        kind: "dqn-mlp",
        activation: "relu",
        layers: this.online.map((l) => ({
          kernel: [l.inputs, l.outputs] as [number, number],
          bias: l.outputs,
        })),
        config: { ...this.config, hidden: [...this.config.hidden] },
        steps: this.steps,
        transitions: this.transitions,
        epsilon: this.epsilon,
      },
      weights,
    };
  }

  /**
   * Load weights exported by `exportWeights` (online and target networks; Adam's moments restart).
   * The layer shapes must match this agent's; steps and transitions (so epsilon) are restored.
   */
  importWeights(architecture: unknown, weights: Uint8Array): void {
    const arch = dqnArchitectureSchema.parse(architecture);
    const shapes = this.online.map((l) => `${l.inputs}x${l.outputs}`).join(",");
    const theirs = arch.layers.map((l) => `${l.kernel[0]}x${l.kernel[1]}`).join(",");
    if (shapes !== theirs)
      throw new Error(`architecture layers ${theirs} do not match this agent's ${shapes}`);
    const count = this.online.reduce((n, l) => n + l.kernel.length + l.bias.length, 0);
    if (weights.byteLength !== count * 4) {
      throw new Error(`weights must be ${count * 4} bytes for layers ${shapes}, got ${weights.byteLength}`);
    }
    const view = new DataView(weights.buffer, weights.byteOffset, weights.byteLength);
    let offset = 0;
    for (const l of this.online) {
      for (const arr of [l.kernel, l.bias]) {
        for (let i = 0; i < arr.length; i++, offset += 4) arr[i] = view.getFloat32(offset, true);
      }
    }
    copyInto(this.target, this.online);
    for (const s of [this.adamM, this.adamV]) {
      for (const l of s) {
        l.kernel.fill(0);
        l.bias.fill(0);
      }
    }
    this.steps = arch.steps;
    this.transitions = arch.transitions;
  }

  /** A new agent with the exported config (optionally overridden) and weights. */
  static fromExport(
    architecture: unknown,
    weights: Uint8Array,
    overrides: Partial<DqnConfig> = {},
  ): DqnAgent {
    const arch = dqnArchitectureSchema.parse(architecture);
    const agent = new DqnAgent({ ...arch.config, ...overrides });
    agent.importWeights(arch, weights);
    return agent;
  }

  private checkInput(features: Float32Array): void {
    if (features.length !== this.config.inputSize) {
      throw new Error(`features must have ${this.config.inputSize} entries, got ${features.length}`);
    }
  }
}
