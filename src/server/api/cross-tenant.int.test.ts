import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "@/server/api/root";
import { contextFor, makeCluster, makeDeployedInstance, makeUser, uniq } from "@/server/testing/factories";
import { Role } from "@/common/roles";
import { HIDDEN_CLUSTER_LABEL } from "@/common/migration-status";
import type { SessionUser } from "@/server/auth/session";
import { createDb, type Db } from "@/server/db/client";
import { backupNameFor } from "@/server/cluster-migration";
import { instanceMigrationsRest, listMigrationsRest } from "./v1/migration";
import { getClusterRest, listClustersRest } from "./v1/cluster";
import { sessionCookie } from "@/server/testing/session-cookie";

/*
 * Cross-tenant metadata (issue 12, item 15), through both doors (REST and
 * tRPC): two infrastructure providers, each with their own clusters, and two
 * service providers. A migration from one provider's cluster to the other's
 * shows each provider only its own end; an instance none of whose migrations
 * touches a provider is "not found" to it; service providers see other
 * providers' clusters without their status reason, API URL or content id.
 */

let db: Db;
let admin: SessionUser;
let provider: SessionUser;
let provider2: SessionUser;
let infraA: SessionUser;
let infraB: SessionUser;
let infraC: SessionUser;
const tag = uniq("xt");
const aSource = `${tag}-a-src`;
const bTarget = `${tag}-b-dst`;
// Named so that their alphabetical order is the reverse of their age (the sort test relies on it).
const bOlder = `${tag}-b-zzz`;
const bNewer = `${tag}-b-aaa`;
/** Hosts spelled backwards, so URLs sort unlike names and a name never hides inside its URL. */
const hostOf = (name: string) => `${[...name].reverse().join("")}.example`;
const endpointOf = (name: string) => `https://${hostOf(name)}:6443`;
const BASE = "http://localhost:3999";
const cookies = new Map<string, string>();
/** provider's instance on aSource, migrated (and failed) towards infraB's bTarget. */
let instanceId: string;
/** provider2's instance on aSource, with two migrations towards infraB's clusters. */
let sortedId: string;
let crossId: string;
let olderId: string;
let newerId: string;

type Handler = (request: Request, context?: { params: Promise<Record<string, string>> }) => Promise<Response>;

async function get(handler: Handler, user: SessionUser, path: string, id?: string): Promise<Response> {
  const headers = new Headers({ cookie: cookies.get(user.id) ?? "" });
  const request = new Request(`${BASE}${path}`, { headers });
  const params: Record<string, string> = id ? { id } : {};
  return handler(request, { params: Promise.resolve(params) });
}

interface Row {
  id: string;
  sourceCluster: string | null;
  sourceClusterHidden: boolean;
  targetCluster: string | null;
  targetClusterHidden: boolean;
  reason: string | null;
  backupName: string | null;
  steps: Array<{ state: string; at: string; message: string; cluster?: string }>;
}
interface Page<T> {
  items: T[];
  total: number;
}
interface Cluster {
  name: string;
  statusReason: string | null;
  managedApi: string | null;
  kubeconfigContentId: string | null;
  withheld: boolean;
}

const caller = (user: SessionUser) => createCaller(contextFor(db, user));
const wire = (value: unknown): unknown => JSON.parse(JSON.stringify(value));
const listRest = async (user: SessionUser, query: string) => {
  const response = await get(listMigrationsRest, user, `/api/v1/migration/${query}`);
  expect(response.status).toBe(200);
  return (await response.json()) as Page<Row>;
};

