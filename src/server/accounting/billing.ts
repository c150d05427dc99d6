import { performance } from "node:perf_hooks";
import { type Clock, systemClock } from "@/common/clock";
import type { TransactionClient } from "@/server/bus";
import { driverFor, type DriverFactory, type PeriodUsage } from "@/server/clusters";
import { assertLeaderFence, type Db, type LeaderFence } from "@/server/db";
import type { Logger } from "@/server/logger";
import { evaluateBudgets } from "./budgets";
import {
  type AccountRow,
  type BillableInstanceRow,
  insertBillingItems,
  insertMissingAccounts,
  selectBillableInstances,
} from "./billing-sql";
import { billableDeletedInstances, deletedUsageReason } from "./billing-deleted";
import { recordIdleCapacity } from "./idle-capacity";
import {
  appendLedgerTransactions,
  clusterAccount,
  type LedgerTransactionInput,
  workloadAccount,
} from "./ledger";
import { loadRegionPricing } from "./regions";
import {
  computeCharge,
  mlCharge,
  networkCharge,
  RegionDataMissingError,
  type RegionPricing,
  type RuleResult,
} from "./rules";
import { loadPricingSettings, type PricingSettings } from "./settings";

/**
 * The MOCA billing run. Every `BILLING_PERIOD_MS` the `moca` worker's leader
 * bills each period that has ended and not been billed, oldest first: for
 * every instance DEPLOYED in it, the usage its cluster's driver reports for
 * the period is priced by the rules (compute always; network for workloads
 * with ingress support; ML when the instance holds GPUs) and each charge is
 * one ledger transaction (workload → cluster) plus one `billing_items` row.
 *
 * Exactly once: the row is unique per (instance, rule, period) and the ledger
 * transaction's reference `charge:<instance>:<rule>:<period>` is unique, both
 * written in one database transaction. A redelivered tick, a restart in the
 * middle of a run (the run stays RUNNING and the next tick finishes it,
 * skipping what was billed), two replicas at once (the second's appends find
 * the references and write nothing) or a catch-up after downtime each bill
 * a charge once. An item that cannot be priced ("Data for region must be
 * set", a cluster that could not be read) goes to `billing_failures` and
 * the run goes on.
 */

export const BILLING_RULES = ["compute", "network", "ml"] as const;
export type BillingRule = (typeof BILLING_RULES)[number];

/** Periods billed per call at most: a long outage catches up over several ticks, in order. */
export const MAX_CATCH_UP_PERIODS = 60;
/** Instances whose charges are written per database transaction (one ledger lock, one insert of each kind). */
const WRITE_BATCH_INSTANCES = 1_000;
/** Clusters read at once. */
const READ_CONCURRENCY = 8;
/** A failure reason is cut here (a driver's message can be long). */
const MAX_REASON_LENGTH = 500;

export interface BillingDeps {
  db: Db;
  log: Logger;
  clock?: Clock;
  /** The driver of a cluster (tests and the bench pass their continuum's); the shared factory otherwise. */
  drivers?: DriverFactory;
  /** The leader's fencing token: a deposed leader's writes are refused (StaleLeaderError). */
  fence?: LeaderFence;
  /** Recorded on the run, for the admin's view. */
  worker?: string;
  /** Instances written per database transaction (default 1,000). */
  batchInstances?: number;
  /** Bill only these instances, even in a completed period (a retry of failed items, billing-retry.ts). */
  onlyInstanceIds?: ReadonlySet<string>;
}

export interface BillingRunSummary {
  runId: string;
  periodStart: Date;
  periodEnd: Date;
  status: "COMPLETED";
  instances: number;
  itemsBilled: number;
  itemsFailed: number;
  /** Units charged in the period. */
  amount: bigint;
  gco2e: number;
  /** False when the period had already been billed completely (nothing done). */
  ran: boolean;
  /** Wall time of each phase (load, read, price, write, finish, budgets), for the logs and the bench. */
  phasesMs?: Record<string, number>;
}

/** Sums wall time per named phase (a phase may recur, e.g. one write per batch). */
function phaseTimer() {
  const phases: Record<string, number> = {};
  let last = performance.now();
  return {
    phases,
    lap(name: string) {
      const now = performance.now();
      phases[name] = Math.round(((phases[name] ?? 0) + now - last) * 10) / 10;
      last = now;
    },
  };
}

