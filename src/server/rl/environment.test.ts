import { describe, expect, it } from "vitest";
import { servingPodLoad, summarizeServingLoads } from "@/server/clusters";
import { LAB_WORKLOAD, ScalingEnvironment, SUB_STEPS_PER_STEP } from "./environment";
import { scalingReward } from "./model";
import { HpaController } from "./policies";
import { generateTrace, type LoadTrace } from "./traces";

const flat = (rps: number, minutes = 30): LoadTrace => ({
  name: "flat",
  seed: null,
  startMs: Date.UTC(2026, 0, 5),
  rates: Array.from({ length: minutes }, () => rps),
});

describe("scaling environment", () => {
  it("computes per-pod load with the continuum's own load-model functions", () => {
    const env = new ScalingEnvironment({ initialReplicas: 4 });
    const trace = flat(400);
    const o = env.reset(9, trace);
    const expected = summarizeServingLoads(
      [0, 1, 2, 3].map((id) =>
        servingPodLoad({
          seed: 9,
          profile: LAB_WORKLOAD.profile,
          podKey: `lab/${id}`,
          requestsPerSecond: 100,
          timeMs: trace.startMs,
          resources: LAB_WORKLOAD.resources,
          nodeAllocatableCpuMillicores: 16_000,
          nodeAllocatableMemoryBytes: 64 * 1024 ** 3,
        }),
      ),
    );
    expect(o.cpuMillicoresPerPod).toBeCloseTo(expected.cpuMillicoresPerPod ?? -1, 9);
    expect(o.latencyP95Ms).toBeCloseTo(expected.latencyP95Ms ?? -1, 9);
    expect(o).toMatchObject({ replicas: 4, requestRate: 400, minReplicas: 1, maxReplicas: 10 });
  });

  it("scaling up lowers per-pod CPU and latency once the new pod serves; reward is the model's", () => {
    const env = new ScalingEnvironment({ initialReplicas: 3 });
    const before = env.reset(1, flat(600));
    const up = env.step("scale_up");
    expect(up.observation.replicas).toBe(4);
    expect(up.observation.cpuMillicoresPerPod).toBeLessThan(before.cpuMillicoresPerPod);
    expect(up.observation.latencyP95Ms).toBeLessThan(before.latencyP95Ms);
    expect(up.actions).toBe(1);
    expect(up.replicas).toBe(4);
    const keep = env.step("keep");
    expect(keep.actions).toBe(0);
    expect(keep.reward).toBeCloseTo(scalingReward(keep.observation), 1);
  });

  it("counts SLO violations per 15 s sub-step and respects the bounds", () => {
    const env = new ScalingEnvironment({ initialReplicas: 1, maxReplicas: 2 });
    env.reset(1, flat(400)); // 400 rps on one pod: far over the SLO
    const step = env.step("keep");
    expect(step.sloViolation).toBe(1);
    expect(env.step("scale_up").observation.replicas).toBe(2);
    expect(env.step("scale_up").observation.replicas).toBe(2);
    const down = new ScalingEnvironment({ initialReplicas: 1 });
    down.reset(1, flat(10));
    expect(down.step("scale_down").observation.replicas).toBe(1);
  });

  it("is deterministic and ends the episode after the window", () => {
    const run = () => {
      const env = new ScalingEnvironment({ initialReplicas: 3 });
      env.reset(4, generateTrace("bursty", 4, { minutes: 60 }), { startMinute: 10, minutes: 20 });
      const out = [];
      for (let i = 0; i < 20; i++) out.push(env.step(i % 3 === 0 ? "scale_up" : "keep"));
      return out;
    };
    const a = run();
    expect(run()).toEqual(a);
    expect(a.at(-1)?.done).toBe(true);
    expect(a.slice(0, -1).every((s) => !s.done)).toBe(true);
  });

  it("a smaller CPU share (a busy cluster) raises per-pod utilisation and latency", () => {
    const free = new ScalingEnvironment({ initialReplicas: 4 });
    const busy = new ScalingEnvironment({ initialReplicas: 4 });
    busy.cpuShareAt = () => 0.5;
    const a = free.reset(2, flat(400));
    const b = busy.reset(2, flat(400));
    expect(b.latencyP95Ms).toBeGreaterThan(a.latencyP95Ms * 1.3);
    expect(b.cpuMillicoresPerPod).toBeCloseTo(a.cpuMillicoresPerPod, 6); // same work, less room
  });

  it("runs a controller at every 15 s sync (the HPA reacts within the minute)", () => {
    const env = new ScalingEnvironment({ initialReplicas: 2 });
    env.reset(1, flat(800));
    const syncs: number[] = [];
    const hpa = new HpaController({
      targetUtilization: 0.8,
      cpuRequestMillicores: 500,
      minReplicas: 1,
      maxReplicas: 10,
    });
    const step = env.stepWith((sample, k) => {
      syncs.push(k);
      return hpa.sync(sample);
    });
    expect(syncs).toEqual([...Array(SUB_STEPS_PER_STEP).keys()]);
    expect(step.observation.replicas).toBeGreaterThan(2);
    expect(step.actions).toBeGreaterThanOrEqual(1);
  });
});
