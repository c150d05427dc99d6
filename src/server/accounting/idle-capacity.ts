import { z } from "zod";
import { hasRole, Role } from "@/common/roles";
import type { Prisma } from "@/generated/prisma/client";
import type { TransactionClient } from "@/server/bus";
import { DomainError, parseOrThrow } from "@/server/errors";
import type { AccountingDeps } from "./regions";
import { TOKEN, u256 } from "./units";

/**
 * Idle capacity per cluster and billing period: "capacity paid by nobody".
 *
 * When a period's run finishes, each registered cluster (status OK, created
 * before the period ended) gets one `billing_cluster_idle` row: its
 * registered capacity (`cpus`·1000 millicores, `memoryGb`·1024 MiB) less the
 * mean usage its billed instances were charged for (the compute items'
 * `cpuUsage` / `memoryUsage` inputs, so the figure is derived from the same
 * numbers as the charges), never below zero. Instances whose items failed
 * are counted (`instancesFailed`) but their usage is unknown, so it shows as
 * idle — the row says how many.
 *
 * Valued at the cluster's rates with the compute rule's own form, as though
 * one instance had used exactly the idle capacity, its share taken of the
 * capacity (not of the cluster's usage, which an idle cluster barely has):
 *
 *   idleCpuTokens = idleCpu > 0 ? (idleCpu·10^3 / capacityCpu)·10^8 + cpuBaseRate·10^5 : 0
 *   idleMemTokens = idleMem > 0 ? (idleMem·10^3 / capacityMem)·10^8 + memoryBaseRate·10^5 : 0
 *   amount        = (idleCpuTokens + idleMemTokens) / 1000
 *
 * A wholly idle cluster is worth 2 tokens per period plus its base rates'
 * part; no region threshold, high-demand cost or green reward applies (they
 * price usage, and nobody used this). The inputs are stored with the row.
 */

const MILLICORES_PER_CPU = 1000n;
const MIB_PER_GB = 1024n;
const THOUSAND = 1000n;
const BASE_RATE_SCALE = 10n ** 5n;

function idleTokens(idle: bigint, capacity: bigint, baseRate: bigint): bigint {
  if (idle <= 0n || capacity <= 0n) return 0n;
  return u256.add(
    u256.mul(u256.div(u256.mul(idle, THOUSAND), capacity), TOKEN),
    u256.mul(baseRate, BASE_RATE_SCALE),
  );
}

/** The idle value of a cluster's period (pure; exported for the golden test). */
export function idleCapacityValue(input: {
  capacityCpuMillicores: bigint;
  capacityMemoryMiB: bigint;
  usedCpuMillicores: bigint;
  usedMemoryMiB: bigint;
  cpuBaseRate: bigint;
  memoryBaseRate: bigint;
}): { idleCpuMillicores: bigint; idleMemoryMiB: bigint; amount: bigint; inputs: Record<string, string> } {
  const idleCpu =
    input.capacityCpuMillicores > input.usedCpuMillicores
      ? input.capacityCpuMillicores - input.usedCpuMillicores
      : 0n;
  const idleMemory =
    input.capacityMemoryMiB > input.usedMemoryMiB ? input.capacityMemoryMiB - input.usedMemoryMiB : 0n;
  const cpuTokens = idleTokens(idleCpu, input.capacityCpuMillicores, input.cpuBaseRate);
  const memoryTokens = idleTokens(idleMemory, input.capacityMemoryMiB, input.memoryBaseRate);
  const amount = u256.div(u256.add(cpuTokens, memoryTokens), THOUSAND);
  return {
    idleCpuMillicores: idleCpu,
    idleMemoryMiB: idleMemory,
    amount,
    inputs: {
      capacityCpuMillicores: input.capacityCpuMillicores.toString(),
      capacityMemoryMiB: input.capacityMemoryMiB.toString(),
      usedCpuMillicores: input.usedCpuMillicores.toString(),
      usedMemoryMiB: input.usedMemoryMiB.toString(),
      cpuBaseRate: input.cpuBaseRate.toString(),
      memoryBaseRate: input.memoryBaseRate.toString(),
      idleCpuTokens: cpuTokens.toString(),
      idleMemoryTokens: memoryTokens.toString(),
    },
  };
}

interface UsedRow {
  cluster_id: string;
  cpu: bigint | null;
  memory: bigint | null;
  instances: bigint;
}

interface FailedRow {
  cluster_id: string;
  instances: bigint;
}

