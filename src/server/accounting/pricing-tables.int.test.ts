import { cp, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth";
import { createDb, type Db } from "@/server/db/client";
import { applyMigrations, dropDatabase, ensureDatabase, MIGRATIONS_DIR } from "@/server/db/migrate";
import { makeCluster, makeUser, uniq } from "@/server/testing/factories";
import { domainRejection } from "@/server/testing/rejection";
import { databaseUrlFor, runId } from "@/server/testing/services";
import {
  createRegion,
  deleteRegion,
  getAccountingSettings,
  getGreenRewards,
  getRegion,
  listRegions,
  loadPricingSettings,
  loadRegionPricing,
  updateAccountingSettings,
  updateGreenRewards,
  updateRegion,
} from "./index";

/*
 * The pricing tables on a database of their own (the green table and the
 * settings are global: changing them here must not move another file's
 * bills): regions CRUD with its refusals and audit trail, the presets and a
 * custom green table, the network price, and the migration that puts
 * existing clusters in the "default" region.
 */

const url = databaseUrlFor(`nemo_pricing_${runId()}`);
let db: Db;
let admin: SessionUser;
let infra: SessionUser;
let sp: SessionUser;
const clock = () => Date.parse("2026-12-07T18:30:00Z");

beforeAll(async () => {
  await ensureDatabase(url);
  await applyMigrations(url);
  db = createDb(url);
  admin = await makeUser(db, [Role.NEMO_ADMIN]);
  infra = await makeUser(db, [Role.INFRASTRUCTURE_PROVIDER]);
  sp = await makeUser(db, [Role.SERVICE_PROVIDER]);
});

afterAll(async () => {
  await db.$disconnect();
  await dropDatabase(url);
});

const regionBody = {
  highDemand: true,
  highDemandCost: "7000000",
  regionalCpuCosts: "100000",
  regionalMemoryCosts: 200000,
  regionalGpuCosts: "5000",
};

describe("regions", () => {
  it("an admin creates a region every role reads, audited; billing reads its data", async () => {
    const name = uniq("eu-north");
    const created = await createRegion({ db, user: admin, clock }, { name, ...regionBody });
    expect(created).toMatchObject({
      name,
      hasData: true,
      highDemand: true,
      highDemandCost: "7000000",
      regionalCpuCosts: "100000",
      regionalMemoryCosts: "200000",
      regionalGpuCosts: "5000",
      clusters: 0,
      updatedBy: admin.username,
    });
    for (const user of [sp, infra]) {
      expect((await getRegion({ db, user }, name)).regionalGpuCosts).toBe("5000");
      expect((await listRegions({ db, user })).map((r) => r.name)).toContain(name);
    }
    const audit = await db.auditEvent.findMany({ where: { subjectType: "region", subjectId: name } });
    expect(audit.map((a) => a.action)).toEqual(["region.created"]);
    expect(audit[0]!.actorName).toBe(admin.username);
    const pricing = (await loadRegionPricing(db)).get(name);
    expect(pricing).toEqual({
      name,
      highDemand: true,
      highDemandCost: 7_000_000n,
      regionalCpuCosts: 100_000n,
      regionalMemoryCosts: 200_000n,
      regionalGpuCosts: 5_000n,
    });
  });

  it("refuses other roles' writes, duplicates and invalid amounts, naming the field", async () => {
    const name = uniq("eu-south");
    for (const user of [sp, infra]) {
      expect((await domainRejection(createRegion({ db, user }, { name, ...regionBody }))).kind).toBe(
        "forbidden",
      );
    }
    await createRegion({ db, user: admin }, { name, ...regionBody });
    const duplicate = await domainRejection(createRegion({ db, user: admin }, { name, ...regionBody }));
    expect([duplicate.kind, duplicate.field]).toEqual(["conflict", "name"]);
    const bad = await domainRejection(
      updateRegion({ db, user: admin }, name, { ...regionBody, regionalCpuCosts: "-1" }),
    );
    expect([bad.kind, bad.field]).toEqual(["invalid", "regionalCpuCosts"]);
    expect(bad.message).toMatch(/Regional CPU costs must be a whole number of units/);
    const huge = await domainRejection(
      updateRegion({ db, user: admin }, name, { ...regionBody, regionalGpuCosts: "9223372036854775808" }),
    );
    expect(huge.field).toBe("regionalGpuCosts");
    const badName = await domainRejection(createRegion({ db, user: admin }, { ...regionBody, name: "-x" }));
    expect(badName.field).toBe("name");
    const extra = await domainRejection(
      updateRegion({ db, user: admin }, name, { ...regionBody, owner: "me" }),
    );
    expect(extra.kind).toBe("invalid");
  });

  it("lists a region clusters use without data, which an admin then sets; audit keeps before and after", async () => {
    const name = uniq("mars");
    const cluster = await makeCluster(db, infra);
    await db.cluster.update({ where: { id: cluster.id }, data: { region: name } });
    const missing = (await listRegions({ db, user: sp })).find((r) => r.name === name);
    expect(missing).toMatchObject({ hasData: false, clusters: 1, regionalCpuCosts: null });
    expect((await loadRegionPricing(db)).has(name)).toBe(false);

    const set = await updateRegion({ db, user: admin, clock }, name, {
      regionalCpuCosts: "1",
      regionalMemoryCosts: "2",
      regionalGpuCosts: "3",
    });
    expect(set).toMatchObject({ hasData: true, highDemand: false, highDemandCost: "0", clusters: 1 });
    await updateRegion({ db, user: admin, clock }, name, { ...regionBody });
    const audit = await db.auditEvent.findMany({
      where: { subjectType: "region", subjectId: name },
      orderBy: { createdAt: "asc" },
    });
    expect(audit.map((a) => a.action)).toEqual(["region.updated", "region.updated"]);
    const details = audit.map((a) => a.detail as { before: { regionalCpuCosts: string } | null });
    expect(details[0]!.before).toBeNull();
    expect(details[1]!.before?.regionalCpuCosts).toBe("1");

    // A name nobody uses and nobody created is not found (PUT does not invent regions).
    const unknown = await domainRejection(updateRegion({ db, user: admin }, uniq("nowhere"), regionBody));
    expect(unknown.kind).toBe("not_found");
    expect((await domainRejection(getRegion({ db, user: sp }, uniq("nowhere")))).kind).toBe("not_found");
  });

  it("refuses to delete a region clusters are in, and the default region; deletes it once they left", async () => {
    const name = uniq("ap-east");
    await createRegion({ db, user: admin }, { name, ...regionBody });
    const cluster = await makeCluster(db, infra);
    await db.cluster.update({ where: { id: cluster.id }, data: { region: name } });
    const refused = await domainRejection(deleteRegion({ db, user: admin }, name));
    expect(refused.kind).toBe("conflict");
    expect(refused.message).toMatch(/used by 1 cluster/);
    expect((await domainRejection(deleteRegion({ db, user: sp }, name))).kind).toBe("forbidden");
    expect((await domainRejection(deleteRegion({ db, user: admin }, "default"))).kind).toBe("conflict");

    await db.cluster.update({ where: { id: cluster.id }, data: { status: "DEREGISTERED" } });
    expect(await deleteRegion({ db, user: admin, clock }, name)).toEqual({ name, deleted: true });
    expect(await db.region.findUnique({ where: { name } })).toBeNull();
    const audit = await db.auditEvent.findMany({ where: { subjectType: "region", subjectId: name } });
    expect(audit.map((a) => a.action).sort()).toEqual(["region.created", "region.deleted"]);
    expect((await domainRejection(deleteRegion({ db, user: admin }, name))).kind).toBe("not_found");
  });

  it("puts a cluster registered without a region in the default region, which has data", async () => {
    const cluster = await makeCluster(db, infra);
    expect((await db.cluster.findUniqueOrThrow({ where: { id: cluster.id } })).region).toBe("default");
    expect((await loadRegionPricing(db)).get("default")).toMatchObject({
      regionalCpuCosts: 0n,
      highDemand: false,
    });
  });
});

describe("green rewards and settings", () => {
  it("starts on the default preset and switches to the reference one, audited", async () => {
    const initial = await getGreenRewards({ db, user: sp });
    expect(initial.preset).toBe("default");
    expect(initial.rewards).toEqual(initial.presets.default);
    expect(initial.rewards.find((r) => r.percent === 100)?.reward).toBe("100000000");

    const reference = await updateGreenRewards({ db, user: admin, clock }, { preset: "reference" });
    expect(reference.preset).toBe("reference");
    expect(reference.rewards).toEqual([
      { percent: 0, reward: "0" },
      { percent: 20, reward: "20000000" },
      { percent: 40, reward: "40000000" },
      { percent: 80, reward: "80000000" },
      { percent: 100, reward: "10000000" },
    ]);
    const loaded = await loadPricingSettings(db);
    expect(loaded.greenPreset).toBe("reference");
    expect(loaded.greenRewards.get(60)).toBeUndefined();
    expect(loaded.greenRewards.get(100)).toBe(10_000_000n);

    const custom = await updateGreenRewards(
      { db, user: admin, clock },
      {
        rewards: [
          { percent: 100, reward: "50000000" },
          { percent: 50, reward: 25000000 },
        ],
      },
    );
    expect(custom.preset).toBe("custom");
    expect(custom.rewards).toEqual([
      { percent: 50, reward: "25000000" },
      { percent: 100, reward: "50000000" },
    ]);
    const audit = await db.auditEvent.findMany({
      where: { action: "accounting.green-rewards.updated" },
      orderBy: { createdAt: "asc" },
    });
    expect(audit).toHaveLength(2);
    expect((audit[1]!.detail as { before: { preset: string } }).before.preset).toBe("reference");

    await updateGreenRewards({ db, user: admin }, { preset: "default" });
    expect((await getGreenRewards({ db, user: infra })).rewards).toEqual(initial.presets.default);
  });

  it("refuses bad tables naming the row, and non-admins", async () => {
    const twice = await domainRejection(
      updateGreenRewards(
        { db, user: admin },
        {
          rewards: [
            { percent: 20, reward: "1" },
            { percent: 20, reward: "2" },
          ],
        },
      ),
    );
    expect([twice.kind, twice.field]).toEqual(["invalid", "rewards.1.percent"]);
    const range = await domainRejection(
      updateGreenRewards({ db, user: admin }, { rewards: [{ percent: 101, reward: "1" }] }),
    );
    expect(range.field).toBe("rewards.0.percent");
    const both = await domainRejection(
      updateGreenRewards({ db, user: admin }, { preset: "default", rewards: [{ percent: 1, reward: "1" }] }),
    );
    expect(both.field).toBe("preset");
    const preset = await domainRejection(updateGreenRewards({ db, user: admin }, { preset: "custom" }));
    expect(preset.field).toBe("preset");
    expect((await domainRejection(updateGreenRewards({ db, user: sp }, { preset: "reference" }))).kind).toBe(
      "forbidden",
    );
    expect((await getGreenRewards({ db, user: sp })).preset).toBe("default");
  });

  it("sets the charge per GB (default 10^7 units), admins only", async () => {
    expect((await getAccountingSettings({ db, user: sp })).chargePerGb).toBe("10000000");
    const set = await updateAccountingSettings({ db, user: admin, clock }, { chargePerGb: "20000000" });
    expect(set).toMatchObject({ chargePerGb: "20000000", updatedBy: admin.username });
    expect((await loadPricingSettings(db)).chargePerGb).toBe(20_000_000n);
    const bad = await domainRejection(updateAccountingSettings({ db, user: admin }, { chargePerGb: "1.5" }));
    expect([bad.kind, bad.field]).toEqual(["invalid", "chargePerGb"]);
    expect(
      (await domainRejection(updateAccountingSettings({ db, user: infra }, { chargePerGb: "1" }))).kind,
    ).toBe("forbidden");
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "accounting.settings.updated" } });
    expect(audit.detail).toEqual({ before: { chargePerGb: "10000000" }, after: { chargePerGb: "20000000" } });
  });
});

