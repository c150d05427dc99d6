import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Role } from "@/common/roles";
import { createManualClock } from "@/server/clusters/simulated/clock";
import { SimulatedContinuum } from "@/server/clusters/simulated/continuum";
import { SimulatedClusterDriver } from "@/server/clusters/simulated/simulated-driver";
import { INSTANCE_ID_LABEL } from "@/server/clusters/driver";
import type { DriverFactory } from "@/server/clusters/connection";
import { createDb, type Db } from "@/server/db/client";
import { logger } from "@/server/logger";
import { makeClusterSpec, makeDeployment } from "@/server/testing/cluster-factories";
import { makeUser, uniq } from "@/server/testing/factories";
import type { SessionUser } from "@/server/auth/session";
import { chargeReference, runBillingPeriod, runDueBillingPeriods } from "./billing";
import { createBudget, deleteBudget, getBudget, listBudgets, updateBudget } from "./budgets";
import { computeCharge, DEFAULT_GREEN_REWARDS, REGION_DATA_MISSING_MESSAGE } from "./rules";

/**
 * The billing run against a real database and a simulated continuum. Test
 * files share one database, so every period billed here lies in 2021 (other
 * files' instances are created now and are not billable then) and every
 * assertion is about this file's own instances.
 */

const db = createDb(process.env.DATABASE_URL);
const log = logger.child({ test: "billing" });
const MINUTE = 60_000;
const PERIOD = MINUTE;
/** Each test bills its own periods: a distinct day of 2021. */
const dayOf = (n: number) => Date.UTC(2021, 2, n, 12, 0, 0);
const clusterClock = createManualClock(Date.UTC(2021, 2, 1, 0, 0, 0));
const continuum = new SimulatedContinuum({ seed: 11, clock: clusterClock.now, sleep: clusterClock.sleep });
const drivers: DriverFactory = (config) => new SimulatedClusterDriver({ continuum, cluster: config.name });

let provider: SessionUser;
let infra: SessionUser;
let region: string;

beforeAll(async () => {
  provider = await makeUser(db, [Role.SERVICE_PROVIDER]);
  infra = await makeUser(db, [Role.INFRASTRUCTURE_PROVIDER]);
  region = uniq("bill-region");
  await db.region.create({
    data: {
      name: region,
      highDemand: false,
      highDemandCost: 0n,
      regionalCpuCosts: 0n,
      regionalMemoryCosts: 0n,
      regionalGpuCosts: 1_000n,
    },
  });
});
afterAll(async () => db.$disconnect());

async function makeBillingCluster(options: { region?: string; gpus?: number } = {}) {
  const name = uniq("bill");
  continuum.addCluster(
    makeClusterSpec({ name, vramGb: options.gpus ? 16 : 0, gpus: options.gpus ?? 0, greenEnergyPct: 40 }),
  );
  return db.cluster.create({
    data: {
      name,
      ownerId: infra.id,
      managedApi: `sim://${name}`,
      cpus: 12,
      memoryGb: 24,
      storageGb: 100,
      vramGb: options.gpus ? 16 : 0,
      availabilityPct: 99,
      greenEnergyPct: 40,
      cost: "low_cost",
      cpuBaseRate: 10,
      memoryBaseRate: 5,
      status: "OK",
      region: options.region ?? region,
      gridIntensity: 300,
    },
  });
}

/** A DEPLOYED instance created in 2021, its namespace applied to the simulated cluster. */
async function deploy(
  cluster: { id: string; name: string },
  options: { ingress?: boolean; gpus?: number; workloadId?: number } = {},
) {
  const workload =
    options.workloadId !== undefined
      ? await db.workload.findUniqueOrThrow({ where: { id: options.workloadId } })
      : await db.workload.create({
          data: {
            name: uniq("wl"),
            version: "1.0.0",
            ownerId: provider.id,
            status: "ACCEPTED",
            ingressSupport: options.ingress ?? false,
          },
        });
  const id = randomUUID();
  const namespace = `ns-${id.slice(0, 8)}`;
  continuum
    .cluster(cluster.name)
    .apply(namespace, [makeDeployment({ replicas: 1, cpu: "500m", gpus: options.gpus ?? 0 })], {
      labels: { [INSTANCE_ID_LABEL]: id },
    });
  return db.workloadInstance.create({
    data: {
      id,
      shortId: id.slice(0, 7),
      releaseName: uniq("rel"),
      workloadId: workload.id,
      ownerId: provider.id,
      clusterId: cluster.id,
      namespace,
      status: "DEPLOYED",
      createdAt: new Date(Date.UTC(2021, 0, 1)),
    },
  });
}

