import { describe, expect, it } from "vitest";
import { GPU_REPLICAS_LABEL, periodUsageSchema } from "../driver";
import {
  instanceLabels,
  makeClusterSpec,
  makeContinuum,
  makeDeployment,
  SETTLE_MS,
} from "@/server/testing/cluster-factories";
import { createManualClock } from "./clock";
import { REQUESTS_PER_SECOND_ANNOTATION } from "./load-model";
import { samplePoints } from "./period-usage";

const START = Date.UTC(2025, 4, 29, 12, 0, 0);
const MINUTE = 60_000;

function deployedContinuum(gpuReplicas = 1) {
  const { continuum, clock } = makeContinuum({
    clock: createManualClock(START - 10 * MINUTE),
    clusters: [makeClusterSpec({ vramGb: 16, gpus: 1, gpuReplicas })],
  });
  const cluster = continuum.cluster("test-cluster");
  cluster.apply(
    "web",
    [makeDeployment({ replicas: 2, annotations: { [REQUESTS_PER_SECOND_ANNOTATION]: "50" } })],
    { labels: instanceLabels("web") },
  );
  cluster.apply("train", [makeDeployment({ name: "train", replicas: 1, cpu: "500m", gpus: 1 })], {
    labels: instanceLabels("train"),
  });
  clock.advance(SETTLE_MS);
  return { continuum, clock, cluster };
}

describe("simulated usage over a billing period", () => {
  it("samples the period at step midpoints, at least once", () => {
    expect(samplePoints({ startMs: 0, endMs: 60_000 })).toEqual({
      times: [7_500, 22_500, 37_500, 52_500],
      stepMs: 15_000,
    });
    expect(samplePoints({ startMs: 0, endMs: 1_000 })).toEqual({ times: [500], stepMs: 1_000 });
  });

  it("reads the same figures for the same period, whenever it is read", () => {
    const { cluster, clock } = deployedContinuum();
    const period = { startMs: START, endMs: START + MINUTE };
    clock.advance(11 * MINUTE);
    const first = cluster.instancesPeriodUsage(["web", "train"], period);
    clock.advance(30 * MINUTE);
    const again = cluster.instancesPeriodUsage(["web", "train"], period);
    expect(periodUsageSchema.parse(first)).toEqual(first);
    expect(again).toEqual(first);
    expect(first.method).toBe("modelled");
    expect(first.unavailable).toEqual([]);

    const web = first.usages.find((u) => u.namespace === "web");
    expect(web?.cpuMillicores).toBeGreaterThan(0);
    expect(web?.networkBytesReceived).toBeGreaterThan(0);
    expect(web?.networkBytesSent).toBeGreaterThan(web?.networkBytesReceived ?? 0);
    expect(web?.gpu).toEqual({ devices: 0, fraction: 0, allocatedMs: 0, usageFraction: null, shared: false });
    expect(web?.energyWh).toBeGreaterThan(0);
    // The cluster's usage includes the instance's and everyone else's.
    expect(first.clusterCpuMillicores).toBeGreaterThan(web?.cpuMillicores ?? Infinity);

    // A different period reads different (noise-driven) figures.
    const next = cluster.instancesPeriodUsage(["web"], {
      startMs: START + MINUTE,
      endMs: START + 2 * MINUTE,
    });
    expect(next.usages[0]?.cpuMillicores).not.toBe(web?.cpuMillicores);
  });

  it("allocates a whole GPU for a minute, with its draw in the energy", () => {
    const { cluster, clock } = deployedContinuum();
    clock.advance(11 * MINUTE);
    const usage = cluster.instancesPeriodUsage(["train"], { startMs: START, endMs: START + MINUTE });
    const train = usage.usages[0];
    expect(train?.gpu.devices).toBe(1);
    expect(train?.gpu.fraction).toBe(1);
    expect(train?.gpu.shared).toBe(false);
    expect(train?.gpu.allocatedMs).toBe(MINUTE);
    expect(train?.gpu.usageFraction).toBeGreaterThan(0);
    expect(train?.gpu.usageFraction).toBeLessThanOrEqual(1);
    // At least the idle draw of one GPU for a minute: 50 W × 1/60 h.
    expect(train?.energyWh).toBeGreaterThan(50 / 60);
  });

  it("charges a time-sliced GPU as the slice it is, never a whole device", () => {
    const { cluster, clock } = deployedContinuum(4);
    expect(cluster.serverInfo().nodes.some((n) => n.labels[GPU_REPLICAS_LABEL] === "4")).toBe(true);
    clock.advance(11 * MINUTE);
    const usage = cluster.instancesPeriodUsage(["train"], { startMs: START, endMs: START + MINUTE });
    const train = usage.usages[0];
    expect(train?.gpu).toMatchObject({ devices: 1, fraction: 0.25, allocatedMs: MINUTE / 4, shared: true });
  });

  it("lists a namespace it does not have as NOT_FOUND and refuses an empty period", () => {
    const { cluster } = deployedContinuum();
    const usage = cluster.instancesPeriodUsage(["gone"], { startMs: START, endMs: START + MINUTE });
    expect(usage.usages).toEqual([]);
    expect(usage.failures).toEqual([
      { namespace: "gone", error: expect.objectContaining({ type: "NOT_FOUND" }) as unknown },
    ]);
    expect(() => cluster.instancesPeriodUsage(["web"], { startMs: START, endMs: START })).toThrow(
      /must end after it starts/,
    );
  });
});
