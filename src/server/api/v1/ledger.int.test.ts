import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "@/server/api/root";
import { Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth/session";
import { createDb, type Db } from "@/server/db/client";
import {
  appendLedgerTransaction,
  ensureLedgerAccount,
  PLATFORM_ACCOUNT,
  userAccount,
} from "@/server/accounting/ledger";
import { registerClusterAccount, registerWorkloadAccount } from "@/server/accounting/registration";
import { contextFor, makeCluster, makeUser, makeWorkload } from "@/server/testing/factories";
import { trpcRejection } from "@/server/testing/rejection";
import { sessionCookie } from "@/server/testing/session-cookie";
import { exportLedgerTransactionsRest, lastLedgerVerificationRest, verifyLedgerRest } from "./ledger";
import { openApiDocument } from "./openapi";

/*
 * The ledger over REST and tRPC on the run's database: the export shows each
 * provider only their own accounts' transactions (another tenant's account is
 * 404), admins all; verification is for admins only and is recorded.
 */

let db: Db;
let spA: SessionUser;
let spB: SessionUser;
let infraA: SessionUser;
let infraB: SessionUser;
let admin: SessionUser;
let nobody: SessionUser;
const ids = { workloadA: 0, workloadB: 0, clusterA: "", clusterB: "" };
const cookies = new Map<string, string>();
const BASE = "http://localhost:3999";

type Handler = (request: Request, context?: { params: Promise<Record<string, string>> }) => Promise<Response>;

function call(handler: Handler, user: SessionUser | null, path: string, method = "GET") {
  const headers = new Headers();
  if (user) {
    headers.set("cookie", cookies.get(user.id) ?? "");
    headers.set("origin", BASE);
  }
  return handler(new Request(`${BASE}${path}`, { method, headers }), { params: Promise.resolve({}) });
}
const exportAs = (user: SessionUser | null, query: string) =>
  call(exportLedgerTransactionsRest, user, `/api/v1/accounting/transactions/export/${query}`);

interface Line {
  sequence: string;
  from: string;
  to: string;
  amount: string;
  rule: string;
  reference: string;
  inputs: Record<string, string>;
  hash: string;
}

async function jsonl(user: SessionUser, query: string): Promise<Line[]> {
  const response = await exportAs(user, `?format=jsonl&${query}`);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/application\/x-ndjson/);
  const text = await response.text();
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Line);
}

beforeAll(async () => {
  db = createDb(process.env.DATABASE_URL);
  [spA, spB, infraA, infraB, admin, nobody] = await Promise.all([
    makeUser(db, [Role.SERVICE_PROVIDER]),
    makeUser(db, [Role.SERVICE_PROVIDER]),
    makeUser(db, [Role.INFRASTRUCTURE_PROVIDER]),
    makeUser(db, [Role.INFRASTRUCTURE_PROVIDER]),
    makeUser(db, [Role.NEMO_ADMIN]),
    makeUser(db, []),
  ]);
  for (const user of [spA, spB, infraA, infraB, admin, nobody])
    cookies.set(user.id, `next-auth.session-token=${await sessionCookie(user)}`);
  for (const [sp, key] of [
    [spA, "workloadA"],
    [spB, "workloadB"],
  ] as const) {
    const workload = await makeWorkload(db, sp);
    await db.workload.update({ where: { id: workload.id }, data: { status: "ACCEPTED" } });
    await db.$transaction((tx) => registerWorkloadAccount(tx, workload.id));
    ids[key] = workload.id;
  }
  for (const [infra, key] of [
    [infraA, "clusterA"],
    [infraB, "clusterB"],
  ] as const) {
    const cluster = await makeCluster(db, infra);
    await db.$transaction((tx) => registerClusterAccount(tx, cluster.id));
    ids[key] = cluster.id;
  }
  // spA's own user account (a dataset provider's), with a reward whose inputs need CSV quoting.
  await db.$transaction(async (tx) => {
    await ensureLedgerAccount(tx, {
      id: userAccount(spA.id),
      kind: "USER",
      ownerUserId: spA.id,
      displayName: spA.username,
    });
    await appendLedgerTransaction(tx, {
      from: PLATFORM_ACCOUNT,
      to: userAccount(spA.id),
      amount: 10n * 10n ** 8n,
      rule: "data",
      reference: `dataset:${"a".repeat(64)}:${spA.id}`,
      inputs: { file: 'readings, "2026".csv' },
    });
  });
});
afterAll(async () => {
  await db.$disconnect();
});