/** An instance the run bills: its row (billing-sql.ts) and, for a deleted one, when it went. */
export interface BillableInstance extends BillableInstanceRow {
  /** Set when the instance was deleted after the period started (billing-deleted.ts). */
  deletedAt?: Date;
}

interface Charge {
  instance: BillableInstance;
  rule: BillingRule;
  result: RuleResult;
  carbon: Carbon | null;
  extraInputs: Record<string, string>;
}

interface Failure {
  instance: BillableInstance;
  rule: BillingRule;
  reason: string;
  /** The cluster could not be read: billing-retry.ts tries the item again. */
  retryable?: boolean;
}

interface Carbon {
  energyWh: number | null;
  gridIntensity: number | null;
  gco2e: number | null;
  gco2eAvoided: number | null;
  greenReward: bigint;
}

export const chargeReference = (instanceId: string, rule: string, periodStart: Date): string =>
  `charge:${instanceId}:${rule}:${periodStart.toISOString()}`;

/** The intensity in force at `at`: the hourly profile's hour when given, else the flat figure. */
export function gridIntensityAt(
  cluster: { gridIntensity: number | null; gridIntensityHourly: readonly number[] },
  at: Date,
): number | null {
  if (cluster.gridIntensityHourly.length === 24) return cluster.gridIntensityHourly[at.getUTCHours()] ?? null;
  return cluster.gridIntensity;
}

/**
 * Carbon of an instance's energy: the grid's intensity for the part not from
 * the cluster's green share, and what that green share avoided (the carbon
 * the green reward stands for).
 */
export function carbonOf(
  energyWh: number | null,
  intensity: number | null,
  greenEnergyPct: number,
): Pick<Carbon, "gco2e" | "gco2eAvoided"> {
  if (energyWh === null || intensity === null) return { gco2e: null, gco2eAvoided: null };
  const grid = (energyWh / 1000) * intensity;
  const green = Math.min(100, Math.max(0, greenEnergyPct)) / 100;
  const round = (value: number) => Math.round(value * 1e6) / 1e6;
  return { gco2e: round(grid * (1 - green)), gco2eAvoided: round(grid * green) };
}

/** Period boundaries are multiples of the period length since the epoch. */
export function periodStartOf(timeMs: number, periodMs: number): number {
  return Math.floor(timeMs / periodMs) * periodMs;
}

/**
 * Bills every period that has ended and is not billed yet, oldest first, at
 * most `MAX_CATCH_UP_PERIODS` per call. The first period ever billed is the
 * last one that ended (there is nothing to catch up before billing existed).
 */
export async function runDueBillingPeriods(
  deps: BillingDeps,
  periodMs: number,
): Promise<BillingRunSummary[]> {
  const now = (deps.clock ?? systemClock)();
  const lastEnded = periodStartOf(now, periodMs) - periodMs;
  const unfinished = await deps.db.billingRun.findFirst({
    where: { status: "RUNNING" },
    orderBy: { periodStart: "asc" },
  });
  const last = await deps.db.billingRun.findFirst({ orderBy: { periodStart: "desc" } });
  let next = unfinished ? unfinished.periodStart.getTime() : last ? last.periodEnd.getTime() : lastEnded;
  const summaries: BillingRunSummary[] = [];
  while (next + periodMs <= now && summaries.length < MAX_CATCH_UP_PERIODS) {
    const existing = await deps.db.billingRun.findUnique({ where: { periodStart: new Date(next) } });
    const end = existing ? existing.periodEnd.getTime() : next + periodMs;
    summaries.push(await runBillingPeriod(deps, new Date(next), new Date(end)));
    next = end;
  }
  return summaries;
}

/**
 * Bills one period [periodStart, periodEnd): safe to call again for the same
 * period at any time (it finishes what is missing and bills nothing twice).
 */
