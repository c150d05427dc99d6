import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter, createCaller } from "@/server/api/root";
import { Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth/session";
import { createDb, type Db } from "@/server/db/client";
import {
  contextFor,
  makeCluster,
  makeInstance,
  makeIntent,
  makeUser,
  makeWorkload,
  uniq,
} from "@/server/testing/factories";
import { trpcRejection } from "@/server/testing/rejection";

let db: Db;
let admin: SessionUser;
let infra: SessionUser;
let infra2: SessionUser;
let provider: SessionUser;
let provider2: SessionUser;
let nobody: SessionUser;
/** Rows of this file carry this tag in their names, so searches see only them. */
const tag = uniq("t");

const caller = (user: SessionUser | null) => createCaller(contextFor(db, user));

const rejection = trpcRejection;

beforeAll(async () => {
  db = createDb(process.env.DATABASE_URL);
  admin = await makeUser(db, [Role.NEMO_ADMIN]);
  infra = await makeUser(db, [Role.INFRASTRUCTURE_PROVIDER]);
  infra2 = await makeUser(db, [Role.INFRASTRUCTURE_PROVIDER]);
  provider = await makeUser(db, [Role.SERVICE_PROVIDER]);
  provider2 = await makeUser(db, [Role.SERVICE_PROVIDER]);
  nobody = await makeUser(db, []);

  const clusterA = await makeCluster(db, infra, `${tag}-cluster-a`);
  await makeCluster(db, infra2, `${tag}-cluster-b`);
  const mine = await makeWorkload(db, provider, { name: `${tag}-mine` });
  await makeWorkload(db, provider, { name: `${tag}-mine`, version: "2.0.0" });
  const theirs = await makeWorkload(db, provider2, { name: `${tag}-theirs` });
  const myInstance = await makeInstance(db, provider, mine.id, clusterA.id);
  const theirInstance = await makeInstance(db, provider2, theirs.id);
  await makeIntent(db, provider, myInstance.id, `${tag}-Availability`);
  await makeIntent(db, provider2, theirInstance.id, `${tag}-GreenEnergy`);
});

afterAll(async () => {
  await db.$disconnect();
});

describe("procedures without a session", () => {
  it("answer UNAUTHORIZED (HTTP 401)", async () => {
    for (const call of [
      () => caller(null).session.me(),
      () => caller(null).workload.list({}),
      () => caller(null).instance.list({}),
      () => caller(null).intent.list({}),
      () => caller(null).cluster.list({}),
    ]) {
      const error = await rejection(call());
      expect(error.code).toBe("UNAUTHORIZED");
    }
  });
});

describe("procedures for the wrong role", () => {
  it("answer FORBIDDEN (HTTP 403) naming the needed role", async () => {
    const error = await rejection(caller(infra).workload.list({}));
    expect(error.code).toBe("FORBIDDEN");
    expect(error.message).toBe("This needs the nemo-admin or service-provider role.");
    expect((await rejection(caller(infra).instance.list({}))).code).toBe("FORBIDDEN");
    expect((await rejection(caller(infra).intent.list({}))).code).toBe("FORBIDDEN");
  });

  it("let a user without a NEMO role ask who they are, and nothing else", async () => {
    const me = await caller(nobody).session.me();
    expect(me.user.roles).toEqual([]);
    expect(me.areas).toEqual({
      workloads: "none",
      instances: "none",
      intents: "none",
      clusters: "none",
      orchestration: "none",
      accounting: "none",
      "failed-messages": "none",
    });
    expect((await rejection(caller(nobody).cluster.list({}))).message).toBe(
      "This needs the nemo-admin, infrastructure-provider or service-provider role.",
    );
  });
});

describe("list input validation", () => {
  it("rejects page sizes other than 10, 25 and 50, unknown sort fields and pages below 1", async () => {
    expect((await rejection(caller(provider).workload.list({ pageSize: 20 as 25 }))).code).toBe(
      "BAD_REQUEST",
    );
    expect((await rejection(caller(provider).workload.list({ sort: "ownerId" as "name" }))).code).toBe(
      "BAD_REQUEST",
    );
    expect((await rejection(caller(provider).workload.list({ page: 0 }))).code).toBe("BAD_REQUEST");
    expect((await rejection(caller(provider).workload.list({ search: "x".repeat(101) }))).code).toBe(
      "BAD_REQUEST",
    );
  });
});

describe("the error shape over the wire", () => {
  it("sends invalid input once, as zodError keyed by the dotted path, and a domain error's field", async () => {
    const post = async (path: string, input: unknown) => {
      const response = await fetchRequestHandler({
        endpoint: "/api/trpc",
        router: appRouter,
        createContext: () => contextFor(db, provider),
        req: new Request(`http://localhost/api/trpc/${path}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ json: input }),
        }),
      });
      const body = (await response.json()) as {
        error: { json: { message: string; data: Record<string, unknown> } };
      };
      return { status: response.status, ...body.error.json };
    };
    const invalid = await post("workload.create", { name: "", version: "1.0.0", supportedIntents: ["Nope"] });
    expect(invalid.status).toBe(400);
    expect(Object.keys(invalid.data)).not.toContain("fieldErrors");
    const { zodError } = invalid.data as {
      zodError: { formErrors: string[]; fieldErrors: Record<string, string[]> };
    };
    expect(zodError.formErrors).toEqual([]);
    expect(Object.keys(zodError.fieldErrors).sort()).toEqual(["name", "supportedIntents.0"]);
    expect(invalid.data).toMatchObject({ field: null, problems: null });

    const duplicate = await post("workload.create", { name: `${tag}-mine`, version: "1.0.0" });
    expect(duplicate.status).toBe(409);
    expect(duplicate.data).toMatchObject({ zodError: null, field: "version" });
  });
});

describe("workload list scoping", () => {
  it("shows a service provider only their own workloads", async () => {
    const page = await caller(provider).workload.list({ search: tag });
    expect(page.total).toBe(2);
    expect(page.items.map((w) => w.name)).toEqual([`${tag}-mine`, `${tag}-mine`]);
    expect(page.items.every((w) => w.user === provider.username)).toBe(true);
  });

  it("does not let provider see provider2's workloads, even by searching for them", async () => {
    const page = await caller(provider).workload.list({ search: `${tag}-theirs` });
    expect(page).toMatchObject({ total: 0, items: [] });
  });

  it("shows an admin every provider's workloads", async () => {
    const page = await caller(admin).workload.list({ search: tag, sort: "name", direction: "desc" });
    expect(page.total).toBe(3);
    expect(page.items[0]?.name).toBe(`${tag}-theirs`);
  });

  it("pages on the server", async () => {
    const first = await caller(provider).workload.list({
      search: tag,
      sort: "version",
      direction: "asc",
      pageSize: 10,
      page: 1,
    });
    expect(first.items.map((w) => w.version)).toEqual(["1.0.0", "2.0.0"]);
    // Without a direction the workloads list is newest first (ID descending).
    const newest = await caller(provider).workload.list({ search: tag });
    expect(newest.items.map((w) => w.version)).toEqual(["2.0.0", "1.0.0"]);
    const beyond = await caller(provider).workload.list({ search: tag, page: 2 });
    expect(beyond).toMatchObject({ total: 2, items: [], page: 2, pageSize: 10 });
  });
});

describe("instance and intent list scoping", () => {
  it("shows a service provider only their own instances, with the cluster's name", async () => {
    const page = await caller(provider).instance.list({});
    expect(page.items.length).toBeGreaterThan(0);
    const mineOnly = await db.workloadInstance.count({
      where: { ownerId: { not: provider.id }, id: { in: page.items.map((i) => i.id) } },
    });
    expect(mineOnly).toBe(0);
    expect(page.items[0]?.cluster).toBe(`${tag}-cluster-a`);
  });

  it("shows a service provider only their own intents", async () => {
    const page = await caller(provider2).intent.list({ search: tag });
    expect(page.items.map((i) => i.intentType)).toEqual([`${tag}-GreenEnergy`]);
    const all = await caller(admin).intent.list({ search: tag, sort: "intentType" });
    expect(all.items.map((i) => i.intentType)).toEqual([`${tag}-Availability`, `${tag}-GreenEnergy`]);
  });
});

describe("cluster list scoping", () => {
  it("shows an infrastructure provider only their own clusters", async () => {
    const page = await caller(infra).cluster.list({ search: tag });
    expect(page.items.map((c) => c.name)).toEqual([`${tag}-cluster-a`]);
  });

  it("shows service providers and admins every cluster", async () => {
    expect((await caller(provider).cluster.list({ search: tag })).total).toBe(2);
    expect((await caller(admin).cluster.list({ search: tag })).total).toBe(2);
  });

  it("never returns the kubeconfig", async () => {
    const page = await caller(admin).cluster.list({ search: tag });
    for (const cluster of page.items) {
      expect(Object.keys(cluster).sort()).toEqual(
        [
          "availabilityPct",
          "cordoned",
          "cost",
          "cpuBaseRate",
          "cpus",
          "createdAt",
          "drainStartedAt",
          "drainedBy",
          "driver",
          "greenEnergyPct",
          "gridIntensity",
          "gridIntensityHourly",
          "id",
          "kubeconfigContentId",
          "managedApi",
          "memoryBaseRate",
          "memoryGb",
          "name",
          "owner",
          "region",
          "shortId",
          "status",
          "statusReason",
          "storageGb",
          "vramGb",
          "withheld",
        ].sort(),
      );
    }
  });
});
