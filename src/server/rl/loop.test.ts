import { describe, expect, it } from "vitest";
import { spreadReplicas } from "@/server/instances";
import { effectiveAction, featuresOfStoredState } from "./loop";
import { observationFrom } from "./observe";
import {
  DEFAULT_TARGETS,
  SCALING_ACTIONS,
  SCALING_FEATURE_SIZE,
  scalingFeatures,
  scalingReward,
} from "./model";
import { scalingTargetsFrom } from "./targets";

const sample = {
  at: new Date(0),
  replicas: 2,
  readyReplicas: 2,
  cpuMillicoresPerPod: 400,
  memoryMiBPerPod: 80,
  requestRate: 50,
  latencyP95Ms: null,
  unavailable: ["latencyP95" as const],
};

describe("scaling targets from the instance's intents", () => {
  it("takes cpuUsage / ramUsage of DeliverComputingWorkload, a range's upper end, the strictest of several", () => {
    expect(
      scalingTargetsFrom([
        { intentType: "DeliverComputingWorkload", targetName: "cpuUsage", value: 300 },
        { intentType: "DeliverComputingWorkload", targetName: "cpuUsage", value: [100, 250] },
        { intentType: "DeliverComputingWorkload", targetName: "ramUsage", value: 256 },
        { intentType: "Availability", targetName: "cpuUsage", value: 10 },
      ]),
    ).toEqual({
      cpuTargetMillicores: 250,
      memoryTargetMiB: 256,
      latencySloMs: DEFAULT_TARGETS.latencySloMs,
      fromIntent: ["cpuUsage", "ramUsage"],
    });
  });

  it("falls back to the defaults without an intent, or with a value that is no positive number", () => {
    expect(
      scalingTargetsFrom([{ intentType: "DeliverComputingWorkload", targetName: "ramUsage", value: "lots" }]),
    ).toEqual({ ...DEFAULT_TARGETS, fromIntent: [] });
  });
});

describe("the observation and what a decision row keeps", () => {
  it("reads unmeasured values as NaN, so they neither reward nor penalise", () => {
    const o = observationFrom(sample, { minReplicas: 1, maxReplicas: 5 }, DEFAULT_TARGETS);
    expect(o).toMatchObject({ replicas: 2, cpuMillicoresPerPod: 400, requestRate: 50, maxReplicas: 5 });
    expect(Number.isNaN(o.latencyP95Ms)).toBe(true);
    expect(Number.isFinite(scalingReward(o))).toBe(true);
  });

  it("gives back the stored features, or recomputes them from the observation (nulls unmeasured)", () => {
    const o = observationFrom(sample, { minReplicas: 1, maxReplicas: 5 }, DEFAULT_TARGETS);
    const features = scalingFeatures(o);
    expect(featuresOfStoredState({ features: Array.from(features) }, SCALING_FEATURE_SIZE)).toEqual(features);
    const stored = { ...o, latencyP95Ms: null };
    expect(featuresOfStoredState(stored, SCALING_FEATURE_SIZE)).toEqual(features);
    expect(featuresOfStoredState({ replicas: "two" }, SCALING_FEATURE_SIZE)).toBeNull();
    expect(featuresOfStoredState(null, SCALING_FEATURE_SIZE)).toBeNull();
  });

  it("counts a dropped or failed action as a keep: the replicas did not change", () => {
    const index = (a: string) => SCALING_ACTIONS.indexOf(a as (typeof SCALING_ACTIONS)[number]);
    expect(effectiveAction({ action: "scale_up", outcome: "applied" }, 1, index)).toBe(2);
    expect(effectiveAction({ action: "scale_up", outcome: "dropped" }, 1, index)).toBe(1);
    expect(effectiveAction({ action: "scale_down", outcome: "failed" }, 1, index)).toBe(1);
  });
});

describe("spreading replicas over a release's Deployments and StatefulSets", () => {
  it("is as even as possible, the first ones taking the remainder", () => {
    expect(spreadReplicas(3, 1)).toEqual([3]);
    expect(spreadReplicas(5, 2)).toEqual([3, 2]);
    expect(spreadReplicas(1, 3)).toEqual([1, 0, 0]);
    expect(spreadReplicas(4, 0)).toEqual([]);
  });
});
