import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { createDb } from "@/server/db/client";
import { applyMigrations, dropDatabase, ensureDatabase } from "@/server/db/migrate";
import { logger } from "@/server/logger";
import { databaseUrlFor, runId } from "@/server/testing/services";
import { accountBalance, appendLedgerEntry, verifyLedger } from "./ledger";
import { REGISTRATION_REWARD_KIND, rewardClusterRegistration } from "./registration";

const db = createDb(process.env.DATABASE_URL);
afterAll(async () => db.$disconnect());

describe("the MOCA ledger", () => {
  it("chains concurrent appends into one verifiable sequence", async () => {
    const account = `acct-${randomUUID()}`;
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        db.$transaction((tx) =>
          appendLedgerEntry(tx, {
            accountId: account,
            accountKind: "SERVICE_PROVIDER",
            amountMilli: BigInt(i % 2 === 0 ? 500 : -200),
            kind: "test",
            detail: { i },
          }),
        ),
      ),
    );
    expect(await accountBalance(db, account)).toBe(6n * 500n - 6n * 200n);
    const verification = await verifyLedger(db);
    expect(verification.ok).toBe(true);
    expect(verification.entries).toBeGreaterThanOrEqual(12);
  });

  it("refuses updates and deletes at the database", async () => {
    const entry = await db.$transaction((tx) =>
      appendLedgerEntry(tx, { accountId: "x", accountKind: "PLATFORM", amountMilli: 1n, kind: "test" }),
    );
    await expect(
      db.ledgerEntry.update({ where: { sequence: entry.sequence }, data: { amountMilli: 1_000_000n } }),
    ).rejects.toThrow(/append-only/);
    await expect(db.ledgerEntry.delete({ where: { sequence: entry.sequence } })).rejects.toThrow(
      /append-only/,
    );
  });

  it("finds the first entry someone rewrote behind the database's back", async () => {
    const url = databaseUrlFor(`nemo_ledger_${runId()}`);
    await ensureDatabase(url);
    await applyMigrations(url);
    const isolated = createDb(url);
    try {
      for (const amount of [100n, 200n, 300n]) {
        await isolated.$transaction((tx) =>
          appendLedgerEntry(tx, {
            accountId: "p",
            accountKind: "INFRASTRUCTURE_PROVIDER",
            amountMilli: amount,
            kind: "t",
          }),
        );
      }
      expect((await verifyLedger(isolated)).ok).toBe(true);
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`ALTER TABLE ledger_entries DISABLE TRIGGER ledger_entries_append_only`);
      await admin.query(`UPDATE ledger_entries SET amount_milli = 999999 WHERE sequence = 2`);
      await admin.end();
      expect(await verifyLedger(isolated)).toMatchObject({
        ok: false,
        brokenAt: 2n,
        reason: "entry does not match its hash",
      });
    } finally {
      await isolated.$disconnect();
      await dropDatabase(url);
    }
  });

  it("credits a cluster's provider once when the MO accepts its join", async () => {
    const owner = await db.user.create({
      data: { subject: `moca-${randomUUID()}`, username: "moca", roles: [] },
    });
    const cluster = await db.cluster.create({
      data: {
        name: `moca-${randomUUID().slice(0, 8)}`,
        ownerId: owner.id,
        managedApi: "sim://moca",
        cpus: 16,
        memoryGb: 32,
        storageGb: 100,
        availabilityPct: 95,
        greenEnergyPct: 40,
        cost: "low_cost",
        cpuBaseRate: 6,
        memoryBaseRate: 3,
        status: "OK",
      },
    });
    const reply = {
      action: "join" as const,
      status: "ok" as const,
      cluster_name: cluster.name,
      managed_api: cluster.managedApi,
      operation_id: randomUUID(),
      timestamp: new Date().toISOString(),
    };
    expect(await db.$transaction((tx) => rewardClusterRegistration(tx, reply, logger))).toBe("rewarded");
    expect(await db.$transaction((tx) => rewardClusterRegistration(tx, reply, logger))).toBe("skipped");
    const entries = await db.ledgerEntry.findMany({
      where: { kind: REGISTRATION_REWARD_KIND, accountId: owner.id },
    });
    expect(entries.map((e) => e.amountMilli)).toEqual([16_000n]);
    const refused = {
      action: "join" as const,
      status: "error" as const,
      cluster_name: cluster.name,
      error: "x",
      id: "y",
    };
    expect(await db.$transaction((tx) => rewardClusterRegistration(tx, refused, logger))).toBe("skipped");
  });
});
