import { describe, expect, it } from "vitest";
import {
  MAX_SCORE,
  MIN_SCORE,
  PRIORITIZERS,
  balanceScore,
  costClassScore,
  greenEnergyScore,
  leastAllocatedScore,
  steadyScore,
} from "./prioritizers";
import { prepareRequest } from "./request";
import { PRIORITIZER_NAMES } from "./schema";
import {
  GiB,
  makeCluster,
  makeRequest,
  picker,
  randomClusters,
  randomRequest,
} from "@/server/testing/placement-factories";

describe("prioritizers", () => {
  it("are the configurable ones, each with a description", () => {
    expect(PRIORITIZERS.map((p) => p.name)).toEqual([...PRIORITIZER_NAMES]);
    for (const prioritizer of PRIORITIZERS) expect(prioritizer.description.length).toBeGreaterThan(10);
  });

  it("score every cluster with an integer between −100 and 100", () => {
    const rng = picker(11);
    for (let round = 0; round < 200; round++) {
      const clusters = randomClusters(rng, 8);
      const request = prepareRequest(randomRequest(rng, clusters));
      const maxInstanceCount = Math.max(0, ...clusters.map((c) => c.instanceCount));
      for (const cluster of clusters) {
        for (const prioritizer of PRIORITIZERS) {
          const score = prioritizer.score(cluster, { request, maxInstanceCount });
          expect(Number.isInteger(score), prioritizer.name).toBe(true);
          expect(score).toBeGreaterThanOrEqual(MIN_SCORE);
          expect(score).toBeLessThanOrEqual(MAX_SCORE);
        }
      }
    }
  });
});

describe("least allocated", () => {
  it("scores 100 when the resource stays free and −100 when the request fills it", () => {
    expect(leastAllocatedScore(16_000, 0, 0)).toBe(100);
    expect(leastAllocatedScore(16_000, 8_000, 8_000)).toBe(-100);
    expect(leastAllocatedScore(16_000, 4_000, 4_000)).toBe(0);
  });

  it("counts the request being placed", () => {
    expect(leastAllocatedScore(10_000, 0, 1_000)).toBe(80);
  });

  it("gives a cluster without capacity the lowest score instead of dividing by zero", () => {
    expect(leastAllocatedScore(0, 0, 0)).toBe(-100);
  });

  it("stays within bounds when a cluster is overcommitted", () => {
    expect(leastAllocatedScore(1_000, 2_000, 0)).toBe(-100);
  });

  it("does not add the request on the cluster the instance already runs on", () => {
    const cluster = makeCluster({
      name: "here",
      capacity: { cpuMillicores: 10_000 },
      allocated: { cpuMillicores: 5_000 },
    });
    const cpu = PRIORITIZERS.find((p) => p.name === "LeastAllocatedCpu");
    const score = (currentCluster?: string) =>
      cpu?.score(cluster, {
        request: prepareRequest(
          makeRequest({
            requests: { cpuMillicores: 5_000, memoryBytes: GiB },
            ...(currentCluster ? { currentCluster } : {}),
          }),
        ),
        maxInstanceCount: 0,
      });
    expect(score()).toBe(-100);
    expect(score("here")).toBe(0);
  });
});

describe("green energy, cost, balance and steadiness", () => {
  it("maps green energy 0 %, 50 % and 100 % to −100, 0 and 100", () => {
    expect([0, 50, 100].map(greenEnergyScore)).toEqual([-100, 0, 100]);
  });

  it("prefers low_cost", () => {
    expect(costClassScore("low_cost")).toBe(100);
    expect(costClassScore("high_performance")).toBe(-100);
  });

  it("scores the busiest cluster −100 and an empty one 100", () => {
    expect(balanceScore(4, 4)).toBe(-100);
    expect(balanceScore(0, 4)).toBe(100);
    expect(balanceScore(2, 4)).toBe(0);
    expect(balanceScore(0, 0)).toBe(100);
  });

  it("prefers only the current cluster", () => {
    expect(steadyScore(true)).toBe(100);
    expect(steadyScore(false)).toBe(0);
  });

  it("never returns −0, so equal scores compare equal everywhere", () => {
    expect(Object.is(greenEnergyScore(49.9), -0)).toBe(false);
    expect(Object.is(leastAllocatedScore(1_000, 499, 2), -0)).toBe(false);
  });
});
