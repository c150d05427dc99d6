import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter, createCaller } from "@/server/api/root";
import { Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth/session";
import { createDb, type Db } from "@/server/db/client";
import { contextFor, makeCluster, makeDeployedInstance, makeUser, uniq } from "@/server/testing/factories";
import { trpcRejection } from "@/server/testing/rejection";

/*
 * The migration router on a real database: who may list, read, judge and
 * request migrations, and tenants kept apart. Migrations are started through
 * `request` (the domain's startMigration: REQUESTED, instance MIGRATING,
 * backup command in the outbox); no agent runs here, so they stay in flight
 * unless a test moves them on in the database.
 */

let db: Db;
let admin: SessionUser;
let provider: SessionUser;
let provider2: SessionUser;
let infra: SessionUser;
let otherInfra: SessionUser;
let nobody: SessionUser;
const tag = uniq("mig");
const source = `${tag}-source`;
const target = `${tag}-target`;
const down = `${tag}-down`;
let instanceId: string;
let idleInstanceId: string;
let theirInstanceId: string;

const caller = (user: SessionUser | null) => createCaller(contextFor(db, user));

const rejection = trpcRejection;

const deployedInstance = async (owner: SessionUser, cluster: string): Promise<string> =>
  (await makeDeployedInstance(db, owner, cluster, uniq(`${tag}-wl`))).id;

beforeAll(async () => {
  db = createDb(process.env.DATABASE_URL);
  admin = await makeUser(db, [Role.NEMO_ADMIN]);
  provider = await makeUser(db, [Role.SERVICE_PROVIDER]);
  provider2 = await makeUser(db, [Role.SERVICE_PROVIDER]);
  infra = await makeUser(db, [Role.INFRASTRUCTURE_PROVIDER]);
  otherInfra = await makeUser(db, [Role.INFRASTRUCTURE_PROVIDER]);
  nobody = await makeUser(db, []);
  // The source and the target belong to `infra`; `down` (ERROR) to nobody in particular.
  for (const [name, owner, status] of [
    [source, infra, "OK"],
    [target, infra, "OK"],
    [down, otherInfra, "ERROR"],
  ] as const) {
    const cluster = await makeCluster(db, owner, name);
    await db.cluster.update({ where: { id: cluster.id }, data: { status } });
  }
  instanceId = await deployedInstance(provider, source);
  idleInstanceId = await deployedInstance(provider, source);
  theirInstanceId = await deployedInstance(provider2, source);
});

afterAll(async () => {
  await db.$disconnect();
});

describe("migration.options", () => {
  it("judges every cluster for an admin: the current one, the skipped, the eligible", async () => {
    const options = await caller(admin).migration.options({ instanceId });
    expect(options.currentCluster).toBe(source);
    expect(options.currentMeetsTargets).toBe(true);
    expect(options.canRequest).toBe(true);
    const verdicts = Object.fromEntries(options.evaluations.map((e) => [e.cluster, e.verdict]));
    expect(verdicts[source]).toBe("current");
    expect(verdicts[down]).toBe("skipped");
    expect(["eligible", "chosen"]).toContain(verdicts[target]);
    expect(options.evaluations[0]?.cluster).toBe(source);
    expect(options.evaluations.find((e) => e.cluster === down)?.message).toContain("ERROR");
  });

  it("is for admins only: providers get FORBIDDEN, even for their own instance", async () => {
    for (const user of [provider, provider2, infra]) {
      const error = await rejection(caller(user).migration.options({ instanceId }));
      expect(error.code).toBe("FORBIDDEN");
      expect(error.message).toBe("This needs the nemo-admin role.");
    }
    expect((await rejection(caller(nobody).migration.options({ instanceId }))).code).toBe("FORBIDDEN");
    expect((await rejection(caller(null).migration.options({ instanceId }))).code).toBe("UNAUTHORIZED");
  });

  it("answers NOT_FOUND for what is not an instance", async () => {
    const error = await rejection(caller(admin).migration.options({ instanceId: "not-an-id" }));
    expect(error.code).toBe("NOT_FOUND");
  });
});

describe("migration.request", () => {
  it("is for admins only", async () => {
    for (const user of [provider, provider2, infra, nobody]) {
      const error = await rejection(caller(user).migration.request({ instanceId, targetCluster: target }));
      expect(error.code).toBe("FORBIDDEN");
    }
    expect(await db.migration.count({ where: { instanceId } })).toBe(0);
  });

  it("refuses a target that does not qualify, naming the field", async () => {
    for (const targetCluster of [source, down, `${tag}-nowhere`]) {
      const error = await rejection(caller(admin).migration.request({ instanceId, targetCluster }));
      expect(error.code).toBe("BAD_REQUEST");
      expect((error.cause as { field?: string }).field).toBe("targetCluster");
    }
    // The form reads the field from the error's data over the wire.
    const response = await fetchRequestHandler({
      endpoint: "/api/trpc",
      router: appRouter,
      createContext: () => contextFor(db, admin),
      req: new Request("http://localhost/api/trpc/migration.request", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ json: { instanceId, targetCluster: down } }),
      }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { json: { data: { field: string } } } };
    expect(body.error.json.data.field).toBe("targetCluster");
  });

  it("starts the migration: REQUESTED, the instance MIGRATING, one in flight at a time", async () => {
    const row = await caller(admin).migration.request({ instanceId, targetCluster: target });
    expect(row).toMatchObject({
      instanceId,
      sourceCluster: source,
      targetCluster: target,
      state: "REQUESTED",
      active: true,
      requestedBy: admin.username,
      intentId: null,
    });
    expect(row.steps).toEqual([expect.objectContaining({ state: "REQUESTED", cluster: source })]);
    const instance = await db.workloadInstance.findUniqueOrThrow({ where: { id: instanceId } });
    expect(instance.status).toBe("MIGRATING");

    const again = await rejection(caller(admin).migration.request({ instanceId, targetCluster: target }));
    expect(again.code).toBe("CONFLICT");
    const options = await caller(admin).migration.options({ instanceId });
    expect(options.canRequest).toBe(false);
    expect(options.activeMigration).toMatchObject({ id: row.id, state: "REQUESTED", targetCluster: target });
  });
});