export async function runBillingPeriod(
  deps: BillingDeps,
  periodStart: Date,
  periodEnd: Date,
): Promise<BillingRunSummary> {
  const clock = deps.clock ?? systemClock;
  const { db } = deps;
  const log = deps.log.child({ periodStart: periodStart.toISOString() });
  await db.billingRun.createMany({
    data: [{ periodStart, periodEnd, startedAt: new Date(clock()), worker: deps.worker ?? null }],
    skipDuplicates: true,
  });
  const run = await db.billingRun.findUniqueOrThrow({ where: { periodStart } });
  // A retry (onlyInstanceIds) bills its instances in a completed period without reopening it.
  if (run.status === "COMPLETED" && !deps.onlyInstanceIds) return summaryOf(run, false);

  const timer = phaseTimer();
  const [instances, regions, settings] = await Promise.all([
    billableInstances(db, periodEnd).then(async (deployed) =>
      [...deployed, ...(await billableDeletedInstances(db, periodStart, periodEnd))].sort((a, b) =>
        a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
      ),
    ),
    loadRegionPricing(db),
    loadPricingSettings(db),
  ]);
  // What an earlier, interrupted attempt at this period already did.
  const [billed, failed] = await Promise.all([
    db.billingItem.findMany({ where: { periodStart }, select: { instanceId: true, rule: true } }),
    db.billingFailure.findMany({ where: { periodStart }, select: { instanceId: true, rule: true } }),
  ]);
  // An instance's charges are written together, so its compute row (item or failure) says it is done.
  const done = new Set(
    [...billed, ...failed].filter((row) => row.rule === "compute").map((row) => row.instanceId),
  );
  const only = deps.onlyInstanceIds;
  const pending = instances.filter((instance) => !done.has(instance.id) && (!only || only.has(instance.id)));

  const period = { startMs: periodStart.getTime(), endMs: periodEnd.getTime() };
  timer.lap("load");
  // Batches follow clusters (a cluster's instances together, its usage read once, when its first
  // batch comes), and a batch's write runs while the next batch is read and priced: the driver's
  // work overlaps the database's. One write at a time: they share the ledger's lock anyway.
  const ordered = [...pending].sort((a, b) =>
    a.cluster.id === b.cluster.id ? (a.id < b.id ? -1 : 1) : a.cluster.id < b.cluster.id ? -1 : 1,
  );
  const members = new Map<string, BillableInstance[]>();
  for (const instance of ordered) {
    const list = members.get(instance.cluster.id) ?? [];
    list.push(instance);
    members.set(instance.cluster.id, list);
  }
  const usages = new Map<string, UsageRead>();
  const readClusters = new Set<string>();
  const at = new Date(clock());
  const failures: Failure[] = [];
  const batch = Math.max(1, deps.batchInstances ?? WRITE_BATCH_INSTANCES);
  let writing: Promise<void> | null = null;
  try {
    for (let i = 0; i < ordered.length; i += batch) {
      const slice = ordered.slice(i, i + batch);
      const unread = [...new Set(slice.map((instance) => instance.cluster.id))].filter(
        (clusterId) => !readClusters.has(clusterId),
      );
      for (const clusterId of unread) readClusters.add(clusterId);
      const reads = await readUsage(
        deps,
        unread.flatMap((clusterId) => members.get(clusterId)!),
        period,
        log,
      );
      for (const [id, read] of reads) usages.set(id, read);
      timer.lap("read");
      const charges: Charge[] = [];
      const batchFailures: Failure[] = [];
      for (const instance of slice) {
        const read = usages.get(instance.id);
        if (!read || "error" in read) {
          const error = read?.error ?? "no usage reported";
          const retryable = read?.retryable ?? false;
          const reason =
            instance.deletedAt && !retryable ? deletedUsageReason(instance.deletedAt, error) : error;
          for (const rule of rulesFor(instance)) batchFailures.push({ instance, rule, reason, retryable });
          continue;
        }
        for (const rule of rulesFor(instance, read.usage)) {
          try {
            charges.push(price(instance, rule, read, regions, settings, periodStart));
          } catch (error) {
            batchFailures.push({ instance, rule, reason: reasonOf(error) });
          }
        }
      }
      timer.lap("price");
      if (writing) await writing;
      timer.lap("write");
      writing = writeBatch(deps, run.id, periodStart, periodEnd, charges, batchFailures, at);
      // Awaited before the next write or below; marked handled so a failure waits for that await.
      void writing.catch(() => undefined);
      failures.push(...batchFailures);
    }
    if (writing) await writing;
    timer.lap("write");
  } catch (error) {
    // No write left running behind the caller's back.
    await writing?.catch(() => undefined);
    throw error;
  }
  for (const failure of failures)
    log.warn(
      {
        instance: failure.instance.id,
        workload: failure.instance.workloadName,
        cluster: failure.instance.cluster.name,
        rule: failure.rule,
        reason: failure.reason,
      },
      "billing item failed",
    );

  const finished = await db.$transaction(async (tx) => {
    await assertLeaderFence(tx, deps.fence);
    const [items, failureCount] = await Promise.all([
      tx.billingItem.aggregate({
        where: { periodStart },
        _count: { _all: true },
        _sum: { amount: true, gco2e: true },
      }),
      tx.billingFailure.count({ where: { periodStart } }),
    ]);
    await recordIdleCapacity(tx, { id: run.id, periodStart, periodEnd });
    return tx.billingRun.update({
      where: { id: run.id },
      data: {
        status: "COMPLETED",
        finishedAt: new Date(clock()),
        instances: instances.length,
        itemsBilled: items._count._all,
        itemsFailed: failureCount,
        amount: items._sum.amount ?? 0n,
        gco2e: items._sum.gco2e ?? 0,
      },
    });
  });
  timer.lap("finish");
  const alerts = await evaluateBudgets({ db, log, clock, fence: deps.fence }, periodStart);
  timer.lap("budgets");
  log.info(
    {
      instances: finished.instances,
      itemsBilled: finished.itemsBilled,
      itemsFailed: finished.itemsFailed,
      amount: finished.amount.toString(),
      budgetAlerts: alerts,
      phasesMs: timer.phases,
    },
    "billing period completed",
  );
  return { ...summaryOf(finished, true), phasesMs: timer.phases };
}

