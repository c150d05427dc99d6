import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth";
import { createDb, type Db } from "@/server/db/client";
import { makeCluster, makeUser, uniq } from "@/server/testing/factories";
import { sessionCookie } from "@/server/testing/session-cookie";
import {
  accountingSettingsRest,
  createRegionRest,
  deleteRegionRest,
  greenRewardsRest,
  listRegionsRest,
  regionRest,
  updateGreenRewardsRest,
  updateRegionRest,
} from "./accounting-pricing";
import { openApiDocument } from "./openapi";

/*
 * The pricing tables over REST on the run's database: answers, statuses and
 * field-named errors. Only regions of this file's own names are written; the
 * green table and settings (global) are read, and a refused write is shown
 * to change nothing.
 */

let db: Db;
let admin: SessionUser;
let infra: SessionUser;
let sp: SessionUser;
const cookies = new Map<string, string>();
const BASE = "http://localhost:3999";
type Handler = (request: Request, context?: { params: Promise<Record<string, string>> }) => Promise<Response>;

async function call(
  handler: Handler,
  user: SessionUser,
  path: string,
  options: { method?: string; json?: unknown; params?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const headers = new Headers({ cookie: cookies.get(user.id) ?? "", origin: BASE });
  if (options.json !== undefined) headers.set("content-type", "application/json");
  const response = await handler(
    new Request(`${BASE}${path}`, {
      method: options.method ?? "GET",
      headers,
      body: options.json === undefined ? undefined : JSON.stringify(options.json),
    }),
    { params: Promise.resolve(options.params ?? {}) },
  );
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

beforeAll(async () => {
  db = createDb(process.env.DATABASE_URL);
  admin = await makeUser(db, [Role.NEMO_ADMIN]);
  infra = await makeUser(db, [Role.INFRASTRUCTURE_PROVIDER]);
  sp = await makeUser(db, [Role.SERVICE_PROVIDER]);
  for (const user of [admin, infra, sp])
    cookies.set(user.id, `next-auth.session-token=${await sessionCookie(user)}`);
});
afterAll(async () => db.$disconnect());

const data = { regionalCpuCosts: "100000", regionalMemoryCosts: "200000", regionalGpuCosts: "5000" };

describe("regions over REST", () => {
  it("creates (201 + location), reads, sets and deletes a region; amounts are decimal strings", async () => {
    const name = `eu ${uniq("r")}`;
    const created = await call(createRegionRest, admin, "/api/v1/accounting/regions/", {
      method: "POST",
      json: { name, ...data, highDemand: true, highDemandCost: "7000000" },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get("location")).toBe(`/api/v1/accounting/regions/${encodeURIComponent(name)}/`);
    expect(created.body).toMatchObject({
      name,
      hasData: true,
      highDemandCost: "7000000",
      regionalGpuCosts: "5000",
    });

    const read = await call(regionRest, sp, "/", { params: { name } });
    expect(read.status).toBe(200);
    // A segment still encoded reads the same region; a broken encoding is a 400 naming the field.
    expect((await call(regionRest, sp, "/", { params: { name: encodeURIComponent(name) } })).body.name).toBe(
      name,
    );
    const broken = await call(regionRest, sp, "/", { params: { name: "eu%zz" } });
    expect([broken.status, broken.body.field]).toEqual([400, "name"]);
    expect(read.body.regionalCpuCosts).toBe("100000");
    const list = await call(listRegionsRest, infra, "/api/v1/accounting/regions/");
    expect((list.body.items as { name: string }[]).map((r) => r.name)).toContain(name);

    const set = await call(updateRegionRest, admin, "/", {
      method: "PUT",
      params: { name },
      json: { ...data, regionalGpuCosts: 6000 },
    });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ regionalGpuCosts: "6000", highDemand: false, highDemandCost: "0" });

    const deleted = await call(deleteRegionRest, admin, "/", { method: "DELETE", params: { name } });
    expect([deleted.status, deleted.body]).toEqual([200, { name, deleted: true }]);
    expect((await call(regionRest, sp, "/", { params: { name } })).status).toBe(404);
  });

  it("answers 400 naming the field, 403 to non-admins, 409 for a duplicate and for a region in use", async () => {
    const name = uniq("ap");
    const bad = await call(createRegionRest, admin, "/", {
      method: "POST",
      json: { name, ...data, regionalMemoryCosts: "1.5" },
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: "bad_request", field: "regionalMemoryCosts" });
    expect(String(bad.body.message)).toMatch(/Regional memory costs must be a whole number of units/);

    const forbidden = await call(createRegionRest, infra, "/", { method: "POST", json: { name, ...data } });
    expect(forbidden.status).toBe(403);

    expect(
      (await call(createRegionRest, admin, "/", { method: "POST", json: { name, ...data } })).status,
    ).toBe(201);
    const duplicate = await call(createRegionRest, admin, "/", { method: "POST", json: { name, ...data } });
    expect([duplicate.status, duplicate.body.field]).toEqual([409, "name"]);

    const cluster = await makeCluster(db, infra);
    await db.cluster.update({ where: { id: cluster.id }, data: { region: name } });
    const inUse = await call(deleteRegionRest, admin, "/", { method: "DELETE", params: { name } });
    expect(inUse.status).toBe(409);
    expect(String(inUse.body.message)).toMatch(/used by 1 cluster/);
  });
});

describe("green rewards and settings over REST", () => {
  it("reads the table with both presets; a refused write changes nothing", async () => {
    const before = await call(greenRewardsRest, sp, "/api/v1/accounting/green-rewards/");
    expect(before.status).toBe(200);
    expect((before.body.presets as { reference: unknown[] }).reference).toContainEqual({
      percent: 100,
      reward: "10000000",
    });
    const bad = await call(updateGreenRewardsRest, admin, "/", {
      method: "PUT",
      json: { rewards: [{ percent: 20, reward: "x" }] },
    });
    expect([bad.status, bad.body.field]).toEqual([400, "rewards.0.reward"]);
    const forbidden = await call(updateGreenRewardsRest, sp, "/", {
      method: "PUT",
      json: { preset: "reference" },
    });
    expect(forbidden.status).toBe(403);
    expect((await call(greenRewardsRest, sp, "/")).body.rewards).toEqual(before.body.rewards);

    const settings = await call(accountingSettingsRest, infra, "/api/v1/accounting/settings/");
    expect(settings.status).toBe(200);
    expect(settings.body.chargePerGb).toMatch(/^\d+$/);
  });

  it("documents every pricing route in the OpenAPI document", () => {
    const paths = (openApiDocument() as { paths: Record<string, Record<string, unknown>> }).paths;
    expect(Object.keys(paths["/api/v1/accounting/regions/"] ?? {})).toEqual(
      expect.arrayContaining(["get", "post"]),
    );
    expect(Object.keys(paths["/api/v1/accounting/regions/{name}/"] ?? {})).toEqual(
      expect.arrayContaining(["get", "put", "delete"]),
    );
    expect(Object.keys(paths["/api/v1/accounting/green-rewards/"] ?? {})).toEqual(
      expect.arrayContaining(["get", "put"]),
    );
    expect(Object.keys(paths["/api/v1/accounting/settings/"] ?? {})).toEqual(
      expect.arrayContaining(["get", "put"]),
    );
  });
});