/** A migration as the agents leave it when the restore on the target failed. */
async function failedMigration(instance: string, from: string, to: string, minutesAgo: number) {
  const at = new Date(Date.now() - minutesAgo * 60_000);
  const backupName = backupNameFor(from, instance, at);
  const step = (state: string, message: string, cluster?: string) => ({
    state,
    at: at.toISOString(),
    message,
    ...(cluster ? { cluster } : {}),
  });
  const reason = `restore into ns on ${to} failed: ${endpointOf(to)} answered 500 (backup ${backupName} from ${from})`;
  const row = await db.migration.create({
    data: {
      instanceId: instance,
      sourceCluster: from,
      targetCluster: to,
      state: "ROLLED_BACK",
      reason,
      backupName,
      createdAt: at,
      steps: [
        { ...step("REQUESTED", "requested", from), actor: admin.username },
        step("BACKING_UP", `Backing up namespace ns on ${from}`, from),
        step("BACKED_UP", `Backup ${backupName} completed (3 resources)`, from),
        step("RESTORING", `Restoring backup ${backupName} into ns on ${to}: ${endpointOf(to)} refused`, to),
        step("ROLLED_BACK", `Migration rolled back: ${reason}`),
      ],
    },
  });
  return row.id;
}

beforeAll(async () => {
  db = createDb(process.env.DATABASE_URL);
  admin = await makeUser(db, [Role.NEMO_ADMIN]);
  provider = await makeUser(db, [Role.SERVICE_PROVIDER]);
  provider2 = await makeUser(db, [Role.SERVICE_PROVIDER]);
  infraA = await makeUser(db, [Role.INFRASTRUCTURE_PROVIDER]);
  infraB = await makeUser(db, [Role.INFRASTRUCTURE_PROVIDER]);
  infraC = await makeUser(db, [Role.INFRASTRUCTURE_PROVIDER]);
  for (const user of [admin, provider, provider2, infraA, infraB, infraC]) {
    cookies.set(user.id, `next-auth.session-token=${await sessionCookie(user)}`);
  }
  for (const [name, owner] of [
    [aSource, infraA],
    [bTarget, infraB],
    [bOlder, infraB],
    [bNewer, infraB],
    [`${tag}-c-own`, infraC],
  ] as const) {
    const cluster = await makeCluster(db, owner, name);
    await db.cluster.update({
      where: { id: cluster.id },
      data: {
        managedApi: endpointOf(name),
        status: "ERROR",
        statusReason: `${name}: join failed at ${endpointOf(name)}`,
      },
    });
  }
  instanceId = (await makeDeployedInstance(db, provider, aSource, uniq(`${tag}-wl`))).id;
  sortedId = (await makeDeployedInstance(db, provider2, aSource, uniq(`${tag}-wl`))).id;
  crossId = await failedMigration(instanceId, aSource, bTarget, 30);
  olderId = await failedMigration(sortedId, aSource, bOlder, 20);
  newerId = await failedMigration(sortedId, aSource, bNewer, 10);
});

afterAll(async () => {
  await db.$disconnect();
});