function summaryOf(
  run: {
    id: string;
    periodStart: Date;
    periodEnd: Date;
    instances: number;
    itemsBilled: number;
    itemsFailed: number;
    amount: bigint;
    gco2e: number;
  },
  ran: boolean,
): BillingRunSummary {
  return {
    runId: run.id,
    periodStart: run.periodStart,
    periodEnd: run.periodEnd,
    status: "COMPLETED",
    instances: run.instances,
    itemsBilled: run.itemsBilled,
    itemsFailed: run.itemsFailed,
    amount: run.amount,
    gco2e: run.gco2e,
    ran,
  };
}

/** DEPLOYED instances on a cluster, created before the period ended (one statement, billing-sql.ts). */
function billableInstances(db: Db, periodEnd: Date): Promise<BillableInstance[]> {
  return selectBillableInstances(db, periodEnd);
}

type UsageRead =
  { usage: PeriodUsage["usages"][number]; cluster: PeriodUsage } | { error: string; retryable?: boolean };

/** The rules an instance is billed under: network with ingress support, ML when it held GPUs. */
function rulesFor(instance: BillableInstance, usage?: PeriodUsage["usages"][number]): BillingRule[] {
  const rules: BillingRule[] = ["compute"];
  if (instance.ingressSupport) rules.push("network");
  if (usage !== undefined && usage.gpu.allocatedMs > 0) rules.push("ml");
  return rules;
}

async function readUsage(
  deps: BillingDeps,
  instances: readonly BillableInstance[],
  period: { startMs: number; endMs: number },
  log: Logger,
): Promise<Map<string, UsageRead>> {
  const byCluster = new Map<string, BillableInstance[]>();
  for (const instance of instances) {
    const list = byCluster.get(instance.cluster.id) ?? [];
    list.push(instance);
    byCluster.set(instance.cluster.id, list);
  }
  const clusters = await deps.db.cluster.findMany({ where: { id: { in: [...byCluster.keys()] } } });
  const reads = new Map<string, UsageRead>();
  const queue = [...clusters];
  const worker = async () => {
    for (let cluster = queue.shift(); cluster; cluster = queue.shift()) {
      const members = byCluster.get(cluster.id) ?? [];
      try {
        const driver = driverFor(deps.db, cluster, deps.drivers);
        const usage = await driver.instancesPeriodUsage(
          members.map((m) => m.namespace),
          period,
        );
        const byNamespace = new Map(usage.usages.map((u) => [u.namespace, u]));
        const failed = new Map(usage.failures.map((f) => [f.namespace, f.error.message]));
        for (const member of members) {
          const own = byNamespace.get(member.namespace);
          reads.set(
            member.id,
            own
              ? { usage: own, cluster: usage }
              : { error: `usage not read: ${failed.get(member.namespace) ?? "not reported"}` },
          );
        }
      } catch (error) {
        log.warn({ cluster: cluster.name, err: error }, "billing: cluster usage could not be read");
        for (const member of members)
          reads.set(member.id, {
            error: `cluster ${cluster.name} could not be read: ${reasonOf(error)}`,
            retryable: true,
          });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, queue.length) }, worker));
  return reads;
}

