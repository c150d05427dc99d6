import { beforeAll, describe, expect, it } from "vitest";
import { Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth";
import { sharedDriverFactory, simulateOperatorDelete, simulateOperatorEdit } from "@/server/clusters";
import type { Db } from "@/server/db";
import { createInstance } from "@/server/instances";
import { logger } from "@/server/logger";
import { acceptedMychartWorkload, demoDatabaseForFile } from "@/server/testing/demo-database";
import { makeUser } from "@/server/testing/factories";
import { deployedInstance } from "@/server/testing/orchestration";
import { checkDrift, instanceDrift, resyncInstance } from "./index";

/*
 * Drift end to end on the shared simulated continuum: an instance deployed
 * by the orchestrator, edited and partly deleted by an "operator" behind the
 * console's back, found Drifted by one round of the periodic check (clock
 * injected), re-synced by its owner, In sync again — each change of verdict
 * recorded once on the timeline.
 */
const demo = demoDatabaseForFile("drift");
let db: Db;
let owner: SessionUser;
let other: SessionUser;
let admin: SessionUser;
let workloadId: number;

const T0 = Date.parse("2026-12-07T10:00:00Z");
let now = T0;
const clock = () => now;
/** One period of the evaluator's drift loop, at the injected time. */
const period = async (advanceMs = 60_000) => {
  now += advanceMs;
  return checkDrift({ db, log: logger, now: clock });
};

const types = async (id: string) =>
  (
    await db.lifecycleEvent.findMany({
      where: { instanceId: id },
      orderBy: [{ occurredAt: "asc" }, { id: "asc" }],
    })
  ).map((e) => e.type);

async function deployed(releaseName: string) {
  const row = await deployedInstance(db, owner, workloadId, releaseName);
  expect(row.status).toBe("DEPLOYED");
  return { ...row, clusterName: row.cluster!.name };
}

beforeAll(async () => {
  db = demo.db;
  owner = await makeUser(db, [Role.SERVICE_PROVIDER]);
  other = await makeUser(db, [Role.SERVICE_PROVIDER]);
  admin = await makeUser(db, [Role.NEMO_ADMIN]);
  workloadId = await acceptedMychartWorkload(db, owner, "drift");
});

describe("drift of a deployed instance", () => {
  it("is In sync after deployment, Drifted within one period of a hand edit, In sync again after Re-sync", async () => {
    const instance = await deployed("edited");
    const deployment = `${instance.releaseName}-mychart`;
    const target = (kind: string, name: string) => ({ namespace: instance.namespace, kind, name });

    await period();
    let drift = await instanceDrift({ db, user: owner }, instance.id);
    expect(drift).toMatchObject({ status: "in_sync", canResync: true, checkedAt: new Date(now) });
    expect(drift.summary?.objects).toEqual([]);
    expect(drift.summary?.compared).toBeGreaterThanOrEqual(3);

    // An operator hot-fixes the image and deletes the Service by hand.
    await simulateOperatorEdit(db, instance.clusterName, target("Deployment", deployment), {
      spec: { template: { spec: { containers: [{ name: "mychart", image: "nginx:hotfix" }] } } },
    });
    await simulateOperatorDelete(db, instance.clusterName, target("Service", deployment));
    // …and scales it behind the console's back (`kubectl scale`).
    const driver = sharedDriverFactory(db)({
      name: instance.clusterName,
      managedApi: `sim://${instance.clusterName}`,
    });
    await driver.scale(instance.namespace, "Deployment", deployment, 3);

    const round = await period();
    expect(round.failed).toBe(0);
    drift = await instanceDrift({ db, user: owner }, instance.id);
    expect(drift.status).toBe("drifted");
    expect(drift.checkedAt).toEqual(new Date(now));
    const objects = drift.summary?.objects ?? [];
    expect(objects.map((o) => [o.kind, o.name, o.state])).toEqual(
      expect.arrayContaining([
        ["Deployment", deployment, "changed"],
        ["Service", deployment, "missing"],
      ]),
    );
    const deploymentFields = objects.find((o) => o.kind === "Deployment")?.fields;
    expect(deploymentFields).toContainEqual(
      expect.objectContaining({
        path: "spec.template.spec.containers[name=mychart].image",
        actual: '"nginx:hotfix"',
      }),
    );
    expect(deploymentFields).toContainEqual({ path: "spec.replicas", expected: "1", actual: "3" });

    // Later periods find the same drift: the event is not repeated.
    await period();
    await period();
    expect((await types(instance.id)).filter((t) => t === "Drifted")).toHaveLength(1);
    const event = await db.lifecycleEvent.findFirstOrThrow({
      where: { instanceId: instance.id, type: "Drifted" },
    });
    expect(event.message).toMatch(/^Drifted from its manifests: 2 objects \(/);
    // The owner is told once (the notification is made from the event, in its transaction).
    expect(
      await db.notification.count({
        where: { userId: owner.id, kind: "INSTANCE_DRIFTED", subjectId: instance.id },
      }),
    ).toBe(1);

    const resynced = await resyncInstance({ db, user: owner, clock }, instance.id);
    expect(resynced).toMatchObject({ status: "in_sync", canResync: true });
    expect(resynced.applied).toBeGreaterThanOrEqual(3);
    expect((await types(instance.id)).slice(-2)).toEqual(["Re-sync", "In sync"]);
    // The cluster has the applied objects back: the Service exists and pods run the chart's image.
    const tree = await driver.deploymentTree(instance.namespace);
    expect(tree.nodes.find((n) => n.kind === "Deployment")?.replicas?.desired).toBe(1);
    expect(tree.nodes.some((n) => n.kind === "Service" && n.name === deployment)).toBe(true);
    const images = tree.nodes.filter((n) => n.kind === "Pod").flatMap((n) => n.images);
    expect(images.length).toBeGreaterThan(0);
    expect(images).not.toContain("nginx:hotfix");

    await period();
    const after = await types(instance.id);
    expect(after.filter((t) => t === "Drifted")).toHaveLength(1);
    expect(after.filter((t) => t === "In sync")).toHaveLength(1);
  });

  it("is another tenant's to neither see nor re-sync (not found); an admin may re-sync", async () => {
    const instance = await deployed("tenancy");
    await expect(instanceDrift({ db, user: other }, instance.id)).rejects.toMatchObject({
      kind: "not_found",
    });
    await expect(resyncInstance({ db, user: other }, instance.id)).rejects.toMatchObject({
      kind: "not_found",
    });
    await expect(resyncInstance({ db, user: owner }, "not-a-uuid")).rejects.toMatchObject({
      kind: "not_found",
    });
    expect(await types(instance.id)).not.toContain("Re-sync");
    const byAdmin = await resyncInstance({ db, user: admin }, instance.id);
    expect(byAdmin.status).toBe("in_sync");
    const event = await db.lifecycleEvent.findFirstOrThrow({
      where: { instanceId: instance.id, type: "Re-sync" },
    });
    expect(event.message).toContain(`Re-synced by ${admin.username}`);
  });

  it("cannot re-sync an instance that is not deployed, and shows no verdict for it", async () => {
    const rendered = await createInstance({ db, user: owner }, { workloadId, releaseName: "notyet" });
    await expect(resyncInstance({ db, user: owner }, rendered.id)).rejects.toMatchObject({
      kind: "conflict",
    });
    expect(await instanceDrift({ db, user: owner }, rendered.id)).toEqual({
      instanceId: rendered.id,
      status: "unknown",
      checkedAt: null,
      summary: null,
      canResync: false,
    });
  });
});
