import { randomBytes } from "node:crypto";
import { type TRPCError } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter, createCaller } from "@/server/api/root";
import { INTENT_TYPE_NAMES } from "@/common/intent-catalogue";
import { Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth/session";
import { intentNotificationSchema, type IntentNotification } from "@/server/bus";
import { createDb, type Db } from "@/server/db/client";
import { DomainError } from "@/server/errors";
import { evaluateIntentsOnce } from "@/server/intents/evaluator";
import type { TargetValueInput } from "@/server/intents/form";
import { validateIntent, type Intent } from "@/server/intents/model";
import { REDACTED, intentToYaml, parseIntentYaml } from "@/server/intents/yaml";
import { logger } from "@/server/logger";
import type { Condition } from "@/server/placement";
import { openSecret } from "@/server/secrets";
import { contextFor, makeInstance, makeUser, makeWorkload, uniq } from "@/server/testing/factories";
import {
  energyIntentYaml,
  networkIntentVariantYaml,
  networkIntentYaml,
} from "@/server/testing/intent-examples";
import { trpcRejection } from "@/server/testing/rejection";

/*
 * Intent management through the console's door (tRPC) on a real database:
 * the domain's rules, the reports and notifications it writes, and tenants
 * kept apart. The outbox rows stand for the messages on `intent-notify`.
 */

let db: Db;
let admin: SessionUser;
let provider: SessionUser;
let provider2: SessionUser;
let infra: SessionUser;
let instanceId: string;
let otherInstanceId: string;
let theirInstanceId: string;
let deletedInstanceId: string;
const tag = uniq("it");
/** The bearer token of this file's network intents: no answer may carry it. */
const SECRET = `tok-${randomBytes(12).toString("hex")}`;

/** Every answer of this file, serialised, to prove the secret never left. */
const answers: string[] = [];
function remember<T>(value: T): T {
  answers.push(JSON.stringify(value));
  return value;
}

const caller = (user: SessionUser | null) => createCaller(contextFor(db, user));

/** As trpcRejection, keeping the message with the answers checked for secrets. */
async function rejection(promise: Promise<unknown>): Promise<TRPCError> {
  const error = await trpcRejection(promise);
  answers.push(JSON.stringify({ message: error.message }));
  return error;
}

function domainCause(error: TRPCError): DomainError {
  expect(error.cause).toBeInstanceOf(DomainError);
  return error.cause as DomainError;
}

/** The `intent-notify` messages written for an intent, oldest first. */
async function notifications(intentId: string): Promise<IntentNotification[]> {
  const rows = await db.outboxMessage.findMany({
    where: { routingKey: "intent-notify", payload: { path: ["IntentID"], equals: intentId } },
    orderBy: { createdAt: "asc" },
  });
  return rows.map((row) => intentNotificationSchema.parse(row.payload));
}

async function reportsOf(intentId: string) {
  return db.intentReport.findMany({ where: { intentId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
}

/** The field → first message map the form reads over the wire (the error formatter's `zodError`). */
async function fieldErrors(user: SessionUser, input: unknown): Promise<Record<string, string>> {
  const response = await fetchRequestHandler({
    endpoint: "/api/trpc",
    router: appRouter,
    createContext: () => contextFor(db, user),
    req: new Request("http://localhost/api/trpc/intent.create", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ json: input }),
    }),
  });
  expect(response.status).toBe(400);
  const { error } = (await response.json()) as {
    error: { json: { data: { zodError: { fieldErrors: Record<string, string[]> } } } };
  };
  return Object.fromEntries(
    Object.entries(error.json.data.zodError.fieldErrors).map(([path, messages]) => [path, messages[0] ?? ""]),
  );
}

// fixed-date: a validity window only stored and read back; creation does not compare it with today.
const WINDOW = { start: "2030-01-01T00:00:00Z", end: "2030-02-01T00:00:00Z" };
// fixed-date: the annex energy example's validity window, read back as imported.
const ENERGY_WINDOW = { start: "2026-12-01T00:00:00Z", end: "2026-12-31T23:59:59Z" };

const availability = (value: TargetValueInput, condition: Condition = "IS_GREATER_THAN") => ({
  source: "form" as const,
  instanceId,
  intentType: "Availability" as const,
  targets: [{ targetName: "availability", targetCondition: condition, targetValue: value }],
});

async function createAvailability(user: SessionUser = provider, target = instanceId) {
  return remember(
    await caller(user).intent.create({
      source: "form",
      instanceId: target,
      intentType: "Availability",
      targets: [{ targetName: "availability", targetCondition: "IS_GREATER_THAN", targetValue: 95 }],
    }),
  );
}

beforeAll(async () => {
  db = createDb(process.env.DATABASE_URL);
  admin = await makeUser(db, [Role.NEMO_ADMIN]);
  provider = await makeUser(db, [Role.SERVICE_PROVIDER]);
  provider2 = await makeUser(db, [Role.SERVICE_PROVIDER]);
  infra = await makeUser(db, [Role.INFRASTRUCTURE_PROVIDER]);
  // GreenEnergy first: the template offers the workload's first supported type.
  const workload = await makeWorkload(db, provider, {
    name: `${tag}-shop`,
    supportedIntents: ["GreenEnergy", ...INTENT_TYPE_NAMES.filter((t) => t !== "GreenEnergy")],
  });
  instanceId = (await makeInstance(db, provider, workload.id)).id;
  otherInstanceId = (await makeInstance(db, provider, workload.id)).id;
  const theirs = await makeWorkload(db, provider2, { name: `${tag}-theirs` });
  theirInstanceId = (await makeInstance(db, provider2, theirs.id)).id;
  const gone = await makeInstance(db, provider, workload.id);
  await db.workloadInstance.update({ where: { id: gone.id }, data: { status: "DELETED" } });
  deletedInstanceId = gone.id;
});

afterAll(async () => {
  // Whatever a test answered, the bearer token was not in it.
  expect(answers.length).toBeGreaterThan(10);
  for (const answer of answers) expect(answer).not.toContain(SECRET);
  await db.$disconnect();
});

describe("intent.create from the form", () => {
  it("stores the normal form, an ACKNOWLEDGED report and one `created` notification", async () => {
    const before = Date.now();
    const intent = remember(
      await caller(provider).intent.create({
        ...availability(95),
        start: WINDOW.start,
        end: new Date(WINDOW.end),
      }),
    );
    expect(intent).toMatchObject({
      intentType: "Availability",
      name: "Availability",
      instanceId,
      adminState: "ACTIVATED",
      externalId: null,
      hasSecrets: false,
      validFrom: new Date(WINDOW.start),
      validUntil: new Date(WINDOW.end),
      targets: [
        {
          expectationId: "1",
          targetName: "availability",
          targetCondition: "IS_GREATER_THAN",
          targetValueRange: 95,
          unit: "%",
          label: "Target availability",
        },
      ],
      latest: {
        intentFulfilmentReport: {
          intentFulfilmentInfo: {
            fulfilmentStatus: "NOT_FULFILLED",
            notFulfilledState: "ACKNOWLEDGED",
            notFulfilledReasons: ["intent received; first evaluation pending"],
          },
        },
        intentFeasibilityCheckReport: { feasibilityCheckResult: "FEASIBLE" },
      },
    });
    expect(intent.intent?.id).toBe(intent.id);
    expect(intent.intent?.intentContexts).toEqual([
      { contextAttribute: "NEMO_WORKLOAD", contextCondition: "IS_EQUAL_TO", contextValueRange: instanceId },
    ]);

    const row = await db.intent.findUniqueOrThrow({ where: { id: intent.id } });
    expect(validateIntent(row.body).ok).toBe(true);
    expect(row.secretsCipher).toBeNull();
    expect(row.ownerId).toBe(provider.id);
    // The trigger gave it a schedule, due now, and a copy of its targets for the evaluator.
    const schedule = await db.intentSchedule.findUniqueOrThrow({ where: { intentId: intent.id } });
    expect(schedule).toMatchObject({
      active: true,
      revision: 1,
      lastFulfilment: null,
      observationPeriodS: 60,
    });
    expect(schedule.nextEvaluationAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(schedule.nextEvaluationAt.getTime()).toBeLessThanOrEqual(Date.now());
    const targets = await db.intentTargets.findUniqueOrThrow({ where: { intentId: intent.id } });
    expect(targets).toMatchObject({ instanceId, intentType: intent.intentType });
    expect((await reportsOf(intent.id)).map((r) => r.notFulfilledState)).toEqual(["ACKNOWLEDGED"]);
    expect(await notifications(intent.id)).toEqual([
      { Type: "intent", IntentID: intent.id, WorkloadID: instanceId, Action: "created" },
    ]);

    const page = remember(await caller(provider).intent.list({ instanceId }));
    expect(page.items.find((i) => i.id === intent.id)).toMatchObject({
      adminState: "ACTIVATED",
      fulfilmentStatus: "NOT_FULFILLED",
      notFulfilledState: "ACKNOWLEDGED",
      feasibility: "FEASIBLE",
      releaseName: expect.any(String) as unknown,
      instanceShortId: expect.any(String) as unknown,
      targets: [expect.objectContaining({ targetName: "availability", targetValueRange: 95 })],
    });
  });

  it("names the field of every form error", async () => {
    expect(
      await fieldErrors(provider, {
        ...availability(1),
        targets: [{ targetName: "speed", targetCondition: "IS_EQUAL_TO", targetValue: 1 }],
      }),
    ).toEqual({ "targets.0.targetName": 'Availability has no target "speed" (known: availability).' });
    expect(Object.keys(await fieldErrors(provider, availability(95, "IS_LESS_THAN")))).toEqual([
      "targets.0.targetCondition",
    ]);
    expect(await fieldErrors(provider, availability(150))).toEqual({
      "targets.0.targetValue": "availability must be between 0% and 100%.",
    });
    expect(await fieldErrors(provider, availability([99, 90], "IS_WITHIN_RANGE"))).toEqual({
      "targets.0.targetValue": "The range's low value must not be above its high value.",
    });
    expect(await fieldErrors(provider, availability(95, "IS_WITHIN_RANGE"))).toEqual({
      "targets.0.targetValue": "A range takes two numbers: [low, high].",
    });
    expect(
      await fieldErrors(provider, {
        ...availability(1),
        intentType: "cloud_continuum",
        targets: [{ targetName: "isolatedConnectivity", targetCondition: "IS_EQUAL_TO", targetValue: "yes" }],
      }),
    ).toEqual({ "targets.0.targetValue": 'isolatedConnectivity takes "true" or "false".' });
  });

  it("wants one of the caller's live instances", async () => {
    const theirs = await rejection(
      caller(provider).intent.create({ ...availability(95), instanceId: theirInstanceId }),
    );
    expect(theirs.code).toBe("NOT_FOUND");
    expect(domainCause(theirs).field).toBe("instanceId");
    const nonsense = await rejection(
      caller(provider).intent.create({ ...availability(95), instanceId: "x" }),
    );
    expect(nonsense.code).toBe("NOT_FOUND");
    const deleted = await rejection(
      caller(provider).intent.create({ ...availability(95), instanceId: deletedInstanceId }),
    );
    expect(deleted.code).toBe("CONFLICT");
    expect(deleted.message).toMatch(/is DELETED: it takes no new intents/);
    expect(
      await db.intent.count({ where: { instanceId: { in: [theirInstanceId, deletedInstanceId] } } }),
    ).toBe(0);
  });
});

describe("intent.create from YAML", () => {
  it("imports both spellings of the network example with the bearer token encrypted, never returned", async () => {
    const id = `${tag}-net`;
    const created = remember(
      await caller(provider).intent.create({
        source: "yaml",
        yaml: networkIntentYaml({ id, instanceId, bearerToken: SECRET }),
      }),
    );
    expect(created).toMatchObject({
      externalId: id,
      intentType: "cloud_continuum",
      hasSecrets: true,
      instanceId,
    });
    const contexts = created.intent?.intentExpectations[1]?.expectationObject.objectContexts ?? [];
    expect(contexts.find((c) => c.contextAttribute === "bearer_token")?.contextValueRange).toBe(REDACTED);
    expect(contexts.find((c) => c.contextAttribute === "api_key")?.contextValueRange).toBe(REDACTED);

    const row = await db.intent.findUniqueOrThrow({ where: { id: created.id } });
    expect(JSON.stringify(row.body)).not.toContain(SECRET);
    expect(row.secretsCipher).not.toBeNull();
    const secrets = JSON.parse(openSecret(row.secretsCipher!)) as Record<string, string>;
    expect(Object.values(secrets)).toContain(SECRET);

    const variant = remember(
      await caller(provider).intent.create({
        source: "yaml",
        yaml: networkIntentVariantYaml({ id: `${id}-variant`, instanceId, bearerToken: SECRET }),
      }),
    );
    expect(variant.intent?.intentExpectations).toEqual(created.intent?.intentExpectations);
    expect(variant.targets.map((t) => `${t.expectationId}:${t.targetName}`)).toEqual([
      "1:isolatedConnectivity",
      "2:isolatedConnectivity",
    ]);

    // Every way of reading it back keeps the token out.
    remember(await caller(provider).intent.get({ id: created.id }));
    remember(await caller(provider).intent.report({ id: created.id }));
    remember(await caller(provider).intent.list({ search: id }));
    remember(await caller(admin).intent.list({ search: id }));
    const exported = remember(await caller(provider).intent.exportYaml({ id: created.id }));
    const back = parseIntentYaml(exported.yaml);
    expect(back.ok && back.intent).toEqual(created.intent);

    const again = await rejection(
      caller(provider).intent.create({
        source: "yaml",
        yaml: networkIntentYaml({ id, instanceId, bearerToken: "x" }),
      }),
    );
    expect(again.code).toBe("CONFLICT");
    expect(domainCause(again).field).toBe("id");
  });

  it("treats every context named like a secret as one (X-Auth-Token, clientSecret), also in rows stored before", async () => {
    const id = `${tag}-named`;
    const yaml = networkIntentYaml({ id, instanceId, bearerToken: SECRET })
      .replace("bearer_token", "X-Auth-Token")
      .replace("api_key", "clientSecret");
    const created = remember(await caller(provider).intent.create({ source: "yaml", yaml }));
    const contexts = created.intent?.intentExpectations[1]?.expectationObject.objectContexts ?? [];
    expect(contexts.find((c) => c.contextAttribute === "X-Auth-Token")?.contextValueRange).toBe(REDACTED);
    expect(contexts.find((c) => c.contextAttribute === "clientSecret")?.contextValueRange).toBe(REDACTED);
    const row = await db.intent.findUniqueOrThrow({ where: { id: created.id } });
    expect(JSON.stringify(row.body)).not.toContain(SECRET);

    // A row stored when only four exact names counted kept its value in the body: answers still hide it.
    await db.intent.update({
      where: { id: created.id },
      data: { body: JSON.parse(JSON.stringify(row.body).replace(REDACTED, SECRET)) as object },
    });
    const shown = remember(await caller(provider).intent.get({ id: created.id }));
    expect(JSON.stringify(shown)).not.toContain(SECRET);
    const exported = remember(await caller(provider).intent.exportYaml({ id: created.id }));
    expect(exported.yaml).not.toContain(SECRET);
    expect(exported.yaml).toContain(`contextAttribute: X-Auth-Token`);
    await db.intent.update({ where: { id: created.id }, data: { body: row.body as object } });
  });

  it("imports the EnergyCarbonEfficiency example: instance from the expectation object, validity period", async () => {
    const intent = remember(
      await caller(provider).intent.create({
        source: "yaml",
        yaml: energyIntentYaml({ id: `${tag}-energy`, instanceId: otherInstanceId }),
      }),
    );
    expect(intent).toMatchObject({
      intentType: "EnergyCarbonEfficiency",
      instanceId: otherInstanceId,
      priority: 10,
      observationPeriodS: 300,
      hasSecrets: false,
      validFrom: new Date(ENERGY_WINDOW.start),
      validUntil: new Date(ENERGY_WINDOW.end),
    });
    expect(intent.targets.map((t) => [t.targetName, t.targetValueRange])).toEqual([
      ["CompEnergyEfficiency", 40000],
      ["CompEnergyConsumption", 900],
      ["GreenEnergyConsumptionRate", 90],
    ]);
    // The stored intent now names its instance the usual way too.
    expect(intent.intent?.intentContexts).toEqual([
      {
        contextAttribute: "NEMO_WORKLOAD",
        contextCondition: "IS_EQUAL_TO",
        contextValueRange: otherInstanceId,
      },
    ]);
    expect((await notifications(intent.id)).map((n) => n.Action)).toEqual(["created"]);
  });

  it("answers a malformed intent with every problem's field and line", async () => {
    const yaml = energyIntentYaml({ id: `${tag}-bad`, instanceId })
      .replace("targetCondition: IS_LESS_THAN", "targetCondition: IS_SMALLER_THAN")
      .replace("targetName: GreenEnergyConsumptionRate", "targetName: GreenEnergyConsumptionRat");
    const invalid = await rejection(caller(provider).intent.create({ source: "yaml", yaml }));
    expect(invalid.code).toBe("BAD_REQUEST");
    const cause = domainCause(invalid);
    expect(cause.field).toBe("intentExpectations[0].expectationTargets[1].targetCondition");
    expect(cause.problems).toEqual([
      expect.objectContaining({
        field: "intentExpectations[0].expectationTargets[1].targetCondition",
        line: 14,
      }),
    ]);
    expect(invalid.message).toMatch(
      /^The intent YAML is invalid: line 14: targetCondition IS_SMALLER_THAN is not a condition; use one of IS_EQUAL_TO, .*IS_ALL_OF$/,
    );

    // Past the normal form, the catalogue: an unknown target, on its own line.
    const unknownTarget = energyIntentYaml({ id: `${tag}-bad2`, instanceId }).replace(
      "targetName: GreenEnergyConsumptionRate",
      "targetName: GreenEnergyConsumptionRat",
    );
    const catalogue = domainCause(
      await rejection(caller(provider).intent.create({ source: "yaml", yaml: unknownTarget })),
    );
    expect(catalogue.problems).toEqual([
      expect.objectContaining({ field: "intentExpectations[0].expectationTargets[2].targetName", line: 16 }),
    ]);

    const syntax = domainCause(
      await rejection(caller(provider).intent.create({ source: "yaml", yaml: "id: x\nuserLabel: [1\n" })),
    );
    expect(syntax.problems?.[0]).toMatchObject({ field: "(root)", line: expect.any(Number) as unknown });

    const nameless = domainCause(
      await rejection(
        caller(provider).intent.create({
          source: "yaml",
          yaml: networkIntentYaml({ id: `${tag}-x`, instanceId, bearerToken: SECRET }).replace(
            /intentContexts:\n.*\n/,
            "",
          ),
        }),
      ),
    );
    expect(nameless.field).toBe("instanceId");

    const disagreeing = await rejection(
      caller(provider).intent.create({
        source: "yaml",
        yaml: energyIntentYaml({ id: `${tag}-y`, instanceId }),
        instanceId: otherInstanceId,
      }),
    );
    expect(domainCause(disagreeing).field).toBe("instanceId");
  });

  it("takes a minimal intent a person writes (issue 13): defaults, singular spellings, an Intent: wrapper", async () => {
    const yaml = `Intent:
  id: ${tag}-minimal
  userLabel: GreenEnergy
  intentExpectation:
    expectationId: 1
    expectationVerb: DELIVER
    expectationObject: { objectType: NEMO_WORKLOAD, objectInstance: ${instanceId} }
    expectationTarget: { targetName: greenEnergy, targetCondition: IS_EQUAL_TO_OR_GREATER_THAN, targetValueRange: 60 }
`;
    const created = remember(await caller(provider).intent.create({ source: "yaml", yaml }));
    expect(created).toMatchObject({
      externalId: `${tag}-minimal`,
      intentType: "GreenEnergy",
      typeDisplayName: "Green energy",
      adminState: "ACTIVATED",
      intent: { intentPriority: 1, observationPeriod: 60 },
    });

    const wrong = domainCause(
      await rejection(
        caller(provider).intent.create({
          source: "yaml",
          yaml: yaml.replace(`${tag}-minimal`, `${tag}-minimal2`).replace("DELIVER", "PROVIDE"),
        }),
      ),
    );
    expect(wrong.problems).toEqual([
      {
        field: "Intent.intentExpectation.expectationVerb",
        line: 6,
        message: "expectationVerb PROVIDE is not an expectation verb; use DELIVER or ENSURE",
      },
    ]);
    expect(wrong.message).toBe(
      "The intent YAML is invalid: line 6: expectationVerb PROVIDE is not an expectation verb; use DELIVER or ENSURE",
    );
  });

  it("answers form input the library refuses with sentences, never its own text (issue 13)", async () => {
    const errors = await fieldErrors(provider, {
      ...availability(95),
      start: "",
      targets: [{ targetName: "availability", targetCondition: "IS_SMALLER_THAN", targetValue: 95 }],
    });
    expect(errors).toEqual({
      "targets.0.targetCondition": expect.stringMatching(
        /^targetCondition must be IS_EQUAL_TO, IS_LESS_THAN, .* or IS_ALL_OF$/,
      ) as unknown,
    });
    const typed = await fieldErrors(provider, { ...availability(95), targets: "availability" });
    expect(typed).toEqual({ targets: "targets must be a list, not text" });
  });

  it("takes the normal form as JSON too, with its problems by field", async () => {
    const template = remember(
      await caller(provider).intent.template({ instanceId, intentType: "DeliverComputingWorkload" }),
    );
    const created = remember(
      await caller(provider).intent.create({ source: "json", intent: template.intent }),
    );
    expect(created).toMatchObject({ externalId: template.intent.id, intentType: "DeliverComputingWorkload" });
    const broken = domainCause(
      await rejection(
        caller(provider).intent.create({
          source: "json",
          intent: { ...template.intent, id: `${tag}-j`, intentPriority: 0 },
        }),
      ),
    );
    expect(broken.problems).toEqual([{ field: "intentPriority", message: expect.any(String) as unknown }]);
  });
});

describe("Supported Intents are enforced (issue 13, bug 2)", () => {
  it("refuses a type the workload does not support from the form, YAML and JSON, naming the type", async () => {
    const workload = await makeWorkload(db, provider, {
      name: `${tag}-avail-only`,
      supportedIntents: ["Availability"],
    });
    const only = (await makeInstance(db, provider, workload.id)).id;
    const message = `GreenEnergy is not a supported intent of workload ${workload.name} 1.0.0; it supports: Availability.`;

    const fromForm = await rejection(
      caller(provider).intent.create({
        source: "form",
        instanceId: only,
        intentType: "GreenEnergy",
        targets: [{ targetName: "greenEnergy", targetCondition: "IS_GREATER_THAN", targetValue: 50 }],
      }),
    );
    expect(fromForm.code).toBe("BAD_REQUEST");
    expect(fromForm.message).toBe(message);
    expect(domainCause(fromForm).field).toBe("intentType");

    const yaml = energyIntentYaml({ id: `${tag}-unsupported`, instanceId: only });
    const fromYaml = domainCause(await rejection(caller(provider).intent.create({ source: "yaml", yaml })));
    expect(fromYaml.message).toBe(
      `EnergyCarbonEfficiency is not a supported intent of workload ${workload.name} 1.0.0; it supports: Availability.`,
    );
    expect(fromYaml.field).toBe("userLabel");
    expect(fromYaml.problems).toEqual([expect.objectContaining({ field: "userLabel", line: 2 })]);

    const parsed = parseIntentYaml(yaml);
    if (!parsed.ok) throw new Error(parsed.error);
    const fromJson = domainCause(
      await rejection(caller(provider).intent.create({ source: "json", intent: { ...parsed.intent } })),
    );
    expect(fromJson.field).toBe("userLabel");

    const template = await rejection(
      caller(provider).intent.template({ instanceId: only, intentType: "GreenEnergy" }),
    );
    expect(template.message).toBe(message);
    expect(await db.intent.count({ where: { instanceId: only } })).toBe(0);

    // The supported type goes through.
    remember(await createAvailability(provider, only));
    expect(await db.intent.count({ where: { instanceId: only } })).toBe(1);
  });

  it("says so when the workload declares none; an admin is held to it too", async () => {
    const workload = await makeWorkload(db, provider, { name: `${tag}-none`, supportedIntents: [] });
    const none = (await makeInstance(db, provider, workload.id)).id;
    const refused = await rejection(caller(admin).intent.create({ ...availability(95), instanceId: none }));
    expect(refused.message).toBe(
      `Availability is not a supported intent of workload ${workload.name} 1.0.0; it declares no supported intents.`,
    );
    const template = await rejection(caller(provider).intent.template({ instanceId: none }));
    expect(template.code).toBe("CONFLICT");
    expect(template.message).toContain("declares no supported intents");
  });
});

describe("importing an exported intent (issue 13, bug 9)", () => {
  // Instances of their own: the tenants test reads the first page of instanceId's intents.
  let home: string;
  let away: string;
  beforeAll(async () => {
    const workload = await makeWorkload(db, provider, { name: `${tag}-reimport` });
    home = (await makeInstance(db, provider, workload.id)).id;
    away = (await makeInstance(db, provider, workload.id)).id;
  });
  const countOn = (instance: string) => db.intent.count({ where: { instanceId: instance, deletedAt: null } });
  /** The document as if written for another instance. */
  const movedTo = (intent: Intent, instance: string) =>
    JSON.parse(JSON.stringify(intent).replaceAll(home, instance)) as Intent;

  it("answers 409 on id for a form intent's export instead of creating a copy", async () => {
    const original = await createAvailability(provider, home);
    const { yaml } = await caller(provider).intent.exportYaml({ id: original.id });
    const before = await countOn(home);
    const again = await rejection(caller(provider).intent.create({ source: "yaml", yaml }));
    expect(again.code).toBe("CONFLICT");
    expect(domainCause(again).field).toBe("id");
    expect(again.message).toContain(`"${original.id}" already exists`);
    expect(again.message).toContain("replace");
    expect(await countOn(home)).toBe(before);
  });

  it("with replace updates that intent in place: same id, reports kept, evaluated again now", async () => {
    const original = await createAvailability(provider, home);
    const { yaml } = await caller(provider).intent.exportYaml({ id: original.id });
    const reportsBefore = await reportsOf(original.id);
    const before = await countOn(home);
    const changed = yaml.replace("targetValueRange: 95", "targetValueRange: 97");
    expect(changed).not.toBe(yaml);

    const replaced = remember(
      await caller(provider).intent.create({ source: "yaml", yaml: changed, replace: true }),
    );
    expect(replaced.id).toBe(original.id);
    expect(replaced.externalId).toBeNull();
    expect(replaced.targets.map((t) => t.targetValueRange)).toEqual([97]);
    expect(await countOn(home)).toBe(before);
    const reports = await reportsOf(original.id);
    expect(reports.slice(0, reportsBefore.length).map((r) => r.id)).toEqual(reportsBefore.map((r) => r.id));
    expect(reports.at(-1)?.notFulfilledState).toBe("ACKNOWLEDGED");
    expect((await notifications(original.id)).map((n) => n.Action)).toEqual(["created", "updated"]);
    const schedule = await db.intentSchedule.findUniqueOrThrow({ where: { intentId: original.id } });
    expect(schedule.nextEvaluationAt.getTime()).toBeLessThanOrEqual(Date.now());

    // An imported intent's export names it by its own id; JSON works the same way.
    const imported = remember(
      await caller(provider).intent.create({
        source: "yaml",
        yaml: energyIntentYaml({ id: `${tag}-replaced`, instanceId: home }),
      }),
    );
    const exported = (await caller(provider).intent.get({ id: imported.id })).intent!;
    const conflict = await rejection(
      caller(provider).intent.create({ source: "json", intent: { ...exported } }),
    );
    expect(conflict.code).toBe("CONFLICT");
    const deactivated = remember(
      await caller(provider).intent.create({
        source: "json",
        intent: { ...exported, intentAdminState: "DEACTIVATED" },
        replace: true,
      }),
    );
    expect(deactivated).toMatchObject({
      id: imported.id,
      externalId: `${tag}-replaced`,
      adminState: "DEACTIVATED",
    });
    expect(deactivated.latest?.intentFulfilmentReport.intentFulfilmentInfo.notFulfilledState).toBe(
      "SUSPENDED",
    );
  });

  it("keeps the sealed bearer token when the export (token redacted) replaces its intent", async () => {
    const created = remember(
      await caller(provider).intent.create({
        source: "yaml",
        yaml: networkIntentYaml({ id: `${tag}-net-replace`, instanceId: home, bearerToken: SECRET }),
      }),
    );
    const { yaml } = remember(await caller(provider).intent.exportYaml({ id: created.id }));
    expect(yaml).toContain(REDACTED);
    const replaced = remember(await caller(provider).intent.create({ source: "yaml", yaml, replace: true }));
    expect(replaced).toMatchObject({ id: created.id, hasSecrets: true });
    const row = await db.intent.findUniqueOrThrow({ where: { id: created.id } });
    const secrets = JSON.parse(openSecret(row.secretsCipher!)) as Record<string, string>;
    expect(Object.values(secrets)).toContain(SECRET);
  });

  it("does not move an intent to another instance, and never matches another tenant's intent", async () => {
    const original = await createAvailability(provider, home);
    const detail = (await caller(provider).intent.get({ id: original.id })).intent!;
    const elsewhere = await rejection(
      caller(provider).intent.create({
        source: "yaml",
        yaml: intentToYaml(movedTo(detail, away)),
        replace: true,
      }),
    );
    expect(elsewhere.code).toBe("CONFLICT");
    expect(domainCause(elsewhere).field).toBe("instanceId");

    // provider2 imports the same document on their own instance: their own new intent, provider's untouched.
    const theirs = remember(
      await caller(provider2).intent.create({
        source: "json",
        intent: { ...movedTo(detail, theirInstanceId) },
        replace: true,
      }),
    );
    expect(theirs.id).not.toBe(original.id);
    expect(theirs).toMatchObject({ externalId: original.id, instanceId: theirInstanceId });
    const mine = await caller(provider).intent.get({ id: original.id });
    expect(mine).toMatchObject({ instanceId: home, updatedAt: original.updatedAt });
  });
});

describe("intent.action", () => {
  it("suspends, starts and deletes with their reports and notifications; repeats are conflicts", async () => {
    const intent = await createAvailability();
    const active = await rejection(caller(provider).intent.action({ id: intent.id, action: "start" }));
    expect(active.code).toBe("CONFLICT");
    expect(active.message).toBe(`Intent ${intent.id} is already active.`);

    const suspended = remember(await caller(provider).intent.action({ id: intent.id, action: "suspend" }));
    expect(suspended.adminState).toBe("DEACTIVATED");
    expect(suspended.intent?.intentAdminState).toBe("DEACTIVATED");
    expect(suspended.latest?.intentFulfilmentReport.intentFulfilmentInfo).toEqual({
      fulfilmentStatus: "NOT_FULFILLED",
      notFulfilledState: "SUSPENDED",
      notFulfilledReasons: [`suspended by ${provider.displayName}`],
    });
    const again = await rejection(caller(provider).intent.action({ id: intent.id, action: "suspend" }));
    expect(again.code).toBe("CONFLICT");
    expect(again.message).toMatch(/already suspended/);

    // An evaluation said NOT_FULFILLED before the suspension; re-activation forgets it.
    await db.intentSchedule.update({
      where: { intentId: intent.id },
      data: { lastFulfilment: "NOT_FULFILLED", nextEvaluationAt: new Date(Date.now() + 3_600_000) },
    });
    const started = remember(await caller(provider).intent.action({ id: intent.id, action: "start" }));
    expect(started.adminState).toBe("ACTIVATED");
    expect(started.lastFulfilment).toBeNull();
    expect(started.nextEvaluationAt.getTime()).toBeLessThanOrEqual(Date.now());
    expect(started.latest?.intentFulfilmentReport.intentFulfilmentInfo.notFulfilledState).toBe(
      "ACKNOWLEDGED",
    );

    const deleted = remember(await caller(provider).intent.action({ id: intent.id, action: "delete" }));
    expect(deleted.deletedAt).toBeInstanceOf(Date);
    expect(deleted.latest?.intentFulfilmentReport.intentFulfilmentInfo.notFulfilledState).toBe("TERMINATED");
    expect((await reportsOf(intent.id)).map((r) => r.notFulfilledState)).toEqual([
      "ACKNOWLEDGED",
      "SUSPENDED",
      "ACKNOWLEDGED",
      "TERMINATED",
    ]);
    expect((await notifications(intent.id)).map((n) => n.Action)).toEqual([
      "created",
      "deactivated",
      "activated",
      "deleted",
    ]);

    // Newest first, so a deleted intent that were still listed would be on this page.
    const page = await caller(provider).intent.list({ instanceId, sort: "lastUpdated", direction: "desc" });
    expect(page.items.map((i) => i.id)).not.toContain(intent.id);
    // Thunks: a promise made before it is awaited would reject unhandled.
    for (const attempt of [
      () => caller(provider).intent.get({ id: intent.id }),
      () => caller(provider).intent.report({ id: intent.id }),
      () => caller(provider).intent.action({ id: intent.id, action: "start" }),
      () => caller(provider).intent.action({ id: intent.id, action: "delete" }),
      () =>
        caller(provider).intent.changeTarget({ id: intent.id, targetName: "availability", targetValue: 90 }),
    ]) {
      expect((await rejection(attempt())).code).toBe("NOT_FOUND");
    }
  });

  it("frees an imported intent's id on delete, so the same YAML can come back", async () => {
    const yaml = energyIntentYaml({ id: `${tag}-again`, instanceId });
    const first = remember(await caller(provider).intent.create({ source: "yaml", yaml }));
    await caller(provider).intent.action({ id: first.id, action: "delete" });
    const second = remember(await caller(provider).intent.create({ source: "yaml", yaml }));
    expect(second.externalId).toBe(`${tag}-again`);
  });
});

describe("intent.changeTarget", () => {
  it("rewrites the target, keeps the last fulfilment and asks for an evaluation now", async () => {
    const intent = await createAvailability();
    await db.intentSchedule.update({
      where: { intentId: intent.id },
      data: { lastFulfilment: "FULFILLED", nextEvaluationAt: new Date(Date.now() + 3_600_000) },
    });
    const changed = remember(
      await caller(provider).intent.changeTarget({
        id: intent.id,
        targetName: "availability",
        targetValue: "99.5",
        targetCondition: "IS_EQUAL_TO_OR_GREATER_THAN",
      }),
    );
    expect(changed.targets).toEqual([
      expect.objectContaining({ targetCondition: "IS_EQUAL_TO_OR_GREATER_THAN", targetValueRange: 99.5 }),
    ]);
    expect(changed.lastFulfilment).toBe("FULFILLED");
    expect(changed.nextEvaluationAt.getTime()).toBeLessThanOrEqual(Date.now());
    const row = await db.intent.findUniqueOrThrow({ where: { id: intent.id } });
    expect(validateIntent(row.body).ok).toBe(true);
    expect((await notifications(intent.id)).map((n) => n.Action)).toEqual(["created", "updated"]);

    const field = async (input: Record<string, unknown>) =>
      domainCause(
        await rejection(
          caller(provider).intent.changeTarget({
            id: intent.id,
            targetName: "availability",
            targetValue: 1,
            ...input,
          }),
        ),
      ).field;
    expect(await field({ targetName: "speed" })).toBe("targetName");
    expect(await field({ targetValue: 101 })).toBe("targetValue");
    expect(await field({ targetCondition: "IS_LESS_THAN" })).toBe("targetCondition");
    expect(await field({ targetCondition: "IS_WITHIN_RANGE", targetValue: [99, 90] })).toBe("targetValue");
  });

  it("wants the expectation when a target name repeats", async () => {
    const network = remember(
      await caller(provider).intent.create({
        source: "yaml",
        yaml: networkIntentYaml({ id: `${tag}-net2`, instanceId, bearerToken: SECRET }),
      }),
    );
    const ambiguous = domainCause(
      await rejection(
        caller(provider).intent.changeTarget({
          id: network.id,
          targetName: "isolatedConnectivity",
          targetValue: "false",
        }),
      ),
    );
    expect(ambiguous.field).toBe("expectationId");
    const changed = remember(
      await caller(provider).intent.changeTarget({
        id: network.id,
        targetName: "isolatedConnectivity",
        targetValue: "false",
        expectationId: "2",
      }),
    );
    expect(changed.targets.map((t) => t.targetValueRange)).toEqual(["true", "false"]);
    // The secret stays where it was.
    const row = await db.intent.findUniqueOrThrow({ where: { id: network.id } });
    expect(Object.values(JSON.parse(openSecret(row.secretsCipher!)) as Record<string, string>)).toContain(
      SECRET,
    );
  });
});

describe("intent.report", () => {
  it("gives the latest report in the 3GPP shape and the achieved values oldest first", async () => {
    const intent = await createAvailability();
    for (const [minutes, achieved, status] of [
      [3, 97.5, "FULFILLED"],
      [2, 93, "NOT_FULFILLED"],
      [1, null, "NOT_FULFILLED"],
    ] as const) {
      await db.intentReport.create({
        data: {
          intentId: intent.id,
          fulfilmentStatus: status,
          notFulfilledState: status === "FULFILLED" ? null : "DEGRADED",
          notFulfilledReasons: status === "FULFILLED" ? [] : ["availability below target"],
          feasibility: "FEASIBLE",
          targetResults: [
            {
              expectationId: "1",
              targetName: "availability",
              targetCondition: "IS_GREATER_THAN",
              targetValueRange: 95,
              unit: "%",
              fulfilmentStatus: status,
              targetAchievedValue: achieved,
            },
          ],
          createdAt: new Date(Date.now() + 60_000 * (4 - minutes)),
        },
      });
    }
    const report = remember(await caller(provider).intent.report({ id: intent.id }));
    expect(report.intent).toMatchObject({
      id: intent.id,
      name: "Availability",
      targets: [expect.objectContaining({ targetName: "availability", unit: "%" })],
    });
    expect(report.history.map((h) => [h.fulfilmentStatus, h.targets.availability])).toEqual([
      ["NOT_FULFILLED", undefined],
      ["FULFILLED", 97.5],
      ["NOT_FULFILLED", 93],
      ["NOT_FULFILLED", null],
    ]);
    expect(report.latest?.intentFulfilmentReport).toEqual({
      intentFulfilmentInfo: {
        fulfilmentStatus: "NOT_FULFILLED",
        notFulfilledState: "DEGRADED",
        notFulfilledReasons: ["availability below target"],
      },
      expectationFulfilmentResult: [
        {
          expectationId: "1",
          expectationFulfilmentInfo: { fulfilmentStatus: "NOT_FULFILLED" },
          targetFulfilmentResult: [
            {
              targetName: "availability",
              targetCondition: "IS_GREATER_THAN",
              targetValueRange: 95,
              unit: "%",
              targetFulfilmentInfo: { fulfilmentStatus: "NOT_FULFILLED", notFulfilledReason: null },
              targetAchievedValue: null,
            },
          ],
        },
      ],
    });
    const row = (
      await caller(provider).intent.list({ instanceId, sort: "lastUpdated", direction: "desc" })
    ).items.find((i) => i.id === intent.id);
    expect(row).toMatchObject({ fulfilmentStatus: "NOT_FULFILLED", notFulfilledState: "DEGRADED" });
  });
});

describe("intent.list sorted by last update", () => {
  it("orders by the newest report, whoever wrote it, as the Last updated column shows", async () => {
    const workload = await makeWorkload(db, provider, { name: `${tag}-sorted` });
    const sortedInstance = (await makeInstance(db, provider, workload.id)).id;
    const first = await createAvailability(provider, sortedInstance);
    const second = await createAvailability(provider, sortedInstance);
    const order = async () =>
      (
        await caller(provider).intent.list({
          instanceId: sortedInstance,
          sort: "lastUpdated",
          direction: "desc",
        })
      ).items.map((i) => i.id);
    expect(await order()).toEqual([second.id, first.id]);

    // An evaluation of the first one (stored as the evaluator stores one at a time).
    await evaluateIntentsOnce({ db, log: logger, intentIds: [first.id] });
    expect(await order()).toEqual([first.id, second.id]);
    const listed = await caller(provider).intent.list({
      instanceId: sortedInstance,
      sort: "lastUpdated",
      direction: "asc",
    });
    expect(listed.items.map((i) => i.id)).toEqual([second.id, first.id]);
    expect(listed.items[0]!.lastUpdatedTime.getTime()).toBeLessThan(
      listed.items[1]!.lastUpdatedTime.getTime(),
    );

    // A lifecycle report (suspend) of the second one makes it the newest again.
    await caller(provider).intent.action({ id: second.id, action: "suspend" });
    expect(await order()).toEqual([second.id, first.id]);
  });
});

describe("intent.template and intent.types", () => {
  it("offers the workload's first supported type, ready to create", async () => {
    const template = remember(await caller(provider).intent.template({ instanceId }));
    expect(template.intentType).toBe("GreenEnergy");
    expect(template.yaml).toContain(`contextValueRange: ${instanceId}`);
    const created = remember(await caller(provider).intent.create({ source: "yaml", yaml: template.yaml }));
    expect(created).toMatchObject({ intentType: "GreenEnergy", instanceId, externalId: template.intent.id });

    const bad = await rejection(caller(provider).intent.template({ instanceId, intentType: "Speed" }));
    expect(bad.code).toBe("BAD_REQUEST");
    expect(domainCause(bad).field).toBe("intentType");
    expect((await rejection(caller(provider2).intent.template({ instanceId }))).code).toBe("NOT_FOUND");

    const types = await caller(provider).intent.types();
    expect(types.map((t) => t.type)).toEqual(expect.arrayContaining(["Availability", "cloud_continuum"]));
  });
});

describe("tenants", () => {
  it("keeps provider2 away from provider's intents, the infrastructure provider out, and lets an admin in", async () => {
    const intent = await createAvailability();
    const theirs = caller(provider2);
    expect((await theirs.intent.list({ search: tag })).total).toBe(0);
    expect((await theirs.intent.list({ instanceId })).total).toBe(0);
    for (const attempt of [
      () => theirs.intent.get({ id: intent.id }),
      () => theirs.intent.report({ id: intent.id }),
      () => theirs.intent.exportYaml({ id: intent.id }),
      () => theirs.intent.action({ id: intent.id, action: "suspend" }),
      () => theirs.intent.changeTarget({ id: intent.id, targetName: "availability", targetValue: 90 }),
      () => theirs.intent.create({ ...availability(95), instanceId }),
    ]) {
      const error = await rejection(attempt());
      expect(error.code).toBe("NOT_FOUND");
    }
    expect((await rejection(caller(infra).intent.list({}))).code).toBe("FORBIDDEN");
    expect((await rejection(caller(infra).intent.get({ id: intent.id }))).code).toBe("FORBIDDEN");
    expect((await rejection(caller(null).intent.list({}))).code).toBe("UNAUTHORIZED");

    // Newest first: the instance carries more intents than one page from the tests before this one.
    const adminPage = await caller(admin).intent.list({ instanceId, sort: "lastUpdated", direction: "desc" });
    expect(adminPage.items.map((i) => i.id)).toContain(intent.id);
    // An admin's intent on provider's instance belongs to provider (the instance's tenant).
    const byAdmin = remember(await createAvailability(admin));
    expect((await caller(provider).intent.get({ id: byAdmin.id })).owner).toBe(provider.username);
    const suspended = await caller(admin).intent.action({ id: intent.id, action: "suspend" });
    expect(suspended.latest?.intentFulfilmentReport.intentFulfilmentInfo.notFulfilledReasons).toEqual([
      `suspended by ${admin.displayName}`,
    ]);
    expect((await rejection(caller(provider).intent.list({ instanceId: "nope" }))).code).toBe("BAD_REQUEST");
  });
});