/** A non-negative float metric as the integer the rules take (truncated, as the reference's uint cast). */
const whole = (value: number): bigint => BigInt(Math.max(0, Math.trunc(value)));
const parts = (fraction: number): bigint => BigInt(Math.round(Math.min(1, Math.max(0, fraction)) * 1e8));

function price(
  instance: BillableInstance,
  rule: BillingRule,
  read: Extract<UsageRead, { usage: unknown }>,
  regions: ReadonlyMap<string, RegionPricing>,
  settings: PricingSettings,
  periodStart: Date,
): Charge {
  const { usage, cluster: clusterUsage } = read;
  const cluster = instance.cluster;
  const region = regions.get(cluster.region) ?? null;
  const unavailable = clusterUsage.unavailable.map((u) => u.metric).join(",");
  const extraInputs: Record<string, string> = {
    usageMethod: clusterUsage.method,
    ...(unavailable && { unavailableMetrics: unavailable }),
  };
  if (rule === "compute") {
    const result = computeCharge({
      usage: {
        cpuUsage: whole(usage.cpuMillicores),
        clusterCpuUsage: whole(clusterUsage.clusterCpuMillicores),
        memoryUsage: whole(usage.memoryMiB),
        clusterMemoryUsage: whole(clusterUsage.clusterMemoryMiB),
      },
      cluster: {
        cpuBaseRate: BigInt(cluster.cpuBaseRate),
        memoryBaseRate: BigInt(cluster.memoryBaseRate),
        greenEnergyPct: cluster.greenEnergyPct,
        region: cluster.region,
      },
      region,
      greenRewards: settings.greenRewards,
    });
    const intensity = gridIntensityAt(cluster, periodStart);
    const { gco2e, gco2eAvoided } = carbonOf(usage.energyWh, intensity, cluster.greenEnergyPct);
    // The reward's effect on the amount: the charge without it, less the charge with it.
    const before =
      (BigInt(result.inputs.cpuTokens ?? "0") +
        BigInt(result.inputs.memoryTokens ?? "0") +
        (region?.highDemand ? region.highDemandCost : 0n)) /
      1000n;
    const greenReward = result.inputs.greenRewardApplied === "true" ? before - result.amount : 0n;
    const carbon: Carbon = {
      energyWh: usage.energyWh,
      gridIntensity: intensity,
      gco2e,
      gco2eAvoided,
      greenReward,
    };
    return {
      instance,
      rule,
      result,
      carbon,
      extraInputs: {
        ...extraInputs,
        ...(usage.energyWh !== null && { energyWh: String(usage.energyWh) }),
        ...(intensity !== null && { gridIntensity: String(intensity) }),
        ...(gco2e !== null && { gco2e: String(gco2e) }),
        ...(gco2eAvoided !== null && { gco2eAvoided: String(gco2eAvoided) }),
        greenRewardUnits: greenReward.toString(),
      },
    };
  }
  if (rule === "network") {
    return {
      instance,
      rule,
      result: networkCharge({
        bytesSent: BigInt(usage.networkBytesSent),
        bytesReceived: BigInt(usage.networkBytesReceived),
        chargePerGb: settings.chargePerGb,
      }),
      carbon: null,
      extraInputs,
    };
  }
  // ML: the driver's physical-GPU milliseconds become device microseconds at the share held.
  const devices = Math.max(usage.gpu.fraction, 0);
  const share = usage.gpu.devices > 0 ? Math.min(1, devices / usage.gpu.devices) : 1;
  const deviceUs = share > 0 ? whole((usage.gpu.allocatedMs / share) * 1000) : 0n;
  return {
    instance,
    rule,
    result: mlCharge({
      gpuAllocatedTimeUs: deviceUs,
      gpuShare: parts(share),
      // Unknown utilisation (no DCGM): the allocation is charged as used.
      usageFraction: parts(usage.gpu.usageFraction ?? 1),
      regionName: cluster.region,
      region,
    }),
    carbon: null,
    extraInputs: {
      ...extraInputs,
      gpuDevices: String(usage.gpu.devices),
      gpuShared: String(usage.gpu.shared),
      usageFractionMeasured: String(usage.gpu.usageFraction !== null),
    },
  };
}

