import { describe, expect, it } from "vitest";
import {
  DEFAULT_REWARD_WEIGHTS,
  DEFAULT_TARGETS,
  REWARD_CAPS,
  SCALING_ACTIONS,
  SCALING_FEATURE_NAMES,
  SCALING_FEATURE_SIZE,
  allowedScalingActions,
  applyScalingAction,
  isScalingAction,
  scalingActionIndex,
  scalingFeatures,
  scalingObservationSchema,
  scalingReward,
  scalingRewardTerms,
  type ScalingObservation,
} from "./model";

const obs = (over: Partial<ScalingObservation> = {}): ScalingObservation => ({
  replicas: 3,
  minReplicas: 1,
  maxReplicas: 10,
  cpuMillicoresPerPod: 500,
  cpuTargetMillicores: DEFAULT_TARGETS.cpuTargetMillicores,
  memoryMiBPerPod: 80,
  memoryTargetMiB: DEFAULT_TARGETS.memoryTargetMiB,
  latencyP95Ms: 100,
  latencySloMs: DEFAULT_TARGETS.latencySloMs,
  requestRate: 120,
  ...over,
});

const W = { replicas: 1, latency: 1, cpu: 1, memory: 1, sloViolation: 1 };

describe("scalingReward", () => {
  it("is the documented formula, term by term", () => {
    // 3 replicas, latency 100/200, cpu 750/500 (+0.5), ram 150/100 (+0.5), SLO met
    const o = obs({ cpuMillicoresPerPod: 750, memoryMiBPerPod: 150 });
    expect(scalingRewardTerms(o, W)).toEqual({
      replicas: 3,
      latency: 0.5,
      cpu: 0.5,
      memory: 0.5,
      sloViolation: 0,
    });
    expect(scalingReward(o, W)).toBeCloseTo(-4.5, 10);
    const w = { replicas: 0.2, latency: 2, cpu: 3, memory: 4, sloViolation: 5 };
    expect(scalingReward(o, w)).toBeCloseTo(-(0.6 + 1 + 1.5 + 2), 10);
  });

  it("penalises replicas: one more replica at equal load costs exactly w.replicas", () => {
    const a = scalingReward(obs({ replicas: 3 }));
    const b = scalingReward(obs({ replicas: 4 }));
    expect(a - b).toBeCloseTo(DEFAULT_REWARD_WEIGHTS.replicas, 10);
  });

  it("penalises latency and adds the SLO-violation penalty only above the SLO", () => {
    const under = scalingRewardTerms(obs({ latencyP95Ms: 200 }), W);
    const over = scalingRewardTerms(obs({ latencyP95Ms: 201 }), W);
    expect(under.sloViolation).toBe(0);
    expect(over.sloViolation).toBe(1);
    expect(scalingReward(obs({ latencyP95Ms: 50 }))).toBeGreaterThan(
      scalingReward(obs({ latencyP95Ms: 150 })),
    );
  });

  it("rewards meeting the CPU target from either side and RAM within target", () => {
    const at = scalingReward(obs({ cpuMillicoresPerPod: 500 }));
    expect(at).toBeGreaterThan(scalingReward(obs({ cpuMillicoresPerPod: 250 })));
    expect(at).toBeGreaterThan(scalingReward(obs({ cpuMillicoresPerPod: 750 })));
    expect(scalingRewardTerms(obs({ memoryMiBPerPod: 99 }), W).memory).toBe(0);
    expect(scalingRewardTerms(obs({ memoryMiBPerPod: 120 }), W).memory).toBeCloseTo(0.2, 10);
  });

  it("is ≤ 0 and caps the ratio terms", () => {
    const t = scalingRewardTerms(
      obs({ latencyP95Ms: 1e6, cpuMillicoresPerPod: 1e6, memoryMiBPerPod: 1e6 }),
      W,
    );
    expect(t.latency).toBe(REWARD_CAPS.latencyRatio);
    expect(t.cpu).toBe(REWARD_CAPS.cpuDeviation);
    expect(t.memory).toBe(REWARD_CAPS.memoryExcess);
    expect(scalingReward(obs())).toBeLessThanOrEqual(0);
  });

  it("treats an unmeasured value (NaN) as no penalty, not as NaN", () => {
    const t = scalingRewardTerms(obs({ latencyP95Ms: Number.NaN, cpuMillicoresPerPod: Number.NaN }), W);
    expect(t.latency).toBe(0);
    expect(t.sloViolation).toBe(0);
    expect(t.cpu).toBe(0);
    expect(Number.isFinite(scalingReward(obs({ latencyP95Ms: Number.NaN })))).toBe(true);
  });
});