describe("migration.forInstance and migration.list", () => {
  let theirs: string;
  let done: string;

  beforeAll(async () => {
    theirs = (await caller(admin).migration.request({ instanceId: theirInstanceId, targetCluster: target }))
      .id;
    // An older, finished migration of the idle instance (as the agents and the MO would leave it).
    const started = await caller(admin).migration.request({
      instanceId: idleInstanceId,
      targetCluster: target,
    });
    done = started.id;
    const at = (s: number) => new Date(Date.now() - 60_000 + s * 1_000).toISOString();
    await db.migration.update({
      where: { id: done },
      data: {
        state: "ROLLED_BACK",
        reason: "restore timed out",
        activeInstanceId: null,
        stepDeadline: null,
        createdAt: new Date(Date.now() - 60_000),
        steps: [
          { state: "REQUESTED", at: at(0), message: "requested", cluster: source },
          { state: "BACKING_UP", at: at(1), message: "backing up", cluster: source },
          { state: "ROLLED_BACK", at: at(9), message: "rolled back: restore timed out", cluster: target },
        ],
      },
    });
    await db.workloadInstance.update({ where: { id: idleInstanceId }, data: { status: "DEPLOYED" } });
  });

  it("shows a provider their instance's migrations, newest first, and no one else's", async () => {
    const mine = await caller(provider).migration.forInstance({ instanceId });
    expect(mine.map((m) => m.state)).toEqual(["REQUESTED"]);
    expect(mine[0]).toMatchObject({
      releaseName: expect.any(String) as unknown,
      instanceShortId: expect.any(String) as unknown,
    });

    const page = await caller(provider).migration.list({ search: tag, pageSize: 50 });
    const ids = page.items.map((m) => m.id);
    expect(ids).not.toContain(theirs);
    expect(page.items.every((m) => [instanceId, idleInstanceId].includes(m.instanceId))).toBe(true);
    expect(page.total).toBe(2);
  });

  it("keeps provider2 out of provider's migrations, even by id", async () => {
    const error = await rejection(caller(provider2).migration.forInstance({ instanceId }));
    expect(error.code).toBe("NOT_FOUND");
    const page = await caller(provider2).migration.list({ instanceId, pageSize: 50 });
    expect(page).toMatchObject({ items: [], total: 0 });
    const theirsPage = await caller(provider2).migration.list({ pageSize: 50, search: tag });
    expect(theirsPage.items.map((m) => m.id)).toEqual([theirs]);
  });

  it("shows an admin every migration, filtered by state, cluster and instance", async () => {
    const all = await caller(admin).migration.list({ cluster: target, pageSize: 50 });
    expect(all.items.map((m) => m.id)).toEqual(expect.arrayContaining([theirs, done]));
    const rolledBack = await caller(admin).migration.list({
      state: "ROLLED_BACK",
      cluster: source,
      pageSize: 50,
    });
    expect(rolledBack.items.map((m) => m.id)).toEqual([done]);
    expect(rolledBack.items[0]).toMatchObject({ reason: "restore timed out", active: false });
    const one = await caller(admin).migration.list({ instanceId: idleInstanceId });
    expect(one.items.map((m) => m.id)).toEqual([done]);
    // Sorted on request: oldest first puts the finished one ahead of the two in flight.
    const oldest = await caller(admin).migration.list({ search: tag, sort: "createdAt", direction: "asc" });
    expect(oldest.items[0]?.id).toBe(done);
  });

  it("shows an infrastructure provider the migrations touching their clusters only", async () => {
    const seen = await caller(infra).migration.list({ search: tag, pageSize: 50 });
    expect(seen.total).toBe(3);
    const other = await caller(otherInfra).migration.list({ search: tag, pageSize: 50 });
    expect(other.total).toBe(0);
  });

  it("refuses a user without a console role and a signed-out caller", async () => {
    expect((await rejection(caller(nobody).migration.list({}))).code).toBe("FORBIDDEN");
    expect((await rejection(caller(null).migration.forInstance({ instanceId }))).code).toBe("UNAUTHORIZED");
  });

  it("validates the list input", async () => {
    const error = await rejection(caller(admin).migration.list({ state: "SOMEWHERE" as "FAILED" }));
    expect(error.code).toBe("BAD_REQUEST");
    expect((await rejection(caller(admin).migration.list({ instanceId: "nope" }))).code).toBe("BAD_REQUEST");
  });

  it("lists cluster names for the filter, without deregistered ones", async () => {
    const gone = await makeCluster(db, infra, `${tag}-gone`);
    await db.cluster.update({ where: { id: gone.id }, data: { status: "DEREGISTERED" } });
    const names = await caller(provider).migration.clusters();
    expect(names).toEqual(expect.arrayContaining([source, target, down]));
    expect(names).not.toContain(`${tag}-gone`);
  });
});