describe("migration views across infrastructure providers", () => {
  it("show the source's provider its own cluster only: the target is hidden, and nowhere in the row", async () => {
    const page = await listRest(infraA, `?search=${tag}&pageSize=50`);
    const row = page.items.find((r) => r.id === crossId)!;
    expect(row).toMatchObject({
      sourceCluster: aSource,
      sourceClusterHidden: false,
      targetCluster: null,
      targetClusterHidden: true,
    });
    // The source is infraA's: the backup (named after it) stays.
    expect(row.backupName).toMatch(new RegExp(`^${aSource}-`));
    const text = JSON.stringify(row);
    expect(text).not.toContain(bTarget);
    expect(text).not.toContain(hostOf(bTarget));
    expect(row.reason).toContain(HIDDEN_CLUSTER_LABEL);
    const restoring = row.steps.find((s) => s.state === "RESTORING")!;
    expect(restoring).toEqual({
      state: "RESTORING",
      at: restoring.at,
      message: `RESTORING on ${HIDDEN_CLUSTER_LABEL}`,
    });
    expect(row.steps.find((s) => s.state === "BACKING_UP")).toMatchObject({ cluster: aSource });
    // tRPC answers the same.
    const trpc = await caller(infraA).migration.list({ search: tag, pageSize: 50 });
    expect(wire(trpc)).toEqual(page);
  });

  it("show the target's provider its own cluster only: source and backup name hidden", async () => {
    const rows = await caller(infraB).migration.forInstance({ instanceId });
    expect(rows.map((r) => r.id)).toEqual([crossId]);
    const row = rows[0]!;
    expect(row).toMatchObject({
      sourceCluster: null,
      sourceClusterHidden: true,
      targetCluster: bTarget,
      targetClusterHidden: false,
      backupName: null,
    });
    const text = JSON.stringify(row);
    // Nor through the backup name, which the restoring step on infraB's own cluster mentions.
    expect(text).not.toContain(aSource);
    expect(text).not.toContain(hostOf(aSource));
    expect(row.steps.find((s) => s.state === "RESTORING")?.message).toMatch(
      new RegExp(`^Restoring backup ${HIDDEN_CLUSTER_LABEL} into ns on ${bTarget}`),
    );
    const rest = await get(
      instanceMigrationsRest,
      infraB,
      `/api/v1/instance/${instanceId}/migrations/`,
      instanceId,
    );
    expect(rest.status).toBe(200);
    expect(await rest.json()).toEqual(wire(rows));
  });

  it("show the instance's owner and admins both names", async () => {
    for (const user of [provider, admin]) {
      const [row] = await caller(user).migration.forInstance({ instanceId });
      expect(row).toMatchObject({
        sourceCluster: aSource,
        targetCluster: bTarget,
        sourceClusterHidden: false,
        targetClusterHidden: false,
      });
      expect(row?.reason).toContain(bTarget);
    }
  });

  it("let no search, cluster filter or sort probe a hidden name", async () => {
    const ids = (page: Page<Row>) => page.items.map((r) => r.id);
    // infraA may find its own cluster, not infraB's, whatever the field the name is in.
    expect(ids(await listRest(infraA, `?cluster=${aSource}&pageSize=50`))).toEqual([
      newerId,
      olderId,
      crossId,
    ]);
    expect((await listRest(infraA, `?cluster=${bTarget}`)).total).toBe(0);
    expect((await listRest(infraA, `?search=${bTarget}`)).total).toBe(0);
    expect((await listRest(infraA, `?search=${hostOf(bTarget)}`)).total).toBe(0);
    expect((await listRest(infraB, `?search=${aSource}`)).total).toBe(0);
    // The backup name spells the source: searching it finds nothing for the target's provider.
    const backup = (await caller(admin).migration.forInstance({ instanceId }))[0]!.backupName!;
    expect((await listRest(infraB, `?search=${backup}`)).total).toBe(0);
    expect((await listRest(provider, `?search=${backup}`)).total).toBe(1);
    expect(
      (await caller(infraA).migration.list({ cluster: bTarget })).total,
      "tRPC filter by a hidden name",
    ).toBe(0);
    // Sorting by the hidden target would order infraB's names for infraA: it sorts by date instead.
    const byTarget = await listRest(infraA, `?instanceId=${sortedId}&sort=targetCluster&direction=asc`);
    expect(ids(byTarget)).toEqual([olderId, newerId]);
    const adminByTarget = await listRest(admin, `?instanceId=${sortedId}&sort=targetCluster&direction=asc`);
    expect(ids(adminByTarget)).toEqual([newerId, olderId]);
  });

  it("answer 404 for an instance the caller may not see, over REST and tRPC alike", async () => {
    for (const user of [infraC, provider2]) {
      const response = await get(
        instanceMigrationsRest,
        user,
        `/api/v1/instance/${instanceId}/migrations/`,
        instanceId,
      );
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ error: "not_found", message: "No such instance." });
      await expect(caller(user).migration.forInstance({ instanceId })).rejects.toMatchObject({
        code: "NOT_FOUND",
        message: "No such instance.",
      });
    }
    // An instance running on infraA's cluster is infraA's to see, migrated or not; infraB's it is not.
    const hosted = (await makeDeployedInstance(db, provider2, aSource, uniq(`${tag}-wl`))).id;
    const path = `/api/v1/instance/${hosted}/migrations/`;
    const own = await get(instanceMigrationsRest, infraA, path, hosted);
    expect(own.status).toBe(200);
    expect(await own.json()).toEqual([]);
    expect((await get(instanceMigrationsRest, infraB, path, hosted)).status).toBe(404);
    await expect(caller(infraB).migration.forInstance({ instanceId: hosted })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    // The same answer as for an id that names nothing.
    const unknown = "00000000-0000-4000-8000-000000000000";
    const none = await get(
      instanceMigrationsRest,
      infraC,
      `/api/v1/instance/${unknown}/migrations/`,
      unknown,
    );
    expect(none.status).toBe(404);
  });

  it("offer an infrastructure provider only its own clusters to filter by", async () => {
    const names = await caller(infraA).migration.clusters();
    expect(names).toContain(aSource);
    expect(names.filter((n) => n.startsWith(tag))).toEqual([aSource]);
    const all = await caller(provider).migration.clusters();
    expect(all).toEqual(expect.arrayContaining([aSource, bTarget, `${tag}-c-own`]));
  });
});

