import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Prisma } from "@/generated/prisma/client";
import { intentTypeDisplayName } from "@/common/intent-catalogue";
import { Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth/session";
import { createDb, pageWindow, type Db } from "@/server/db";
import { makeInstance, makeUser, makeWorkload } from "@/server/testing/factories";
import { intentDisplayState } from "./display-state";
import { intentListInput, latestReports, listIntents, targetsOf, type IntentListInput } from "./queries";

/**
 * The intent list is one hand-written statement (src/server/db/rows.ts): the
 * total, the page with instance and schedule, and each row's newest report.
 * Its answers are compared with the same list written for the ORM — the
 * implementation before it — over every sort, both directions and filters.
 */

let db: Db;
let provider: SessionUser;
let provider2: SessionUser;
let admin: SessionUser;
let instanceIds: string[] = [];
const tag = `t${randomBytes(3).toString("hex")}`;
const NOW = new Date(Date.UTC(2026, 0, 5, 12, 0, 0));
const clock = () => NOW.getTime();

beforeAll(async () => {
  db = createDb();
  provider = await makeUser(db, [Role.SERVICE_PROVIDER]);
  provider2 = await makeUser(db, [Role.SERVICE_PROVIDER]);
  admin = await makeUser(db, [Role.NEMO_ADMIN]);
  const workload = await makeWorkload(db, provider);
  const instances = await Promise.all([0, 1, 2].map(() => makeInstance(db, provider, workload.id)));
  instanceIds = instances.map((i) => i.id);
  const body = {
    intentExpectations: [
      {
        expectationId: "1",
        expectationTargets: [
          { targetName: "availability", targetCondition: "IS_GREATER_THAN", targetValueRange: "99" },
        ],
      },
    ],
  };
  const at = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);
  const types = ["Availability", "GreenEnergy", "Availability", "Cost"];
  for (let i = 0; i < 17; i++) {
    const intent = await db.intent.create({
      data: {
        intentType: types[i % types.length] ?? "Availability",
        externalId: i % 3 === 0 ? `ext-${tag}-${i}` : null,
        instanceId: instanceIds[i % 3] ?? "",
        ownerId: provider.id,
        adminState: i % 5 === 0 ? "DEACTIVATED" : "ACTIVATED",
        validFrom: i === 4 ? new Date(NOW.getTime() + 3600_000) : null,
        targetsChangedAt: i === 6 ? at(1) : null,
        deletedAt: i === 16 ? at(0) : null,
        body,
      },
    });
    // Reports for most: several, the newest decides; some share a time with the id as tie-break.
    if (i % 4 !== 3) {
      for (let k = 0; k < 3; k++) {
        await db.intentReport.create({
          data: {
            intentId: intent.id,
            fulfilmentStatus: (i + k) % 2 === 0 ? "FULFILLED" : "NOT_FULFILLED",
            notFulfilledState: (i + k) % 2 === 0 ? null : "ACKNOWLEDGED",
            notFulfilledReasons: [],
            feasibility: "FEASIBLE",
            targetResults: [],
            createdAt: at(i + (k === 2 ? 1 : k)),
          },
        });
      }
    }
    // Some schedules carry an evaluation and a report time (the "last updated" sort; nulls last).
    if (i % 3 !== 1) {
      await db.intentSchedule.update({
        where: { intentId: intent.id },
        data: {
          lastFulfilment: i % 2 === 0 ? "FULFILLED" : "NOT_FULFILLED",
          lastEvaluatedAt: at(2),
          lastReportedAt: i % 3 === 0 ? at(i % 4) : null,
        },
      });
    }
  }
  const theirs = await makeInstance(db, provider2, (await makeWorkload(db, provider2)).id);
  await db.intent.create({
    data: { intentType: "Availability", instanceId: theirs.id, ownerId: provider2.id, body },
  });
});

afterAll(async () => {
  await db.$disconnect();
});

