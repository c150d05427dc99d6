import { beforeAll, describe, expect, it } from "vitest";
import { domainRejection } from "@/server/testing/rejection";
import { makeUser } from "@/server/testing/factories";
import { Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth/session";
import { driverFor } from "@/server/clusters";
import { createDb, poolOf, type Db } from "@/server/db";
import { DomainError } from "@/server/errors";
import { acceptedMychartWorkload, demoDatabaseForFile } from "@/server/testing/demo-database";
import {
  createInstance,
  deleteInstance,
  dryRunPlacement,
  getInstance,
  instanceDeploymentTree,
  instancePlacement,
  instanceTimeline,
} from "./index";
import { orchestrateNewestRun } from "@/server/testing/orchestration";

// Placement looks at every registered cluster, so this file has a database of
// its own holding exactly the five demo clusters of the test-bed.
const demo = demoDatabaseForFile("instances");
let db: Db;
let provider: SessionUser;
let provider2: SessionUser;
let infra: SessionUser;
let workloadId: number;

const as = (user: SessionUser) => ({ db, user });

/** What the orchestrator does with the newest `run` message for this instance. */
async function orchestrate(instanceId: string): Promise<void> {
  await orchestrateNewestRun(db, instanceId);
}

const failure = domainRejection;

beforeAll(async () => {
  db = demo.db;
  provider = await makeUser(db, [Role.SERVICE_PROVIDER]);
  provider2 = await makeUser(db, [Role.SERVICE_PROVIDER]);
  infra = await makeUser(db, [Role.INFRASTRUCTURE_PROVIDER]);
  workloadId = await acceptedMychartWorkload(db, provider, "shop");
});

const availabilityIntent = (value: number) => ({
  intentType: "Availability",
  targets: [{ targetName: "availability", targetCondition: "IS_GREATER_THAN" as const, targetValue: value }],
});

describe("a workload instance", () => {
  it("renders, is placed by its availability intent, deploys, and records each step", async () => {
    const instance = await createInstance(as(provider), {
      workloadId,
      releaseName: "web",
      valuesOverride: "replicaCount: 2\n",
      intent: availabilityIntent(95),
    });
    expect(instance.status).toBe("RENDERED");
    expect(instance.shortId).toMatch(/^[0-9a-f]{7}$/);
    expect(instance.namespace).toBe(`web-${instance.shortId}`);
    expect(await db.intent.count({ where: { instanceId: instance.id } })).toBe(1);

    await orchestrate(instance.id);
    const deployed = await getInstance(as(provider), instance.id);
    expect(deployed.status).toBe("DEPLOYED");
    const cluster = await db.cluster.findUniqueOrThrow({ where: { id: deployed.cluster!.id } });
    expect(Number(cluster.availabilityPct)).toBeGreaterThan(95);

    const why = await instancePlacement(as(provider), instance.id);
    expect(why?.winner).toBe(cluster.name);
    const rejected = Object.fromEntries(why!.filtered.map((f) => [f.cluster, f.plugin]));
    expect(rejected).toMatchObject({
      "dev-onelab": "Availability",
      "k3s-onelab": "Availability",
      "pro-onelab": "Availability",
    });

    const tree = await instanceDeploymentTree(as(provider), instance.id);
    const kinds = tree!.nodes.map((n) => n.kind);
    expect(kinds).toContain("Deployment");
    expect(kinds).toContain("ReplicaSet");
    expect(kinds.filter((k) => k === "Pod")).toHaveLength(2);

    const timeline = await instanceTimeline(as(provider), instance.id);
    expect(timeline.map((e) => e.type)).toEqual(["Deployment", "Placement", "Rendered"]);
    expect(timeline[0]!.message).toBe(`Deployment on cluster ${cluster.name}`);

    // A redelivered run message changes nothing.
    await orchestrate(instance.id);
    expect(await db.lifecycleEvent.count({ where: { instanceId: instance.id } })).toBe(3);
  });

  it("is removed from its cluster on delete and ends DELETED", async () => {
    const instance = await createInstance(as(provider), { workloadId, releaseName: "gone" });
    await orchestrate(instance.id);
    const deployed = await getInstance(as(provider), instance.id);
    const cluster = await db.cluster.findUniqueOrThrow({ where: { id: deployed.cluster!.id } });
    expect((await driverFor(db, cluster).deploymentTree(deployed.namespace)).nodes.length).toBeGreaterThan(0);

    expect((await deleteInstance(as(provider), instance.id)).status).toBe("DELETING");
    await orchestrate(instance.id);
    expect((await getInstance(as(provider), instance.id)).status).toBe("DELETED");
    expect(
      (await driverFor(db, cluster).deploymentTree(deployed.namespace)).nodes.filter((n) => n.kind === "Pod"),
    ).toEqual([]);
    const types = (await instanceTimeline(as(provider), instance.id)).map((e) => e.type);
    expect(types.slice(0, 2)).toEqual(["Deletion", "Deletion requested"]);
  });

  it("fails with the reason when no cluster meets its intent, keeping the explanation", async () => {
    const instance = await createInstance(as(provider), {
      workloadId,
      releaseName: "picky",
      intent: availabilityIntent(99.95),
    });
    const dryRun = await dryRunPlacement(as(provider), instance.id);
    expect(dryRun.winner).toBeNull();
    await orchestrate(instance.id);
    const failed = await getInstance(as(provider), instance.id);
    expect(failed.status).toBe("FAILED");
    // One sentence naming the target and the best value offered, with no repeated "no cluster" prefix.
    const reason =
      "No cluster offers availability of more than 99.95 % (highest availability offered: 99.9 %)";
    expect(failed.statusReason).toBe(reason);
    expect((await instancePlacement(as(provider), instance.id))?.filtered.length).toBe(5);
    // The timeline tells the reason once, on the Failed event; the Placement event says what happened.
    const events = await instanceTimeline(as(provider), instance.id);
    expect(events.filter((e) => e.message.includes(reason)).map((e) => e.type)).toEqual(["Failed"]);
    expect(events.find((e) => e.type === "Placement")?.message).toBe("No cluster can take this instance");
  });

  it("honours a proposed cluster", async () => {
    const instance = await createInstance(as(provider), {
      workloadId,
      releaseName: "pinned",
      clusterName: "k3s-onelab",
    });
    await orchestrate(instance.id);
    expect((await getInstance(as(provider), instance.id)).cluster?.name).toBe("k3s-onelab");
  });

  it("refuses bad input by field, a chart that does not render, and other tenants", async () => {
    expect((await failure(createInstance(as(provider), { workloadId, releaseName: "Web_1" }))).field).toBe(
      "releaseName",
    );
    expect(
      (await failure(createInstance(as(provider), { workloadId, releaseName: "x", clusterName: "nowhere" })))
        .field,
    ).toBe("clusterName");
    expect(
      (await failure(createInstance(as(provider), { workloadId, releaseName: "x", valuesOverride: "a: [1" })))
        .field,
    ).toBe("valuesOverride");
    const badIntent = await failure(
      createInstance(as(provider), {
        workloadId,
        releaseName: "x",
        intent: {
          intentType: "Availability",
          targets: [{ targetName: "speed", targetCondition: "IS_EQUAL_TO", targetValue: 1 }],
        },
      }),
    );
    expect(badIntent.field).toBe("intent.targets.0.targetName");
    const notRendering = await failure(
      createInstance(as(provider), {
        workloadId,
        releaseName: "x",
        valuesOverride: "ingress:\n  enabled: true\n  hosts: [1]\n",
      }),
    );
    expect(notRendering.kind).toBe("unprocessable");
    expect(await db.workloadInstance.count({ where: { releaseName: "x" } })).toBe(0);

    const mine = await createInstance(as(provider), { workloadId, releaseName: "private" });
    expect((await failure(getInstance(as(provider2), mine.id))).kind).toBe("not_found");
    expect((await failure(deleteInstance(as(provider2), mine.id))).kind).toBe("not_found");
    expect((await failure(createInstance(as(provider2), { workloadId, releaseName: "steal" }))).kind).toBe(
      "not_found",
    );
    expect((await failure(getInstance(as(infra), mine.id))).kind).toBe("forbidden");
  });
  it("takes an intent template only of a type its workload supports (issue 13, bug 2)", async () => {
    const greenOnly = await acceptedMychartWorkload(db, provider, "green-only", ["GreenEnergy"]);
    const workload = await db.workload.findUniqueOrThrow({ where: { id: greenOnly } });
    const refused = await failure(
      createInstance(as(provider), {
        workloadId: greenOnly,
        releaseName: "unsupported",
        intent: availabilityIntent(95),
      }),
    );
    expect(refused).toMatchObject({
      kind: "invalid",
      field: "intent.intentType",
      message: `Availability is not a supported intent of workload ${workload.name} 1.0.0; it supports: GreenEnergy.`,
    });
    expect(await db.workloadInstance.count({ where: { workloadId: greenOnly } })).toBe(0);
    // Without an intent the same workload is instantiated as before.
    await createInstance(as(provider), { workloadId: greenOnly, releaseName: "unsupported" });
    expect(await db.workloadInstance.count({ where: { workloadId: greenOnly } })).toBe(1);
  });
});

describe("the timeline", () => {
  it("checks visibility and reads the events in one statement, without manifests or placement", async () => {
    const instance = await createInstance(as(provider), { workloadId, releaseName: "probe" });
    // Its own client, so only the timeline's statements are seen.
    const spied = createDb(demo.url);
    const statements: string[] = [];
    poolOf(spied).on("connect", (client) => {
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
        const first = args[0];
        statements.push(typeof first === "string" ? first : (first as { text: string }).text);
        return query(...args);
      };
    });
    try {
      const events = await instanceTimeline({ db: spied, user: provider }, instance.id);
      expect(events.map((e) => e.type)).toContain("Rendered");
      const selects = statements.filter((text) => /^\s*select/i.test(text));
      // The visibility check and the events in one statement: no relation lookups, no large JSON columns.
      expect(selects).toHaveLength(1);
      expect(selects.join("\n")).not.toMatch(/manifests|placement/);
      await expect(instanceTimeline({ db: spied, user: provider2 }, instance.id)).rejects.toThrow(
        "No such workload instance.",
      );
    } finally {
      await spied.$disconnect();
    }
  });

  it("is empty (not 404) without events, newest first otherwise, and every instance's for an admin", async () => {
    const instance = await createInstance(as(provider), { workloadId, releaseName: "quiet" });
    await db.lifecycleEvent.deleteMany({ where: { instanceId: instance.id } });
    expect(await instanceTimeline(as(provider), instance.id)).toEqual([]);

    const at = (minute: number) => new Date(Date.UTC(2026, 0, 5, 9, minute));
    await db.lifecycleEvent.createMany({
      data: [
        { instanceId: instance.id, type: "Created", message: "first", occurredAt: at(0) },
        { instanceId: instance.id, type: "Rendered", message: "second", occurredAt: at(1), detail: { n: 2 } },
        // The same instant: the later id first.
        { instanceId: instance.id, type: "Deployed", message: "third", occurredAt: at(1) },
      ],
    });
    const events = await instanceTimeline(as(provider), instance.id);
    expect(events.map((e) => e.message)).toEqual(["third", "second", "first"]);
    expect(events[1]).toMatchObject({ type: "Rendered", detail: { n: 2 }, occurredAt: at(1) });
    expect(typeof events[0]?.id).toBe("bigint");

    const admin = await makeUser(db, [Role.NEMO_ADMIN]);
    expect(await instanceTimeline({ db, user: admin }, instance.id)).toHaveLength(3);
    await expect(instanceTimeline(as(provider2), instance.id)).rejects.toThrow("No such workload instance.");
    await expect(instanceTimeline(as(infra), instance.id)).rejects.toThrow(DomainError);
    await expect(instanceTimeline(as(provider), "not-a-uuid")).rejects.toThrow("No such workload instance.");
  });
});
