import { describe, expect, it } from "vitest";
import {
  DqnAgent,
  bellmanTarget,
  dqnConfigSchema,
  epsilonAt,
  huberGradient,
  huberLoss,
  scalingDqnConfig,
  type DqnConfig,
} from "./dqn";
import { ReplayBuffer, type Transition } from "./replay-buffer";
import { createRng } from "./rng";

const small = (over: Partial<DqnConfig> = {}): DqnConfig =>
  scalingDqnConfig({
    inputSize: 4,
    actions: 2,
    hidden: [16, 16],
    batchSize: 8,
    bufferCapacity: 100,
    ...over,
  });

const vec = (...v: number[]) => Float32Array.from(v);

describe("Huber loss", () => {
  it("is quadratic within ±1 and linear beyond, with the matching gradient", () => {
    expect(huberLoss(0.5)).toBeCloseTo(0.125, 12);
    expect(huberLoss(-0.5)).toBeCloseTo(0.125, 12);
    expect(huberGradient(0.5)).toBe(0.5);
    expect(huberGradient(-0.5)).toBe(-0.5);
    expect(huberLoss(3)).toBeCloseTo(2.5, 12);
    expect(huberLoss(-3)).toBeCloseTo(2.5, 12);
    expect(huberGradient(3)).toBe(1);
    expect(huberGradient(-3)).toBe(-1);
    // continuous at the threshold, and the gradient is the loss's derivative
    expect(huberLoss(1)).toBeCloseTo(0.5, 12);
    for (const x of [-2.5, -0.7, 0.3, 1.8]) {
      const h = 1e-6;
      expect((huberLoss(x + h) - huberLoss(x - h)) / (2 * h)).toBeCloseTo(huberGradient(x), 5);
    }
    expect(huberLoss(4, 2)).toBeCloseTo(6, 12);
    expect(huberGradient(4, 2)).toBe(2);
  });
});

describe("Bellman target", () => {
  it("adds the discounted best next Q unless the episode is done", () => {
    expect(bellmanTarget(-1, false, 0.9, [0.5, 2, -3])).toBeCloseTo(-1 + 0.9 * 2, 12);
    expect(bellmanTarget(-1, true, 0.9, [0.5, 2, -3])).toBe(-1);
    expect(bellmanTarget(0, false, 0, [7])).toBe(0);
  });
});

describe("epsilon schedule", () => {
  it("decays linearly from start to end over the decay steps, then stays", () => {
    const c = small({ epsilonStart: 1, epsilonEnd: 0.1, epsilonDecaySteps: 100 });
    expect(epsilonAt(c, 0)).toBe(1);
    expect(epsilonAt(c, 50)).toBeCloseTo(0.55, 12);
    expect(epsilonAt(c, 100)).toBeCloseTo(0.1, 12);
    expect(epsilonAt(c, 10_000)).toBeCloseTo(0.1, 12);
  });

  it("decays exponentially to 1 % of the distance after the decay steps", () => {
    const c = small({ epsilonStart: 1, epsilonEnd: 0, epsilonDecaySteps: 100, epsilonDecay: "exponential" });
    expect(epsilonAt(c, 0)).toBe(1);
    expect(epsilonAt(c, 50)).toBeCloseTo(0.1, 12);
    expect(epsilonAt(c, 100)).toBeCloseTo(0.01, 12);
  });

  it("follows the transitions the agent remembers", () => {
    const agent = new DqnAgent(small({ epsilonStart: 1, epsilonEnd: 0, epsilonDecaySteps: 10 }));
    const t: Transition = {
      state: vec(0, 0, 0, 1),
      action: 0,
      reward: 0,
      nextState: vec(0, 0, 1, 0),
      done: false,
    };
    for (let i = 0; i < 5; i++) agent.remember(t);
    expect(agent.epsilon).toBeCloseTo(0.5, 12);
  });
});

