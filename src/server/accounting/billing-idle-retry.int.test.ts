import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Role } from "@/common/roles";
import { createManualClock } from "@/server/clusters/simulated/clock";
import { SimulatedContinuum } from "@/server/clusters/simulated/continuum";
import { SimulatedClusterDriver } from "@/server/clusters/simulated/simulated-driver";
import { INSTANCE_ID_LABEL } from "@/server/clusters/driver";
import type { DriverFactory } from "@/server/clusters/connection";
import { ClusterDriverError } from "@/server/clusters/errors";
import { createDb } from "@/server/db/client";
import { logger } from "@/server/logger";
import { makeClusterSpec, makeDeployment } from "@/server/testing/cluster-factories";
import { makeUser, uniq } from "@/server/testing/factories";
import type { SessionUser } from "@/server/auth/session";
import { runBillingPeriod } from "./billing";
import { MAX_BILLING_ATTEMPTS, retryBillingFailures } from "./billing-retry";
import { listBillingRuns } from "./billing-runs";
import { idleCapacity, idleCapacityValue } from "./idle-capacity";

/**
 * Idle capacity per cluster, billing deleted instances' last periods, and
 * retrying items whose cluster could not be read — against a real database
 * and a simulated continuum. The run's database is shared with the other
 * test files: every period here lies in April 2020, before any other file's
 * (billing.int.test.ts takes the latest period for its catch-up), a distinct
 * day per test; this file's clusters and instances date from 2019, so no
 * other file's instance is billable in these periods.
 */