describe("GET /api/v1/accounting/transactions/export/", () => {
  it("gives a service provider their workloads' and own account's transactions only", async () => {
    const lines = await jsonl(spA, "");
    expect(lines.map((l) => l.to).sort()).toEqual([`workload:${ids.workloadA}`, userAccount(spA.id)].sort());
    expect(lines.find((l) => l.rule === "registration")).toMatchObject({
      from: PLATFORM_ACCOUNT,
      amount: "500000000",
      reference: `registration:workload:${ids.workloadA}`,
      inputs: { ingressSupport: "false" },
    });
    expect((await jsonl(spB, "")).map((l) => l.to)).toEqual([`workload:${ids.workloadB}`]);
  });

  it("gives an infrastructure provider their clusters' transactions only", async () => {
    expect((await jsonl(infraA, "")).map((l) => [l.to, l.amount])).toEqual([
      [`cluster:${ids.clusterA}`, "1600000000"],
    ]);
  });

  it("gives an admin every account, filtered by account and rule", async () => {
    const registrations = await jsonl(admin, "rule=registration");
    const mine = [ids.clusterA, ids.clusterB].map((c) => `cluster:${c}`);
    expect(registrations.filter((l) => mine.includes(l.to))).toHaveLength(2);
    expect(registrations.every((l) => l.rule === "registration")).toBe(true);
    const sequences = registrations.map((l) => BigInt(l.sequence));
    expect(sequences).toEqual([...sequences].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect((await jsonl(admin, `account=workload:${ids.workloadB}`)).map((l) => l.reference)).toEqual([
      `registration:workload:${ids.workloadB}`,
    ]);
  });

  it("hides another tenant's account as not found, and refuses bad filters naming the field", async () => {
    for (const [user, account] of [
      [spA, `workload:${ids.workloadB}`],
      [infraA, `cluster:${ids.clusterB}`],
      [infraA, `workload:${ids.workloadA}`],
    ] as const) {
      const response = await exportAs(user, `?account=${account}`);
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ error: "not_found", field: "account" });
    }
    const bad = await exportAs(spA, "?format=xml");
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: "format" });
    const reversed = await exportAs(spA, "?from=2026-12-08T00:00:00Z&to=2026-12-07T00:00:00Z");
    expect(reversed.status).toBe(400);
    expect(await reversed.json()).toMatchObject({ field: "to" });
    expect((await exportAs(nobody, "")).status).toBe(403);
    expect((await exportAs(null, "")).status).toBe(401);
  });

  it("writes CSV with a header and quoted cells, and filters by time recorded", async () => {
    const response = await exportAs(spA, "?rule=data");
    expect(response.headers.get("content-type")).toMatch(/text\/csv/);
    expect(response.headers.get("content-disposition")).toContain("ledger-transactions.csv");
    const [header, line, rest] = (await response.text()).split("\n");
    expect(header).toBe(
      "sequence,created_at,from,to,amount,rule,period_start,reference,inputs,prev_hash,hash",
    );
    expect(line).toContain(`,platform,user:${spA.id},1000000000,data,,dataset:`);
    expect(line).toContain(`"{""file"":""readings, \\""2026\\"".csv""}"`);
    expect(rest).toBe("");
    const future = await exportAs(spA, "?from=2100-01-01T00:00:00Z");
    expect((await future.text()).split("\n").filter(Boolean)).toHaveLength(1);
  });
});

describe("ledger verification", () => {
  it("is recorded by an admin over REST and read back; refused to anyone else", async () => {
    const response = await call(verifyLedgerRest, admin, "/api/v1/accounting/ledger/verify/", "POST");
    expect(response.status).toBe(200);
    const result = (await response.json()) as { ok: boolean; lastSequence: string; verifiedBy: string };
    expect(result).toMatchObject({ ok: true, verifiedBy: admin.username });
    expect(BigInt(result.lastSequence)).toBeGreaterThan(0n);
    const last = await call(lastLedgerVerificationRest, admin, "/api/v1/accounting/ledger/verify/");
    expect(
      ((await last.json()) as { verification: { verifiedBy: string } | null }).verification,
    ).not.toBeNull();
    for (const user of [spA, infraA, nobody]) {
      expect((await call(verifyLedgerRest, user, "/api/v1/accounting/ledger/verify/", "POST")).status).toBe(
        403,
      );
      expect((await call(lastLedgerVerificationRest, user, "/api/v1/accounting/ledger/verify/")).status).toBe(
        403,
      );
    }
  });

  it("is the same over tRPC: admins verify and read the last result, providers are forbidden", async () => {
    const asAdmin = createCaller(contextFor(db, admin));
    expect(await asAdmin.accounting.verifyLedger()).toMatchObject({ ok: true, firstMismatch: null });
    expect(await asAdmin.accounting.lastVerification()).toMatchObject({
      ok: true,
      verifiedBy: admin.username,
    });
    const asProvider = createCaller(contextFor(db, spA));
    expect(await trpcRejection(asProvider.accounting.verifyLedger())).toMatchObject({ code: "FORBIDDEN" });
    expect(await trpcRejection(asProvider.accounting.lastVerification())).toMatchObject({
      code: "FORBIDDEN",
    });
  });
});

describe("OpenAPI", () => {
  it("documents the ledger routes", () => {
    const paths = openApiDocument().paths as Record<string, Record<string, { operationId: string }>>;
    expect(paths["/api/v1/accounting/ledger/verify/"]?.post?.operationId).toBe("verifyLedger");
    expect(paths["/api/v1/accounting/ledger/verify/"]?.get?.operationId).toBe("getLastLedgerVerification");
    expect(paths["/api/v1/accounting/transactions/export/"]?.get?.operationId).toBe(
      "exportLedgerTransactions",
    );
  });
});
