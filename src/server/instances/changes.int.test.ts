import { beforeAll, describe, expect, it } from "vitest";
import { domainRejection } from "@/server/testing/rejection";
import { Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth/session";
import { driverFor } from "@/server/clusters";
import type { Db } from "@/server/db";
import { acceptedMychartWorkload, MYCHART_DIR, demoDatabaseForFile } from "@/server/testing/demo-database";
import { makeUser } from "@/server/testing/factories";
import { orchestrateNewestRun } from "@/server/testing/orchestration";
import { createWorkload, uploadChart } from "@/server/workloads";
import { packChartDirectory } from "@/server/workloads/tar-writer";
import {
  changeInstance,
  createInstance,
  getInstance,
  instanceManifests,
  instanceTimeline,
  previewInstanceChange,
  redriveStuckInstances,
  retryInstance,
} from "./index";

// Placement looks at every registered cluster: a database of its own with the five demo clusters.
const demo = demoDatabaseForFile("changes");
let db: Db;
let provider: SessionUser;
let provider2: SessionUser;
let admin: SessionUser;
let workloadId: number;

const as = (user: SessionUser) => ({ db, user });

const failure = domainRejection;

/** A DEPLOYED instance of the shared workload, with `values`. */
async function deployed(releaseName: string, valuesOverride = "") {
  const instance = await createInstance(as(provider), { workloadId, releaseName, valuesOverride });
  await orchestrateNewestRun(db, instance.id);
  const row = await getInstance(as(provider), instance.id);
  expect(row.status).toBe("DEPLOYED");
  return row;
}

/** Running pods of the instance on its cluster (the simulated cluster's live state). */
async function pods(instanceId: string): Promise<number> {
  const row = await db.workloadInstance.findUniqueOrThrow({
    where: { id: instanceId },
    include: { cluster: true },
  });
  const tree = await driverFor(db, row.cluster!).deploymentTree(row.namespace);
  return tree.nodes.filter((n) => n.kind === "Pod").length;
}

async function deploymentName(instanceId: string): Promise<string> {
  const manifests = await instanceManifests(as(provider), instanceId);
  const deployment = manifests.find((m) => m.kind === "Deployment");
  if (!deployment) throw new Error("the chart renders no Deployment");
  return deployment.name;
}

beforeAll(async () => {
  db = demo.db;
  provider = await makeUser(db, [Role.SERVICE_PROVIDER]);
  provider2 = await makeUser(db, [Role.SERVICE_PROVIDER]);
  admin = await makeUser(db, [Role.NEMO_ADMIN]);
  workloadId = await acceptedMychartWorkload(db, provider, "shop");
});

describe("an upgrade of a running instance", () => {
  it("re-renders with the new values, shows the diff, applies it on its cluster and records it", async () => {
    const instance = await deployed("up", "replicaCount: 1\n");
    expect(await pods(instance.id)).toBe(1);
    const name = await deploymentName(instance.id);

    const preview = await previewInstanceChange(as(provider), instance.id, {
      valuesOverride: "replicaCount: 3\n",
    });
    expect(preview).toMatchObject({ changed: true, upgrade: true, valuesChanged: true });
    expect(preview.diff.objects.map((o) => [o.kind, o.name, o.change])).toEqual([
      ["Deployment", name, "changed"],
    ]);
    const lines = preview.diff.objects[0]!.lines.filter((l) => l.op !== "same").map(
      (l) => `${l.op} ${l.text}`,
    );
    expect(lines).toEqual(["removed   replicas: 1", "added   replicas: 3"]);
    // A preview stores nothing.
    expect((await getInstance(as(provider), instance.id)).status).toBe("DEPLOYED");

    const result = await changeInstance(as(provider), instance.id, { valuesOverride: "replicaCount: 3\n" });
    expect(result.instance).toMatchObject({ status: "DEPLOYING", isUpgrade: true });
    await orchestrateNewestRun(db, instance.id);
    const after = await getInstance(as(provider), instance.id, { revealSecrets: true });
    expect(after).toMatchObject({ status: "DEPLOYED", isUpgrade: true, replicas: 3 });
    expect(after.valuesOverride).toBe("replicaCount: 3\n");
    expect(after.cluster?.id).toBe(instance.cluster?.id);
    expect(await pods(instance.id)).toBe(3);

    const timeline = await instanceTimeline(as(provider), instance.id);
    expect(timeline.slice(0, 2).map((e) => e.type)).toEqual(["Deployment", "Upgrade"]);
    expect(timeline[1]!.message).toBe(`new values override by ${provider.username} (1 changed)`);
  });

  it("moves to another version of the same workload, and refuses another workload's", async () => {
    const instance = await deployed("version");
    const current = await db.workload.findUniqueOrThrow({ where: { id: workloadId } });
    const next = await createWorkload(as(provider), {
      name: current.name,
      version: "1.1.0",
      supportedIntents: ["Availability", "GreenEnergy"],
    });
    await uploadChart(as(provider), next.id, await packChartDirectory(MYCHART_DIR));

    const result = await changeInstance(as(provider), instance.id, { workloadId: next.id });
    expect(result).toMatchObject({
      changed: true,
      upgrade: true,
      from: { workloadId, version: "1.0.0" },
      to: { workloadId: next.id, version: "1.1.0" },
    });
    await orchestrateNewestRun(db, instance.id);
    const after = await getInstance(as(provider), instance.id);
    expect(after).toMatchObject({ status: "DEPLOYED", workloadId: next.id, workload: { version: "1.1.0" } });
    const events = await instanceTimeline(as(provider), instance.id);
    expect(events.find((e) => e.type === "Upgrade")?.message).toContain("version 1.0.0 → 1.1.0");

    const other = await acceptedMychartWorkload(db, provider, "other");
    const refused = await failure(changeInstance(as(provider), instance.id, { workloadId: other }));
    expect(refused).toMatchObject({ kind: "not_found", field: "workloadId" });
  });

  it("changes nothing when the new manifests are the current ones", async () => {
    const instance = await deployed("same", "replicaCount: 2\n");
    const result = await changeInstance(as(provider), instance.id, { valuesOverride: "replicaCount: 2\n" });
    expect(result.changed).toBe(false);
    expect(result.instance.status).toBe("DEPLOYED");
    expect((await instanceTimeline(as(provider), instance.id)).map((e) => e.type)).not.toContain("Upgrade");
  });
});

describe("scaling by hand", () => {
  it("sets a Deployment's replicas and the simulated cluster runs that many pods", async () => {
    const instance = await deployed("scale");
    const name = await deploymentName(instance.id);
    const result = await changeInstance(as(provider), instance.id, {
      replicas: [{ kind: "Deployment", name, replicas: 4 }],
    });
    expect(result).toMatchObject({ changed: true, upgrade: false, instance: { status: "DEPLOYING" } });
    await orchestrateNewestRun(db, instance.id);
    expect(await pods(instance.id)).toBe(4);
    expect((await getInstance(as(provider), instance.id)).replicas).toBe(4);
    const scaling = (await instanceTimeline(as(provider), instance.id)).find((e) => e.type === "Scaling");
    expect(scaling?.message).toBe(`Deployment ${name} to 4 replica(s) by ${provider.username} (1 changed)`);
    // The stored manifests carry it: a re-apply keeps the hand-set count.
    const stored = await instanceManifests(as(provider), instance.id);
    expect(stored.find((m) => m.kind === "Deployment")?.content).toContain("replicas: 4");

    const unknown = await failure(
      changeInstance(as(provider), instance.id, { replicas: [{ kind: "StatefulSet", name, replicas: 2 }] }),
    );
    expect(unknown).toMatchObject({ kind: "invalid", field: "replicas.0.name" });
  });

  it("is resumed after a crash between storing the change and applying it", async () => {
    const instance = await deployed("crash");
    const name = await deploymentName(instance.id);
    await changeInstance(as(provider), instance.id, {
      replicas: [{ kind: "Deployment", name, replicas: 2 }],
    });
    // The orchestrator died before handling the message: the reconciler drives it again.
    const later = new Date(Date.now() + 10 * 60_000);
    expect(await redriveStuckInstances(db, { now: later })).toBeGreaterThanOrEqual(1);
    await orchestrateNewestRun(db, instance.id);
    expect((await getInstance(as(provider), instance.id)).status).toBe("DEPLOYED");
    expect(await pods(instance.id)).toBe(2);
  });
});

describe("a retry", () => {
  it("places a FAILED instance again once a cluster can take it", async () => {
    const instance = await createInstance(as(provider), {
      workloadId,
      releaseName: "retry",
      intent: {
        intentType: "Availability",
        targets: [{ targetName: "availability", targetCondition: "IS_GREATER_THAN", targetValue: 99.95 }],
      },
    });
    await orchestrateNewestRun(db, instance.id);
    expect((await getInstance(as(provider), instance.id)).status).toBe("FAILED");

    // A cluster now offers what the intent needs.
    const cluster = await db.cluster.update({
      where: { name: "staging-onelab" },
      data: { availabilityPct: 99.99 },
    });
    const retried = await retryInstance(as(provider), instance.id);
    expect(retried).toMatchObject({ status: "RENDERED", statusReason: null });
    await orchestrateNewestRun(db, instance.id);
    const after = await getInstance(as(provider), instance.id);
    expect(after).toMatchObject({ status: "DEPLOYED", cluster: { name: cluster.name } });
    const types = (await instanceTimeline(as(provider), instance.id)).map((e) => e.type);
    expect(types.slice(0, 3)).toEqual(["Deployment", "Placement", "Retry"]);
  });

  it("is refused for an instance that did not fail", async () => {
    const instance = await deployed("fine");
    const refused = await failure(retryInstance(as(provider), instance.id));
    expect(refused.kind).toBe("conflict");
    expect(refused.message).toBe(`Instance fine is DEPLOYED; only a FAILED instance can be retried.`);
  });
});

describe("who may change or retry", () => {
  it("hides another tenant's instance, lets an admin act, and refuses a change while not DEPLOYED", async () => {
    const instance = await deployed("tenant");
    const name = await deploymentName(instance.id);
    const change = { replicas: [{ kind: "Deployment" as const, name, replicas: 2 }] };
    expect((await failure(changeInstance(as(provider2), instance.id, change))).kind).toBe("not_found");
    expect((await failure(previewInstanceChange(as(provider2), instance.id, change))).kind).toBe("not_found");
    expect((await failure(retryInstance(as(provider2), instance.id))).kind).toBe("not_found");

    const byAdmin = await changeInstance(as(admin), instance.id, change);
    expect(byAdmin.instance.status).toBe("DEPLOYING");
    const busy = await failure(changeInstance(as(provider), instance.id, change));
    expect(busy).toMatchObject({ kind: "conflict" });
    expect(busy.message).toBe("Instance tenant is DEPLOYING; only a DEPLOYED instance can be changed.");
  });
});

describe("a proposed cluster (issue 13)", () => {
  const above95 = {
    intentType: "Availability",
    targets: [{ targetName: "availability", targetValue: 95 }],
  };

  it("is a preference: an instance goes elsewhere when it cannot meet the intents there", async () => {
    const instance = await createInstance(as(provider), {
      workloadId,
      releaseName: "prefer",
      clusterName: "k3s-onelab",
      intent: above95,
    });
    // The template's condition defaulted to the catalogue's: availability of at least 95 %.
    const intent = await db.intent.findFirstOrThrow({ where: { instanceId: instance.id } });
    expect(JSON.stringify(intent.body)).toContain("IS_EQUAL_TO_OR_GREATER_THAN");
    await orchestrateNewestRun(db, instance.id);
    const placed = await getInstance(as(provider), instance.id);
    expect(placed.status).toBe("DEPLOYED");
    // k3s-onelab offers 95 %: it meets "at least 95 %" and, preferred, wins.
    expect(placed.cluster?.name).toBe("k3s-onelab");

    const strict = await createInstance(as(provider), {
      workloadId,
      releaseName: "prefer-strict",
      clusterName: "dev-onelab",
      intent: above95,
    });
    await orchestrateNewestRun(db, strict.id);
    const elsewhere = await getInstance(as(provider), strict.id);
    expect(elsewhere.status).toBe("DEPLOYED");
    expect(elsewhere.cluster?.name).not.toBe("dev-onelab");
  });

  it("is a hard requirement when pinned: the instance fails when that cluster cannot take it", async () => {
    const instance = await createInstance(as(provider), {
      workloadId,
      releaseName: "pinned",
      clusterName: "dev-onelab",
      pinProposedCluster: true,
      intent: above95,
    });
    expect(instance.pinProposedCluster).toBe(true);
    await orchestrateNewestRun(db, instance.id);
    const failed = await getInstance(as(provider), instance.id);
    expect(failed.status).toBe("FAILED");
    expect(failed.statusReason).toMatch(/^Proposed cluster dev-onelab was rejected/);
  });
});
