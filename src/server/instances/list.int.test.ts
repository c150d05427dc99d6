import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Prisma } from "@/generated/prisma/client";
import { Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth/session";
import { createDb, pageWindow, type Db } from "@/server/db";
import { makeCluster, makeUser, makeWorkload } from "@/server/testing/factories";
import { instanceListInput, listInstances, type InstanceListInput } from "./list";

/**
 * The instance list is one hand-written statement (src/server/db/rows.ts).
 * Its answers are compared with the same query written for the ORM — the
 * list's implementation before it — over every sort, both directions and the
 * filters, plus what the ORM version got wrong or never had to answer.
 */

let db: Db;
let provider: SessionUser;
let provider2: SessionUser;
let admin: SessionUser;
let workloadIds: number[] = [];
const tag = `t${randomBytes(3).toString("hex")}`;

beforeAll(async () => {
  db = createDb();
  provider = await makeUser(db, [Role.SERVICE_PROVIDER], `owner-b-${tag}`);
  provider2 = await makeUser(db, [Role.SERVICE_PROVIDER], `owner-a-${tag}`);
  admin = await makeUser(db, [Role.NEMO_ADMIN]);
  const alpha = await makeWorkload(db, provider, { name: `alpha-${tag}`, version: "1.2.0" });
  const alphaNext = await makeWorkload(db, provider, { name: `alpha-${tag}`, version: "1.10.0" });
  const beta = await makeWorkload(db, provider, { name: `beta-${tag}` });
  const other = await makeWorkload(db, provider2, { name: `gamma-${tag}` });
  workloadIds = [alpha.id, alphaNext.id, beta.id, other.id];
  const infra = await makeUser(db, [Role.INFRASTRUCTURE_PROVIDER]);
  const east = await makeCluster(db, infra, `east-${tag}`);
  const west = await makeCluster(db, infra, `west-${tag}`);
  const statuses = ["DEPLOYED", "DELETED", "FAILED", "RENDERED", "DEPLOYED", "MIGRATING"] as const;
  const base = Date.UTC(2026, 0, 5, 9, 0, 0);
  const rows: Prisma.WorkloadInstanceCreateManyInput[] = [];
  for (let i = 0; i < 23; i++) {
    const shortId = randomBytes(4).toString("hex").slice(0, 7);
    const status = statuses[i % statuses.length] ?? "DEPLOYED";
    rows.push({
      shortId,
      releaseName: `rel-${tag}-${String(i).padStart(2, "0")}${i === 8 ? "_x%" : ""}`,
      workloadId: [alpha.id, alphaNext.id, beta.id][i % 3] ?? alpha.id,
      ownerId: provider.id,
      // Some not placed yet: null cluster names sort last ascending, first descending.
      clusterId: i % 4 === 0 ? null : i % 4 === 1 ? east.id : west.id,
      namespace: `ns-${shortId}`,
      status,
      statusReason: status === "FAILED" ? "image pull back-off" : null,
      driftStatus: i % 2 === 0 ? "in_sync" : "drifted",
      // Pairs share a creation time: the id decides between them.
      createdAt: new Date(base + Math.floor(i / 2) * 60_000),
    });
  }
  const shortId = randomBytes(4).toString("hex").slice(0, 7);
  rows.push({
    shortId,
    releaseName: `rel-${tag}-theirs`,
    workloadId: other.id,
    ownerId: provider2.id,
    namespace: `ns-${shortId}`,
    status: "DEPLOYED",
    createdAt: new Date(base),
  });
  await db.workloadInstance.createMany({ data: rows });
});

afterAll(async () => {
  await db.$disconnect();
});

/** The list as the ORM wrote it (the implementation before the hand-written statement). */
async function reference(user: SessionUser, input: InstanceListInput) {
  const query = instanceListInput.parse(input);
  const isAdmin = user.roles.includes(Role.NEMO_ADMIN);
  const where: Prisma.WorkloadInstanceWhereInput = {
    ...(isAdmin ? {} : { ownerId: user.id }),
    ...(query.status
      ? { status: query.status }
      : query.showInactive
        ? {}
        : { status: { not: "DELETED" as const } }),
    ...(query.workloadId !== undefined ? { workloadId: query.workloadId } : {}),
    ...(query.search
      ? {
          OR: [
            { releaseName: { contains: query.search, mode: "insensitive" as const } },
            { shortId: { contains: query.search, mode: "insensitive" as const } },
            { cluster: { name: { contains: query.search, mode: "insensitive" as const } } },
            { workload: { name: { contains: query.search, mode: "insensitive" as const } } },
          ],
        }
      : {}),
  };
  const dir = query.direction;
  const byRelation: Partial<Record<string, Prisma.WorkloadInstanceOrderByWithRelationInput[]>> = {
    cluster: [{ cluster: { name: dir } }],
    workload: [{ workload: { name: dir } }, { workload: { version: dir } }],
    owner: [{ owner: { username: dir } }],
  };
  const [total, rows] = await db.$transaction([
    db.workloadInstance.count({ where }),
    db.workloadInstance.findMany({
      where,
      orderBy: [...(byRelation[query.sort] ?? [{ [query.sort]: dir }]), { id: dir }],
      ...pageWindow(query),
      select: {
        id: true,
        shortId: true,
        releaseName: true,
        workloadId: true,
        status: true,
        statusReason: true,
        createdAt: true,
        driftStatus: true,
        cluster: { select: { name: true } },
        workload: { select: { name: true, version: true } },
        owner: { select: { username: true } },
      },
    }),
  ]);
  return {
    items: rows.map(({ cluster, workload, owner, driftStatus, ...row }) => ({
      ...row,
      drift: row.status === "DEPLOYED" ? driftStatus : null,
      workload: `${workload.name} ${workload.version}`,
      workloadName: workload.name,
      workloadVersion: workload.version,
      owner: owner.username,
      cluster: cluster?.name ?? null,
    })),
    total,
    page: query.page,
    pageSize: query.pageSize,
  };
}

const SORTS = [
  "createdAt",
  "shortId",
  "releaseName",
  "workloadId",
  "status",
  "cluster",
  "id",
  "workload",
  "owner",
] as const;

describe("the instance list statement", () => {
  it("answers what the ORM answered, for every sort and direction, on every page", async () => {
    for (const sort of SORTS) {
      for (const direction of ["asc", "desc"] as const) {
        for (const page of [1, 2, 3]) {
          const input = { sort, direction, page, pageSize: 10 } as const;
          expect(await listInstances({ db, user: provider }, input), `${sort} ${direction} ${page}`).toEqual(
            await reference(provider, input),
          );
        }
      }
    }
  });

  it("answers what the ORM answered with filters and searches", async () => {
    const inputs: InstanceListInput[] = [
      { showInactive: true, pageSize: 50 },
      { status: "DELETED", pageSize: 50 },
      { status: "FAILED", sort: "cluster", direction: "desc" },
      { workloadId: workloadIds[1], pageSize: 25 },
      { search: `ALPHA-${tag}`, pageSize: 50, showInactive: true },
      { search: `east-${tag}`, sort: "workload" },
      { search: `${tag}-1`, sort: "releaseName", direction: "desc" },
    ];
    for (const input of inputs) {
      expect(await listInstances({ db, user: provider }, input), JSON.stringify(input)).toEqual(
        await reference(provider, input),
      );
    }
    // An admin reads across owners (narrowed to this test's rows by the search).
    for (const sort of ["owner", "workload", "createdAt"] as const) {
      const input = { search: tag, sort, pageSize: 50 } as const;
      expect(await listInstances({ db, user: admin }, input)).toEqual(await reference(admin, input));
    }
  });

  it("keeps the total on a page past the end", async () => {
    const page = await listInstances({ db, user: provider }, { page: 9, pageSize: 10 });
    expect(page.items).toEqual([]);
    expect(page.total).toBe(19); // 23 minus the DELETED ones
  });

  it("searches for the text typed: % and _ match themselves", async () => {
    const percent = await listInstances({ db, user: provider }, { search: "_x%" });
    expect(percent.items.map((i) => i.releaseName)).toEqual([`rel-${tag}-08_x%`]);
    expect((await listInstances({ db, user: provider }, { search: "%" })).total).toBe(1);
    // No stored text holds a NUL (PostgreSQL refuses one as a parameter): nothing matches, no error.
    expect((await listInstances({ db, user: provider }, { search: "a\u0000b" })).total).toBe(0);
  });

  it("finds an instance by its whole id and a workload by its number, in scope only", async () => {
    const { items } = await listInstances({ db, user: provider }, { pageSize: 10 });
    const first = items[0];
    if (!first) throw new Error("expected instances");
    const byId = await listInstances({ db, user: provider }, { search: first.id.toUpperCase() });
    expect(byId.items.map((i) => i.id)).toEqual([first.id]);
    const number = String(workloadIds[2]);
    const byNumber = await listInstances({ db, user: provider }, { search: number, pageSize: 50 });
    // The workload's instances, and those whose text contains the digits.
    expect(byNumber.items.filter((i) => i.workloadId === workloadIds[2])).toHaveLength(7);
    for (const item of byNumber.items) {
      if (item.workloadId === workloadIds[2]) continue;
      expect([item.releaseName, item.shortId, item.cluster ?? "", item.workloadName].join(" ")).toContain(
        number,
      );
    }
    // Another tenant finds nothing of provider's, by id either.
    expect((await listInstances({ db, user: provider2 }, { search: first.id })).total).toBe(0);
    const theirs = await listInstances({ db, user: provider2 }, { pageSize: 50 });
    expect(theirs.items.map((i) => i.releaseName)).toEqual([`rel-${tag}-theirs`]);
  });
});
