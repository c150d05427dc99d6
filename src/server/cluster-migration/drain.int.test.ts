import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { domainRejection } from "@/server/testing/rejection";
import { Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth/session";
import { clusterCandidates, driverFor } from "@/server/clusters";
import type { Db } from "@/server/db/client";
import { createIntent } from "@/server/intents/commands";
import { decidePlacement } from "@/server/placement";
import { captureLogs, testId, waitFor } from "@/server/testing/bus";
import { makeUser } from "@/server/testing/factories";
import { openMigrationTestBed, type MigrationTestBed } from "@/server/testing/migration-pipeline";
import {
  clusterDrainStatus,
  drainCluster,
  listMigrations,
  uncordonCluster,
  type ClusterDrainStatus,
} from "./index";

// Cluster drain on the simulated demo continuum, with the whole migration
// pipeline running in this process (controller, agents, completion, relay,
// watchdog) against the real broker and a database of its own.
const prefix = `${process.env.AMQP_PREFIX ?? ""}${testId()}.`;
const { logger: log } = captureLogs();

let bed: MigrationTestBed;
let db: Db;
let admin: SessionUser;
let provider: SessionUser;
let demoInfra: SessionUser;
let otherInfra: SessionUser;

const as = (user: SessionUser) => ({ db, user, log });

beforeAll(async () => {
  bed = await openMigrationTestBed("drain", { prefix, log });
  ({ db, admin, provider, demoInfra } = bed);
  otherInfra = await makeUser(db, [Role.INFRASTRUCTURE_PROVIDER]);
}, 120_000);

afterAll(async () => {
  await bed.close();
}, 60_000);

/** An instance deployed on `cluster` (proposed) by the orchestrator's own handler. */
const deployedOn = (cluster: string, release?: string) => bed.deployedOn(cluster, release);

async function clusterId(name: string): Promise<string> {
  return (await db.cluster.findUniqueOrThrow({ where: { name }, select: { id: true } })).id;
}

/** Waits until no migration of the drain is in flight, and returns its progress then. */
async function settledDrain(user: SessionUser, id: string): Promise<ClusterDrainStatus> {
  let status = await clusterDrainStatus(as(user), id);
  await waitFor(
    async () => {
      status = await clusterDrainStatus(as(user), id);
      return status.instances.every((i) => i.state !== "migrating");
    },
    60_000,
    "the drain's migrations to end",
  );
  return status;
}

const domainError = domainRejection;

/** Where a placement with no intents would go, and why `cluster` was left out (null: it was not). */
async function placementSeen(cluster: string) {
  const decision = decidePlacement(await clusterCandidates(db), {
    requests: { cpuMillicores: 0, memoryBytes: 0 },
    targets: [],
  });
  return {
    winner: decision.winner,
    filtered: decision.filtered.find((f) => f.cluster === cluster) ?? null,
  };
}

describe("cluster drain", () => {
  it("cordons the cluster and moves every instance off it through the migration protocol", async () => {
    const first = await deployedOn("dev-onelab");
    const second = await deployedOn("dev-onelab");
    const id = await clusterId("dev-onelab");

    const started = await drainCluster(as(demoInfra), id);
    expect(started).toMatchObject({ cluster: "dev-onelab", cordoned: true, drainedBy: demoInfra.username });
    expect(started.total).toBe(2);
    expect(started.instances.map((i) => i.state).sort()).toEqual(["migrating", "migrating"]);

    const status = await settledDrain(demoInfra, id);
    expect(status).toMatchObject({ total: 2, moved: 2, remaining: 0, done: true });
    expect(status.instances.map((i) => i.id).sort()).toEqual([first.id, second.id].sort());
    for (const instance of [first, second]) {
      const row = await db.workloadInstance.findUniqueOrThrow({
        where: { id: instance.id },
        include: { cluster: true },
      });
      expect(row.status).toBe("DEPLOYED");
      expect(row.cluster?.name).not.toBe("dev-onelab");
      const onSource = await driverFor(
        db,
        await db.cluster.findUniqueOrThrow({ where: { name: "dev-onelab" } }),
      ).deploymentTree(instance.namespace);
      expect(onSource.nodes).toHaveLength(0);
    }
    // The same entry as "Migrate now", saying why.
    const rows = await listMigrations(as(admin), { instanceId: first.id });
    expect(rows.items[0]).toMatchObject({ state: "COMPLETED", sourceCluster: "dev-onelab" });
    expect(rows.items[0]?.trigger?.summary).toBe(`Cluster dev-onelab drained by ${demoInfra.username}`);
    expect(rows.items[0]?.requestedBy).toBe(demoInfra.username);

    await uncordonCluster(as(demoInfra), id);
  }, 120_000);

  it("leaves an instance no other cluster can take where it is, and says why", async () => {
    // Only staging-onelab offers more than 99 % availability.
    const instance = await deployedOn("staging-onelab");
    await createIntent(as(provider), {
      source: "form",
      instanceId: instance.id,
      intentType: "Availability",
      targets: [{ targetName: "availability", targetCondition: "IS_GREATER_THAN", targetValue: 99 }],
    });
    const id = await clusterId("staging-onelab");

    await drainCluster(as(admin), id);
    const status = await settledDrain(admin, id);
    const entry = status.instances.find((i) => i.id === instance.id);
    expect(entry).toMatchObject({ state: "stuck", cluster: null });
    expect(entry?.reason).toMatch(/availability/i);
    expect(entry?.reason).toContain("highest availability offered: 95 %");
    expect(status.done).toBe(false);
    const row = await db.workloadInstance.findUniqueOrThrow({
      where: { id: instance.id },
      include: { cluster: true },
    });
    expect(row.status).toBe("DEPLOYED");
    expect(row.cluster?.name).toBe("staging-onelab");
    expect(await db.migration.count({ where: { instanceId: instance.id } })).toBe(0);

    await uncordonCluster(as(admin), id);
  }, 120_000);

  it("gives a cordoned cluster no placements until it is uncordoned", async () => {
    const id = await clusterId("k3s-onelab");
    expect((await placementSeen("k3s-onelab")).filtered).toBeNull();

    await drainCluster(as(demoInfra), id);
    const cordoned = await placementSeen("k3s-onelab");
    expect(cordoned.winner).not.toBe("k3s-onelab");
    expect(cordoned.filtered).toMatchObject({ plugin: "Cordoned", reason: "ClusterCordoned" });
    expect(cordoned.filtered?.message).toContain("cordoned");
    // Pinned there, an instance fails with that reason rather than landing on it.
    const candidates = await clusterCandidates(db);
    const pinned = decidePlacement(candidates, {
      requests: { cpuMillicores: 0, memoryBytes: 0 },
      targets: [],
      proposedCluster: "k3s-onelab",
    });
    expect(pinned.winner).toBeNull();

    const summary = await uncordonCluster(as(demoInfra), id);
    expect(summary).toMatchObject({ cordoned: false, drainStartedAt: null, drainedBy: null });
    expect((await placementSeen("k3s-onelab")).filtered).toBeNull();
    expect((await clusterDrainStatus(as(demoInfra), id)).cordoned).toBe(false);
  }, 60_000);

  it("lets only the cluster's provider or an admin drain, uncordon or watch it", async () => {
    const id = await clusterId("pro-onelab");
    expect((await domainError(drainCluster(as(otherInfra), id))).kind).toBe("not_found");
    expect((await domainError(uncordonCluster(as(otherInfra), id))).kind).toBe("not_found");
    expect((await domainError(clusterDrainStatus(as(otherInfra), id))).kind).toBe("not_found");
    expect((await domainError(drainCluster(as(provider), id))).kind).toBe("forbidden");
    expect((await domainError(drainCluster(as(demoInfra), "not-a-uuid"))).kind).toBe("not_found");
    const row = await db.cluster.findUniqueOrThrow({ where: { id } });
    expect(row.cordoned).toBe(false);
  }, 30_000);
});
