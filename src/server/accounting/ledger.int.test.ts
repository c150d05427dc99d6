import { execFile } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { cp, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, poolOf, type Db } from "@/server/db/client";
import { applyMigrations, dropDatabase, ensureDatabase, MIGRATIONS_DIR } from "@/server/db/migrate";
import { logger } from "@/server/logger";
import { acceptedMychartWorkload } from "@/server/testing/demo-database";
import { makeCluster, makeUser, makeWorkload } from "@/server/testing/factories";
import { databaseUrlFor, runId } from "@/server/testing/services";
import {
  appendLedgerTransaction,
  appendLedgerTransactions,
  ensureLedgerAccount,
  PLATFORM_ACCOUNT,
  userAccount,
  workloadAccount,
} from "./ledger";
import { registerClusterAccount, registerJoinedCluster, registerWorkloadAccount } from "./registration";
import { TOKEN } from "./units";
import {
  lastLedgerVerification,
  LedgerChainVerifier,
  readLedgerText,
  runLedgerVerification,
  type StoredTextTransaction,
  verifyLedger,
} from "./verify";

const db = createDb(process.env.DATABASE_URL);
afterAll(async () => db.$disconnect());

const AT = new Date("2026-12-07T18:00:00.123Z");

async function userWithAccount(target: Db): Promise<string> {
  const user = await target.user.create({
    data: { subject: `ledger-${randomUUID()}`, username: "ledger", roles: [] },
  });
  const id = userAccount(user.id);
  await target.$transaction((tx) =>
    ensureLedgerAccount(tx, { id, kind: "USER", ownerUserId: user.id, displayName: "ledger" }),
  );
  return id;
}

/** A database of the test's own: tampering must not break the run's shared ledger. */
async function isolatedDatabase(name: string): Promise<{ url: string; db: Db; sql: pg.Client }> {
  const url = databaseUrlFor(`nemo_${name}_${runId()}`);
  await ensureDatabase(url);
  await applyMigrations(url);
  const sql = new pg.Client({ connectionString: url });
  await sql.connect();
  return { url, db: createDb(url), sql };
}

async function closeIsolated(isolated: { url: string; db: Db; sql: pg.Client }) {
  await isolated.sql.end();
  await isolated.db.$disconnect();
  await dropDatabase(isolated.url);
}

/** Edits the ledger behind the application's back, as an attacker with SQL access would. */
async function tamper(sql: pg.Client, statement: string) {
  await sql.query(`ALTER TABLE ledger_transactions DISABLE TRIGGER ledger_transactions_append_only`);
  await sql.query(statement);
  await sql.query(`ALTER TABLE ledger_transactions ENABLE TRIGGER ledger_transactions_append_only`);
}

async function appendMany(target: Db, to: string, amounts: readonly bigint[]) {
  for (const [i, amount] of amounts.entries()) {
    await target.$transaction((tx) =>
      appendLedgerTransaction(
        tx,
        {
          from: PLATFORM_ACCOUNT,
          to,
          amount,
          rule: "compute",
          periodStart: new Date(AT.getTime() + i * 60_000),
          reference: `test:${randomUUID()}`,
          inputs: { cpuUsage: String(i), note: "ünïcode ✓" },
        },
        { at: AT },
      ),
    );
  }
}