describe("scalingFeatures", () => {
  it("normalises to the documented layout", () => {
    const f = scalingFeatures(obs({ cpuMillicoresPerPod: 1000, latencyP95Ms: 300, requestRate: 10_000 }));
    expect(f).toBeInstanceOf(Float32Array);
    expect(f.length).toBe(SCALING_FEATURE_SIZE);
    expect(SCALING_FEATURE_NAMES.length).toBe(SCALING_FEATURE_SIZE);
    expect(f[0]).toBeCloseTo(0.3, 6); // 3 / 10
    expect(f[1]).toBe(1);
    expect(f[2]).toBe(1);
    expect(f[3]).toBeCloseTo(1, 6); // cpu ratio 2 → 1
    expect(f[4]).toBeCloseTo(0.4, 6); // ram 0.8 → 0.4
    expect(f[5]).toBeCloseTo(0.75, 6); // latency 1.5 → 0.75
    expect(f[6]).toBe(1);
    expect(f[7]).toBeCloseTo(0.6, 6); // 2 × 3 needed of 10
    expect(f[8]).toBeCloseTo(1, 6);
  });

  it("stays in 0..2 for extreme inputs and maps NaN to 0", () => {
    const f = scalingFeatures(
      obs({
        replicas: 10,
        cpuMillicoresPerPod: 1e9,
        memoryMiBPerPod: Number.NaN,
        latencyP95Ms: 1e9,
        requestRate: 1e12,
      }),
    );
    for (const v of f) {
      expect(Number.isFinite(v)).toBe(true);
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(2);
    }
    expect(f[2]).toBe(0); // at max: cannot scale up
    expect(f[4]).toBe(0);
  });
});

describe("actions", () => {
  it("applies an action within [min, max]", () => {
    expect(applyScalingAction(obs({ replicas: 3 }), "scale_up")).toBe(4);
    expect(applyScalingAction(obs({ replicas: 3 }), "scale_down")).toBe(2);
    expect(applyScalingAction(obs({ replicas: 3 }), "keep")).toBe(3);
    expect(applyScalingAction(obs({ replicas: 10 }), "scale_up")).toBe(10);
    expect(applyScalingAction(obs({ replicas: 1 }), "scale_down")).toBe(1);
    // replicas outside the bounds (bounds changed by the owner) come back inside
    expect(applyScalingAction(obs({ replicas: 14 }), "keep")).toBe(10);
    expect(applyScalingAction(obs({ replicas: 0, minReplicas: 2 }), "keep")).toBe(2);
  });

  it("masks the actions that change nothing", () => {
    expect(allowedScalingActions(obs({ replicas: 1 }))).toEqual([false, true, true]);
    expect(allowedScalingActions(obs({ replicas: 10 }))).toEqual([true, true, false]);
    expect(allowedScalingActions(obs({ replicas: 5 }))).toEqual([true, true, true]);
  });

  it("names and indexes actions", () => {
    expect(SCALING_ACTIONS.map(scalingActionIndex)).toEqual([0, 1, 2]);
    expect(isScalingAction("scale_up")).toBe(true);
    expect(isScalingAction("move")).toBe(false);
  });
});

describe("scalingObservationSchema", () => {
  it("accepts an observation and names the bad field", () => {
    expect(scalingObservationSchema.parse(obs())).toEqual(obs());
    const bad = scalingObservationSchema.safeParse({ ...obs(), cpuTargetMillicores: 0 });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(["cpuTargetMillicores"]);
    const bounds = scalingObservationSchema.safeParse({ ...obs(), minReplicas: 5, maxReplicas: 2 });
    expect(bounds.error?.issues[0]?.path).toEqual(["minReplicas"]);
  });
});