const deps = (db_: Db = db, at = dayOf(28) + 30 * MINUTE) => ({
  db: db_,
  log,
  drivers,
  clock: () => at,
});

async function itemsOf(instanceIds: string[]) {
  return db.billingItem.findMany({
    where: { instanceId: { in: instanceIds } },
    orderBy: [{ periodStart: "asc" }, { instanceId: "asc" }, { rule: "asc" }],
  });
}

async function ledgerOf(instanceIds: string[]) {
  const rows = await db.ledgerTransaction.findMany({ where: { rule: { in: ["compute", "network", "ml"] } } });
  return rows.filter((row) => instanceIds.some((id) => row.reference.startsWith(`charge:${id}:`)));
}

describe("billing run", () => {
  it("bills each DEPLOYED instance once per rule and period, on the ledger, with its carbon", async () => {
    const cluster = await makeBillingCluster({ gpus: 1 });
    const web = await deploy(cluster, { ingress: true });
    const train = await deploy(cluster, { gpus: 1 });
    const start = new Date(dayOf(2));
    const end = new Date(dayOf(2) + PERIOD);

    const summary = await runBillingPeriod(deps(), start, end);
    expect(summary).toMatchObject({ status: "COMPLETED", ran: true });

    const items = await itemsOf([web.id, train.id]);
    expect(items.map((i) => [i.instanceId, i.rule]).sort()).toEqual(
      [
        [web.id, "compute"],
        [web.id, "network"],
        [train.id, "compute"],
        [train.id, "ml"],
      ].sort(),
    );
    const ledger = await ledgerOf([web.id, train.id]);
    for (const item of items.filter((i) => i.amount > 0n)) {
      const tx = ledger.find((t) => t.reference === chargeReference(item.instanceId, item.rule, start));
      expect(tx, `${item.rule} of ${item.instanceId}`).toBeDefined();
      expect(tx?.amount).toBe(item.amount);
      expect(item.ledgerSequence).toBe(tx?.sequence);
      expect(tx?.fromAccount).toBe(`workload:${item.workloadId}`);
      expect(tx?.toAccount).toBe(`cluster:${cluster.id}`);
    }
    // Anyone can recompute a compute charge from the transaction's inputs alone.
    const compute = items.find((i) => i.instanceId === train.id && i.rule === "compute")!;
    const inputs = compute.inputs as Record<string, string>;
    const recomputed = computeCharge({
      usage: {
        cpuUsage: BigInt(inputs.cpuUsage!),
        clusterCpuUsage: BigInt(inputs.clusterCpuUsage!),
        memoryUsage: BigInt(inputs.memoryUsage!),
        clusterMemoryUsage: BigInt(inputs.clusterMemoryUsage!),
      },
      cluster: { cpuBaseRate: 10n, memoryBaseRate: 5n, greenEnergyPct: 40, region },
      region: {
        name: region,
        highDemand: false,
        highDemandCost: 0n,
        regionalCpuCosts: 0n,
        regionalMemoryCosts: 0n,
        regionalGpuCosts: 1_000n,
      },
      greenRewards: DEFAULT_GREEN_REWARDS,
    });
    expect(recomputed.amount).toBe(compute.amount);
    // Carbon: energy × 300 g/kWh, the 40 % green share avoided.
    expect(compute.energyWh).toBeGreaterThan(0);
    expect(compute.gridIntensity).toBe(300);
    expect(compute.gco2e).toBeCloseTo((compute.energyWh! / 1000) * 300 * 0.6, 5);
    expect(compute.gco2eAvoided).toBeCloseTo((compute.energyWh! / 1000) * 300 * 0.4, 5);
    // The GPU instance pays the region's GPU cost at least.
    const ml = items.find((i) => i.rule === "ml")!;
    expect(ml.amount).toBeGreaterThanOrEqual(1_000n);

    // Redelivered: the period is complete, nothing more is charged.
    const again = await runBillingPeriod(deps(), start, end);
    expect(again.ran).toBe(false);
    expect(await itemsOf([web.id, train.id])).toHaveLength(4);
    expect(await ledgerOf([web.id, train.id])).toHaveLength(ledger.length);
  });

  it("finishes a run interrupted mid-way without billing anything twice", async () => {
    const cluster = await makeBillingCluster();
    const instances = [await deploy(cluster), await deploy(cluster), await deploy(cluster)];
    const ids = instances.map((i) => i.id);
    const start = new Date(dayOf(3));
    const end = new Date(dayOf(3) + PERIOD);
    // The worker dies after its first batch commits (the second transaction never happens).
    let transactions = 0;
    const dying = new Proxy(db, {
      get(target, prop) {
        if (prop === "$transaction") {
          return (...args: Parameters<Db["$transaction"]>) => {
            transactions += 1;
            if (transactions === 2) return Promise.reject(new Error("worker killed"));
            return (target.$transaction as (...a: unknown[]) => unknown)(...args);
          };
        }
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    await expect(runBillingPeriod({ ...deps(dying), batchInstances: 1 }, start, end)).rejects.toThrow(
      "worker killed",
    );
    const run = await db.billingRun.findUniqueOrThrow({ where: { periodStart: start } });
    expect(run.status).toBe("RUNNING");
    // The first batch may hold another file's instance (test files share the database, and batches
    // follow clusters), whose cluster may be unreadable on purpose: that batch commits failures, not
    // items. So the committed part is counted over the whole period, items and failures; of this
    // test's three, at most one was billed.
    const committed =
      (await db.billingItem.count({ where: { periodStart: start } })) +
      (await db.billingFailure.count({ where: { periodStart: start } }));
    expect(committed).toBeGreaterThan(0);
    expect((await itemsOf(ids)).length).toBeLessThan(3);

    const resumed = await runBillingPeriod({ ...deps(), batchInstances: 1 }, start, end);
    expect(resumed.ran).toBe(true);
    const items = await itemsOf(ids);
    expect(items.map((i) => i.instanceId).sort()).toEqual([...ids].sort());
    expect(new Set(items.map((i) => i.id)).size).toBe(3);
    const ledger = await ledgerOf(ids);
    expect(new Set(ledger.map((t) => t.reference)).size).toBe(ledger.length);
    expect(ledger.length).toBe(items.filter((i) => i.amount > 0n).length);
  });

  it("bills once when two replicas run the same period at the same time", async () => {
    const cluster = await makeBillingCluster();
    const instances = await Promise.all([
      deploy(cluster, { ingress: true }),
      deploy(cluster),
      deploy(cluster),
    ]);
    const ids = instances.map((i) => i.id);
    const start = new Date(dayOf(4));
    const end = new Date(dayOf(4) + PERIOD);
    await Promise.all([
      runBillingPeriod({ ...deps(), worker: "replica-a" }, start, end),
      runBillingPeriod({ ...deps(), worker: "replica-b" }, start, end),
    ]);
    const items = await itemsOf(ids);
    expect(items).toHaveLength(4);
    const ledger = await ledgerOf(ids);
    expect(ledger.length).toBe(items.filter((i) => i.amount > 0n).length);
    expect(items.every((i) => i.amount === 0n || i.ledgerSequence !== null)).toBe(true);
  });

  it("fails only the items of a region without data, and goes on", async () => {
    const good = await makeBillingCluster();
    const bad = await makeBillingCluster({ region: uniq("no-data") });
    const billed = await deploy(good);
    const stuck = await deploy(bad, { ingress: true });
    const start = new Date(dayOf(5));
    const summary = await runBillingPeriod(deps(), start, new Date(dayOf(5) + PERIOD));
    expect(summary.itemsFailed).toBeGreaterThanOrEqual(1);

    expect((await itemsOf([billed.id])).map((i) => i.rule)).toEqual(["compute"]);
    expect(await itemsOf([stuck.id])).toEqual([
      // Network needs no region data: it is billed; compute is not.
      expect.objectContaining({ rule: "network" }),
    ]);
    const failures = await db.billingFailure.findMany({ where: { instanceId: stuck.id } });
    expect(failures).toEqual([
      expect.objectContaining({ rule: "compute", reason: REGION_DATA_MISSING_MESSAGE, clusterId: bad.id }),
    ]);
    expect((await ledgerOf([stuck.id])).map((t) => t.rule)).not.toContain("compute");
  });

  it("catches up on missed periods in order, each once", async () => {
    const cluster = await makeBillingCluster();
    const instance = await deploy(cluster);
    // The last billed period (latest of this file): day 28, 11:58.
    const first = dayOf(28) - 2 * PERIOD;
    await runBillingPeriod(deps(), new Date(first), new Date(first + PERIOD));
    // The worker was down for three periods and more.
    const now = first + 4 * PERIOD + 5_000;
    const caught = await runDueBillingPeriods(deps(db, now), PERIOD);
    expect(caught.map((run) => run.periodStart.getTime())).toEqual([
      first + PERIOD,
      first + 2 * PERIOD,
      first + 3 * PERIOD,
    ]);
    // Nothing is due again until the next period ends.
    expect(await runDueBillingPeriods(deps(db, now), PERIOD)).toEqual([]);
    const items = await itemsOf([instance.id]);
    expect(items.map((i) => i.periodStart.getTime())).toEqual([0, 1, 2, 3].map((k) => first + k * PERIOD));
  });
});

describe("budgets", () => {
  it("alerts at 80 % and 100 % once per window, with a notification and a lifecycle event", async () => {
    const cluster = await makeBillingCluster();
    const instance = await deploy(cluster);
    const owner = provider;
    const budget = await createBudget(
      { db, user: owner, clock: () => dayOf(6) },
      { workloadId: instance.workloadId, period: "DAY", amount: "1" },
    );
    expect(budget).toMatchObject({ period: "DAY", amount: "1", spent: "0", workloadId: instance.workloadId });

    await runBillingPeriod(deps(), new Date(dayOf(6)), new Date(dayOf(6) + PERIOD));
    await runBillingPeriod(deps(), new Date(dayOf(6) + PERIOD), new Date(dayOf(6) + 2 * PERIOD));

    const alerts = await db.budgetAlert.findMany({
      where: { budgetId: budget.id },
      orderBy: { threshold: "asc" },
    });
    expect(alerts.map((a) => [a.threshold, a.windowStart.toISOString()])).toEqual([
      [80, "2021-03-06T00:00:00.000Z"],
      [100, "2021-03-06T00:00:00.000Z"],
    ]);
    const notifications = await db.notification.findMany({
      where: { userId: owner.id, subjectId: budget.id },
    });
    expect(notifications.map((n) => n.kind)).toEqual(["BUDGET_THRESHOLD", "BUDGET_THRESHOLD"]);
    const events = await db.lifecycleEvent.findMany({ where: { instanceId: instance.id, type: "Budget" } });
    expect(events).toHaveLength(2);

    const seen = await getBudget({ db, user: owner, clock: () => dayOf(6) + 3 * PERIOD }, budget.id);
    expect(BigInt(seen.spent)).toBeGreaterThanOrEqual(1n);
    expect(seen.percent).toBeGreaterThanOrEqual(100);
  });

  it("keeps budgets to their owner", async () => {
    const other = await makeUser(db, [Role.SERVICE_PROVIDER]);
    const mine = await createBudget({ db, user: provider }, { period: "MONTH", amount: "500000000" });
    await expect(getBudget({ db, user: other }, mine.id)).rejects.toMatchObject({ kind: "not_found" });
    await expect(updateBudget({ db, user: other }, mine.id, { amount: "1" })).rejects.toMatchObject({
      kind: "not_found",
    });
    await expect(deleteBudget({ db, user: other }, mine.id)).rejects.toMatchObject({ kind: "not_found" });
    expect((await listBudgets({ db, user: other })).map((b) => b.id)).not.toContain(mine.id);
    // Someone else's workload cannot be budgeted (it reads as absent).
    const theirs = await db.workload.create({
      data: { name: uniq("wl"), version: "1", ownerId: other.id },
    });
    await expect(
      createBudget({ db, user: provider }, { workloadId: theirs.id, period: "DAY", amount: "10" }),
    ).rejects.toMatchObject({ kind: "not_found", field: "workloadId" });
    await expect(
      createBudget({ db, user: provider }, { period: "MONTH", amount: "7" }),
    ).rejects.toMatchObject({ kind: "conflict" });
    await expect(createBudget({ db, user: provider }, { period: "WEEK", amount: "7" })).rejects.toMatchObject(
      {
        kind: "invalid",
        field: "period",
      },
    );
    const infraUser = await makeUser(db, [Role.INFRASTRUCTURE_PROVIDER]);
    await expect(listBudgets({ db, user: infraUser })).rejects.toMatchObject({ kind: "forbidden" });
    expect(await updateBudget({ db, user: provider }, mine.id, { amount: "9" })).toMatchObject({
      amount: "9",
    });
    expect(await deleteBudget({ db, user: provider }, mine.id)).toEqual({ id: mine.id, deleted: true });
  });
});