const db = createDb(process.env.DATABASE_URL);
const log = logger.child({ test: "billing-idle-retry" });
const PERIOD = 60_000;
const dayOf = (n: number) => Date.UTC(2020, 3, n, 12, 0, 0);
const clusterClock = createManualClock(Date.UTC(2020, 3, 1, 0, 0, 0));
const continuum = new SimulatedContinuum({ seed: 17, clock: clusterClock.now, sleep: clusterClock.sleep });
/** Clusters whose reads fail (the API server is down). */
const down = new Set<string>();
const drivers: DriverFactory = (config) => {
  const driver = new SimulatedClusterDriver({ continuum, cluster: config.name });
  return new Proxy(driver, {
    get(target, prop) {
      if (prop === "instancesPeriodUsage" && down.has(config.name))
        return () =>
          Promise.reject(
            new ClusterDriverError("UNREACHABLE", `${config.name} does not answer`, { cluster: config.name }),
          );
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
};

let provider: SessionUser;
let infra: SessionUser;
let otherInfra: SessionUser;
let admin: SessionUser;
let region: string;

beforeAll(async () => {
  provider = await makeUser(db, [Role.SERVICE_PROVIDER]);
  infra = await makeUser(db, [Role.INFRASTRUCTURE_PROVIDER]);
  otherInfra = await makeUser(db, [Role.INFRASTRUCTURE_PROVIDER]);
  admin = await makeUser(db, [Role.NEMO_ADMIN]);
  region = uniq("idle-region");
  await db.region.create({
    data: {
      name: region,
      highDemand: false,
      highDemandCost: 0n,
      regionalCpuCosts: 0n,
      regionalMemoryCosts: 0n,
      regionalGpuCosts: 0n,
    },
  });
});
afterAll(async () => db.$disconnect());

async function makeCluster(owner: SessionUser = infra) {
  const name = uniq("idle");
  continuum.addCluster(makeClusterSpec({ name, greenEnergyPct: 0 }));
  return db.cluster.create({
    data: {
      name,
      ownerId: owner.id,
      managedApi: `sim://${name}`,
      cpus: 12,
      memoryGb: 24,
      storageGb: 100,
      availabilityPct: 99,
      greenEnergyPct: 0,
      cost: "low_cost",
      cpuBaseRate: 10,
      memoryBaseRate: 5,
      status: "OK",
      region,
      createdAt: new Date(Date.UTC(2019, 0, 1)),
    },
  });
}

async function deploy(cluster: { id: string; name: string }) {
  const workload = await db.workload.create({
    data: { name: uniq("wl"), version: "1.0.0", ownerId: provider.id, status: "ACCEPTED" },
  });
  const id = randomUUID();
  const namespace = `ns-${id.slice(0, 8)}`;
  continuum.cluster(cluster.name).apply(namespace, [makeDeployment({ replicas: 1, cpu: "500m" })], {
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
      createdAt: new Date(Date.UTC(2019, 0, 1)),
    },
  });
}

const deps = (at: number) => ({ db, log, drivers, clock: () => at });
const bill = (startMs: number, at = startMs + PERIOD + 1_000) =>
  runBillingPeriod(deps(at), new Date(startMs), new Date(startMs + PERIOD));

describe("idle capacity", () => {
  it("values the idle part of a cluster by the compute rule's form (golden, truncating)", () => {
    // 12 cores, 3 used: 9000 idle → (9,000,000 / 12,000) = 750 → 750·10^8 + 10·10^5.
    // 24 GiB, none used: 24,576 idle → 1000 → 1000·10^8 + 5·10^5. Sum / 1000.
    expect(
      idleCapacityValue({
        capacityCpuMillicores: 12_000n,
        capacityMemoryMiB: 24_576n,
        usedCpuMillicores: 3_000n,
        usedMemoryMiB: 0n,
        cpuBaseRate: 10n,
        memoryBaseRate: 5n,
      }),
    ).toMatchObject({ idleCpuMillicores: 9_000n, idleMemoryMiB: 24_576n, amount: 175_001_500n });
    // 1999 of 3000 idle: 1,999,000 / 3000 truncates to 666 before · 10^8; memory fully used → 0.
    expect(
      idleCapacityValue({
        capacityCpuMillicores: 3_000n,
        capacityMemoryMiB: 1_024n,
        usedCpuMillicores: 1_001n,
        usedMemoryMiB: 2_000n,
        cpuBaseRate: 0n,
        memoryBaseRate: 7n,
      }),
    ).toMatchObject({ idleCpuMillicores: 1_999n, idleMemoryMiB: 0n, amount: 66_600_000n });
  });

  it("is recorded per cluster and period from the billed usage, shown to its provider and admins only", async () => {
    const busy = await makeCluster();
    const empty = await makeCluster();
    const theirs = await makeCluster(otherInfra);
    const a = await deploy(busy);
    const b = await deploy(busy);
    await bill(dayOf(2));

    const rows = await db.billingClusterIdle.findMany({
      where: { clusterId: { in: [busy.id, empty.id] }, periodStart: new Date(dayOf(2)) },
    });
    expect(rows).toHaveLength(2);
    const items = await db.billingItem.findMany({
      where: { instanceId: { in: [a.id, b.id] }, rule: "compute", periodStart: new Date(dayOf(2)) },
    });
    expect(items).toHaveLength(2);
    const used = items.reduce((sum, i) => sum + BigInt((i.inputs as Record<string, string>).cpuUsage!), 0n);
    const usedMemory = items.reduce(
      (sum, i) => sum + BigInt((i.inputs as Record<string, string>).memoryUsage!),
      0n,
    );
    const busyRow = rows.find((r) => r.clusterId === busy.id)!;
    expect(used).toBeGreaterThan(0n);
    expect(busyRow).toMatchObject({
      capacityCpuMillicores: 12_000n,
      capacityMemoryMiB: 24_576n,
      usedCpuMillicores: used,
      idleCpuMillicores: 12_000n - used,
      idleMemoryMiB: 24_576n - usedMemory,
      instancesBilled: 2,
      instancesFailed: 0,
    });
    expect(busyRow.amount).toBe(
      idleCapacityValue({
        capacityCpuMillicores: 12_000n,
        capacityMemoryMiB: 24_576n,
        usedCpuMillicores: used,
        usedMemoryMiB: usedMemory,
        cpuBaseRate: 10n,
        memoryBaseRate: 5n,
      }).amount,
    );
    // Nobody ran anything on the empty one: all of it was paid by nobody.
    expect(rows.find((r) => r.clusterId === empty.id)).toMatchObject({
      idleCpuMillicores: 12_000n,
      idleMemoryMiB: 24_576n,
      amount: 200_001_500n,
      instancesBilled: 0,
    });

    const mine = await idleCapacity({ db, user: infra }, { periods: 1, until: new Date(dayOf(2)) });
    expect(mine.to).toEqual(new Date(dayOf(2)));
    expect(mine.items.map((r) => r.clusterId).sort()).toEqual([busy.id, empty.id].sort());
    expect(mine.items.find((r) => r.clusterId === empty.id)).toMatchObject({
      clusterName: empty.name,
      idleCpuPct: 100,
      amount: "200001500",
      earned: "0",
      periods: 1,
    });
    expect(BigInt(mine.items.find((r) => r.clusterId === busy.id)!.earned)).toBe(
      items.reduce((sum, i) => sum + i.amount, 0n),
    );
    // Another infrastructure provider sees only their own cluster, and none of these.
    const others = await idleCapacity({ db, user: otherInfra }, { periods: 1, until: new Date(dayOf(2)) });
    expect(others.items.map((r) => r.clusterId)).toEqual([theirs.id]);
    await expect(
      idleCapacity({ db, user: otherInfra }, { periods: 1, until: new Date(dayOf(2)), clusterId: busy.id }),
    ).rejects.toMatchObject({ kind: "not_found", field: "clusterId" });
    const all = await idleCapacity({ db, user: admin }, { periods: 1, until: new Date(dayOf(2)) });
    expect(all.items.map((r) => r.clusterId)).toEqual(expect.arrayContaining([busy.id, empty.id, theirs.id]));
    await expect(idleCapacity({ db, user: provider }, {})).rejects.toMatchObject({ kind: "forbidden" });
    await expect(idleCapacity({ db, user: infra }, { periods: 0 })).rejects.toMatchObject({
      kind: "invalid",
      field: "periods",
    });
  });
});

describe("an instance deleted before its periods were billed", () => {
  it("is billed for the periods it existed in, and says plainly its usage is gone", async () => {
    const cluster = await makeCluster();
    const kept = await deploy(cluster);
    const gone = await deploy(cluster);
    // Deleted in the middle of the second period, while moca was down; the namespace went with it.
    const deletedAt = dayOf(3) + PERIOD + 20_000;
    continuum.cluster(cluster.name).deleteNamespace(gone.namespace);
    await db.workloadInstance.update({ where: { id: gone.id }, data: { status: "DELETED" } });
    await db.lifecycleEvent.create({
      data: { instanceId: gone.id, type: "Deletion", message: "Deleted", occurredAt: new Date(deletedAt) },
    });
    // Catch-up: three periods, the third after the deletion.
    for (const k of [0, 1, 2]) await bill(dayOf(3) + k * PERIOD, dayOf(3) + 4 * PERIOD);

    const failures = await db.billingFailure.findMany({
      where: { instanceId: gone.id },
      orderBy: { periodStart: "asc" },
    });
    expect(failures.map((f) => [f.periodStart.getTime(), f.rule, f.retryable])).toEqual([
      [dayOf(3), "compute", false],
      [dayOf(3) + PERIOD, "compute", false],
    ]);
    for (const failure of failures) {
      expect(failure.reason).toContain(`instance deleted at ${new Date(deletedAt).toISOString()}`);
      expect(failure.reason).toContain("usage is no longer readable");
      expect(failure.reason).toContain("nothing billed");
    }
    expect(await db.billingItem.count({ where: { instanceId: gone.id } })).toBe(0);
    // The instance that stayed is billed for all three.
    expect(await db.billingItem.count({ where: { instanceId: kept.id, rule: "compute" } })).toBe(3);
    // A deleted instance's failure is not retried (it would fail the same way).
    await retryBillingFailures(deps(dayOf(3) + 10 * PERIOD), PERIOD);
    expect(await db.billingRetry.count({ where: { instanceId: gone.id } })).toBe(0);
  });
});

describe("a cluster unreadable during a run", () => {
  it("has its items retried with backoff until they bill, exactly once", async () => {
    const cluster = await makeCluster();
    const instance = await deploy(cluster);
    const start = dayOf(4);
    down.add(cluster.name);
    const ranAt = start + PERIOD + 1_000;
    await bill(start, ranAt);
    const failure = await db.billingFailure.findFirstOrThrow({ where: { instanceId: instance.id } });
    expect(failure).toMatchObject({ retryable: true, rule: "compute" });
    expect(failure.reason).toContain(`cluster ${cluster.name} could not be read`);

    // Enrolled at attempt 1; not due before one period has passed.
    expect(await retryBillingFailures(deps(ranAt + 1_000), PERIOD)).toEqual([]);
    const enrolled = await db.billingRetry.findUniqueOrThrow({
      where: { instanceId_periodStart: { instanceId: instance.id, periodStart: new Date(start) } },
    });
    expect(enrolled).toMatchObject({
      attempts: 1,
      outcome: "RETRYING",
      nextAttemptAt: new Date(ranAt + PERIOD),
    });

    // Attempt 2: still down → next after two periods.
    const second = ranAt + PERIOD;
    const [retried] = await retryBillingFailures(deps(second), PERIOD);
    expect(retried).toMatchObject({ retried: 1, stillFailing: 1, billed: 0 });
    expect(
      await db.billingRetry.findUniqueOrThrow({
        where: { instanceId_periodStart: { instanceId: instance.id, periodStart: new Date(start) } },
      }),
    ).toMatchObject({ attempts: 2, outcome: "RETRYING", nextAttemptAt: new Date(second + 2 * PERIOD) });
    // The admin sees the item with its attempts.
    const [run] = (await listBillingRuns({ db, user: admin }, { limit: 100 })).filter(
      (r) => r.periodStart.getTime() === start,
    );
    expect(run?.failures.find((f) => f.instanceId === instance.id)).toMatchObject({
      retryable: true,
      attempts: 2,
      retryOutcome: "RETRYING",
      nextAttemptAt: new Date(second + 2 * PERIOD),
    });
    // Not due yet one period later.
    expect(await retryBillingFailures(deps(second + PERIOD), PERIOD)).toEqual([]);

    // The cluster is back: attempt 3 bills the item; the failure is gone, the run complete and counted.
    down.delete(cluster.name);
    const [third] = await retryBillingFailures(deps(second + 2 * PERIOD), PERIOD);
    expect(third).toMatchObject({ retried: 1, billed: 1 });
    expect(await db.billingFailure.count({ where: { instanceId: instance.id } })).toBe(0);
    const items = await db.billingItem.findMany({ where: { instanceId: instance.id } });
    expect(items.map((i) => [i.rule, i.periodStart.getTime()])).toEqual([["compute", start]]);
    const charges = await db.ledgerTransaction.count({
      where: { reference: { startsWith: `charge:${instance.id}:` } },
    });
    expect(charges).toBe(items[0]!.amount > 0n ? 1 : 0);
    const finished = await db.billingRun.findUniqueOrThrow({ where: { periodStart: new Date(start) } });
    expect(finished.status).toBe("COMPLETED");
    expect(
      await db.billingRetry.findUniqueOrThrow({
        where: { instanceId_periodStart: { instanceId: instance.id, periodStart: new Date(start) } },
      }),
    ).toMatchObject({ attempts: 3, outcome: "BILLED", nextAttemptAt: null });
    // The idle capacity was rewritten with the billed usage.
    const idle = await db.billingClusterIdle.findUniqueOrThrow({
      where: { clusterId_periodStart: { clusterId: cluster.id, periodStart: new Date(start) } },
    });
    expect(idle).toMatchObject({ instancesBilled: 1, instancesFailed: 0 });
    // Nothing more to do, and billing again charges nothing twice.
    expect(await retryBillingFailures(deps(second + 10 * PERIOD), PERIOD)).toEqual([]);
    expect(await db.billingItem.count({ where: { instanceId: instance.id } })).toBe(1);
  });

  it("gives up after the last attempt and leaves the item failed and visible", async () => {
    const cluster = await makeCluster();
    const instance = await deploy(cluster);
    const start = dayOf(5);
    down.add(cluster.name);
    let now = start + PERIOD + 1_000;
    await bill(start, now);
    await retryBillingFailures(deps(now), PERIOD);
    const key = { instanceId_periodStart: { instanceId: instance.id, periodStart: new Date(start) } };
    // Jump well past each backoff until it is given up.
    for (let attempt = 2; attempt <= MAX_BILLING_ATTEMPTS; attempt += 1) {
      now += 10 * PERIOD;
      const [summary] = await retryBillingFailures(deps(now), PERIOD);
      expect(summary?.retried).toBe(1);
    }
    expect(await db.billingRetry.findUniqueOrThrow({ where: key })).toMatchObject({
      attempts: MAX_BILLING_ATTEMPTS,
      outcome: "GAVE_UP",
      nextAttemptAt: null,
    });
    now += 100 * PERIOD;
    expect(await retryBillingFailures(deps(now), PERIOD)).toEqual([]);
    const failures = await db.billingFailure.findMany({ where: { instanceId: instance.id } });
    expect(failures).toEqual([expect.objectContaining({ rule: "compute", retryable: true })]);
    const [run] = (await listBillingRuns({ db, user: admin }, { limit: 100 })).filter(
      (r) => r.periodStart.getTime() === start,
    );
    expect(run).toMatchObject({ status: "COMPLETED" });
    expect(run?.itemsFailed).toBeGreaterThanOrEqual(1);
    expect(run?.failures.find((f) => f.instanceId === instance.id)).toMatchObject({
      attempts: MAX_BILLING_ATTEMPTS,
      retryOutcome: "GAVE_UP",
    });
    down.delete(cluster.name);
  });
});