describe("clusters seen by service providers", () => {
  it("come without another provider's status reason, API URL and content id (REST and tRPC)", async () => {
    const response = await get(listClustersRest, provider, `/api/v1/cluster/?search=${tag}&pageSize=50`);
    expect(response.status).toBe(200);
    const page = (await response.json()) as Page<Cluster>;
    expect(page.items.map((c) => c.name).sort()).toEqual(
      [aSource, bTarget, bOlder, bNewer, `${tag}-c-own`].sort(),
    );
    for (const cluster of page.items) {
      expect(cluster).toMatchObject({
        statusReason: null,
        managedApi: null,
        kubeconfigContentId: null,
        withheld: true,
      });
    }
    expect(JSON.stringify(page)).not.toContain(".example");
    const trpc = await caller(provider).cluster.list({ search: tag, pageSize: 50 });
    expect(wire(trpc)).toEqual(page);

    const id = (await db.cluster.findUniqueOrThrow({ where: { name: bTarget } })).id;
    const one = await get(getClusterRest, provider, `/api/v1/cluster/${id}/`, id);
    expect(await one.json()).toMatchObject({
      name: bTarget,
      status: "ERROR",
      statusReason: null,
      managedApi: null,
    });
    const properties = await caller(provider).cluster.properties({ id });
    expect(properties.cluster.withheld).toBe(true);
    expect(properties.mo.managed_api).toBeNull();
    expect(JSON.stringify(properties)).not.toContain(endpointOf(bTarget));
  });

  it("cannot find a cluster by its API URL or learn the URLs' order", async () => {
    const found = await get(listClustersRest, provider, `/api/v1/cluster/?search=${hostOf(bTarget)}`);
    expect(((await found.json()) as Page<Cluster>).total).toBe(0);
    // URLs here sort unlike names: a service provider's endpoint sort is the name order.
    const byEndpoint = await caller(provider).cluster.list({
      search: tag,
      sort: "endpoint",
      direction: "asc",
    });
    const byName = await caller(provider).cluster.list({ search: tag, sort: "name", direction: "asc" });
    expect(byEndpoint.items.map((c) => c.name)).toEqual(byName.items.map((c) => c.name));
  });

  it("leave owners and admins every detail of their clusters", async () => {
    const own = await caller(infraB).cluster.list({ search: tag, pageSize: 50 });
    expect(own.items.map((c) => c.name).sort()).toEqual([bTarget, bOlder, bNewer].sort());
    for (const cluster of own.items) {
      expect(cluster).toMatchObject({ managedApi: endpointOf(cluster.name), withheld: false });
      expect(cluster.statusReason).toContain("join failed");
    }
    const id = (await db.cluster.findUniqueOrThrow({ where: { name: aSource } })).id;
    await expect(caller(admin).cluster.get({ id })).resolves.toMatchObject({
      managedApi: endpointOf(aSource),
      kubeconfigContentId: "0".repeat(64),
      withheld: false,
    });
    // The admin finds it by its URL.
    const found = await caller(admin).cluster.list({ search: hostOf(aSource) });
    const adminByEndpoint = await caller(admin).cluster.list({ search: tag, sort: "endpoint" });
    expect(adminByEndpoint.items.map((c) => c.managedApi)).toEqual(
      adminByEndpoint.items.map((c) => c.managedApi).sort(),
    );
    expect(found.items.map((c) => c.name)).toEqual([aSource]);
  });
});
