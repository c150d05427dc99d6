import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { clusterMetricsSchema } from "@/server/bus";
import { createDb } from "@/server/db/client";
import { logger } from "@/server/logger";
import { collectClusterMetrics, pruneClusterMetrics, recordClusterMetrics } from "./usage-collector";

const db = createDb(process.env.DATABASE_URL);
afterAll(async () => db.$disconnect());

async function makeCluster(status: "OK" | "PENDING", vramGb = 0) {
  const name = `metrics-${randomUUID().slice(0, 8)}`;
  const owner = await db.user.create({ data: { subject: `m-${randomUUID()}`, username: "m", roles: [] } });
  return db.cluster.create({
    data: {
      name,
      ownerId: owner.id,
      managedApi: `sim://${name}`,
      cpus: 8,
      memoryGb: 16,
      storageGb: 100,
      vramGb,
      availabilityPct: 99,
      greenEnergyPct: 20,
      cost: "low_cost",
      cpuBaseRate: 1,
      memoryBaseRate: 1,
      status,
    },
  });
}

describe("cluster metrics", () => {
  it("collects usage of every OK cluster through its driver in the reference collector's shape", async () => {
    const ok = await makeCluster("OK");
    const pending = await makeCluster("PENDING");
    const samples = clusterMetricsSchema.parse(await collectClusterMetrics({ db, log: logger }));
    const names = samples.map((s) => s.cluster);
    expect(names).toContain(ok.name);
    expect(names).not.toContain(pending.name);
    const sample = samples.find((s) => s.cluster === ok.name)!;
    expect(sample.cpu_usage).toBeGreaterThan(0);
    expect(sample.cpu_usage).toBeLessThanOrEqual(8_000);
    expect(sample.memory_usage).toBeGreaterThan(0);
    expect(sample.memory_usage).toBeLessThanOrEqual(100);
  });

  it("stores a collection once, skips unknown clusters, and prunes old samples", async () => {
    const cluster = await makeCluster("OK");
    const samples = [
      {
        cluster: cluster.name,
        cpu_usage: 1200.5,
        memory_usage: 40,
        disk_usage: 3,
        timestamp: "2026-11-27 10:00:00.000000+00:00",
      },
      {
        cluster: "no-such-cluster",
        cpu_usage: 1,
        memory_usage: 1,
        disk_usage: 1,
        timestamp: "2026-11-27 10:00:00.000000+00:00",
      },
    ];
    expect(await db.$transaction((tx) => recordClusterMetrics(tx, samples))).toBe(1);
    expect(await db.$transaction((tx) => recordClusterMetrics(tx, samples))).toBe(0);
    // The clock stands two hours after the recent sample, whatever today's date is.
    const now = () => Date.parse("2026-11-27T12:00:00Z");
    const old = [{ ...samples[0]!, timestamp: new Date(now() - 3 * 86_400_000).toISOString() }];
    await db.$transaction((tx) => recordClusterMetrics(tx, old));
    expect(await db.clusterMetricSample.count({ where: { clusterId: cluster.id } })).toBe(2);
    expect(await pruneClusterMetrics(db, { now })).toBeGreaterThanOrEqual(1);
    expect(await db.clusterMetricSample.count({ where: { clusterId: cluster.id } })).toBe(1);
  });
});