describe("replay buffer", () => {
  it("keeps the newest `capacity` transitions, oldest first", () => {
    const b = new ReplayBuffer(3);
    for (let i = 0; i < 5; i++)
      b.push({ state: vec(i), action: 0, reward: i, nextState: vec(i), done: false });
    expect(b.size).toBe(3);
    expect(b.toArray().map((t) => t.reward)).toEqual([2, 3, 4]);
  });

  it("samples uniformly and reproducibly from a seed", () => {
    const b = new ReplayBuffer(10);
    for (let i = 0; i < 10; i++)
      b.push({ state: vec(i), action: 0, reward: i, nextState: vec(i), done: false });
    const a1 = b.sample(20_000, createRng(7, 2)).map((t) => t.reward);
    const a2 = b.sample(20_000, createRng(7, 2)).map((t) => t.reward);
    expect(a1).toEqual(a2);
    expect(b.sample(50, createRng(8, 2)).map((t) => t.reward)).not.toEqual(a1.slice(0, 50));
    const counts = new Array<number>(10).fill(0);
    for (const r of a1) counts[r]!++;
    // chi-square with 9 degrees of freedom: 27.9 is the 0.999 quantile
    const chi = counts.reduce((s, c) => s + (c - 2000) ** 2 / 2000, 0);
    expect(chi).toBeLessThan(27.9);
  });
});

describe("DqnAgent", () => {
  it("validates its config, naming the field", () => {
    const r = dqnConfigSchema.safeParse({ ...small(), gamma: 2 });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(["gamma"]);
    expect(() => new DqnAgent(small()).qValues(vec(1, 2))).toThrow(/features must have 4 entries/);
  });

  it("returns null until the buffer holds a batch", () => {
    const agent = new DqnAgent(small());
    const t: Transition = {
      state: vec(1, 0, 0, 0),
      action: 1,
      reward: 1,
      nextState: vec(0, 1, 0, 0),
      done: true,
    };
    for (let i = 0; i < 7; i++) agent.remember(t);
    expect(agent.trainStep()).toBeNull();
    agent.remember(t);
    expect(agent.trainStep()).not.toBeNull();
    expect(agent.steps).toBe(1);
  });

  it("moves Q(s, a) towards the Bellman target and leaves the target network until the sync", () => {
    const agent = new DqnAgent(small({ targetSyncEvery: 50, learningRate: 1e-2 }));
    const s = vec(1, 0.5, 0, 0);
    const t: Transition = { state: s, action: 1, reward: 2, nextState: s, done: true };
    for (let i = 0; i < 8; i++) agent.remember(t);
    const before = agent.qValues(s)[1]!;
    const targetBefore = agent.targetQValues(s);
    let first = Infinity;
    let lastLoss = Infinity;
    for (let i = 0; i < 49; i++) {
      const r = agent.trainStep()!;
      if (i === 0) first = r.loss;
      lastLoss = r.loss;
    }
    const after = agent.qValues(s)[1]!;
    expect(Math.abs(after - 2)).toBeLessThan(Math.abs(before - 2));
    expect(lastLoss).toBeLessThan(first);
    expect(agent.targetQValues(s)).toEqual(targetBefore);
    agent.trainStep();
    expect(agent.targetQValues(s)).toEqual(agent.qValues(s));
  });

  it("never picks a masked action, exploring or greedy", () => {
    const agent = new DqnAgent(small({ actions: 3, epsilonStart: 1, epsilonEnd: 1 }));
    for (let i = 0; i < 200; i++)
      expect(agent.act(vec(1, 2, 3, 4), { allowed: [false, true, false] })).toBe(1);
    const greedy = new DqnAgent(small({ actions: 3 }));
    const q = greedy.qValues(vec(1, 2, 3, 4));
    const best = q.indexOf(Math.max(...q));
    const allowed = [true, true, true];
    allowed[best] = false;
    expect(greedy.act(vec(1, 2, 3, 4), { greedy: true, allowed })).not.toBe(best);
    expect(() => greedy.act(vec(1, 2, 3, 4), { allowed: [false, false, false] })).toThrow(/at least one/);
  });

  it("is deterministic under a seed: same weights after the same N steps; another seed differs", () => {
    const run = (seed: number) => {
      const agent = new DqnAgent(small({ seed }));
      const env = createRng(99);
      for (let i = 0; i < 300; i++) {
        const s = vec(env.next(), env.next(), env.next(), env.next());
        const a = agent.act(s);
        agent.remember({
          state: s,
          action: a,
          reward: env.next() - a,
          nextState: vec(env.next(), 0, 0, 1),
          done: i % 10 === 9,
        });
        agent.trainStep();
      }
      return agent.exportWeights().weights;
    };
    expect(Buffer.from(run(5)).equals(Buffer.from(run(5)))).toBe(true);
    expect(Buffer.from(run(5)).equals(Buffer.from(run(6)))).toBe(false);
  });

  it("exports and imports weights (Float32 LE, kernel then bias), restoring steps and epsilon", () => {
    const agent = new DqnAgent(small({ seed: 3 }));
    const t: Transition = {
      state: vec(1, 0, 0, 0),
      action: 1,
      reward: 1,
      nextState: vec(0, 1, 0, 0),
      done: false,
    };
    for (let i = 0; i < 20; i++) agent.remember(t);
    for (let i = 0; i < 5; i++) agent.trainStep();
    const { architecture, weights } = agent.exportWeights();
    expect(weights.byteLength).toBe(4 * (4 * 16 + 16 + 16 * 16 + 16 + 16 * 2 + 2));
    const copy = DqnAgent.fromExport(JSON.parse(JSON.stringify(architecture)), weights);
    expect(copy.qValues(vec(0.3, 0.1, 0.9, 0))).toEqual(agent.qValues(vec(0.3, 0.1, 0.9, 0)));
    expect(copy.steps).toBe(5);
    expect(copy.epsilon).toBe(agent.epsilon);
    const other = new DqnAgent(small({ hidden: [8] }));
    expect(() => other.importWeights(architecture, weights)).toThrow(/do not match/);
    expect(() => agent.importWeights(architecture, weights.subarray(4))).toThrow(/bytes/);
  });
});

