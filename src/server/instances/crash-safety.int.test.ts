import { beforeAll, describe, expect, it } from "vitest";
import { Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth";
import { workloadRunSchema, type TransactionClient } from "@/server/bus";
import { sharedDriverFactory, type DriverFactory } from "@/server/clusters";
import { StaleLeaderError, type Db } from "@/server/db";
import { logger } from "@/server/logger";
import { acceptedMychartWorkload, demoDatabaseForFile } from "@/server/testing/demo-database";
import { makeUser } from "@/server/testing/factories";
import { createInstance, handleInstanceRun, moveInstance, redriveStuckInstances } from "./index";

// Placement needs the demo clusters and nothing else: a database of its own.
const demo = demoDatabaseForFile("crashsafe");
let db: Db;
let provider: SessionUser;
let workloadId: number;

const as = (user: SessionUser) => ({ db, user });

async function run(instanceId: string, status: "deploy" | "delete", driverFactory?: DriverFactory) {
  const message = workloadRunSchema.parse({ workload_id: instanceId, status });
  await db.$transaction((tx: TransactionClient) =>
    handleInstanceRun(tx, message, {
      db,
      log: logger,
      attempt: 1,
      maxAttempts: 5,
      ...(driverFactory && { driverFactory }),
    }),
  );
}

const row = (id: string) => db.workloadInstance.findUniqueOrThrow({ where: { id } });
const events = async (id: string) =>
  (
    await db.lifecycleEvent.findMany({
      where: { instanceId: id },
      orderBy: [{ occurredAt: "asc" }, { id: "asc" }],
    })
  ).map((e) => e.type);

beforeAll(async () => {
  db = demo.db;
  provider = await makeUser(db, [Role.SERVICE_PROVIDER]);
  workloadId = await acceptedMychartWorkload(db, provider, "shop");
});

describe("instance status moves", () => {
  it("happen only when legal and only from the status the caller saw", async () => {
    const instance = await createInstance(as(provider), { workloadId, releaseName: "moves" });
    await expect(moveInstance(db, instance.id, "RENDERED", "DELETED")).rejects.toThrow(
      "illegal instance transition RENDERED → DELETED",
    );
    expect(await moveInstance(db, instance.id, "DEPLOYED", "DELETING")).toBe(false);
    expect((await row(instance.id)).status).toBe("RENDERED");
    expect(await moveInstance(db, instance.id, "RENDERED", "DELETING")).toBe(true);
    expect((await row(instance.id)).status).toBe("DELETING");
  });
});

describe("a deployment interrupted or overtaken", () => {
  it("records the chosen cluster before applying, and a late apply does not resurrect a deleted instance", async () => {
    const instance = await createInstance(as(provider), { workloadId, releaseName: "late" });
    const shared = sharedDriverFactory(db);
    // While the cluster is applying, the instance is already DEPLOYING on its cluster; then it moves on.
    const slow: DriverFactory = (config) => {
      const driver = shared(config);
      return Object.assign(Object.create(driver) as typeof driver, {
        apply: async (...args: Parameters<typeof driver.apply>) => {
          const during = await row(instance.id);
          expect(during.status).toBe("DEPLOYING");
          expect(during.clusterId).not.toBeNull();
          await db.workloadInstance.update({ where: { id: instance.id }, data: { status: "DELETING" } });
          return driver.apply(...args);
        },
      });
    };
    await run(instance.id, "deploy", slow);
    const after = await row(instance.id);
    expect(after.status).toBe("DELETING");
    expect(await events(instance.id)).not.toContain("Deployment");
    // The delete then removes what the apply left, from the recorded cluster.
    await run(instance.id, "delete");
    expect((await row(instance.id)).status).toBe("DELETED");
  });

  it("is resumed on its recorded cluster when a worker died after choosing it", async () => {
    const instance = await createInstance(as(provider), { workloadId, releaseName: "resume" });
    const cluster = await db.cluster.findFirstOrThrow({ where: { status: "OK" }, orderBy: { name: "asc" } });
    // What a crash right after step 1 leaves behind.
    await db.workloadInstance.update({
      where: { id: instance.id },
      data: { status: "DEPLOYING", clusterId: cluster.id },
    });
    await run(instance.id, "deploy");
    const resumed = await row(instance.id);
    expect(resumed).toMatchObject({ status: "DEPLOYED", clusterId: cluster.id });
    expect(await events(instance.id)).toEqual(["Rendered", "Deployment"]);
  });

  it("keeps the cluster of a failed apply, so deleting the instance cleans up there", async () => {
    const instance = await createInstance(as(provider), { workloadId, releaseName: "broken" });
    const shared = sharedDriverFactory(db);
    const failing: DriverFactory = (config) => {
      const driver = shared(config);
      return Object.assign(Object.create(driver) as typeof driver, {
        apply: () => Promise.reject(new Error("the API server went away")),
      });
    };
    await run(instance.id, "deploy", failing);
    const failed = await row(instance.id);
    expect(failed.status).toBe("FAILED");
    expect(failed.clusterId).not.toBeNull();
    expect(failed.statusReason).toContain("the API server went away");
  });

  it("is left DEPLOYING on its cluster, not FAILED, when the database rather than the cluster fails mid-apply", async () => {
    const instance = await createInstance(as(provider), { workloadId, releaseName: "dbdown" });
    const shared = sharedDriverFactory(db);
    // pg's words when the pool finds no connection in time (the simulated driver keeps its clusters in PostgreSQL);
    // found by the SIGKILL reliability scenario on a loaded machine, where such an instance ended FAILED for good.
    const unreachable: DriverFactory = (config) => {
      const driver = shared(config);
      return Object.assign(Object.create(driver) as typeof driver, {
        apply: () => Promise.reject(new Error("timeout exceeded when trying to connect")),
      });
    };
    await expect(run(instance.id, "deploy", unreachable)).rejects.toThrow(
      "timeout exceeded when trying to connect",
    );
    const left = await row(instance.id);
    expect(left.status).toBe("DEPLOYING");
    expect(left.clusterId).not.toBeNull();
    // The retry finishes it once the database answers.
    await run(instance.id, "deploy");
    expect(await row(instance.id)).toMatchObject({ status: "DEPLOYED", clusterId: left.clusterId });
    expect(await events(instance.id)).not.toContain("Failed");
  });
});

describe("the reconciler", () => {
  it("drives again only instances stuck mid-step for longer than the window", async () => {
    // This file's database: the instances of the tests above are settled first.
    await db.workloadInstance.updateMany({
      where: { status: { in: ["RENDERED", "DEPLOYING", "DELETING"] } },
      data: { status: "DELETED" },
    });
    const stuck = await createInstance(as(provider), { workloadId, releaseName: "stuck" });
    // RENDERED for ten minutes: its `run` message was lost (dead-lettered while the database refused connections).
    const lost = await createInstance(as(provider), { workloadId, releaseName: "lost" });
    const fresh = await createInstance(as(provider), { workloadId, releaseName: "fresh" });
    const now = new Date("2026-12-07T12:00:00Z");
    await db.workloadInstance.update({
      where: { id: stuck.id },
      data: { status: "DELETING", updatedAt: new Date("2026-12-07T11:50:00Z") },
    });
    await db.workloadInstance.update({
      where: { id: fresh.id },
      data: { status: "DELETING", updatedAt: new Date("2026-12-07T11:58:00Z") },
    });
    await db.workloadInstance.update({
      where: { id: lost.id },
      data: { updatedAt: new Date("2026-12-07T11:50:00Z") },
    });
    const before = await db.outboxMessage.count({ where: { routingKey: "run" } });
    expect(await redriveStuckInstances(db, { now, stuckAfterMs: 5 * 60_000 })).toBe(2);
    const messages = await db.outboxMessage.findMany({
      where: { routingKey: "run" },
      orderBy: { createdAt: "desc" },
      take: (await db.outboxMessage.count({ where: { routingKey: "run" } })) - before,
    });
    expect(
      messages
        .map((m) => workloadRunSchema.parse(m.payload))
        .sort((a, b) => a.status.localeCompare(b.status)),
    ).toEqual([
      { workload_id: stuck.id, status: "delete" },
      { workload_id: lost.id, status: "deploy" },
    ]);
    // Touched: the next pass, a minute later, leaves it alone.
    expect(await redriveStuckInstances(db, { now: new Date("2026-12-07T12:01:00Z") })).toBe(0);
  });

  it("re-drives nothing for a replica whose leadership has moved on (fencing token)", async () => {
    await db.workloadInstance.updateMany({
      where: { status: { in: ["RENDERED", "DEPLOYING", "DELETING"] } },
      data: { status: "DELETED" },
    });
    const stuck = await createInstance(as(provider), { workloadId, releaseName: "fenced" });
    const now = new Date("2026-12-07T12:00:00Z");
    const updatedAt = new Date("2026-12-07T11:50:00Z");
    await db.workloadInstance.update({ where: { id: stuck.id }, data: { status: "DEPLOYING", updatedAt } });
    // Lease 1 was this replica's term; another replica has taken the loop since (lease 2).
    const name = "orchestrator:redrive-stuck-instances";
    await db.leaderLease.create({ data: { name, lease: 2n, holder: "the new leader", acquiredAt: now } });
    const before = await db.outboxMessage.count({ where: { routingKey: "run" } });

    await expect(redriveStuckInstances(db, { now, fence: { name, lease: 1n } })).rejects.toBeInstanceOf(
      StaleLeaderError,
    );
    expect(await db.outboxMessage.count({ where: { routingKey: "run" } })).toBe(before);
    expect((await row(stuck.id)).updatedAt).toEqual(updatedAt);

    expect(await redriveStuckInstances(db, { now, fence: { name, lease: 2n } })).toBe(1);
    expect(await db.outboxMessage.count({ where: { routingKey: "run" } })).toBe(before + 1);
  });
});
