import { describe, expect, it } from "vitest";
import { instanceLoadSampleSchema } from "../driver";
import {
  instanceLabels,
  makeContinuum,
  makeDeployment,
  makeStatefulSet,
  SETTLE_MS,
} from "@/server/testing/cluster-factories";
import { createManualClock } from "./clock";
import { latencyMs, latencyP95Ms, P95_OVER_MEAN, REQUESTS_PER_SECOND_ANNOTATION } from "./load-model";
import { SimulatedClusterDriver } from "./simulated-driver";

const labels = instanceLabels();
const MORNING = Date.UTC(2025, 4, 29, 9, 0, 0);

function setUp(seed = 7) {
  const { continuum, clock } = makeContinuum({ seed, clock: createManualClock(MORNING) });
  const driver = new SimulatedClusterDriver({ continuum, cluster: "test-cluster" });
  return { continuum, clock, driver };
}

async function session(seed: number) {
  const { clock, driver } = setUp(seed);
  await driver.apply(
    "shop",
    [
      makeDeployment({
        replicas: 2,
        cpu: "500m",
        cpuLimit: "500m",
        annotations: { [REQUESTS_PER_SECOND_ANNOTATION]: "40" },
      }),
    ],
    { labels },
  );
  clock.advance(SETTLE_MS);
  const samples = [];
  for (let minute = 0; minute < 30; minute++) {
    clock.advance(60_000);
    if (minute === 10) await driver.scale("shop", "Deployment", "web", 3);
    samples.push(await driver.instanceLoad("shop"));
  }
  return samples;
}

describe("simulated instanceLoad", () => {
  it("is deterministic for a seed and differs for another", async () => {
    const first = await session(42);
    expect(await session(42)).toEqual(first);
    const other = await session(43);
    expect(other.map((s) => s.cpuMillicoresPerPod)).not.toEqual(first.map((s) => s.cpuMillicoresPerPod));
    for (const sample of first) expect(instanceLoadSampleSchema.parse(sample)).toEqual(sample);
  });

  it("reports per-pod usage, request rate and p95 latency, and scaling out lowers CPU and latency", async () => {
    const { clock, driver } = setUp();
    await driver.apply(
      "shop",
      [
        makeDeployment({
          replicas: 2,
          cpu: "500m",
          cpuLimit: "500m",
          annotations: { [REQUESTS_PER_SECOND_ANNOTATION]: "60" },
        }),
      ],
      { labels },
    );
    clock.advance(SETTLE_MS);
    const before = await driver.instanceLoad("shop");
    expect(before).toMatchObject({ replicas: 2, readyReplicas: 2, unavailable: [] });
    expect(before.at).toEqual(new Date(MORNING + SETTLE_MS));
    expect(before.requestRate).toBeGreaterThan(30);

    await driver.scale("shop", "Deployment", "web", 6);
    // Scaling changes the replicas at once; the new pods serve once they are ready.
    expect((await driver.instanceLoad("shop")).replicas).toBe(6);
    clock.advance(SETTLE_MS);
    const after = await driver.instanceLoad("shop");
    expect(after).toMatchObject({ replicas: 6, readyReplicas: 6 });
    if (
      before.cpuMillicoresPerPod === null ||
      after.cpuMillicoresPerPod === null ||
      before.latencyP95Ms === null ||
      after.latencyP95Ms === null ||
      before.memoryMiBPerPod === null ||
      after.memoryMiBPerPod === null
    )
      throw new Error("a serving instance has no load");
    // Same demand (within its 5-minute noise), a third of the share per pod.
    expect(after.requestRate).toBeCloseTo(before.requestRate ?? 0, -1);
    expect(after.cpuMillicoresPerPod).toBeLessThan(before.cpuMillicoresPerPod * 0.6);
    expect(after.memoryMiBPerPod).toBeLessThan(before.memoryMiBPerPod);
    expect(after.latencyP95Ms).toBeLessThan(before.latencyP95Ms);
  });

  it("sums replicas over Deployments and StatefulSets and has no latency while nothing serves", async () => {
    const { clock, driver } = setUp();
    await driver.apply("shop", [makeDeployment({ replicas: 2 }), makeStatefulSet({ replicas: 1 })], {
      labels,
    });
    const starting = await driver.instanceLoad("shop");
    expect(starting).toMatchObject({
      replicas: 3,
      readyReplicas: 0,
      cpuMillicoresPerPod: null,
      latencyP95Ms: null,
    });
    expect(starting.requestRate).toBeGreaterThan(0); // demand arrives whether or not a pod serves it
    clock.advance(SETTLE_MS);
    expect(await driver.instanceLoad("shop")).toMatchObject({ replicas: 3, readyReplicas: 3 });
  });

  it("refuses a missing namespace (NOT_FOUND) and a malformed one (INVALID_ARGUMENT)", async () => {
    const { driver } = setUp();
    await expect(driver.instanceLoad("gone")).rejects.toMatchObject({ type: "NOT_FOUND" });
    await expect(driver.instanceLoad("Not_A_Label")).rejects.toMatchObject({ type: "INVALID_ARGUMENT" });
  });
});

describe("queueing latency", () => {
  it("puts p95 at ln(20) × the M/M/1 mean and rises steeply as utilisation nears 1", () => {
    expect(latencyP95Ms(10, 0.5)).toBeCloseTo(P95_OVER_MEAN * 20, 6);
    expect(latencyP95Ms(10, 0)).toBeCloseTo(10 * Math.log(20), 6);
    const at = (u: number) => latencyMs(10, u);
    expect(at(0.9) / at(0.5)).toBeCloseTo(5, 6);
    expect(at(0.94)).toBeGreaterThan(at(0.9));
    // Past 95 % it keeps growing (timeouts, shed load) instead of diverging.
    expect(at(1.5)).toBeGreaterThan(at(0.95));
    expect(Number.isFinite(at(10))).toBe(true);
  });
});