describe("the regions migration", () => {
  const legacyUrl = databaseUrlFor(`nemo_regions_mig_${runId()}`);
  let dir: string;
  afterAll(async () => {
    await dropDatabase(legacyUrl);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("moves existing clusters without a region into 'default' and keeps named regions", async () => {
    const mine = "20261207181000_regions_green_rewards_settings";
    dir = await mkdtemp(path.join(tmpdir(), "nemo-regions-"));
    for (const name of (await readdir(MIGRATIONS_DIR)).filter((n) => /^\d{14}_/.test(n) && n < mine)) {
      await cp(path.join(MIGRATIONS_DIR, name), path.join(dir, name), { recursive: true });
    }
    await ensureDatabase(legacyUrl);
    await applyMigrations(legacyUrl, dir);
    const client = new pg.Client({ connectionString: legacyUrl });
    await client.connect();
    try {
      const owner = await client.query<{ id: string }>(
        `INSERT INTO users (id, subject, username, roles) VALUES (gen_random_uuid(), 'legacy', 'legacy', '{INFRASTRUCTURE_PROVIDER}') RETURNING id`,
      );
      for (const [name, region] of [
        ["old-a", null],
        ["old-b", ""],
        ["old-c", "eu-west"],
      ] as const) {
        await client.query(
          `INSERT INTO clusters (id, name, owner_id, managed_api, cpus, memory_gb, storage_gb, availability_pct, green_energy_pct, cost, cpu_base_rate, memory_base_rate, region, updated_at)
           VALUES (gen_random_uuid(), $1, $2, 'https://x', 4, 8, 10, 99, 20, 'low_cost', 1, 1, $3, now())`,
          [name, owner.rows[0]!.id, region],
        );
      }
      await cp(path.join(MIGRATIONS_DIR, mine), path.join(dir, mine), { recursive: true });
      await applyMigrations(legacyUrl, dir);
      const rows = await client.query<{ name: string; region: string }>(
        `SELECT name, region FROM clusters ORDER BY name`,
      );
      expect(rows.rows).toEqual([
        { name: "old-a", region: "default" },
        { name: "old-b", region: "default" },
        { name: "old-c", region: "eu-west" },
      ]);
      const regions = await client.query<{ name: string }>(`SELECT name FROM regions`);
      expect(regions.rows).toEqual([{ name: "default" }]);
    } finally {
      await client.end();
    }
  });
});