/**
 * Writes (or rewrites, after a retry billed more of the period) the idle capacity of
 * every registered cluster for the run's period, from its billing items. Runs
 * in the transaction that completes the run.
 */
export async function recordIdleCapacity(
  tx: TransactionClient,
  run: { id: string; periodStart: Date; periodEnd: Date },
): Promise<number> {
  const [used, failed, clusters] = await Promise.all([
    tx.$queryRaw<UsedRow[]>`
      SELECT cluster_id::text AS cluster_id,
             SUM((inputs->>'cpuUsage')::bigint)::bigint AS cpu,
             SUM((inputs->>'memoryUsage')::bigint)::bigint AS memory,
             COUNT(*) AS instances
        FROM billing_items
       WHERE period_start = ${run.periodStart} AND rule = 'compute'
       GROUP BY cluster_id`,
    tx.$queryRaw<FailedRow[]>`
      SELECT cluster_id::text AS cluster_id, COUNT(DISTINCT instance_id) AS instances
        FROM billing_failures
       WHERE period_start = ${run.periodStart} AND rule = 'compute' AND cluster_id IS NOT NULL
       GROUP BY cluster_id`,
    tx.cluster.findMany({
      where: { status: "OK", createdAt: { lt: run.periodEnd } },
      select: { id: true, cpus: true, memoryGb: true, cpuBaseRate: true, memoryBaseRate: true },
    }),
  ]);
  const usedBy = new Map(used.map((row) => [row.cluster_id, row]));
  const failedBy = new Map(failed.map((row) => [row.cluster_id, Number(row.instances)]));
  const rows: Prisma.BillingClusterIdleCreateManyInput[] = clusters.map((cluster) => {
    const own = usedBy.get(cluster.id);
    const value = idleCapacityValue({
      capacityCpuMillicores: BigInt(cluster.cpus) * MILLICORES_PER_CPU,
      capacityMemoryMiB: BigInt(cluster.memoryGb) * MIB_PER_GB,
      usedCpuMillicores: own?.cpu ?? 0n,
      usedMemoryMiB: own?.memory ?? 0n,
      cpuBaseRate: BigInt(cluster.cpuBaseRate),
      memoryBaseRate: BigInt(cluster.memoryBaseRate),
    });
    return {
      clusterId: cluster.id,
      periodStart: run.periodStart,
      periodEnd: run.periodEnd,
      runId: run.id,
      capacityCpuMillicores: BigInt(cluster.cpus) * MILLICORES_PER_CPU,
      capacityMemoryMiB: BigInt(cluster.memoryGb) * MIB_PER_GB,
      usedCpuMillicores: own?.cpu ?? 0n,
      usedMemoryMiB: own?.memory ?? 0n,
      idleCpuMillicores: value.idleCpuMillicores,
      idleMemoryMiB: value.idleMemoryMiB,
      amount: value.amount,
      instancesBilled: Number(own?.instances ?? 0n),
      instancesFailed: failedBy.get(cluster.id) ?? 0,
      inputs: value.inputs,
    };
  });
  await tx.billingClusterIdle.deleteMany({ where: { periodStart: run.periodStart } });
  // Two replicas finishing the same period write the same rows: the second skips them.
  if (rows.length > 0) await tx.billingClusterIdle.createMany({ data: rows, skipDuplicates: true });
  return rows.length;
}

// ---------------------------------------------------------------------------
// The view: an infrastructure provider's own clusters, an admin's all.

export const idleCapacityQuerySchema = z.strictObject({
  /** The last N billed periods (default 60: an hour at the 60 s default period). */
  periods: z.coerce.number().int().min(1).max(10_080).default(60),
  /** The window ends with the last period that started at or before this (default: the latest). */
  until: z.coerce.date().optional(),
  clusterId: z.uuid().optional(),
});

export interface IdleCapacityRow {
  clusterId: string;
  clusterName: string;
  region: string;
  /** Periods of the window the cluster has a row for. */
  periods: number;
  capacityCpuMillicores: number;
  capacityMemoryMiB: number;
  /** Means over the window's periods. */
  idleCpuMillicores: number;
  idleMemoryMiB: number;
  /** Idle share of the capacity over the window, percent (CPU and memory). */
  idleCpuPct: number;
  idleMemoryPct: number;
  /** Units the idle capacity was worth over the window, decimal string. */
  amount: string;
  /** Units the cluster earned over the same periods (its billing items), decimal string. */
  earned: string;
  /** Instances whose items failed in the window: their usage is unknown and shows as idle. */
  instancesFailed: number;
  lastPeriodStart: Date;
}