function reasonOf(error: unknown): string {
  if (error instanceof RegionDataMissingError) return error.message;
  const message = error instanceof Error ? error.message : String(error);
  return message.length > MAX_REASON_LENGTH ? `${message.slice(0, MAX_REASON_LENGTH - 1)}…` : message;
}

async function ensureAccounts(tx: TransactionClient, charges: readonly Charge[]): Promise<void> {
  const accounts = new Map<string, AccountRow>();
  for (const { instance } of charges) {
    const workload = workloadAccount(instance.workloadId);
    if (!accounts.has(workload))
      accounts.set(workload, {
        id: workload,
        kind: "WORKLOAD",
        ownerUserId: instance.ownerId,
        displayName: instance.workloadName,
      });
    const cluster = clusterAccount(instance.cluster.id);
    if (!accounts.has(cluster))
      accounts.set(cluster, {
        id: cluster,
        kind: "CLUSTER",
        ownerUserId: instance.cluster.ownerId,
        displayName: instance.cluster.name,
      });
  }
  // Registration creates them; an instance of a workload registered before the ledger existed still bills.
  await insertMissingAccounts(tx, [...accounts.values()]);
}

async function writeBatch(
  deps: BillingDeps,
  runId: string,
  periodStart: Date,
  periodEnd: Date,
  charges: readonly Charge[],
  failures: readonly Failure[],
  at: Date,
): Promise<void> {
  await deps.db.$transaction(
    async (tx) => {
      await assertLeaderFence(tx, deps.fence);
      const payable = charges.filter((c) => c.result.amount > 0n);
      await ensureAccounts(tx, payable);
      const transactions: LedgerTransactionInput[] = payable.map((charge) => ({
        from: workloadAccount(charge.instance.workloadId),
        to: clusterAccount(charge.instance.cluster.id),
        amount: charge.result.amount,
        rule: charge.rule,
        periodStart,
        reference: chargeReference(charge.instance.id, charge.rule, periodStart),
        inputs: {
          ...charge.result.inputs,
          ...charge.extraInputs,
          instanceId: charge.instance.id,
          clusterId: charge.instance.cluster.id,
          periodEnd: periodEnd.toISOString(),
        },
      }));
      const appended = await appendLedgerTransactions(tx, transactions, { at });
      const sequenceOf = new Map(
        appended.flatMap((r) => (r.appended ? [[r.reference, r.sequence] as const] : [])),
      );
      await insertBillingItems(
        tx,
        { id: runId, periodStart, periodEnd, at },
        charges.map((charge) => ({
          instanceId: charge.instance.id,
          workloadId: charge.instance.workloadId,
          ownerId: charge.instance.ownerId,
          clusterId: charge.instance.cluster.id,
          region: charge.instance.cluster.region,
          rule: charge.rule,
          amount: charge.result.amount.toString(),
          energyWh: charge.carbon?.energyWh ?? null,
          gridIntensity: charge.carbon?.gridIntensity ?? null,
          gco2e: charge.carbon?.gco2e ?? null,
          greenReward: charge.carbon?.greenReward.toString() ?? null,
          gco2eAvoided: charge.carbon?.gco2eAvoided ?? null,
          ledgerSequence:
            sequenceOf.get(chargeReference(charge.instance.id, charge.rule, periodStart))?.toString() ?? null,
          inputs: { ...charge.result.inputs, ...charge.extraInputs },
        })),
      );
      if (failures.length > 0)
        await tx.billingFailure.createMany({
          data: failures.map((failure) => ({
            runId,
            instanceId: failure.instance.id,
            clusterId: failure.instance.cluster.id,
            rule: failure.rule,
            periodStart,
            reason: failure.reason,
            retryable: failure.retryable ?? false,
            createdAt: at,
          })),
          skipDuplicates: true,
        });
    },
    { timeout: 120_000, maxWait: 30_000 },
  );
}
