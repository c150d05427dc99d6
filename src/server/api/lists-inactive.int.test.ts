import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "@/server/api/root";
import { listClustersRest } from "@/server/api/v1/cluster";
import { listInstancesRest } from "@/server/api/v1/instance";
import { archiveWorkloadRest, listWorkloadsRest } from "@/server/api/v1/workload";
import { Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth/session";
import { createDb, type Db } from "@/server/db/client";
import { createInstance } from "@/server/instances";
import {
  contextFor,
  makeCluster,
  makeInstance,
  makeUser,
  makeWorkload,
  uniq,
} from "@/server/testing/factories";
import { trpcRejection } from "@/server/testing/rejection";
import { sessionCookie } from "@/server/testing/session-cookie";
import { servedRest } from "@/server/testing/served-path";

/**
 * Lists hide what is no longer active — deregistered clusters, DELETED
 * instances, archived workloads — unless `showInactive` asks for them (tRPC
 * boolean, REST `?showInactive=true`); the clusters table sorts by what
 * intents depend on; an accepted workload without live instances can be
 * archived (then it takes no new instances) and unarchived.
 */

let db: Db;
let admin: SessionUser;
let infra: SessionUser;
let provider: SessionUser;
let provider2: SessionUser;
const tag = uniq("inact");

const caller = (user: SessionUser) => createCaller(contextFor(db, user));

async function rest(
  handler: (request: Request, context?: { params: Promise<Record<string, string>> }) => Promise<Response>,
  as: SessionUser,
  path: string,
  { method = "GET", id }: { method?: string; id?: string } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const request = new Request(`http://localhost:3999${path}`, {
    method,
    headers: {
      cookie: `next-auth.session-token=${await sessionCookie(as)}`,
      origin: "http://localhost:3999",
    },
  });
  // The instance list as the web process serves it (testing/served-path.ts).
  const response = await servedRest(handler, request, {
    params: Promise.resolve<Record<string, string>>(id ? { id } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** An accepted workload of `owner` (as a valid chart upload leaves it). */
async function acceptedWorkload(owner: SessionUser) {
  const workload = await makeWorkload(db, owner, { name: uniq(`${tag}-w`) });
  return db.workload.update({ where: { id: workload.id }, data: { status: "ACCEPTED" } });
}

beforeAll(async () => {
  db = createDb();
  admin = await makeUser(db, [Role.NEMO_ADMIN]);
  infra = await makeUser(db, [Role.INFRASTRUCTURE_PROVIDER]);
  provider = await makeUser(db, [Role.SERVICE_PROVIDER]);
  provider2 = await makeUser(db, [Role.SERVICE_PROVIDER]);
});

afterAll(async () => {
  await db.$disconnect();
});

describe("clusters list", () => {
  it("sorts by availability, green energy, cost class and region, and hides deregistered clusters by default", async () => {
    const specs = [
      {
        suffix: "a",
        availabilityPct: "95.00",
        greenEnergyPct: 80,
        cost: "high_performance",
        region: "eu-west",
      },
      { suffix: "b", availabilityPct: "99.90", greenEnergyPct: 20, cost: "low_cost", region: "default" },
      { suffix: "c", availabilityPct: "90.00", greenEnergyPct: 60, cost: "low_cost", region: "ap-south" },
    ] as const;
    const names: Record<string, string> = {};
    for (const spec of specs) {
      const cluster = await makeCluster(db, infra, `${tag}-${spec.suffix}`);
      await db.cluster.update({
        where: { id: cluster.id },
        data: {
          status: "OK",
          availabilityPct: spec.availabilityPct,
          greenEnergyPct: spec.greenEnergyPct,
          cost: spec.cost,
          region: spec.region,
        },
      });
      names[spec.suffix] = cluster.name;
    }
    const gone = await makeCluster(db, infra, `${tag}-gone`);
    await db.cluster.update({ where: { id: gone.id }, data: { status: "DEREGISTERED" } });

    const order = async (sort: string, direction: "asc" | "desc" = "asc") =>
      (
        await caller(infra).cluster.list({
          search: tag,
          sort: sort as "name",
          direction,
          pageSize: 50,
        })
      ).items.map((c) => c.name);
    expect(await order("availability")).toEqual([names.c, names.a, names.b]);
    expect(await order("greenEnergy", "desc")).toEqual([names.a, names.c, names.b]);
    // Cost classes in their declared order: low_cost before high_performance; ties by id.
    expect((await order("cost"))[2]).toBe(names.a);
    // A cluster registered without a region is in "default", sorted by that name.
    expect(await order("region")).toEqual([names.c, names.b, names.a]);
    expect(await order("region", "desc")).toEqual([names.a, names.b, names.c]);

    const all = await caller(infra).cluster.list({ search: tag, showInactive: true, pageSize: 50 });
    expect(all.items.map((c) => c.name)).toContain(gone.name);
    expect(all.total).toBe(4);
    expect((await caller(infra).cluster.list({ search: tag, pageSize: 50 })).total).toBe(3);
    // Searching for the region finds the cluster.
    expect((await caller(infra).cluster.list({ search: "ap-south" })).items.map((c) => c.name)).toContain(
      names.c,
    );

    const restDefault = await rest(listClustersRest, infra, `/api/v1/cluster/?search=${tag}`);
    expect(restDefault.status).toBe(200);
    expect(restDefault.body.total).toBe(3);
    const restAll = await rest(listClustersRest, infra, `/api/v1/cluster/?search=${tag}&showInactive=true`);
    expect(restAll.body.total).toBe(4);
    const restSorted = await rest(listClustersRest, infra, `/api/v1/cluster/?search=${tag}&sort=greenEnergy`);
    expect((restSorted.body.items as Array<{ name: string }>).map((c) => c.name)).toEqual([
      names.b,
      names.c,
      names.a,
    ]);
    const badSort = await rest(listClustersRest, infra, `/api/v1/cluster/?sort=colour`);
    expect(badSort.status).toBe(400);
    expect(badSort.body.field).toBe("sort");
    const badSwitch = await rest(listClustersRest, infra, `/api/v1/cluster/?showInactive=maybe`);
    expect(badSwitch.status).toBe(400);
    expect(badSwitch.body.field).toBe("showInactive");
  });
});

describe("instances list", () => {
  it("hides DELETED instances unless shown, names the workload and owner, and sorts by them", async () => {
    const workload = await acceptedWorkload(provider);
    const live = await makeInstance(db, provider, workload.id);
    const deleted = await makeInstance(db, provider, workload.id);
    await db.workloadInstance.update({ where: { id: deleted.id }, data: { status: "DELETED" } });

    const page = await caller(provider).instance.list({ workloadId: workload.id });
    expect(page.items.map((i) => i.id)).toEqual([live.id]);
    expect(page.items[0]).toMatchObject({
      workloadName: workload.name,
      workloadVersion: workload.version,
      owner: provider.username,
    });
    const all = await caller(provider).instance.list({ workloadId: workload.id, showInactive: true });
    expect(all.items.map((i) => i.id).sort()).toEqual([live.id, deleted.id].sort());
    // Asking for DELETED by status shows them without the switch.
    const byStatus = await caller(provider).instance.list({ workloadId: workload.id, status: "DELETED" });
    expect(byStatus.items.map((i) => i.id)).toEqual([deleted.id]);

    // Sorting by workload name and by owner (an admin sees both tenants).
    const other = await acceptedWorkload(provider2);
    await makeInstance(db, provider2, other.id);
    const byWorkload = async (direction: "asc" | "desc") =>
      (await caller(admin).instance.list({ search: tag, sort: "workload", direction, pageSize: 50 })).items;
    const ascending = await byWorkload("asc");
    expect(new Set(ascending.map((i) => i.workloadName))).toEqual(new Set([workload.name, other.name]));
    // Descending is ascending backwards (ties broken by id in the same direction).
    expect((await byWorkload("desc")).map((i) => i.id)).toEqual(ascending.map((i) => i.id).reverse());
    // Rows of one workload are together.
    const names = ascending.map((i) => i.workloadName);
    expect(names.filter((n, i) => i > 0 && n !== names[i - 1])).toHaveLength(1);
    const byOwner = await caller(admin).instance.list({
      search: tag,
      sort: "owner",
      direction: "desc",
      pageSize: 50,
    });
    const owners = byOwner.items.map((i) => i.owner);
    expect(owners).toEqual([...owners].sort().reverse());

    const restDefault = await rest(
      listInstancesRest,
      provider,
      `/api/v1/instance/?workloadId=${workload.id}`,
    );
    expect(restDefault.status).toBe(200);
    expect(restDefault.body.total).toBe(1);
    const restAll = await rest(
      listInstancesRest,
      provider,
      `/api/v1/instance/?workloadId=${workload.id}&showInactive=true`,
    );
    expect(restAll.body.total).toBe(2);
    const badSort = await rest(listInstancesRest, provider, `/api/v1/instance/?sort=size`);
    expect(badSort.status).toBe(400);
    expect(badSort.body.field).toBe("sort");
  });
});

describe("workload archive", () => {
  it("archives an accepted workload whose instances are all deleted: hidden, no new instances, until unarchived", async () => {
    const workload = await acceptedWorkload(provider);
    const instance = await makeInstance(db, provider, workload.id);

    // A live instance keeps it.
    const busy = await trpcRejection(caller(provider).workload.archive({ id: workload.id }));
    expect(busy.code).toBe("CONFLICT");
    expect(busy.message).toContain("1 instance(s)");
    // Another tenant's workload is not found; a PENDING one is deleted rather than archived.
    expect((await trpcRejection(caller(provider2).workload.archive({ id: workload.id }))).code).toBe(
      "NOT_FOUND",
    );
    const pending = await makeWorkload(db, provider, { name: uniq(`${tag}-p`) });
    expect((await trpcRejection(caller(provider).workload.archive({ id: pending.id }))).code).toBe(
      "CONFLICT",
    );

    await db.workloadInstance.update({ where: { id: instance.id }, data: { status: "DELETED" } });
    const archived = await caller(provider).workload.archive({ id: workload.id });
    expect(archived.archivedAt).not.toBeNull();
    // Archiving again changes nothing.
    expect((await caller(provider).workload.archive({ id: workload.id })).archivedAt).toBe(
      archived.archivedAt,
    );

    const listed = await caller(provider).workload.list({ search: workload.name });
    expect(listed.items.map((w) => w.id)).not.toContain(workload.id);
    const shown = await caller(provider).workload.list({ search: workload.name, showInactive: true });
    expect(shown.items.find((w) => w.id === workload.id)?.archivedAt).toBe(archived.archivedAt);
    const restHidden = await rest(listWorkloadsRest, provider, `/api/v1/workload/?search=${workload.name}`);
    expect(restHidden.body.total).toBe(0);
    const restShown = await rest(
      listWorkloadsRest,
      provider,
      `/api/v1/workload/?search=${workload.name}&showInactive=true`,
    );
    expect(restShown.body.total).toBe(1);

    const refused = await trpcRejection(
      caller(provider).instance.create({ workloadId: workload.id, releaseName: uniq("rel") }),
    );
    expect(refused.code).toBe("CONFLICT");
    expect(refused.message).toContain("archived");
    await expect(
      createInstance({ db, user: provider }, { workloadId: workload.id, releaseName: uniq("rel") }),
    ).rejects.toMatchObject({ kind: "conflict", field: "workloadId" });

    // An admin may unarchive it; then it is listed again.
    const back = await caller(admin).workload.unarchive({ id: workload.id });
    expect(back.archivedAt).toBeNull();
    expect(
      (await caller(provider).workload.list({ search: workload.name })).items.map((w) => w.id),
    ).toContain(workload.id);
  });

  it("answers the REST archive with 409 while an instance is live, 404 to another tenant", async () => {
    const workload = await acceptedWorkload(provider);
    await makeInstance(db, provider, workload.id);
    const id = String(workload.id);
    const path = `/api/v1/workload/${id}/archive/`;
    const busy = await rest(archiveWorkloadRest, provider, path, { method: "POST", id });
    expect(busy.status).toBe(409);
    const hidden = await rest(archiveWorkloadRest, provider2, path, { method: "POST", id });
    expect(hidden.status).toBe(404);
  });
});
