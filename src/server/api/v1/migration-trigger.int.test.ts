import { randomInt } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "@/server/api/root";
import { Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth/session";
import { handleIntentNotify, type MigrationRow } from "@/server/cluster-migration";
import { createDb, type Db } from "@/server/db/client";
import { captureLogs } from "@/server/testing/bus";
import { contextFor, makeCluster, makeDeployedInstance, makeUser, uniq } from "@/server/testing/factories";
import { sessionCookie } from "@/server/testing/session-cookie";
import { listMigrationsRest } from "./migration";

/*
 * Issue 13, bug 11: the Orchestration table's Reason said "—" for an
 * intent-triggered migration. The controller now records which intent, which
 * report and which target the source cluster failed (with the value it
 * offered); tRPC and REST rows carry it as `trigger`, "Migrate now" says who
 * asked, and an infrastructure provider learns only that an intent triggered it.
 *
 * The controller runs in-process on the run's shared database; the intent
 * also asks for a cpu base rate only this file's clusters have, so the
 * migration cannot land on another file's cluster.
 */

let db: Db;
let admin: SessionUser;
let owner: SessionUser;
let otherOwner: SessionUser;
let infra: SessionUser;
let otherInfra: SessionUser;
const tag = uniq("mtrig");
const weak = `${tag}-weak`;
const strong = `${tag}-strong`;
const rate = 100_000 + randomInt(900_000);
const BASE = "http://localhost:3999";
const cookies = new Map<string, string>();
const { logger: log } = captureLogs();

let instanceId: string;
let intentId: string;
let reportId: string;
let migrationId: string;

const caller = (user: SessionUser) => createCaller(contextFor(db, user));

async function restRows(user: SessionUser, query: string): Promise<MigrationRow[]> {
  const response = await listMigrationsRest(
    new Request(`${BASE}/api/v1/migration/?${query}`, {
      headers: { cookie: cookies.get(user.id) ?? "", origin: BASE },
    }),
    { params: Promise.resolve({}) },
  );
  expect(response.status).toBe(200);
  return ((await response.json()) as { items: MigrationRow[] }).items;
}

beforeAll(async () => {
  db = createDb(process.env.DATABASE_URL);
  admin = await makeUser(db, [Role.NEMO_ADMIN]);
  owner = await makeUser(db, [Role.SERVICE_PROVIDER]);
  otherOwner = await makeUser(db, [Role.SERVICE_PROVIDER]);
  infra = await makeUser(db, [Role.INFRASTRUCTURE_PROVIDER]);
  otherInfra = await makeUser(db, [Role.INFRASTRUCTURE_PROVIDER]);
  for (const user of [admin, owner, otherOwner, infra, otherInfra])
    cookies.set(user.id, `next-auth.session-token=${await sessionCookie(user)}`);
  // Both clusters are infra's: even a provider who may name both ends learns nothing of the tenant's intent.
  for (const [name, availabilityPct] of [
    [weak, "90.00"],
    [strong, "99.90"],
  ] as const) {
    const cluster = await makeCluster(db, infra, name);
    await db.cluster.update({
      where: { id: cluster.id },
      data: { status: "OK", availabilityPct, cpuBaseRate: rate },
    });
  }
  instanceId = (await makeDeployedInstance(db, owner, weak, uniq(`${tag}-wl`))).id;
  const intent = await db.intent.create({
    data: {
      intentType: "Availability",
      instanceId,
      ownerId: owner.id,
      body: {
        intentExpectations: [
          {
            expectationId: "1",
            expectationTargets: [
              {
                targetName: "availability",
                targetCondition: "IS_EQUAL_TO_OR_GREATER_THAN",
                targetValueRange: 95,
              },
              { targetName: "cpuBaseRate", targetCondition: "IS_EQUAL_TO", targetValueRange: rate },
            ],
          },
        ],
      },
    },
  });
  intentId = intent.id;
  // What the evaluator stores before it announces "violated".
  const report = await db.intentReport.create({
    data: {
      intentId,
      fulfilmentStatus: "NOT_FULFILLED",
      notFulfilledState: "ACKNOWLEDGED",
      notFulfilledReasons: ["availability offers 90 %, needs at least 95 %"],
      feasibility: "FEASIBLE",
      targetResults: [],
    },
  });
  reportId = String(report.id);
  const outcome = await db.$transaction((tx) =>
    handleIntentNotify(
      tx,
      { Type: "intent", IntentID: intentId, WorkloadID: instanceId, Action: "violated" },
      { log, stepTimeoutMs: 60_000 },
    ),
  );
  expect(outcome).toMatchObject({ kind: "triggered", source: weak, target: strong });
  if (outcome.kind === "triggered") migrationId = outcome.migrationId;
});

afterAll(async () => {
  await db.$disconnect();
});

describe("an intent-triggered migration's trigger", () => {
  it("names the intent, its report and the target the source failed with the observed value (tRPC)", async () => {
    const { items } = await caller(admin).migration.list({ instanceId });
    expect(items.map((m) => m.id)).toEqual([migrationId]);
    expect(items[0]?.intentId).toBe(intentId);
    expect(items[0]?.trigger).toEqual({
      kind: "intent",
      intentId,
      intentType: "Availability",
      action: "violated",
      reportId,
      target: {
        name: "availability",
        condition: "IS_EQUAL_TO_OR_GREATER_THAN",
        value: 95,
        unit: "%",
        observed: 90,
      },
      requestedBy: null,
      summary: `Availability intent ${intentId.slice(0, 8)}…: availability needs at least 95 %, observed 90 %`,
      detailsHidden: false,
    });
    // The owner sees it in full too, on the instance's tab as in the table.
    const mine = await caller(owner).migration.forInstance({ instanceId });
    expect(mine[0]?.trigger).toEqual(items[0]?.trigger);
  });

  it("answers the same over REST GET /api/v1/migration/", async () => {
    const [row] = await restRows(admin, `instanceId=${instanceId}`);
    const [trpc] = (await caller(admin).migration.list({ instanceId })).items;
    expect(row?.trigger).toEqual(JSON.parse(JSON.stringify(trpc?.trigger)));
    expect(row?.trigger?.summary).toContain("availability needs at least 95 %, observed 90 %");
  });

  it("tells an infrastructure provider only that an intent triggered it, even with both clusters theirs", async () => {
    const expected = {
      kind: "intent",
      intentId: null,
      intentType: null,
      action: null,
      reportId: null,
      target: null,
      requestedBy: null,
      summary: "Intent-triggered",
      detailsHidden: true,
    };
    const [trpc] = (await caller(infra).migration.list({ cluster: weak })).items;
    const [rest] = await restRows(infra, `cluster=${weak}`);
    const [tab] = await caller(infra).migration.forInstance({ instanceId });
    for (const row of [trpc, rest, tab]) {
      expect(row?.id).toBe(migrationId);
      expect(row?.sourceCluster).toBe(weak);
      expect(row?.targetCluster).toBe(strong);
      expect(row?.trigger).toEqual(expected);
      expect(row?.intentId).toBeNull();
      // Not in the step texts either ("requested (intent <id> violated)").
      expect(JSON.stringify(row)).not.toContain(intentId);
      expect(row?.steps[0]?.message).toContain("(an intent violated)");
    }
    // Another provider's instance stays out of reach as before.
    expect((await caller(otherInfra).migration.list({ instanceId })).items).toEqual([]);
    expect((await caller(otherOwner).migration.list({ instanceId })).items).toEqual([]);
  });
});

describe("a Migrate now's trigger", () => {
  it("says who asked", async () => {
    // The intent's migration is still in flight: end it so the instance can move again.
    await db.migration.update({
      where: { id: migrationId },
      data: { state: "FAILED", activeInstanceId: null },
    });
    await db.workloadInstance.update({ where: { id: instanceId }, data: { status: "DEPLOYED" } });
    const row = await caller(admin).migration.request({ instanceId, targetCluster: strong });
    expect(row.trigger).toMatchObject({
      kind: "request",
      intentId: null,
      requestedBy: admin.username,
      summary: `Requested by ${admin.username}`,
      detailsHidden: false,
    });
    // An infrastructure provider sees who asked (an admin, not the tenant's data).
    const [seen] = (await caller(infra).migration.list({ instanceId, search: row.id })).items;
    expect(seen?.trigger?.summary).toBe(`Requested by ${admin.username}`);
  });
});
