import { describe, expect, it } from "vitest";
import { clusterUsageSampleSchema, instanceUsageSchema } from "../driver";
import {
  instanceLabels,
  makeContinuum,
  makeDeployment,
  makeStatefulSet,
  SETTLE_MS,
} from "@/server/testing/cluster-factories";
import { createManualClock } from "./clock";
import { REQUESTS_PER_SECOND_ANNOTATION } from "./load-model";

const labels = instanceLabels();
const MIDNIGHT = Date.UTC(2025, 4, 29, 0, 0, 0);

describe("simulated usage", () => {
  it("reports cluster usage in the collector's wire shape", () => {
    const { continuum } = makeContinuum({ clock: createManualClock(Date.UTC(2025, 4, 29, 10, 48, 3, 547)) });
    const sample = continuum.cluster("test-cluster").usage();
    expect(clusterUsageSampleSchema.parse(sample)).toEqual(sample);
    expect(sample.cluster).toBe("test-cluster");
    expect(sample.timestamp).toBe("2025-05-29 10:48:03.547000+00:00");
    expect(Date.parse(sample.timestamp)).toBe(Date.UTC(2025, 4, 29, 10, 48, 3, 547));
    expect(sample.cpu_usage).toBeGreaterThan(0);
    expect(sample.memory_usage).toBeGreaterThan(0);
    expect(sample.disk_usage).toBeGreaterThan(0);
  });

  it("stays within capacity over a simulated day, even when workloads are overloaded", () => {
    const { continuum, clock } = makeContinuum({ clock: createManualClock(MIDNIGHT) });
    const cluster = continuum.cluster("test-cluster");
    // No limits and a heavy demand: pods would use far more than the nodes have.
    cluster.apply(
      "hot",
      [
        makeDeployment({
          replicas: 6,
          cpu: "1",
          memory: "1Gi",
          annotations: { [REQUESTS_PER_SECOND_ANNOTATION]: "100000" },
        }),
        makeStatefulSet({ replicas: 3, storage: "30Gi" }),
      ],
      { labels },
    );
    const capacityMillicores = 12_000;
    let peak = 0;
    for (let minute = 0; minute < 24 * 60; minute += 10) {
      clock.advance(10 * 60_000);
      const sample = cluster.usage();
      peak = Math.max(peak, sample.cpu_usage);
      expect(sample.cpu_usage).toBeLessThanOrEqual(capacityMillicores);
      expect(sample.memory_usage).toBeLessThanOrEqual(100);
      expect(sample.disk_usage).toBeLessThanOrEqual(100);
      // Pods compete for their nodes: together they never get more than the nodes can allocate.
      expect(cluster.instanceUsage("hot").cpuMillicores).toBeLessThanOrEqual(3 * 3_900);
      // Every running pod serves its share of the demand, however overloaded its node.
      const running = cluster
        .deploymentTree("hot")
        .nodes.filter((n) => n.kind === "Pod" && n.status === "Running");
      expect(running.length).toBeGreaterThan(0);
      for (const pod of running) expect(pod.traffic?.requestsPerSecond).toBeGreaterThan(0);
    }
    expect(peak).toBeGreaterThan(capacityMillicores * 0.9);
  });

  it("follows a diurnal curve that peaks during the working day", () => {
    const { continuum, clock } = makeContinuum({ clock: createManualClock(MIDNIGHT) });
    const cluster = continuum.cluster("test-cluster");
    cluster.apply("shop", [makeDeployment({ replicas: 2 })], { labels });
    const rps: number[] = [];
    for (let hour = 0; hour < 24; hour++) {
      clock.set(MIDNIGHT + hour * 3_600_000 + SETTLE_MS);
      rps.push(cluster.instanceUsage("shop").requestsPerSecond);
    }
    const max = Math.max(...rps);
    const min = Math.min(...rps);
    expect(max / min).toBeGreaterThan(1.4);
    const peakHour = rps.indexOf(max);
    expect(peakHour).toBeGreaterThanOrEqual(10);
    expect(peakHour).toBeLessThanOrEqual(18);
  });

  it("lowers per-pod CPU and latency when a workload scales out", () => {
    const { continuum, clock } = makeContinuum();
    const cluster = continuum.cluster("test-cluster");
    cluster.apply("shop", [makeDeployment({ replicas: 2, cpu: "500m", cpuLimit: "500m" })], { labels });
    clock.advance(SETTLE_MS);
    const before = cluster.instanceUsage("shop").workloads[0];
    cluster.scale("shop", "Deployment", "web", 6);
    clock.advance(SETTLE_MS);
    const after = cluster.instanceUsage("shop").workloads[0];
    if (!before || !after || before.latencyMs === null || after.latencyMs === null)
      throw new Error("no usage");
    expect(after.replicas).toEqual({ desired: 6, ready: 6 });
    expect(after.cpuMillicores / 6).toBeLessThan(before.cpuMillicores / 2);
    expect(after.latencyMs).toBeLessThan(before.latencyMs);
  });

  it("sums an instance's usage over its workloads", () => {
    const { continuum, clock } = makeContinuum();
    const cluster = continuum.cluster("test-cluster");
    cluster.apply(
      "shop",
      [makeDeployment({ replicas: 2 }), makeStatefulSet({ replicas: 1, storage: "10Gi" })],
      {
        labels,
      },
    );
    clock.advance(SETTLE_MS);
    const usage = instanceUsageSchema.parse(cluster.instanceUsage("shop"));
    expect(usage.workloads.map((w) => `${w.kind}/${w.name}`)).toEqual(["StatefulSet/db", "Deployment/web"]);
    const sum = usage.workloads.reduce((total, w) => total + w.cpuMillicores, 0);
    expect(usage.cpuMillicores).toBeCloseTo(sum, 1);
    expect(usage.replicas).toEqual({ desired: 3, ready: 3 });
    expect(usage.diskMiB).toBeGreaterThan(1024); // 10 Gi claim, 10–50 % full
    expect(usage.requestsPerSecond).toBeGreaterThan(0);
  });

  it("serves nothing while pods are still starting", () => {
    const { continuum } = makeContinuum();
    const cluster = continuum.cluster("test-cluster");
    cluster.apply("shop", [makeDeployment({ replicas: 2 })], { labels });
    const usage = cluster.instanceUsage("shop");
    expect(usage.requestsPerSecond).toBe(0);
    expect(usage.latencyMs).toBeNull();
    expect(usage.replicas).toEqual({ desired: 2, ready: 0 });
  });

  it("honours a chart's pinned demand", () => {
    const { continuum, clock } = makeContinuum({ clock: createManualClock(MIDNIGHT) });
    const cluster = continuum.cluster("test-cluster");
    cluster.apply("shop", [makeDeployment({ annotations: { [REQUESTS_PER_SECOND_ANNOTATION]: "1000" } })], {
      labels,
    });
    let total = 0;
    for (let hour = 0; hour < 24; hour++) {
      clock.set(MIDNIGHT + hour * 3_600_000 + SETTLE_MS);
      total += cluster.instanceUsage("shop").requestsPerSecond;
    }
    expect(total / 24).toBeGreaterThan(850);
    expect(total / 24).toBeLessThan(1150);
  });
});