describe("the MOCA ledger", () => {
  it("chains concurrent appends into one verifiable sequence with balances", async () => {
    const account = await userWithAccount(db);
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        db.$transaction(
          (tx) =>
            appendLedgerTransaction(tx, {
              from: i % 2 === 0 ? PLATFORM_ACCOUNT : account,
              to: i % 2 === 0 ? account : PLATFORM_ACCOUNT,
              amount: i % 2 === 0 ? 500n : 200n,
              rule: "test",
              reference: `test:${account}:${i}`,
              inputs: { i: String(i) },
            }),
          // Twelve transactions queue for the pool and the ledger lock on a loaded machine.
          { maxWait: 60_000, timeout: 60_000 },
        ),
      ),
    );
    const stored = await db.ledgerAccount.findUniqueOrThrow({ where: { id: account } });
    expect(stored.balance).toBe(6n * 500n - 6n * 200n);
    const verification = await verifyLedger(db);
    expect(verification).toMatchObject({ ok: true });
    expect(verification.checked).toBeGreaterThanOrEqual(12);
  });

  it("appends a reference exactly once, in a batch or later, and announces each append through the outbox", async () => {
    const account = await userWithAccount(db);
    const reference = `charge:${randomUUID()}:compute:${AT.toISOString()}`;
    const input = {
      from: PLATFORM_ACCOUNT,
      to: account,
      amount: 7n * TOKEN,
      rule: "compute",
      periodStart: AT,
      reference,
      inputs: { cpu: "1500" },
    };
    const [first, repeated] = await db.$transaction((tx) => appendLedgerTransactions(tx, [input, input]));
    expect(first).toMatchObject({ appended: true });
    expect(repeated).toEqual({ appended: false, reference });
    expect(await db.$transaction((tx) => appendLedgerTransaction(tx, input))).toEqual({
      appended: false,
      reference,
    });
    expect((await db.ledgerAccount.findUniqueOrThrow({ where: { id: account } })).balance).toBe(7n * TOKEN);
    const events = await db.outboxMessage.findMany({ where: { routingKey: "transaction" } });
    const mine = events.filter((e) => (e.payload as { reference?: string }).reference === reference);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.payload).toMatchObject({ amount: "700000000", rule: "compute", to: account });
  });

  it("refuses bad input naming the field, and an unknown account", async () => {
    const account = await userWithAccount(db);
    const base = {
      from: PLATFORM_ACCOUNT,
      to: account,
      amount: 1n,
      rule: "test",
      reference: `test:${randomUUID()}`,
      inputs: {},
    };
    await expect(
      db.$transaction((tx) => appendLedgerTransaction(tx, { ...base, amount: 0n })),
    ).rejects.toMatchObject({ kind: "invalid", field: "amount" });
    await expect(
      db.$transaction((tx) => appendLedgerTransaction(tx, { ...base, to: PLATFORM_ACCOUNT })),
    ).rejects.toMatchObject({ kind: "invalid", field: "to" });
    await expect(
      db.$transaction((tx) => appendLedgerTransaction(tx, { ...base, inputs: { "bad key": "x" } })),
    ).rejects.toMatchObject({ kind: "invalid" });
    await expect(
      db.$transaction((tx) => appendLedgerTransaction(tx, { ...base, to: "user:nobody" })),
    ).rejects.toThrow();
  });

  it("refuses updates, deletes and truncation at the database", async () => {
    const account = await userWithAccount(db);
    const result = await db.$transaction((tx) =>
      appendLedgerTransaction(tx, {
        from: PLATFORM_ACCOUNT,
        to: account,
        amount: 1n,
        rule: "test",
        reference: `test:${randomUUID()}`,
        inputs: {},
      }),
    );
    if (!result.appended) throw new Error("not appended");
    await expect(
      db.ledgerTransaction.update({ where: { sequence: result.sequence }, data: { amount: 1_000_000n } }),
    ).rejects.toThrow(/append-only/);
    await expect(db.ledgerTransaction.delete({ where: { sequence: result.sequence } })).rejects.toThrow(
      /append-only/,
    );
    await expect(db.$executeRawUnsafe(`TRUNCATE ledger_transactions CASCADE`)).rejects.toThrow(/append-only/);
  });

  describe("verification on a ledger of its own", () => {
    let isolated: { url: string; db: Db; sql: pg.Client };
    let account: string;
    beforeAll(async () => {
      isolated = await isolatedDatabase("ledger_verify");
      account = await userWithAccount(isolated.db);
    });
    afterAll(async () => closeIsolated(isolated));

    it("hashes the same canonical bytes in TypeScript and in SQL", async () => {
      await appendMany(isolated.db, account, [100n, 200n, 300n, 400n, 500n]);
      const rows = await isolated.sql.query<{ same: boolean }>(
        `SELECT hash = nemo_ledger_hash(sequence, from_account, to_account, amount, rule, period_start,
                                        reference, inputs, created_at, prev_hash) AS same
         FROM ledger_transactions ORDER BY sequence`,
      );
      expect(rows.rows.map((r) => r.same)).toEqual([true, true, true, true, true]);
    });

    it("records each verification with who, when and how far, and reads back the last", async () => {
      const record = await runLedgerVerification(isolated.db, { by: "admin", clock: () => AT.getTime() });
      expect(record).toMatchObject({ ok: true, checked: 5, lastSequence: 5n, verifiedBy: "admin" });
      expect(await lastLedgerVerification(isolated.db)).toMatchObject({
        ok: true,
        lastSequence: 5n,
        verifiedAt: AT,
        verifiedBy: "admin",
      });
    });

    it("names the entry whose content was changed in SQL", async () => {
      await tamper(isolated.sql, `UPDATE ledger_transactions SET amount = 999999 WHERE sequence = 3`);
      const result = await verifyLedger(isolated.db);
      expect(result).toMatchObject({
        ok: false,
        lastSequence: 2n,
        firstMismatch: { sequence: 3n, field: "hash", found: expect.any(String) },
      });
      await tamper(isolated.sql, `UPDATE ledger_transactions SET amount = 300 WHERE sequence = 3`);
      expect(await verifyLedger(isolated.db)).toMatchObject({ ok: true });
    });

    it("names a link rewritten to match a forged hash", async () => {
      await tamper(
        isolated.sql,
        `UPDATE ledger_transactions SET prev_hash = repeat('a', 64) WHERE sequence = 4`,
      );
      expect(await verifyLedger(isolated.db)).toMatchObject({
        ok: false,
        firstMismatch: { sequence: 4n, field: "prevHash", found: "a".repeat(64) },
      });
      await tamper(
        isolated.sql,
        `UPDATE ledger_transactions SET prev_hash = (SELECT hash FROM ledger_transactions WHERE sequence = 3) WHERE sequence = 4`,
      );
      expect(await verifyLedger(isolated.db)).toMatchObject({ ok: true });
    });

    it("names a tampered balance and its account", async () => {
      await isolated.sql.query(`UPDATE ledger_accounts SET balance = balance + 1 WHERE id = $1`, [account]);
      expect(await verifyLedger(isolated.db)).toMatchObject({
        ok: false,
        firstMismatch: { field: "balance", account, sequence: 5n, expected: "1500", found: "1501" },
      });
      await isolated.sql.query(`UPDATE ledger_accounts SET balance = balance - 1 WHERE id = $1`, [account]);
    });

    it("names a deleted entry as missing", async () => {
      await tamper(isolated.sql, `DELETE FROM ledger_transactions WHERE sequence = 2`);
      expect(await verifyLedger(isolated.db)).toMatchObject({
        ok: false,
        checked: 2,
        lastSequence: 1n,
        firstMismatch: { sequence: 2n, field: "missing", expected: "2", found: "3" },
      });
    });

    it("fails `npm run ledger:verify` (exit 1) printing the first mismatch", async () => {
      const run = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
        execFile(
          process.execPath,
          ["--import", "tsx", "prisma/ledger-verify.ts"],
          { env: { ...process.env, DATABASE_URL: isolated.url, LOG_LEVEL: "silent" }, timeout: 120_000 },
          (error, stdout) => resolve({ code: error ? (error.code as number | null) : 0, stdout }),
        );
      });
      expect(run.code).toBe(1);
      expect(run.stdout).toContain("ledger MISMATCH at sequence 2: the transaction is missing");
      expect(run.stdout).toContain("verified intact up to sequence 1");
      expect(await lastLedgerVerification(isolated.db)).toMatchObject({ ok: false, verifiedBy: "cli" });
    }, 150_000);

    it("names a deleted tail, which no later hash covers, as missing", async () => {
      // Put sequence 2 back as it was is impossible without its content: rebuild on a fresh ledger instead.
      const fresh = await isolatedDatabase("ledger_tail");
      try {
        const to = await userWithAccount(fresh.db);
        await appendMany(fresh.db, to, [10n, 20n, 30n]);
        await runLedgerVerification(fresh.db, { by: "cli", clock: () => AT.getTime() });
        await tamper(fresh.sql, `DELETE FROM ledger_transactions WHERE sequence = 3`);
        // The balances still say 60: the tail's amount is missing from the sum as well.
        expect(await verifyLedger(fresh.db)).toMatchObject({
          ok: false,
          firstMismatch: { sequence: 3n, field: "missing", expected: "3", found: "2" },
        });
      } finally {
        await closeIsolated(fresh);
      }
    });
  });

  describe("verification's COPY reading", () => {
    it("reads every row across pages, escapes undone, and names a row tampered in the middle of a page", async () => {
      const fresh = await isolatedDatabase("ledger_copy");
      try {
        const to = await userWithAccount(fresh.db);
        // One batch of 25; a reference with a backslash and inputs with quotes and backslashes (COPY escapes them).
        const inputs = (i: number) => ({ cpuUsage: String(i), note: `say "hi" \\ ünïcode ✓ ${i}` });
        await fresh.db.$transaction((tx) =>
          appendLedgerTransactions(
            tx,
            Array.from({ length: 25 }, (_, i) => ({
              from: PLATFORM_ACCOUNT,
              to,
              amount: BigInt(i + 1),
              rule: "compute",
              periodStart: i % 2 === 0 ? new Date(AT.getTime() + i * 60_000) : null,
              reference: `test:${randomUUID()}\\${i}`,
              inputs: inputs(i),
            })),
            { at: AT },
          ),
        );
        const client = await poolOf(fresh.db).connect();
        try {
          // Pages of 10: rows 1–10, 11–20, 21–25, each checked as it arrives.
          const verifier = new LedgerChainVerifier();
          const read: StoredTextTransaction[] = [];
          await readLedgerText(client, (row) => (read.push(row), verifier.pushText(row)), { pageRows: 10 });
          expect(read.map((r) => Number(r.sequence))).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
          expect(verifier.result()).toMatchObject({ ok: true, checked: 25, lastSequence: 25n });
          expect(JSON.parse(read[6]!.inputs)).toEqual(inputs(6));
          expect(read[6]!.reference).toMatch(/\\6$/);
          expect(read[6]!.periodStart).toBe(new Date(AT.getTime() + 6 * 60_000).toISOString());
          expect(read[7]!.periodStart).toBe("");
          expect(read[7]!.createdAt).toBe(AT.toISOString());

          await tamper(fresh.sql, `UPDATE ledger_transactions SET amount = 999 WHERE sequence = 15`);
          const stopped = new LedgerChainVerifier();
          let seen = 0;
          await readLedgerText(client, (row) => (seen++, stopped.pushText(row)), { pageRows: 10 });
          expect(stopped.result()).toMatchObject({
            ok: false,
            checked: 15,
            lastSequence: 14n,
            firstMismatch: { sequence: 15n, field: "hash" },
          });
          // Hashing stopped at the mismatch; the rest of its page was drained and the connection still answers.
          expect(seen).toBe(15);
          expect((await client.query<{ one: number }>("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
        } finally {
          client.release();
        }
        expect(await verifyLedger(fresh.db)).toMatchObject({
          ok: false,
          checked: 15,
          firstMismatch: { sequence: 15n, field: "hash" },
        });
      } finally {
        await closeIsolated(fresh);
      }
    });
  });

  describe("the millitoken ledger before this one", () => {
    it("is moved to units by re-hashing from genesis, and the moved chain verifies", async () => {
      const url = databaseUrlFor(`nemo_ledger_move_${runId()}`);
      const before = await mkdtemp(path.join(tmpdir(), "nemo-migrations-"));
      await ensureDatabase(url);
      const sql = new pg.Client({ connectionString: url });
      const moved = createDb(url);
      try {
        for (const name of await readdir(MIGRATIONS_DIR)) {
          if (name < "20261207180000")
            await cp(path.join(MIGRATIONS_DIR, name), path.join(before, name), { recursive: true });
        }
        await applyMigrations(url, before);
        await sql.connect();
        const owner = randomUUID();
        const cluster = randomUUID();
        await sql.query(`INSERT INTO users (id, subject, username, roles) VALUES ($1, $2, 'infra', '{}')`, [
          owner,
          `s-${owner}`,
        ]);
        await sql.query(
          `INSERT INTO clusters (id, name, owner_id, managed_api, cpus, memory_gb, storage_gb, availability_pct,
                                 green_energy_pct, cost, cpu_base_rate, memory_base_rate, updated_at)
           VALUES ($1, 'legacy-cluster', $2, 'sim://legacy', 16, 32, 100, 95, 40, 'low_cost', 6, 3, now())`,
          [cluster, owner],
        );
        const legacy = [
          {
            account: owner,
            kind: "cluster-registration-reward",
            amount: 16_000,
            reference: `cluster:${cluster}`,
          },
          { account: owner, kind: "adjustment", amount: -250, reference: null },
          { account: "acct-gone", kind: "test", amount: 42, reference: null },
        ];
        let prev = "0".repeat(64);
        for (const [i, e] of legacy.entries()) {
          const hash = createHash("sha256").update(`${prev}${i}`).digest("hex");
          await sql.query(
            `INSERT INTO ledger_entries (sequence, account_id, account_kind, amount_milli, kind, reference, detail, prev_hash, hash, created_at)
             VALUES ($1, $2, 'INFRASTRUCTURE_PROVIDER', $3, $4, $5, $6, $7, $8, $9)`,
            [i + 1, e.account, e.amount, e.kind, e.reference, JSON.stringify({ i }), prev, hash, AT],
          );
          prev = hash;
        }

        await applyMigrations(url);

        expect(await verifyLedger(moved)).toMatchObject({ ok: true, checked: 3, lastSequence: 3n });
        const transactions = await moved.ledgerTransaction.findMany({ orderBy: { sequence: "asc" } });
        expect(transactions.map((t) => [t.fromAccount, t.toAccount, t.amount, t.rule, t.reference])).toEqual([
          [
            PLATFORM_ACCOUNT,
            `cluster:${cluster}`,
            16n * TOKEN,
            "registration",
            `registration:cluster:${cluster}`,
          ],
          [`user:${owner}`, PLATFORM_ACCOUNT, 25_000_000n, "conversion", "legacy:2"],
          [PLATFORM_ACCOUNT, "user:acct-gone", 4_200_000n, "conversion", "legacy:3"],
        ]);
        expect(transactions[0]!.inputs).toMatchObject({ legacySequence: "1", legacyAmountMilli: "16000" });
        const accounts = await moved.ledgerAccount.findMany();
        expect(Object.fromEntries(accounts.map((a) => [a.id, [a.kind, a.ownerUserId, a.balance]]))).toEqual({
          [`cluster:${cluster}`]: ["CLUSTER", owner, 16n * TOKEN],
          [PLATFORM_ACCOUNT]: ["PLATFORM", null, -16n * TOKEN + 25_000_000n - 4_200_000n],
          "user:acct-gone": ["USER", null, 4_200_000n],
          [`user:${owner}`]: ["USER", owner, -25_000_000n],
        });
        // The moved registration counts: the cluster is not registered (credited) again.
        await expect(moved.$transaction((tx) => registerClusterAccount(tx, cluster))).rejects.toThrow(
          /already registered/,
        );
      } finally {
        await sql.end().catch(() => undefined);
        await moved.$disconnect();
        await rm(before, { recursive: true, force: true });
        await dropDatabase(url);
      }
    });
  });
});

describe("registration", () => {
  it("registers a cluster the MO accepted once: one token per CPU, the second time refused", async () => {
    const infra = await makeUser(db, ["INFRASTRUCTURE_PROVIDER"]);
    const cluster = await makeCluster(db, infra);
    const reply = {
      action: "join" as const,
      status: "ok" as const,
      cluster_name: cluster.name,
      managed_api: cluster.managedApi,
      operation_id: randomUUID(),
      timestamp: AT.toISOString(),
    };
    expect(await db.$transaction((tx) => registerJoinedCluster(tx, reply, logger))).toBe("registered");
    expect(await db.$transaction((tx) => registerJoinedCluster(tx, reply, logger))).toBe(
      "already registered",
    );
    await expect(db.$transaction((tx) => registerClusterAccount(tx, cluster.id))).rejects.toThrow(
      `cluster:${cluster.id} is already registered`,
    );
    const account = await db.ledgerAccount.findUniqueOrThrow({ where: { id: `cluster:${cluster.id}` } });
    expect(account).toMatchObject({ kind: "CLUSTER", ownerUserId: infra.id, balance: 16n * TOKEN });
    // Two replicas handling two replies for one new cluster at once: one registers, the other is refused.
    const racing = await makeCluster(db, infra);
    const racingReply = { ...reply, cluster_name: racing.name };
    const outcomes = await Promise.all(
      [1, 2].map(() =>
        db.$transaction((tx) => registerJoinedCluster(tx, racingReply, logger), {
          maxWait: 60_000,
          timeout: 60_000,
        }),
      ),
    );
    expect(outcomes.sort()).toEqual(["already registered", "registered"]);
    expect(
      await db.ledgerTransaction.count({ where: { reference: `registration:cluster:${racing.id}` } }),
    ).toBe(1);
    const refused = {
      action: "join" as const,
      status: "error" as const,
      cluster_name: cluster.name,
      error: "x",
      id: "y",
    };
    expect(await db.$transaction((tx) => registerJoinedCluster(tx, refused, logger))).toBe("skipped");
  });

  it("credits a workload 5 tokens when it becomes ACCEPTED, 10 with ingress, and refuses a second registration", async () => {
    const provider = await makeUser(db, ["SERVICE_PROVIDER"]);
    const plain = await makeWorkload(db, provider);
    const ingress = await makeWorkload(db, provider);
    await db.workload.update({ where: { id: plain.id }, data: { status: "ACCEPTED" } });
    await db.workload.update({
      where: { id: ingress.id },
      data: { status: "ACCEPTED", ingressSupport: true },
    });
    expect(await db.$transaction((tx) => registerWorkloadAccount(tx, plain.id))).toMatchObject({
      amount: 5n * TOKEN,
    });
    expect(await db.$transaction((tx) => registerWorkloadAccount(tx, ingress.id))).toMatchObject({
      amount: 10n * TOKEN,
    });
    await expect(db.$transaction((tx) => registerWorkloadAccount(tx, plain.id))).rejects.toThrow(
      /already registered/,
    );
    const balances = await db.ledgerAccount.findMany({
      where: { id: { in: [workloadAccount(plain.id), workloadAccount(ingress.id)] } },
      orderBy: { balance: "asc" },
    });
    expect(balances.map((a) => a.balance)).toEqual([5n * TOKEN, 10n * TOKEN]);
    const pending = await makeWorkload(db, provider);
    await expect(db.$transaction((tx) => registerWorkloadAccount(tx, pending.id))).rejects.toMatchObject({
      kind: "conflict",
    });
  });

  it("registers the workload in the upload that accepts it", async () => {
    const provider = await makeUser(db, ["SERVICE_PROVIDER"]);
    const id = await acceptedMychartWorkload(db, provider, "ledger-chart");
    const account = await db.ledgerAccount.findUniqueOrThrow({ where: { id: workloadAccount(id) } });
    expect(account).toMatchObject({ kind: "WORKLOAD", ownerUserId: provider.id, balance: 5n * TOKEN });
  });
});
