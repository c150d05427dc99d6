import pino from "pino";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { makeInstance, makeUser, makeWorkload } from "@/server/testing/factories";
import { Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth/session";
import { createDb, type Db } from "@/server/db/client";
import { pruneIntentReports } from "./retention";

// The run's database is shared: this file's reports are all dated in 2000 and
// every prune runs at NOW with a week's retention, so the cutoff (2000-01-25)
// lies before any other file's report and only this file's rows can go.
const NOW = new Date("2000-02-01T00:00:00.000Z");
const WEEK_MS = 7 * 86_400_000;
const at = (iso: string) => new Date(`2000-${iso}Z`);

let db: Db;
let owner: SessionUser;
let instanceId: string;

beforeAll(async () => {
  db = createDb(process.env.DATABASE_URL);
  owner = await makeUser(db, [Role.SERVICE_PROVIDER]);
  const workload = await makeWorkload(db, owner);
  instanceId = (await makeInstance(db, owner, workload.id)).id;
});
afterAll(async () => {
  await db.$disconnect();
});

function silentLog() {
  const log = pino({ level: "silent" });
  return { log, info: vi.spyOn(log, "info") };
}

/** An intent of this file, deactivated so that no other file's due-intent query ever sees it. */
async function createIntent(): Promise<string> {
  const intent = await db.intent.create({
    data: {
      intentType: "Availability",
      instanceId,
      ownerId: owner.id,
      adminState: "DEACTIVATED",
      body: { userLabel: "retention test", intentExpectations: [], intentContexts: [] },
    },
  });
  return intent.id;
}

/** Inserts one report per date, in the order given (so ids ascend in that order); returns their ids. */
async function insertReports(intentId: string, dates: readonly string[]): Promise<bigint[]> {
  const ids: bigint[] = [];
  for (const date of dates) {
    const report = await db.intentReport.create({
      data: {
        intentId,
        fulfilmentStatus: "FULFILLED",
        feasibility: "FEASIBLE",
        targetResults: [],
        createdAt: at(date),
      },
    });
    ids.push(report.id);
  }
  return ids;
}

async function keptIds(intentId: string): Promise<bigint[]> {
  const rows = await db.intentReport.findMany({
    where: { intentId },
    select: { id: true },
    orderBy: { id: "asc" },
  });
  return rows.map((row) => row.id);
}

describe("pruneIntentReports", () => {
  it("deletes reports older than the retention, except each intent's newest, for every intent", async () => {
    const first = await createIntent();
    const second = await createIntent();
    // first: three old reports, then two inside the window (cutoff 2000-01-25T00:00).
    const firstIds = await insertReports(first, [
      "01-01T00:00:00",
      "01-10T00:00:00",
      "01-24T23:59:59.999",
      "01-25T00:00:00",
      "01-31T12:00:00",
    ]);
    // second: written out of date order; two old ones, one inside the window.
    const secondIds = await insertReports(second, ["01-20T00:00:00", "01-30T00:00:00", "01-05T00:00:00"]);
    const { log, info } = silentLog();

    // A stopwatch that moves 40 ms each time it is read: the run reads it at start and end.
    let ticks = 0;
    const elapsed = () => 40 * ticks++;
    const result = await pruneIntentReports({ db, log, now: NOW, retentionMs: WEEK_MS, elapsed });

    expect(await keptIds(first)).toEqual([firstIds[3], firstIds[4]]);
    expect(await keptIds(second)).toEqual([secondIds[1]]);
    expect(result.deleted).toBe(5);
    expect(result.durationMs).toBe(40);
    expect(info).toHaveBeenCalledTimes(1);
    expect(info).toHaveBeenCalledWith(
      expect.objectContaining({ deleted: 5, retentionDays: 7, durationMs: 40 }),
      "intent reports pruned",
    );
  });

  it("keeps exactly the newest report of an intent whose reports are all old (the latest id on a tie)", async () => {
    const stale = await createIntent();
    const other = await createIntent();
    const staleIds = await insertReports(stale, [
      "01-02T00:00:00",
      "01-12T08:00:00",
      "01-03T00:00:00",
      "01-12T08:00:00",
      "01-07T00:00:00",
    ]);
    // Another intent, also all old, keeps its own newest: not the first intent's.
    const otherIds = await insertReports(other, ["01-04T00:00:00", "01-06T00:00:00"]);

    const result = await pruneIntentReports({ db, log: silentLog().log, now: NOW, retentionMs: WEEK_MS });

    // The console's latest is created_at DESC, id DESC: the second of the two 01-12 reports.
    expect(await keptIds(stale)).toEqual([staleIds[3]]);
    expect(await keptIds(other)).toEqual([otherIds[1]]);
    expect(result.deleted).toBe(5);

    // Pruning again changes nothing.
    expect(
      (await pruneIntentReports({ db, log: silentLog().log, now: NOW, retentionMs: WEEK_MS })).deleted,
    ).toBe(0);
    expect(await keptIds(stale)).toEqual([staleIds[3]]);
  });

  it("leaves reports inside the retention window untouched and logs nothing when it deletes nothing", async () => {
    const fresh = await createIntent();
    const freshIds = await insertReports(fresh, [
      "01-25T00:00:00",
      "01-26T00:00:00",
      "01-28T00:00:00",
      "01-31T23:59:59.999",
    ]);
    const { log, info } = silentLog();

    const result = await pruneIntentReports({ db, log, now: NOW, retentionMs: WEEK_MS });

    expect(result.deleted).toBe(0);
    expect(await keptIds(fresh)).toEqual(freshIds);
    expect(info).not.toHaveBeenCalled();
  });

  it("deletes in batches of batchSize statements until a batch comes back short", async () => {
    const busy = await createIntent();
    const oldDates = Array.from(
      { length: 10 },
      (_, day) => `01-${String(day + 1).padStart(2, "0")}T00:00:00`,
    );
    const ids = await insertReports(busy, [...oldDates, "01-30T00:00:00"]);
    const executeRaw = vi.spyOn(db, "$executeRaw");

    try {
      const result = await pruneIntentReports({
        db,
        log: silentLog().log,
        now: NOW,
        retentionMs: WEEK_MS,
        batchSize: 3,
      });

      expect(result.deleted).toBe(10);
      expect(await keptIds(busy)).toEqual([ids[10]]);
      const batches = await Promise.all(executeRaw.mock.results.map((call) => call.value as Promise<number>));
      // Every statement removed at most batchSize rows; 10 rows took 3 + 3 + 3 + 1.
      expect(batches.filter((n) => n > 0)).toEqual([3, 3, 3, 1]);
    } finally {
      executeRaw.mockRestore();
    }
  });

  it("walks every intent page by page (here one intent per page)", async () => {
    const intents = [await createIntent(), await createIntent(), await createIntent()];
    const kept: bigint[] = [];
    for (const intent of intents) {
      const ids = await insertReports(intent, ["01-01T00:00:00", "01-02T00:00:00", "01-26T00:00:00"]);
      kept.push(ids[2]!);
    }

    const result = await pruneIntentReports({
      db,
      log: silentLog().log,
      now: NOW,
      retentionMs: WEEK_MS,
      intentsPerPage: 1,
    });

    expect(result.deleted).toBe(6);
    for (const [index, intent] of intents.entries()) expect(await keptIds(intent)).toEqual([kept[index]]);
  });

  it("rejects a batch size that would never end the loop", async () => {
    await expect(
      pruneIntentReports({ db, log: silentLog().log, now: NOW, retentionMs: WEEK_MS, batchSize: 0 }),
    ).rejects.toThrow(/batchSize/);
  });
});
