import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Prisma } from "@/generated/prisma/client";
import { makeInstance, makeUser, makeWorkload } from "@/server/testing/factories";
import { Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth/session";
import { messages, outboxRow } from "@/server/bus";
import { createDb, poolOf, type Db } from "@/server/db/client";
import { readIntent } from "./evaluation";
import {
  readScheduleDetails,
  selectDueSchedules,
  storeEvaluations,
  type EvaluationResult,
} from "./evaluation-store";
import type { IntentReportDraft } from "./report";
import {
  energyIntentYaml,
  networkIntentYaml,
  networkIntentVariantYaml,
} from "@/server/testing/intent-examples";
import { parseIntentYaml } from "./yaml";

// Works on the intents it creates only (by id), so it shares the run's database.
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

function availabilityBody(value: string): Prisma.InputJsonObject {
  return {
    userLabel: "Availability",
    intentExpectations: [
      {
        expectationId: "1",
        expectationVerb: "DELIVER",
        expectationObject: { objectType: "NEMO_WORKLOAD", objectInstance: instanceId, objectContexts: [] },
        expectationTargets: [
          {
            targetName: "availability",
            targetCondition: "IS_GREATER_THAN",
            targetValueRange: value,
            targetContexts: [
              { contextAttribute: "note", contextCondition: "IS_EQUAL_TO", contextValueRange: "x" },
            ],
          },
        ],
        expectationContexts: [],
      },
    ],
    intentContexts: [],
    contextSelectivity: "ALL_OF",
  };
}

async function createIntent(
  body: Prisma.InputJsonValue,
  extra: Partial<Prisma.IntentUncheckedCreateInput> = {},
) {
  return db.intent.create({
    data: {
      intentType: "Availability",
      instanceId,
      ownerId: owner.id,
      body,
      contextSelectivity: "ALL_OF",
      ...extra,
    },
  });
}

const scheduleOf = (intentId: string) => db.intentSchedule.findUnique({ where: { intentId } });
const targetsOf = (intentId: string) => db.intentTargets.findUnique({ where: { intentId } });

describe("intent schedules (kept in step with intents by the database)", () => {
  it("gives a new intent a schedule due now and a projection of its targets, and follows every change", async () => {
    const intent = await createIntent(availabilityBody("95"));
    const created = await scheduleOf(intent.id);
    expect(created).toMatchObject({
      active: true,
      revision: 1,
      observationPeriodS: 60,
      lastFulfilment: null,
    });
    expect(created!.nextEvaluationAt.getTime()).toBeLessThanOrEqual(Date.now() + 1_000);
    expect((await targetsOf(intent.id))?.expectationTargets).toEqual({
      contextSelectivity: "ALL_OF",
      intentExpectations: [
        {
          expectationId: "1",
          // Only what the evaluator reads: contexts and the rest of the body stay behind.
          expectationTargets: [
            { targetName: "availability", targetCondition: "IS_GREATER_THAN", targetValueRange: "95" },
          ],
        },
      ],
    });

    await db.intent.update({ where: { id: intent.id }, data: { body: availabilityBody("99") } });
    expect((await scheduleOf(intent.id))?.revision).toBe(2);
    expect(readIntent((await targetsOf(intent.id))?.expectationTargets, null).targets).toEqual([
      { expectationId: "1", targetName: "availability", targetCondition: "IS_GREATER_THAN", targetValue: 99 },
    ]);

    await db.intent.update({
      where: { id: intent.id },
      data: { adminState: "DEACTIVATED", observationPeriodS: 300 },
    });
    expect(await scheduleOf(intent.id)).toMatchObject({
      active: false,
      revision: 3,
      observationPeriodS: 300,
    });
    await db.intent.update({ where: { id: intent.id }, data: { adminState: "ACTIVATED" } });
    expect(await scheduleOf(intent.id)).toMatchObject({ active: true, revision: 4 });
    await db.intent.update({ where: { id: intent.id }, data: { deletedAt: new Date() } });
    expect(await scheduleOf(intent.id)).toMatchObject({ active: false, revision: 5 });
  });

  it("removes schedule, targets and reports with a removed intent (reports have no foreign key of their own)", async () => {
    const intent = await createIntent(availabilityBody("95"));
    await db.intentReport.create({
      data: {
        intentId: intent.id,
        fulfilmentStatus: "FULFILLED",
        feasibility: "FEASIBLE",
        targetResults: [],
      },
    });
    await db.intent.delete({ where: { id: intent.id } });
    expect(await scheduleOf(intent.id)).toBeNull();
    expect(await targetsOf(intent.id)).toBeNull();
    expect(await db.intentReport.count({ where: { intentId: intent.id } })).toBe(0);
  });

  it("projects every annex example, and odd bodies, to exactly what the whole body evaluates to", async () => {
    const yamls = [
      networkIntentYaml({ id: randomUUID(), instanceId, bearerToken: "secret-token" }),
      networkIntentVariantYaml({ id: randomUUID(), instanceId, bearerToken: "secret-token" }),
      energyIntentYaml({ id: randomUUID(), instanceId }),
    ];
    const bodies: Prisma.InputJsonValue[] = yamls.map((text) => {
      const parsed = parseIntentYaml(text);
      if (!parsed.ok) throw new Error(parsed.error);
      return parsed.intent;
    });
    bodies.push(
      { intentExpectations: "not a list" },
      {
        intentExpectations: [
          null,
          7,
          { expectationTargets: "none" },
          { expectationTargets: [1, { targetName: "" }] },
        ],
      },
      {
        contextSelectivity: "ANY_OF",
        intentExpectations: [
          {
            expectationTargets: [
              { targetName: "gpu", targetCondition: "IS_EQUAL_TO", targetValueRange: true },
            ],
          },
        ],
      },
      [],
      "a string",
    );
    for (const [index, body] of bodies.entries()) {
      const intent = await createIntent(body, { contextSelectivity: null });
      const projection = (await targetsOf(intent.id))?.expectationTargets;
      expect(readIntent(projection, null), `body ${index}`).toEqual(readIntent(body, null));
    }
  });
});

const report = (draft: Partial<IntentReportDraft> = {}): IntentReportDraft => ({
  fulfilmentStatus: "FULFILLED",
  notFulfilledState: null,
  notFulfilledReasons: [],
  feasibility: "FEASIBLE",
  infeasibilityReason: null,
  targetResults: [],
  ...draft,
});

function result(intentId: string, overrides: Partial<EvaluationResult> = {}): EvaluationResult {
  return {
    intentId,
    revision: 1,
    previous: null,
    next: "FULFILLED",
    report: report(),
    terminate: false,
    notification: null,
    ...overrides,
  };
}

describe("storing evaluations", () => {
  it("stores text that needs escaping exactly as given (COPY of quotes, backslashes, tabs, newlines, braces)", async () => {
    const intent = await createIntent(availabilityBody("95"));
    const awkward = [
      'quoted "value", with comma',
      "back\\slash and \\N and \\t literally",
      "tab\there, newline\nthere, return\rhere",
      "braces {a,b} and NULL",
      "unicode ≥ 95 % — ünïcödé",
      "",
    ];
    const stored = await storeEvaluations(
      poolOf(db),
      [
        result(intent.id, {
          next: "NOT_FULFILLED",
          report: report({
            fulfilmentStatus: "NOT_FULFILLED",
            notFulfilledState: "DEGRADED",
            notFulfilledReasons: awkward,
            infeasibilityReason: 'tab\tand\nnewline \\ "quote" nul\u0000byte',
            targetResults: [
              {
                expectationId: "1",
                targetName: "availability",
                targetCondition: "IS_GREATER_THAN",
                targetValueRange: 95,
                unit: "%",
                fulfilmentStatus: "NOT_FULFILLED",
                targetAchievedValue: 90,
                reason: 'availability is 90 %, required > 95 %\t"quoted"\\',
              },
            ],
          }),
        }),
      ],
      new Date(Date.now() + 1_000),
    );
    expect([...stored]).toEqual([intent.id]);
    const [row] = await db.intentReport.findMany({ where: { intentId: intent.id } });
    expect(row).toMatchObject({
      fulfilmentStatus: "NOT_FULFILLED",
      notFulfilledState: "DEGRADED",
      notFulfilledReasons: awkward,
      // PostgreSQL text cannot hold NUL: it is dropped, the rest kept.
      infeasibilityReason: 'tab\tand\nnewline \\ "quote" nulbyte',
    });
    expect(row?.targetResults).toEqual([
      expect.objectContaining({ reason: 'availability is 90 %, required > 95 %\t"quoted"\\' }),
    ]);
    expect(await scheduleOf(intent.id)).toMatchObject({ lastFulfilment: "NOT_FULFILLED" });
  });

  it("stores a result only while the schedule is as it was read; the rest get no report and no message", async () => {
    const now = new Date(Date.now() + 1_000);
    const [asRead, changed, reported, suspended, notDue, ending] = await Promise.all(
      Array.from({ length: 6 }, () => createIntent(availabilityBody("95"))),
    );
    await db.intent.update({ where: { id: changed!.id }, data: { body: availabilityBody("97") } }); // revision 2
    await db.intentSchedule.update({
      where: { intentId: reported!.id },
      data: { lastFulfilment: "FULFILLED" },
    });
    await db.intent.update({ where: { id: suspended!.id }, data: { adminState: "DEACTIVATED" } });
    await db.intentSchedule.update({
      where: { intentId: notDue!.id },
      data: { nextEvaluationAt: new Date(now.getTime() + 60_000) },
    });
    const violated = (intentId: string) =>
      outboxRow(messages.intentNotify, {
        Type: "intent",
        IntentID: intentId,
        WorkloadID: instanceId,
        Action: "violated",
      });
    const results = [asRead!, changed!, reported!, suspended!, notDue!].map((intent) =>
      result(intent.id, { next: "NOT_FULFILLED", notification: violated(intent.id) }),
    );
    results.push(
      result(ending!.id, {
        next: "NOT_FULFILLED",
        terminate: true,
        report: report({ fulfilmentStatus: "NOT_FULFILLED", notFulfilledState: "TERMINATED" }),
      }),
    );
    const stored = await storeEvaluations(poolOf(db), results, now);
    expect([...stored].sort()).toEqual([asRead!.id, ending!.id].sort());

    for (const intent of [changed!, reported!, suspended!, notDue!]) {
      expect(await db.intentReport.count({ where: { intentId: intent.id } })).toBe(0);
      expect(
        await db.outboxMessage.count({ where: { payload: { path: ["IntentID"], equals: intent.id } } }),
      ).toBe(0);
    }
    expect(await db.intentReport.count({ where: { intentId: asRead!.id } })).toBe(1);
    expect(
      await db.outboxMessage.findMany({ where: { payload: { path: ["IntentID"], equals: asRead!.id } } }),
    ).toEqual([
      expect.objectContaining({ routingKey: "intent-notify", headers: { type: messages.intentNotify.name } }),
    ]);
    const schedule = await scheduleOf(asRead!.id);
    expect(schedule).toMatchObject({ lastFulfilment: "NOT_FULFILLED", lastEvaluatedAt: now });
    expect(schedule!.nextEvaluationAt.getTime()).toBe(now.getTime() + 60_000);
    // The instance is gone: the intent is ended with its TERMINATED report.
    expect(await db.intent.findUniqueOrThrow({ where: { id: ending!.id } })).toMatchObject({
      adminState: "DEACTIVATED",
      deletedAt: now,
    });
    expect(await scheduleOf(ending!.id)).toMatchObject({ active: false });

    // Stored again with the same reading: not due any more, nothing written twice.
    expect((await storeEvaluations(poolOf(db), results, now)).size).toBe(0);
    expect(await db.intentReport.count({ where: { intentId: asRead!.id } })).toBe(1);
  });

  it("writes nothing of a batch when a statement fails (one transaction per batch)", async () => {
    const intent = await createIntent(availabilityBody("95"));
    const broken = result(intent.id, {
      notification: {
        ...outboxRow(messages.intentNotify, {
          Type: "intent",
          IntentID: intent.id,
          WorkloadID: instanceId,
          Action: "violated",
        }),
        id: "not-a-uuid",
      },
    });
    await expect(storeEvaluations(poolOf(db), [broken], new Date(Date.now() + 1_000))).rejects.toThrow();
    expect(await db.intentReport.count({ where: { intentId: intent.id } })).toBe(0);
    expect(await scheduleOf(intent.id)).toMatchObject({ lastFulfilment: null, lastEvaluatedAt: null });
  });

  it("reads due schedules with or without their details, and details at the revision they belong to", async () => {
    const intent = await createIntent(availabilityBody("95"));
    const now = new Date(Date.now() + 1_000);
    const plain = (await selectDueSchedules(poolOf(db), now, 1_000_000, false)).find(
      (d) => d.intentId === intent.id,
    );
    expect(plain).toEqual({ intentId: intent.id, revision: 1, lastFulfilment: null, detail: null });
    const detailed = (await selectDueSchedules(poolOf(db), now, 1_000_000, true)).find(
      (d) => d.intentId === intent.id,
    );
    expect(detailed?.detail).toMatchObject({
      intentId: intent.id,
      revision: 1,
      instanceId,
      intentType: "Availability",
      contextSelectivity: "ALL_OF",
    });
    await db.intent.update({
      where: { id: intent.id },
      data: { intentType: "Availability\twith a tab", contextSelectivity: null },
    });
    expect(await readScheduleDetails(poolOf(db), [intent.id])).toEqual([
      expect.objectContaining({
        revision: 2,
        intentType: "Availability\twith a tab",
        contextSelectivity: null,
      }),
    ]);
  });
});