export interface IdleCapacityView {
  /** The window: the first and last period start it covers; null when nothing was billed yet. */
  from: Date | null;
  to: Date | null;
  items: IdleCapacityRow[];
}

interface IdleAggregate {
  cluster_id: string;
  periods: bigint;
  capacity_cpu: bigint;
  capacity_memory: bigint;
  idle_cpu: bigint;
  idle_memory: bigint;
  amount: bigint;
  failed: bigint;
  last_period: Date;
}

/**
 * Idle capacity by cluster over the last `periods` billed periods: an
 * infrastructure provider sees their own clusters, an admin all; anyone else
 * is refused.
 */
export async function idleCapacity(deps: AccountingDeps, query: unknown = {}): Promise<IdleCapacityView> {
  const { periods, until, clusterId } = parseOrThrow(idleCapacityQuerySchema, query);
  const admin = hasRole(deps.user.roles, Role.NEMO_ADMIN);
  if (!admin && !hasRole(deps.user.roles, Role.INFRASTRUCTURE_PROVIDER))
    throw new DomainError("forbidden", "Idle capacity is shown to infrastructure providers and admins.");
  const clusters = await deps.db.cluster.findMany({
    where: { ...(admin ? {} : { ownerId: deps.user.id }), ...(clusterId ? { id: clusterId } : {}) },
    select: { id: true, name: true, region: true },
  });
  if (clusterId && clusters.length === 0)
    throw new DomainError("not_found", `Cluster ${clusterId} not found.`, "clusterId");
  const window = await deps.db.billingRun.findMany({
    where: { status: "COMPLETED", ...(until ? { periodStart: { lte: until } } : {}) },
    orderBy: { periodStart: "desc" },
    take: periods,
    select: { periodStart: true },
  });
  const to = window[0]?.periodStart ?? null;
  const from = window.at(-1)?.periodStart ?? null;
  if (!from || !to || clusters.length === 0) return { from, to, items: [] };
  const ids = clusters.map((c) => c.id);
  const [idle, earned] = await Promise.all([
    deps.db.$queryRaw<IdleAggregate[]>`
      SELECT cluster_id::text AS cluster_id,
             COUNT(*) AS periods,
             MAX(capacity_cpu_millicores) AS capacity_cpu,
             MAX(capacity_memory_mib) AS capacity_memory,
             SUM(idle_cpu_millicores)::bigint AS idle_cpu,
             SUM(idle_memory_mib)::bigint AS idle_memory,
             SUM(amount)::bigint AS amount,
             SUM(instances_failed)::bigint AS failed,
             MAX(period_start) AS last_period
        FROM billing_cluster_idle
       WHERE cluster_id = ANY(${ids}::uuid[]) AND period_start BETWEEN ${from} AND ${to}
       GROUP BY cluster_id`,
    deps.db.billingItem.groupBy({
      by: ["clusterId"],
      where: { clusterId: { in: ids }, periodStart: { gte: from, lte: to } },
      _sum: { amount: true },
    }),
  ]);
  const clusterOf = new Map(clusters.map((c) => [c.id, c]));
  const earnedBy = new Map(earned.map((e) => [e.clusterId, e._sum.amount ?? 0n]));
  const pct = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 1000) / 10 : 0);
  const items = idle.flatMap((row): IdleCapacityRow[] => {
    const cluster = clusterOf.get(row.cluster_id);
    if (!cluster) return [];
    const n = Number(row.periods);
    const idleCpu = Number(row.idle_cpu) / n;
    const idleMemory = Number(row.idle_memory) / n;
    const capacityCpu = Number(row.capacity_cpu);
    const capacityMemory = Number(row.capacity_memory);
    return [
      {
        clusterId: cluster.id,
        clusterName: cluster.name,
        region: cluster.region,
        periods: n,
        capacityCpuMillicores: capacityCpu,
        capacityMemoryMiB: capacityMemory,
        idleCpuMillicores: Math.round(idleCpu),
        idleMemoryMiB: Math.round(idleMemory),
        idleCpuPct: pct(idleCpu, capacityCpu),
        idleMemoryPct: pct(idleMemory, capacityMemory),
        amount: row.amount.toString(),
        earned: (earnedBy.get(cluster.id) ?? 0n).toString(),
        instancesFailed: Number(row.failed),
        lastPeriodStart: row.last_period,
      },
    ];
  });
  items.sort((a, b) =>
    BigInt(b.amount) > BigInt(a.amount) ? 1 : BigInt(b.amount) < BigInt(a.amount) ? -1 : 0,
  );
  return { from, to, items };
}