/** The list as the ORM wrote it (the implementation before the hand-written statement). */
async function reference(user: SessionUser, input: IntentListInput) {
  const query = intentListInput.parse(input);
  const isAdmin = user.roles.includes(Role.NEMO_ADMIN);
  const where: Prisma.IntentWhereInput = {
    deletedAt: null,
    ...(isAdmin ? {} : { ownerId: user.id }),
    ...(query.instanceId ? { instanceId: query.instanceId } : {}),
    ...(query.search
      ? {
          OR: [
            { intentType: { contains: query.search, mode: "insensitive" as const } },
            { externalId: { contains: query.search, mode: "insensitive" as const } },
            { instance: { releaseName: { contains: query.search, mode: "insensitive" as const } } },
            { instance: { shortId: { contains: query.search, mode: "insensitive" as const } } },
          ],
        }
      : {}),
  };
  const dir = query.direction;
  const column = {
    id: "id",
    status: "adminState",
    intentType: "intentType",
    instanceId: "instanceId",
    lastUpdated: "updatedAt",
  } as const;
  const orderBy: Prisma.IntentOrderByWithRelationInput[] = [
    ...(query.sort === "lastUpdated"
      ? [{ schedule: { lastReportedAt: { sort: dir, nulls: "last" as const } } }]
      : []),
    { [column[query.sort]]: dir },
    { id: dir },
  ];
  const [total, rows] = await db.$transaction([
    db.intent.count({ where }),
    db.intent.findMany({
      where,
      orderBy,
      ...pageWindow(query),
      select: {
        id: true,
        externalId: true,
        intentType: true,
        instanceId: true,
        adminState: true,
        body: true,
        updatedAt: true,
        validFrom: true,
        validUntil: true,
        targetsChangedAt: true,
        instance: { select: { shortId: true, releaseName: true } },
        schedule: { select: { lastFulfilment: true, lastEvaluatedAt: true } },
      },
    }),
  ]);
  const latest = await latestReports(
    db,
    rows.map((r) => r.id),
  );
  return {
    items: rows.map((row) => {
      const report = latest.get(row.id);
      return {
        id: row.id,
        externalId: row.externalId,
        intentType: row.intentType,
        typeDisplayName: intentTypeDisplayName(row.intentType),
        instanceId: row.instanceId,
        instanceShortId: row.instance.shortId,
        releaseName: row.instance.releaseName,
        adminState: row.adminState,
        fulfilmentStatus: report?.fulfilmentStatus ?? row.schedule?.lastFulfilment ?? null,
        notFulfilledState: report?.notFulfilledState ?? null,
        feasibility: report?.feasibility ?? null,
        lastUpdatedTime: report?.createdAt ?? row.updatedAt,
        ...intentDisplayState({ ...row, lastEvaluatedAt: row.schedule?.lastEvaluatedAt ?? null }, NOW),
        targets: targetsOf(row.intentType, row.body),
      };
    }),
    total,
    page: query.page,
    pageSize: query.pageSize,
  };
}

const SORTS = ["id", "status", "intentType", "instanceId", "lastUpdated"] as const;

describe("the intent list statement", () => {
  it("answers what the ORM answered, for every sort and direction, on every page", async () => {
    for (const sort of SORTS) {
      for (const direction of ["asc", "desc"] as const) {
        for (const page of [1, 2]) {
          const input = { sort, direction, page, pageSize: 10 } as const;
          expect(
            await listIntents({ db, user: provider, clock }, input),
            `${sort} ${direction} ${page}`,
          ).toEqual(await reference(provider, input));
        }
      }
    }
  });

  it("answers what the ORM answered with filters and searches, an admin's included", async () => {
    const inputs: IntentListInput[] = [
      { instanceId: instanceIds[1], pageSize: 50 },
      { search: "green", sort: "lastUpdated", direction: "desc" },
      { search: `EXT-${tag}`, pageSize: 25 },
      { search: "cost", instanceId: instanceIds[0] },
      { page: 5 },
    ];
    for (const input of inputs) {
      expect(await listIntents({ db, user: provider, clock }, input), JSON.stringify(input)).toEqual(
        await reference(provider, input),
      );
    }
    const input = { instanceId: instanceIds[2], sort: "lastUpdated", pageSize: 50 } as const;
    expect(await listIntents({ db, user: admin, clock }, input)).toEqual(await reference(admin, input));
  });

  it("shows the newest report, scheduled and re-evaluating intents, and no deleted ones", async () => {
    const { items, total } = await listIntents({ db, user: provider, clock }, { pageSize: 50 });
    expect(total).toBe(16);
    expect(items.filter((i) => i.scheduledFrom !== null)).toHaveLength(1);
    expect(items.filter((i) => i.reevaluating)).toHaveLength(1);
    expect(items.every((i) => i.targets[0]?.targetName === "availability")).toBe(true);
  });

  it("keeps tenants apart, by id search too", async () => {
    const mine = await listIntents({ db, user: provider, clock }, { pageSize: 10 });
    const first = mine.items[0];
    if (!first) throw new Error("expected intents");
    expect(
      (await listIntents({ db, user: provider, clock }, { search: first.id })).items.map((i) => i.id),
    ).toEqual([first.id]);
    expect((await listIntents({ db, user: provider2, clock }, { search: first.id })).total).toBe(0);
    expect((await listIntents({ db, user: provider2, clock }, { pageSize: 50 })).total).toBe(1);
    // A NUL in the search matches no text (PostgreSQL refuses it as a parameter), without an error.
    expect((await listIntents({ db, user: provider, clock }, { search: "\u0000" })).total).toBe(0);
  });
});
