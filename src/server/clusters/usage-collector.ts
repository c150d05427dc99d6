import { messages, type Bus, type ClusterMetrics, type TransactionClient } from "@/server/bus";
import type { Db } from "@/server/db";
import type { Logger } from "@/server/logger";
import { driverFor, type DriverFactory } from "./connection";
import type { ClusterDriver } from "./driver";
import { systemClock, type Clock } from "@/common/clock";
import { collectClusterUsage } from "./fan-out";

/**
 * Cluster metrics: the leader-elected collector reads usage
 * of every OK cluster through its driver and publishes one `metrics` message
 * per collection in the reference collector's shape; the recorder stores the
 * samples the console charts. A failing cluster becomes a logged error, not a
 * failed collection.
 */

export interface CollectorDependencies {
  db: Db;
  log: Logger;
  driverFor?: DriverFactory;
}

export async function collectClusterMetrics(deps: CollectorDependencies): Promise<ClusterMetrics> {
  const clusters = await deps.db.cluster.findMany({ where: { status: "OK" }, orderBy: { name: "asc" } });
  const drivers: ClusterDriver[] = [];
  for (const cluster of clusters) {
    try {
      drivers.push(driverFor(deps.db, cluster, deps.driverFor));
    } catch (error) {
      deps.log.warn({ cluster: cluster.name, err: error }, "cannot reach cluster for metrics");
    }
  }
  const { results, errors } = await collectClusterUsage(drivers);
  for (const error of errors)
    deps.log.warn({ cluster: error.cluster, error: error.message }, "cluster metrics failed");
  return results;
}

export async function collectAndPublishClusterMetrics(
  deps: CollectorDependencies & { bus: Bus },
): Promise<number> {
  const samples = await collectClusterMetrics(deps);
  if (samples.length > 0) await deps.bus.publish(messages.clusterMetrics, samples);
  return samples.length;
}

/** Stores one collection's samples (a re-delivered collection adds nothing). */
export async function recordClusterMetrics(tx: TransactionClient, samples: ClusterMetrics): Promise<number> {
  const clusters = await tx.cluster.findMany({
    where: { name: { in: samples.map((s) => s.cluster) } },
    select: { id: true, name: true },
  });
  const idByName = new Map(clusters.map((c) => [c.name, c.id]));
  const rows = samples.flatMap((sample) => {
    const clusterId = idByName.get(sample.cluster);
    return clusterId
      ? [
          {
            clusterId,
            cpuUsageMilli: sample.cpu_usage,
            memoryUsagePct: sample.memory_usage,
            diskUsagePct: sample.disk_usage,
            sampledAt: new Date(Date.parse(sample.timestamp)),
          },
        ]
      : [];
  });
  const created = await tx.clusterMetricSample.createMany({ data: rows, skipDuplicates: true });
  return created.count;
}

export interface PruneOptions {
  /** How much history to keep; the console shows the last day. */
  keepMs?: number;
  /** Injected so the cut-off is testable on any date. */
  now?: Clock;
}

/** Keeps the metrics history bounded (the console shows the last day). */
export async function pruneClusterMetrics(db: Db, options: PruneOptions = {}): Promise<number> {
  const { keepMs = 2 * 24 * 3_600_000, now = systemClock } = options;
  const removed = await db.clusterMetricSample.deleteMany({
    where: { sampledAt: { lt: new Date(now() - keepMs) } },
  });
  return removed.count;
}
