import type { Db } from "@/server/db";
import type { BillableInstance } from "./billing";

/**
 * Instances deleted while their last periods were not billed yet: a period
 * the instance existed in (created before it ended, its `Deletion` lifecycle
 * event after it started) is billed even though the instance is DELETED by
 * the time the run reads it — the moca worker was down, or the deletion fell
 * inside the period. The instance is billed on the cluster it was deleted
 * from (its `clusterId`, kept on deletion).
 *
 * Its usage is whatever the driver still reports for the namespace. Both
 * drivers forget a deleted namespace (the simulated continuum models only
 * the pods it holds, Kubernetes has nothing left to sample), so in practice
 * the item becomes a failure that says so plainly (`deletedUsageReason`) and
 * bills nothing, instead of the instance silently never being billed.
 */
export async function billableDeletedInstances(
  db: Db,
  periodStart: Date,
  periodEnd: Date,
): Promise<BillableInstance[]> {
  const rows = await db.workloadInstance.findMany({
    where: {
      status: "DELETED",
      clusterId: { not: null },
      createdAt: { lt: periodEnd },
      events: { some: { type: "Deletion", occurredAt: { gt: periodStart } } },
    },
    select: {
      id: true,
      namespace: true,
      workloadId: true,
      ownerId: true,
      workload: { select: { name: true, ingressSupport: true } },
      events: {
        where: { type: "Deletion" },
        orderBy: { occurredAt: "asc" },
        take: 1,
        select: { occurredAt: true },
      },
      cluster: {
        select: {
          id: true,
          name: true,
          ownerId: true,
          region: true,
          greenEnergyPct: true,
          cpuBaseRate: true,
          memoryBaseRate: true,
          gridIntensity: true,
          gridIntensityHourly: true,
        },
      },
    },
    orderBy: { id: "asc" },
  });
  return rows.flatMap((row) =>
    row.cluster && row.events[0]
      ? [
          {
            id: row.id,
            namespace: row.namespace,
            workloadId: row.workloadId,
            workloadName: row.workload.name,
            ownerId: row.ownerId,
            ingressSupport: row.workload.ingressSupport,
            cluster: row.cluster,
            deletedAt: row.events[0].occurredAt,
          },
        ]
      : [],
  );
}

/** Why a deleted instance's period bills nothing: its usage is gone with its namespace. */
export function deletedUsageReason(deletedAt: Date, readError: string): string {
  return (
    `instance deleted at ${deletedAt.toISOString()} before this period was billed: ` +
    `its usage is no longer readable from the cluster (${readError}); nothing billed`
  );
}
