import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth/session";
import { createDb, type Db } from "@/server/db/client";
import { instanceOverview } from "@/server/instances/detail";
import { logger } from "@/server/logger";
import { makeCluster, makeInstance, makeUser, makeWorkload, uniq } from "@/server/testing/factories";
import { changeIntentTarget, createIntent } from "./commands";
import { evaluateIntentsOnce } from "./evaluator";
import { intentDetail, intentReport, listIntents, type IntentRow } from "./queries";

/*
 * Issue 13, bug 10: the states the Intents table, an intent, its report and
 * the instance page show when the latest report would mislead. Every time is
 * a clock this file moves (computed from Date.now(), so evaluations stored by
 * the database in real time agree with it).
 */

let db: Db;
let provider: SessionUser;
let instanceId: string;
const minute = 60_000;
const hour = 60 * minute;
const base = Date.now();
/** Where each step's clock stands. */
const at = (ms: number) => () => base + ms;

beforeAll(async () => {
  db = createDb(process.env.DATABASE_URL);
  provider = await makeUser(db, [Role.SERVICE_PROVIDER]);
  const infra = await makeUser(db, [Role.INFRASTRUCTURE_PROVIDER]);
  // availabilityPct 99.90: an availability above 95 % is met, above 99.95 % is not.
  const cluster = await makeCluster(db, infra, uniq("display-cluster"));
  await db.cluster.update({ where: { id: cluster.id }, data: { status: "OK" } });
  const workload = await makeWorkload(db, provider);
  const instance = await makeInstance(db, provider, workload.id, cluster.id);
  await db.workloadInstance.update({ where: { id: instance.id }, data: { status: "DEPLOYED" } });
  instanceId = instance.id;
});

afterAll(async () => {
  await db.$disconnect();
});

async function rowOf(id: string, clock: () => number): Promise<IntentRow> {
  const page = await listIntents({ db, user: provider, clock }, { instanceId, pageSize: 50 });
  const row = page.items.find((item) => item.id === id);
  if (!row) throw new Error(`intent ${id} not listed`);
  return row;
}

const availabilityAbove = (value: number) => ({
  source: "form" as const,
  instanceId,
  intentType: "Availability" as const,
  targets: [{ targetName: "availability", targetCondition: "IS_GREATER_THAN" as const, targetValue: value }],
});

describe("intent display states", () => {
  it("says re-evaluating from a target change until the next evaluation, then the new status", async () => {
    const deps = { db, user: provider, clock: at(0) };
    const intent = await createIntent(deps, availabilityAbove(95));
    await evaluateIntentsOnce({ db, log: logger, intentIds: [intent.id], now: new Date(base) });
    expect(await rowOf(intent.id, at(0))).toMatchObject({
      fulfilmentStatus: "FULFILLED",
      reevaluating: false,
      scheduledFrom: null,
    });

    const changed = await changeIntentTarget({ ...deps, clock: at(minute) }, intent.id, {
      targetName: "availability",
      targetValue: 99.95,
    });
    expect(changed.reevaluating).toBe(true);
    // The latest report still judged 95 %: the row must not present it as the verdict on 99.95 %.
    expect(await rowOf(intent.id, at(2 * minute))).toMatchObject({
      fulfilmentStatus: "FULFILLED",
      reevaluating: true,
    });
    expect((await intentDetail({ ...deps, clock: at(2 * minute) }, intent.id)).reevaluating).toBe(true);
    expect((await intentReport({ ...deps, clock: at(2 * minute) }, intent.id)).intent.reevaluating).toBe(
      true,
    );
    const overview = await instanceOverview({ ...deps, clock: at(2 * minute) }, instanceId);
    expect(overview.intents.find((i) => i.id === intent.id)).toMatchObject({ reevaluating: true });

    await evaluateIntentsOnce({ db, log: logger, intentIds: [intent.id], now: new Date(base + 2 * minute) });
    expect(await rowOf(intent.id, at(3 * minute))).toMatchObject({
      fulfilmentStatus: "NOT_FULFILLED",
      reevaluating: false,
    });
  });

  it("says scheduled, from its start, while the validity has not begun", async () => {
    const start = new Date(base + 2 * hour);
    const end = new Date(base + 5 * hour);
    const intent = await createIntent(
      { db, user: provider, clock: at(0) },
      { ...availabilityAbove(95), start: start.toISOString(), end: end.toISOString() },
    );
    // The evaluator leaves it alone before its start.
    await evaluateIntentsOnce({ db, log: logger, intentIds: [intent.id], now: new Date(base + hour) });
    const before = await rowOf(intent.id, at(hour));
    expect(before.scheduledFrom?.toISOString()).toBe(start.toISOString());
    expect(before.reevaluating).toBe(false);
    expect((await intentDetail({ db, user: provider, clock: at(hour) }, intent.id)).scheduledFrom).toEqual(
      start,
    );
    const overview = await instanceOverview({ db, user: provider, clock: at(hour) }, instanceId);
    expect(overview.intents.find((i) => i.id === intent.id)?.scheduledFrom).toEqual(start);

    // From its start on it is evaluated and shows its fulfilment.
    await evaluateIntentsOnce({ db, log: logger, intentIds: [intent.id], now: new Date(base + 3 * hour) });
    expect(await rowOf(intent.id, at(3 * hour))).toMatchObject({
      scheduledFrom: null,
      fulfilmentStatus: "FULFILLED",
    });
  });
});
