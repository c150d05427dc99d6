import { describe, expect, it } from "vitest";
import { type SubStepSample } from "./environment";
import { DEFAULT_TARGETS, type ScalingObservation } from "./model";
import { HPA_DEFAULTS, HpaController, hpaDesiredReplicas, randomPolicy } from "./policies";

function sample(timeMs: number, replicas: number, cpuPerPod: number, ready = replicas): SubStepSample {
  const observation: ScalingObservation = {
    replicas,
    minReplicas: 1,
    maxReplicas: 10,
    cpuMillicoresPerPod: cpuPerPod,
    memoryMiBPerPod: 60,
    latencyP95Ms: 100,
    requestRate: 100,
    ...DEFAULT_TARGETS,
  };
  return { timeMs, observation, readyReplicas: ready };
}

describe("HPA formula", () => {
  it("is ceil(current · utilisation / target)", () => {
    expect(hpaDesiredReplicas({ current: 4, ready: 4, utilization: 0.9, target: 0.5 })).toBe(8); // 7.2 → 8
    expect(hpaDesiredReplicas({ current: 4, ready: 4, utilization: 0.2, target: 0.5 })).toBe(2); // 1.6 → 2
    expect(hpaDesiredReplicas({ current: 3, ready: 3, utilization: 1.4, target: 0.7 })).toBe(6);
  });

  it("keeps the replicas within the 10 % tolerance", () => {
    expect(HPA_DEFAULTS.tolerance).toBe(0.1);
    expect(hpaDesiredReplicas({ current: 4, ready: 4, utilization: 0.54, target: 0.5 })).toBe(4); // ratio 1.08
    expect(hpaDesiredReplicas({ current: 4, ready: 4, utilization: 0.46, target: 0.5 })).toBe(4); // ratio 0.92
    expect(hpaDesiredReplicas({ current: 4, ready: 4, utilization: 0.56, target: 0.5 })).toBe(5); // ratio 1.12
    expect(hpaDesiredReplicas({ current: 4, ready: 4, utilization: 0.44, target: 0.5 })).toBe(4); // ceil(3.52)
    expect(hpaDesiredReplicas({ current: 10, ready: 10, utilization: 0.44, target: 0.5 })).toBe(9);
  });

  it("counts pods that are not ready as idle when scaling up", () => {
    // 2 ready at 100 %, 2 starting: (1.0·2)/(0.5·4) = 1.0 → within tolerance, no change.
    expect(hpaDesiredReplicas({ current: 4, ready: 2, utilization: 1.0, target: 0.5 })).toBe(4);
    // 2 ready at 150 %: (1.5·2)/(0.5·4) = 1.5 → ceil(6).
    expect(hpaDesiredReplicas({ current: 4, ready: 2, utilization: 1.5, target: 0.5 })).toBe(6);
  });
});

describe("HPA controller", () => {
  const hpa = () =>
    new HpaController({ targetUtilization: 0.5, cpuRequestMillicores: 500, minReplicas: 1, maxReplicas: 10 });

  it("scales up at once, limited to max(+4, ×2) per sync and the maximum", () => {
    const h = hpa();
    expect(h.sync(sample(0, 2, 300))).toBe(3); // 60 % of the request vs 50 %: ceil(2.4)
    expect(hpa().sync(sample(0, 2, 1_000))).toBe(6); // wants 8, at most +4
    expect(hpa().sync(sample(0, 1, 1_000 * 4))).toBe(5); // wants 8, at most +4
    expect(hpa().sync(sample(0, 8, 1_000))).toBe(10); // wants 16, bounded by max
  });

  it("holds a scale-down for the 300 s stabilisation window", () => {
    const h = hpa();
    expect(HPA_DEFAULTS.scaleDownStabilizationMs).toBe(300_000);
    expect(h.sync(sample(0, 6, 250))).toBe(6); // wants 6 (at target)
    // Load halves: the recommendation is 3, but 6 was recommended within the last 300 s.
    for (let t = 15_000; t < 300_000; t += 15_000) expect(h.sync(sample(t, 6, 125))).toBe(6);
    expect(h.sync(sample(300_000, 6, 125))).toBe(3);
  });

  it("does not go below the minimum", () => {
    const h = new HpaController({
      targetUtilization: 0.5,
      cpuRequestMillicores: 500,
      minReplicas: 2,
      maxReplicas: 10,
    });
    expect(h.sync(sample(0, 2, 10))).toBe(2);
  });
});

describe("random policy", () => {
  it("is deterministic for a seed, uses every allowed action and never an impossible one", () => {
    const o = sample(0, 1, 250).observation; // at the minimum: no scale_down
    const a = randomPolicy(3);
    const b = randomPolicy(3);
    const picks = Array.from({ length: 200 }, () => a(o));
    expect(Array.from({ length: 200 }, () => b(o))).toEqual(picks);
    expect(new Set(picks)).toEqual(new Set(["keep", "scale_up"]));
    const mid = randomPolicy(4);
    const middle = { ...o, replicas: 5 };
    expect(new Set(Array.from({ length: 200 }, () => mid(middle)))).toEqual(
      new Set(["scale_down", "keep", "scale_up"]),
    );
  });
});
