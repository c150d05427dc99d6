import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth/session";
import { createDb, type Db } from "@/server/db/client";
import { makeCluster, makeInstance, makeUser, makeWorkload } from "@/server/testing/factories";
import { appendLedgerTransaction, ensureLedgerAccount } from "./ledger";
import {
  accountSeries,
  costView,
  instanceCosts,
  listAccounts,
  listTransactions,
  workloadBalances,
} from "./queries";
import { TOKEN } from "./units";

/*
 * The console's reads on the run's database: each caller sees their own
 * accounts and the transactions touching them (admins all), server-side
 * filters work, the running balance adds up, and another tenant's account or
 * instance is "not found".
 */

let db: Db;
let owner: SessionUser;
let other: SessionUser;
let infra: SessionUser;
let admin: SessionUser;
let mine: string;
let theirs: string;
let cluster: string;
let instanceId: string;

beforeAll(async () => {
  db = createDb(process.env.DATABASE_URL);
  [owner, other, infra, admin] = await Promise.all([
    makeUser(db, [Role.SERVICE_PROVIDER]),
    makeUser(db, [Role.SERVICE_PROVIDER]),
    makeUser(db, [Role.INFRASTRUCTURE_PROVIDER]),
    makeUser(db, [Role.NEMO_ADMIN]),
  ]);
  const w1 = await makeWorkload(db, owner);
  const w2 = await makeWorkload(db, other);
  const c = await makeCluster(db, infra);
  instanceId = (await makeInstance(db, owner, w1.id, c.id)).id;
  mine = `workload:${w1.id}`;
  theirs = `workload:${w2.id}`;
  cluster = `cluster:${c.id}`;
  await db.$transaction(async (tx) => {
    await ensureLedgerAccount(tx, { id: "platform", kind: "PLATFORM", displayName: "Platform" });
    await ensureLedgerAccount(tx, { id: mine, kind: "WORKLOAD", ownerUserId: owner.id, displayName: "mine" });
    await ensureLedgerAccount(tx, {
      id: theirs,
      kind: "WORKLOAD",
      ownerUserId: other.id,
      displayName: "theirs",
    });
    await ensureLedgerAccount(tx, { id: cluster, kind: "CLUSTER", ownerUserId: infra.id, displayName: "c" });
    const at = new Date(Date.now() - 60_000);
    const append = (from: string, to: string, amount: bigint, rule: string, reference: string) =>
      appendLedgerTransaction(tx, { from, to, amount, rule, reference, inputs: {} }, { at });
    await append("platform", mine, 10n * TOKEN, "registration", `q-reg:${mine}`);
    await append("platform", theirs, 5n * TOKEN, "registration", `q-reg:${theirs}`);
    await append(mine, cluster, 3n * TOKEN, "compute", `q-charge:${mine}`);
  });
});
afterAll(async () => {
  await db.$disconnect();
});

describe("accounting queries", () => {
  it("shows each caller their own accounts and balances", async () => {
    const own = await listAccounts({ db, user: owner });
    expect(own.map((a) => [a.id, a.balance])).toEqual([[mine, (7n * TOKEN).toString()]]);
    const earnings = await listAccounts({ db, user: infra });
    expect(earnings.map((a) => [a.id, a.balance])).toEqual([[cluster, (3n * TOKEN).toString()]]);
    const all = (await listAccounts({ db, user: admin })).map((a) => a.id);
    expect(all).toEqual(expect.arrayContaining([mine, theirs, cluster]));
    expect(await workloadBalances({ db, user: other }, [Number(mine.split(":")[1])])).toEqual({});
  });

  it("lists only transactions touching the caller's accounts, filtered by rule and account", async () => {
    const page = await listTransactions({ db, user: owner }, {});
    expect(page.items.map((t) => [t.rule, t.direction])).toEqual([
      ["compute", "debit"],
      ["registration", "credit"],
    ]);
    const compute = await listTransactions({ db, user: owner }, { rule: "compute" });
    expect(compute.total).toBe(1);
    const infraView = await listTransactions({ db, user: infra }, {});
    expect(infraView.items.map((t) => t.direction)).toEqual(["credit"]);
    await expect(listTransactions({ db, user: other }, { account: mine })).rejects.toMatchObject({
      kind: "not_found",
    });
    await expect(listTransactions({ db, user: owner }, { rule: "Not A Rule" })).rejects.toMatchObject({
      kind: "invalid",
      field: "rule",
    });
  });

  it("charts the running balance and the charges per rule", async () => {
    const series = await accountSeries({ db, user: owner }, { range: "hour" });
    const last = series.points.at(-1)!;
    expect(last.balance).toBe((7n * TOKEN).toString());
    expect(last.debits.compute).toBe((3n * TOKEN).toString());
    expect(last.credits.registration).toBe((10n * TOKEN).toString());
  });

  it("shows an instance's costs to its owner and its cluster's provider, not another tenant", async () => {
    expect((await instanceCosts({ db, user: owner }, { instanceId })).items).toEqual([]);
    expect((await instanceCosts({ db, user: infra }, { instanceId })).totals).toEqual({});
    await expect(instanceCosts({ db, user: other }, { instanceId })).rejects.toMatchObject({
      kind: "not_found",
    });
    expect(await costView({ db, user: other }, { groupBy: "cluster" })).toEqual([]);
  });
});