/**
 * A 5-state chain: start in state 0; "right" moves on and reaching state 4 pays +1 (done);
 * "left" in state 0 ends at once with +0.1 (the tempting short-term reward), elsewhere moves back;
 * each step costs 0.01. Optimal with γ = 0.9: right everywhere.
 */
describe("5-state chain", () => {
  const oneHot = (s: number) => {
    const f = new Float32Array(5);
    f[s] = 1;
    return f;
  };
  const step = (s: number, a: number) => {
    if (a === 0 && s === 0) return { next: 0, reward: 0.1, done: true };
    const next = a === 1 ? s + 1 : s - 1;
    if (next === 4) return { next, reward: 1, done: true };
    return { next, reward: -0.01, done: false };
  };

  it("learns to go right in every state within 1,000 steps and keeps it (seed 42)", () => {
    const agent = new DqnAgent(
      scalingDqnConfig({
        inputSize: 5,
        actions: 2,
        hidden: [32, 32],
        batchSize: 32,
        gamma: 0.9,
        learningRate: 5e-3,
        epsilonStart: 1,
        epsilonEnd: 0.1,
        epsilonDecaySteps: 1_500,
        targetSyncEvery: 50,
        bufferCapacity: 5_000,
        seed: 42,
      }),
    );
    const greedyOptimal = () => [0, 1, 2, 3].every((s) => agent.act(oneHot(s), { greedy: true }) === 1);
    expect(greedyOptimal()).toBe(false); // the untrained network does not already know it
    let s = 0;
    let learnedAt = -1;
    for (let i = 1; i <= 2_000; i++) {
      const a = agent.act(oneHot(s));
      const r = step(s, a);
      agent.remember({
        state: oneHot(s),
        action: a,
        reward: r.reward,
        nextState: oneHot(r.next),
        done: r.done,
      });
      agent.trainStep();
      s = r.done || i % 20 === 0 ? 0 : r.next;
      // the first check from which the greedy policy stays optimal to the end
      if (i % 100 === 0) learnedAt = greedyOptimal() ? (learnedAt < 0 ? i : learnedAt) : -1;
    }
    expect(learnedAt).toBeGreaterThan(0);
    expect(learnedAt).toBeLessThanOrEqual(1_000);
    expect(greedyOptimal()).toBe(true);
    // Q(0, right) ≈ 0.9³·1 − 0.01·(1 + 0.9 + 0.81) > Q(0, left) = 0.1
    const q0 = agent.qValues(oneHot(0));
    expect(q0[1]!).toBeGreaterThan(q0[0]!);
    expect(q0[1]!).toBeGreaterThan(0.5);
    expect(q0[1]!).toBeLessThan(0.9);
  });
});

describe("qValuesBatch", () => {
  it("gives each row the single-state Q values", () => {
    const agent = new DqnAgent(small({ seed: 9 }));
    const states = [vec(1, 0, 0, 0), vec(0.2, 0.4, 0.6, 0.8), vec(0, 0, 0, 0)];
    const batch = agent.qValuesBatch(states);
    states.forEach((s, i) => {
      const single = agent.qValues(s);
      single.forEach((q, a) => expect(batch[i]![a]).toBeCloseTo(q, 5));
    });
    expect(agent.qValuesBatch([])).toEqual([]);
  });
});

describe("backpropagation", () => {
  it("matches finite differences of the loss for every layer's kernel and bias", () => {
    // done transitions: the Bellman target is the reward, independent of the weights
    const agent = new DqnAgent(small({ hidden: [6, 5], actions: 3, batchSize: 4, seed: 21 }));
    const batch: Transition[] = [
      { state: vec(0.9, -0.3, 0.5, 0.1), action: 0, reward: 0.4, nextState: vec(0, 0, 0, 0), done: true },
      { state: vec(-0.2, 0.8, 0.3, 0.7), action: 2, reward: -3, nextState: vec(0, 0, 0, 0), done: true },
      { state: vec(0.5, 0.5, -0.6, 0.2), action: 1, reward: 2.5, nextState: vec(0, 0, 0, 0), done: true },
      { state: vec(0.1, -0.9, 0.4, 0.6), action: 2, reward: 0.1, nextState: vec(0, 0, 0, 0), done: true },
    ];
    const { loss, gradient } = agent.lossAndGradient(batch);
    const { architecture, weights } = agent.exportWeights();
    const base = new Float32Array(weights.buffer.slice(0));
    const lossWith = (i: number, h: number) => {
      const w = base.slice();
      w[i] = w[i]! + h;
      const probe = new DqnAgent(small({ hidden: [6, 5], actions: 3, batchSize: 4, seed: 21 }));
      probe.importWeights(architecture, new Uint8Array(w.buffer));
      return probe.lossAndGradient(batch).loss;
    };
    expect(loss).toBeGreaterThan(0);
    // kernel and bias of each of the three layers: 4×6 + 6, 6×5 + 5, 5×3 + 3
    const picks = [0, 7, 23, 24, 29, 30, 45, 59, 60, 64, 65, 70, 79, 80, 82];
    let checked = 0;
    for (const i of picks) {
      const h = 1e-3;
      const numeric = (lossWith(i, h) - lossWith(i, -h)) / (2 * h);
      expect(Math.abs(numeric - gradient[i]!)).toBeLessThan(2e-3 + 2e-2 * Math.abs(numeric));
      if (gradient[i] !== 0) checked++;
    }
    expect(checked).toBeGreaterThan(8); // not all zero through dead ReLUs
    expect(gradient.length).toBe(83);
  });
});
