import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contextFor, makeInstance, makeUser, makeWorkload, uniq } from "@/server/testing/factories";
import { energyIntentYaml, networkIntentYaml } from "@/server/testing/intent-examples";
import { parseIntentYaml, REDACTED } from "@/server/intents/yaml";
import { createCaller } from "@/server/api/root";
import { Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth/session";
import { createDb, type Db } from "@/server/db/client";
import {
  createIntentRest,
  getIntentRest,
  intentActionRest,
  intentReportRest,
  intentTargetRest,
  intentTemplateRest,
  intentTypesRest,
  intentYamlRest,
  listIntentsRest,
} from "./intent";
import { openApiDocument } from "./openapi";
import { sessionCookie } from "@/server/testing/session-cookie";
import { servedRest } from "@/server/testing/served-path";

/*
 * The intent REST API (/api/v1/intent/…) as scripts use it: JSON and YAML
 * bodies, the status codes of the workload API ({error, message, field}),
 * tenants apart, secrets never in an answer; and the OpenAPI document
 * describing every route the app serves.
 */

let db: Db;
let admin: SessionUser;
let provider: SessionUser;
let provider2: SessionUser;
let infra: SessionUser;
let instanceId: string;
const tag = uniq("ri");
const SECRET = `tok-${randomBytes(12).toString("hex")}`;
const BASE = "http://localhost:3999";
const cookies = new Map<string, string>();
/** Every response body of this file, to prove the bearer token never left. */
const bodies: string[] = [];

type Handler = (request: Request, context?: { params: Promise<Record<string, string>> }) => Promise<Response>;

interface Call {
  method?: string;
  path?: string;
  id?: string;
  json?: unknown;
  text?: string;
  contentType?: string;
}

async function call(handler: Handler, user: SessionUser | null, init: Call = {}): Promise<Response> {
  const headers = new Headers();
  if (user) headers.set("cookie", cookies.get(user.id) ?? "");
  // What the browser adds to the console's own requests (a cookie session's mutations need it).
  if (user) headers.set("origin", BASE);
  let body: string | undefined;
  if (init.json !== undefined) {
    headers.set("content-type", "application/json");
    body = JSON.stringify(init.json);
  } else if (init.text !== undefined) {
    headers.set("content-type", init.contentType ?? "application/yaml");
    body = init.text;
  }
  // As a client on the wire sends it: a body comes with its length.
  if (body !== undefined) headers.set("content-length", String(Buffer.byteLength(body)));
  const target = init.path ?? (init.id ? `/api/v1/intent/${init.id}/` : "/api/v1/intent/");
  const params: Record<string, string> = init.id ? { id: init.id } : {};
  const request = new Request(`${BASE}${target}`, { method: init.method ?? "GET", headers, body });
  // The hot read (the list) as the web process serves it: testing/served-path.ts.
  const response = await servedRest(handler, request, { params: Promise.resolve(params) });
  bodies.push(await response.clone().text());
  return response;
}

async function json<T>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

interface Detail {
  id: string;
  externalId: string | null;
  adminState: string;
  hasSecrets: boolean;
  targets: Array<{ targetName: string; targetValueRange: unknown }>;
  latest: { intentFulfilmentReport: { intentFulfilmentInfo: { notFulfilledState: string } } } | null;
}

const form = (value: unknown) => ({
  instanceId,
  intentType: "Availability",
  targets: [{ targetName: "availability", targetCondition: "IS_GREATER_THAN", targetValue: value }],
});

beforeAll(async () => {
  db = createDb(process.env.DATABASE_URL);
  admin = await makeUser(db, [Role.NEMO_ADMIN]);
  provider = await makeUser(db, [Role.SERVICE_PROVIDER]);
  provider2 = await makeUser(db, [Role.SERVICE_PROVIDER]);
  infra = await makeUser(db, [Role.INFRASTRUCTURE_PROVIDER]);
  for (const user of [admin, provider, provider2, infra]) {
    const token = await sessionCookie(user);
    cookies.set(user.id, `next-auth.session-token=${token}`);
  }
  const workload = await makeWorkload(db, provider, { name: `${tag}-shop` });
  instanceId = (await makeInstance(db, provider, workload.id)).id;
});

afterAll(async () => {
  expect(bodies.length).toBeGreaterThan(10);
  for (const body of bodies) expect(body).not.toContain(SECRET);
  await db.$disconnect();
});

describe("REST /api/v1/intent/", () => {
  it("creates from a form body (201 + location), reads, lists, acts, changes a target and reports", async () => {
    const response = await call(createIntentRest, provider, { method: "POST", json: form(95) });
    expect(response.status).toBe(201);
    const intent = await json<Detail>(response);
    expect(response.headers.get("location")).toBe(`/api/v1/intent/${intent.id}/`);
    expect(intent.latest?.intentFulfilmentReport.intentFulfilmentInfo.notFulfilledState).toBe("ACKNOWLEDGED");

    const read = await call(getIntentRest, provider, { id: intent.id });
    expect(read.status).toBe(200);
    expect((await json<Detail>(read)).id).toBe(intent.id);

    const list = await call(listIntentsRest, provider, {
      path: `/api/v1/intent/?instanceId=${instanceId}&pageSize=25&sort=lastUpdated&direction=desc`,
    });
    expect(list.status).toBe(200);
    const page = await json<{ items: Array<{ id: string }>; pageSize: number }>(list);
    expect(page.items.map((i) => i.id)).toContain(intent.id);
    expect(page.pageSize).toBe(25);

    const suspended = await call(intentActionRest, provider, {
      method: "PUT",
      id: intent.id,
      path: `/api/v1/intent/${intent.id}/action/`,
      json: { action: "suspend" },
    });
    expect(suspended.status).toBe(200);
    expect((await json<Detail>(suspended)).adminState).toBe("DEACTIVATED");

    const changed = await call(intentTargetRest, provider, {
      method: "PUT",
      id: intent.id,
      path: `/api/v1/intent/${intent.id}/target/`,
      json: { targetName: "availability", targetValue: 99 },
    });
    expect(changed.status).toBe(200);
    expect((await json<Detail>(changed)).targets[0]?.targetValueRange).toBe(99);

    const report = await call(intentReportRest, provider, {
      id: intent.id,
      path: `/api/v1/intent/${intent.id}/report/`,
    });
    expect(report.status).toBe(200);
    const body = await json<{ latest: { id: string }; history: Array<{ time: string }> }>(report);
    expect(typeof body.latest.id).toBe("string");
    expect(body.history.map((h) => h.time)).toHaveLength(2);

    const deleted = await call(intentActionRest, provider, {
      method: "PUT",
      id: intent.id,
      json: { action: "delete" },
    });
    expect(deleted.status).toBe(200);
    expect((await call(getIntentRest, provider, { id: intent.id })).status).toBe(404);
  });

  it("says scheduled (with its start) and re-evaluating (after a target change), like the console", async () => {
    // A start a day ahead, whatever today is.
    const start = new Date(Date.now() + 24 * 3_600_000).toISOString();
    const end = new Date(Date.now() + 48 * 3_600_000).toISOString();
    const scheduled = await json<Detail & { scheduledFrom: string | null }>(
      await call(createIntentRest, provider, { method: "POST", json: { ...form(95), start, end } }),
    );
    expect(scheduled.scheduledFrom).toBe(start);
    const list = await call(listIntentsRest, provider, {
      path: `/api/v1/intent/?instanceId=${instanceId}&pageSize=50`,
    });
    const rows = (await json<{ items: Array<{ id: string; scheduledFrom: string | null }> }>(list)).items;
    expect(rows.find((i) => i.id === scheduled.id)?.scheduledFrom).toBe(start);

    const active = await json<Detail>(
      await call(createIntentRest, provider, { method: "POST", json: form(95) }),
    );
    const changed = await call(intentTargetRest, provider, {
      method: "PUT",
      id: active.id,
      path: `/api/v1/intent/${active.id}/target/`,
      json: { targetName: "availability", targetValue: 99 },
    });
    expect(await json<{ reevaluating: boolean; scheduledFrom: null }>(changed)).toMatchObject({
      reevaluating: true,
      scheduledFrom: null,
    });
    const report = await call(intentReportRest, provider, {
      id: active.id,
      path: `/api/v1/intent/${active.id}/report/`,
    });
    expect((await json<{ intent: { reevaluating: boolean } }>(report)).intent.reevaluating).toBe(true);
  });

  it("takes YAML bodies (both annex examples), with the instance from the YAML or ?instanceId=", async () => {
    const network = await call(createIntentRest, provider, {
      method: "POST",
      text: networkIntentYaml({ id: `${tag}-net`, instanceId, bearerToken: SECRET }),
      contentType: "application/yaml; charset=utf-8",
    });
    expect(network.status).toBe(201);
    expect(await json<Detail>(network)).toMatchObject({ externalId: `${tag}-net`, hasSecrets: true });

    // No NEMO_WORKLOAD anywhere: the query names the instance.
    const energy = energyIntentYaml({ id: `${tag}-energy`, instanceId: "placeholder" }).replace(
      "objectType: NEMO_WORKLOAD",
      "objectType: NEMO_SERVICE",
    );
    const withQuery = await call(createIntentRest, provider, {
      method: "POST",
      path: `/api/v1/intent/?instanceId=${instanceId}`,
      text: energy,
      contentType: "text/yaml",
    });
    expect(withQuery.status).toBe(201);
    const detail = await json<Detail & { intent: { intentContexts: unknown[] } }>(withQuery);
    expect(detail.intent.intentContexts).toEqual([
      { contextAttribute: "NEMO_WORKLOAD", contextCondition: "IS_EQUAL_TO", contextValueRange: instanceId },
    ]);

    // The normal form as a plain JSON body.
    const template = await call(intentTemplateRest, provider, {
      method: "POST",
      path: "/api/v1/intent/template/",
      json: { instanceId, intentType: "MachineLearning" },
    });
    expect(template.status).toBe(200);
    const { intent } = await json<{ intent: { id: string } }>(template);
    const plain = await call(createIntentRest, provider, { method: "POST", json: intent });
    expect(plain.status).toBe(201);
    expect((await json<Detail>(plain)).externalId).toBe(intent.id);

    const malformed = await call(createIntentRest, provider, {
      method: "POST",
      text: energyIntentYaml({ id: `${tag}-bad`, instanceId }).replace(
        "observationPeriod: 300",
        "observationPeriod: soon",
      ),
      contentType: "application/x-yaml",
    });
    expect(malformed.status).toBe(400);
    expect(await json(malformed)).toMatchObject({
      error: "bad_request",
      field: "observationPeriod",
      problems: [{ field: "observationPeriod", line: 20, message: expect.any(String) as unknown }],
    });
  });

  it("answers with the workload API's status codes and names the field", async () => {
    expect((await call(listIntentsRest, null)).status).toBe(401);
    expect((await call(createIntentRest, null, { method: "POST", json: form(95) })).status).toBe(401);
    const forbidden = await call(listIntentsRest, infra);
    expect(forbidden.status).toBe(403);
    expect(await json(forbidden)).toMatchObject({ error: "forbidden" });

    const outOfRange = await call(createIntentRest, provider, { method: "POST", json: form(150) });
    expect(outOfRange.status).toBe(400);
    expect(await json(outOfRange)).toEqual({
      error: "bad_request",
      message: "availability must be between 0% and 100%.",
      field: "targets.0.targetValue",
    });
    const badAction = await call(intentActionRest, provider, {
      method: "PUT",
      id: "00000000-0000-4000-8000-000000000000",
      json: { action: "pause" },
    });
    expect(badAction.status).toBe(400);
    expect(await json(badAction)).toMatchObject({ field: "action" });
    const badQuery = await call(listIntentsRest, provider, { path: "/api/v1/intent/?pageSize=7" });
    expect(badQuery.status).toBe(400);
    expect(await json(badQuery)).toMatchObject({ field: "pageSize" });
    const notJson = await call(createIntentRest, provider, {
      method: "POST",
      text: "{",
      contentType: "application/json",
    });
    expect(notJson.status).toBe(400);
    const wrongType = await call(createIntentRest, provider, {
      method: "POST",
      text: "x",
      contentType: "text/plain",
    });
    // A type an HTML form can send: refused for a cookie session before the route reads it (CSRF).
    expect(wrongType.status).toBe(415);

    expect((await call(getIntentRest, provider, { id: "not-a-uuid" })).status).toBe(404);
    expect((await call(getIntentRest, provider, { id: "00000000-0000-4000-8000-000000000000" })).status).toBe(
      404,
    );

    const created = await json<Detail>(
      await call(createIntentRest, provider, { method: "POST", json: form(90) }),
    );
    const conflict = await call(intentActionRest, provider, {
      method: "PUT",
      id: created.id,
      json: { action: "start" },
    });
    expect(conflict.status).toBe(409);
    expect(await json(conflict)).toMatchObject({
      error: "conflict",
      message: `Intent ${created.id} is already active.`,
    });
    const yaml = energyIntentYaml({ id: `${tag}-dup`, instanceId });
    expect((await call(createIntentRest, provider, { method: "POST", text: yaml })).status).toBe(201);
    const duplicate = await call(createIntentRest, provider, { method: "POST", text: yaml });
    expect(duplicate.status).toBe(409);
    expect(await json(duplicate)).toMatchObject({ error: "conflict", field: "id" });

    const types = await call(intentTypesRest, provider, { path: "/api/v1/intent/types/" });
    expect(types.status).toBe(200);
    expect((await json<Array<{ type: string }>>(types)).map((t) => t.type)).toContain("cloud_continuum");
  });

  it("takes an intent id per tenant: provider2 may use provider's id; the same tenant twice is 409 on id", async () => {
    const workload2 = await makeWorkload(db, provider2, { name: `${tag}-shop2` });
    const instance2 = (await makeInstance(db, provider2, workload2.id)).id;
    const id = `${tag}-shared`;
    const mine = await call(createIntentRest, provider, {
      method: "POST",
      text: energyIntentYaml({ id, instanceId }),
    });
    expect(mine.status).toBe(201);
    // The same id in another tenant is its own intent: no conflict, so no hint that provider uses it.
    const theirs = await call(createIntentRest, provider2, {
      method: "POST",
      text: energyIntentYaml({ id, instanceId: instance2 }),
    });
    expect(theirs.status).toBe(201);
    expect((await json<Detail>(theirs)).externalId).toBe(id);
    const again = await call(createIntentRest, provider2, {
      method: "POST",
      text: energyIntentYaml({ id, instanceId: instance2 }),
    });
    expect(again.status).toBe(409);
    expect(await json(again)).toEqual({
      error: "conflict",
      message: expect.stringMatching(
        new RegExp(
          `^An intent with id "${id}" already exists \\(EnergyCarbonEfficiency on instance rel-\\w+\\): replace it`,
        ),
      ) as unknown,
      field: "id",
    });
    // tRPC: the same rule through the console's door.
    const caller = createCaller(contextFor(db, provider));
    await expect(
      caller.intent.create({ source: "yaml", yaml: energyIntentYaml({ id, instanceId }) }),
    ).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringContaining(`An intent with id "${id}" already exists`) as unknown,
    });
    const other = uniq(`${tag}-trpc`);
    await expect(
      createCaller(contextFor(db, provider2)).intent.create({
        source: "yaml",
        yaml: energyIntentYaml({ id: other, instanceId: instance2 }),
      }),
    ).resolves.toMatchObject({ externalId: other });
    await expect(
      caller.intent.create({ source: "yaml", yaml: energyIntentYaml({ id: other, instanceId }) }),
    ).resolves.toMatchObject({ externalId: other });
  });

  it("keeps tenants apart: 404 for provider2, everything for an admin", async () => {
    const created = await json<Detail>(
      await call(createIntentRest, provider, { method: "POST", json: form(95) }),
    );
    const id = created.id;
    expect((await call(getIntentRest, provider2, { id })).status).toBe(404);
    expect((await call(intentReportRest, provider2, { id })).status).toBe(404);
    const stolen = await call(intentActionRest, provider2, { method: "PUT", id, json: { action: "delete" } });
    expect(stolen.status).toBe(404);
    expect(await json(stolen)).toEqual({ error: "not_found", message: "No such intent." });
    const retarget = await call(intentTargetRest, provider2, {
      method: "PUT",
      id,
      json: { targetName: "availability", targetValue: 10 },
    });
    expect(retarget.status).toBe(404);
    const foreign = await call(createIntentRest, provider2, { method: "POST", json: form(95) });
    expect(foreign.status).toBe(404);
    expect(await json(foreign)).toMatchObject({ field: "instanceId" });
    const theirs = await json<{ total: number }>(
      await call(listIntentsRest, provider2, { path: `/api/v1/intent/?instanceId=${instanceId}` }),
    );
    expect(theirs.total).toBe(0);

    expect((await call(getIntentRest, admin, { id })).status).toBe(200);
    expect(
      (await call(intentActionRest, admin, { method: "PUT", id, json: { action: "suspend" } })).status,
    ).toBe(200);
    expect((await createCaller(contextFor(db, provider)).intent.get({ id })).adminState).toBe("DEACTIVATED");
  });
});

/** A minimal TS 28.312 intent as a person writes it (singular spellings, no admin state, priority or period). */
const minimalYaml = (id: string, instance: string) => `id: ${id}
userLabel: Availability
intentExpectation:
  expectationId: 1
  expectationVerb: DELIVER
  expectationObject:
    objectType: NEMO_WORKLOAD
    objectInstance: ${instance}
  expectationTarget:
    targetName: availability
    targetCondition: IS_EQUAL_TO_OR_GREATER_THAN
    targetValueRange: 99
`;

/** No raw validation-library text. */
const RAW_ZOD = /Invalid (input|option)|expected \w+, received|Too (small|big)|Unrecognized key/;

describe("REST: an intent a person writes", () => {
  it("creates a minimal YAML intent with the catalogue's defaults, and the same under an Intent: wrapper as JSON", async () => {
    const minimal = await call(createIntentRest, provider, {
      method: "POST",
      text: minimalYaml(`${tag}-minimal`, instanceId),
    });
    expect(minimal.status).toBe(201);
    expect(await json(minimal)).toMatchObject({
      externalId: `${tag}-minimal`,
      intentType: "Availability",
      typeDisplayName: "Availability",
      adminState: "ACTIVATED",
      intent: {
        intentAdminState: "ACTIVATED",
        intentPriority: 1,
        observationPeriod: 60,
        intentExpectations: [{ expectationId: "1", expectationTargets: [{ targetName: "availability" }] }],
      },
    });

    const wrapped = parseIntentYaml(minimalYaml(`${tag}-wrapped`, instanceId));
    if (!wrapped.ok) throw new Error(wrapped.error);
    const { intentAdminState: _a, intentPriority: _p, observationPeriod: _o, ...bare } = wrapped.intent;
    const asJson = await call(createIntentRest, provider, { method: "POST", json: { Intent: bare } });
    expect(asJson.status).toBe(201);
    expect(await json(asJson)).toMatchObject({ externalId: `${tag}-wrapped`, adminState: "ACTIVATED" });
  });

  it("answers 400 with sentences naming the field as written, the line and the values to use", async () => {
    const condition = minimalYaml(`${tag}-bad1`, instanceId).replace(
      "IS_EQUAL_TO_OR_GREATER_THAN",
      "IS_SMALLER_THAN",
    );
    const badCondition = await call(createIntentRest, provider, { method: "POST", text: condition });
    expect(badCondition.status).toBe(400);
    const body = await json<{ message: string; field: string; problems: Array<Record<string, unknown>> }>(
      badCondition,
    );
    expect(body.message).toMatch(
      /^The intent YAML is invalid: line 11: targetCondition IS_SMALLER_THAN is not a condition; use one of IS_EQUAL_TO, /,
    );
    expect(body).toMatchObject({
      error: "bad_request",
      field: "intentExpectation.expectationTarget.targetCondition",
      problems: [
        {
          field: "intentExpectation.expectationTarget.targetCondition",
          line: 11,
          message: expect.stringMatching(
            /^targetCondition IS_SMALLER_THAN is not a condition; use one of /,
          ) as unknown,
        },
      ],
    });

    const emptyState = await call(createIntentRest, provider, {
      method: "POST",
      text: `${minimalYaml(`${tag}-bad2`, instanceId)}intentAdminState:\n`,
    });
    expect(emptyState.status).toBe(400);
    expect(await json(emptyState)).toMatchObject({
      message: "The intent YAML is invalid: line 13: intentAdminState is required: ACTIVATED or DEACTIVATED",
      field: "intentAdminState",
    });

    // The catalogue's checks read the same way, in the document's spelling.
    const target = await call(createIntentRest, provider, {
      method: "POST",
      text: minimalYaml(`${tag}-bad3`, instanceId).replace(
        "targetName: availability",
        "targetAttribute: uptime",
      ),
    });
    expect(target.status).toBe(400);
    expect(await json(target)).toMatchObject({
      message:
        "The intent YAML is invalid: line 10: targetAttribute uptime is not a target of Availability; use availability",
      field: "intentExpectation.expectationTarget.targetAttribute",
    });

    // JSON has no lines: the path of the field's parent instead.
    const jsonBody = await call(createIntentRest, provider, {
      method: "POST",
      json: { id: `${tag}-bad4`, userLabel: "Availability", intentPriority: "high", intentExpectations: [] },
    });
    expect(jsonBody.status).toBe(400);
    const jsonAnswer = await json<{ message: string; problems: Array<{ message: string; line?: number }> }>(
      jsonBody,
    );
    expect(jsonAnswer.problems.map((p) => p.message)).toEqual([
      "intentExpectations needs at least one expectation",
      'intentPriority must be a whole number from 1 to 100, not the text "high"',
    ]);
    expect(jsonAnswer.problems.every((p) => p.line === undefined)).toBe(true);
    expect(jsonAnswer.message).toBe(
      "The intent is invalid: intentExpectations needs at least one expectation (and 1 more)",
    );

    // The form door and the other routes: no raw validation text either.
    const formBody = await call(createIntentRest, provider, {
      method: "POST",
      json: {
        instanceId,
        intentType: "Availability",
        targets: [{ targetName: "availability", targetCondition: "IS_SMALLER_THAN", targetValue: 99 }],
      },
    });
    expect(formBody.status).toBe(400);
    expect(await json(formBody)).toMatchObject({
      field: "targets.0.targetCondition",
      message: expect.stringMatching(
        /^targetCondition IS_SMALLER_THAN is not a condition; use one of /,
      ) as unknown,
    });
    const targetChange = await call(intentTargetRest, provider, {
      method: "PUT",
      path: "/api/v1/intent/00000000-0000-4000-8000-000000000000/target/",
      id: "00000000-0000-4000-8000-000000000000",
      json: { targetName: 5, targetValue: 1 },
    });
    expect(targetChange.status).toBe(400);
    expect(await json(targetChange)).toMatchObject({
      field: "targetName",
      message: "targetName must be text, not 5",
    });
    // The six answers above, as sent.
    for (const text of bodies.slice(-6)) expect(text).not.toMatch(RAW_ZOD);
  });
});

describe("REST /api/v1/intent/{id}/yaml/", () => {
  const yamlPath = (id: string) => `/api/v1/intent/${id}/yaml/`;
  const exportYaml = (user: SessionUser | null, id: string) =>
    call(intentYamlRest, user, { id, path: yamlPath(id) });

  it("downloads the owner's intent as YAML that imports back to the same intent and targets", async () => {
    const created = await json<Detail & { intent: unknown }>(
      await call(createIntentRest, provider, { method: "POST", json: form(97) }),
    );
    const response = await exportYaml(provider, created.id);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/yaml; charset=utf-8");
    expect(response.headers.get("content-disposition")).toBe(
      `attachment; filename="intent-${created.id}.yaml"`,
    );
    expect(response.headers.get("cache-control")).toBe("no-store");
    const text = await response.text();
    const back = parseIntentYaml(text);
    if (!back.ok) throw new Error(`the export does not parse: ${back.error}`);
    expect(back.intent).toEqual(created.intent);
    const targets = back.intent.intentExpectations.flatMap((e) =>
      e.expectationTargets.map((t) => [t.targetName, t.targetCondition, t.targetValueRange]),
    );
    expect(targets).toEqual([["availability", "IS_GREATER_THAN", 97]]);

    // The same text the console's export (tRPC intent.exportYaml) gives.
    const viaTrpc = await createCaller(contextFor(db, provider)).intent.exportYaml({ id: created.id });
    expect(text).toBe(viaTrpc.yaml);
    // An admin may export any intent.
    expect((await exportYaml(admin, created.id)).status).toBe(200);
  });

  it("answers 409 when the export comes back, and ?replace=true updates the intent in place (200)", async () => {
    const created = await json<Detail>(
      await call(createIntentRest, provider, { method: "POST", json: form(91) }),
    );
    const text = await (await exportYaml(provider, created.id)).text();
    const count = () => db.intent.count({ where: { instanceId, deletedAt: null } });
    const before = await count();

    const again = await call(createIntentRest, provider, { method: "POST", text });
    expect(again.status).toBe(409);
    expect(await json(again)).toMatchObject({ error: "conflict", field: "id" });

    const replaced = await call(createIntentRest, provider, {
      method: "POST",
      path: "/api/v1/intent/?replace=true",
      text: text.replace("targetValueRange: 91", "targetValueRange: 93"),
    });
    expect(replaced.status).toBe(200);
    expect(replaced.headers.get("location")).toBeNull();
    const body = await json<Detail>(replaced);
    expect(body.id).toBe(created.id);
    expect(body.targets.map((t) => t.targetValueRange)).toEqual([93]);
    expect(await count()).toBe(before);

    const badFlag = await call(createIntentRest, provider, {
      method: "POST",
      path: "/api/v1/intent/?replace=yes",
      text,
    });
    expect(badFlag.status).toBe(400);
    expect(await json(badFlag)).toMatchObject({ field: "replace" });
  });

  it("answers 400 naming the type when the instance's workload does not support it", async () => {
    const workload = await makeWorkload(db, provider, {
      name: `${tag}-green`,
      supportedIntents: ["GreenEnergy"],
    });
    const green = (await makeInstance(db, provider, workload.id)).id;
    const response = await call(createIntentRest, provider, {
      method: "POST",
      json: { ...form(95), instanceId: green },
    });
    expect(response.status).toBe(400);
    expect(await json(response)).toEqual({
      error: "bad_request",
      message: `Availability is not a supported intent of workload ${workload.name} 1.0.0; it supports: GreenEnergy.`,
      field: "intentType",
    });
  });

  it("redacts the bearer token of a YAML-imported intent", async () => {
    const imported = await call(createIntentRest, provider, {
      method: "POST",
      text: networkIntentYaml({ id: `${tag}-yaml-export`, instanceId, bearerToken: SECRET }),
    });
    expect(imported.status).toBe(201);
    const { id } = await json<Detail>(imported);
    const response = await exportYaml(provider, id);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).not.toContain(SECRET);
    expect(text).toContain(REDACTED);
    const back = parseIntentYaml(text);
    if (!back.ok) throw new Error(`the export does not parse: ${back.error}`);
    const token = back.intent.intentExpectations
      .flatMap((e) => e.expectationObject.objectContexts ?? [])
      .find((c) => c.contextAttribute === "bearer_token");
    expect(token?.contextValueRange).toBe(REDACTED);
    expect(back.intent.id).toBe(`${tag}-yaml-export`);
  });

  it("answers 404 to another provider, 403 to an infrastructure provider, 401 without credentials", async () => {
    const { id } = await json<Detail>(
      await call(createIntentRest, provider, { method: "POST", json: form(96) }),
    );
    const stolen = await exportYaml(provider2, id);
    expect(stolen.status).toBe(404);
    expect(stolen.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await json(stolen)).toEqual({ error: "not_found", message: "No such intent." });

    const forbidden = await exportYaml(infra, id);
    expect(forbidden.status).toBe(403);
    expect(await json(forbidden)).toMatchObject({ error: "forbidden" });

    const anonymous = await exportYaml(null, id);
    expect(anonymous.status).toBe(401);
    expect(await json(anonymous)).toMatchObject({ error: "unauthorized" });

    expect((await exportYaml(provider, "not-a-uuid")).status).toBe(404);
    expect((await exportYaml(provider, "00000000-0000-4000-8000-000000000000")).status).toBe(404);
  });
});

/** Every route file under src/app/api/v1 as its OpenAPI path, with the methods it exports. */
function appRoutes(): Map<string, string[]> {
  const root = path.resolve("src/app/api/v1");
  const routes = new Map<string, string[]>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name === "route.ts") {
        const rel = path.relative(root, dir).split(path.sep).filter(Boolean);
        const url = `/api/v1/${rel.map((s) => s.replace(/^\[(.+)\]$/, "{$1}")).join("/")}${rel.length ? "/" : ""}`;
        const methods = [
          ...readFileSync(full, "utf8").matchAll(/export const (GET|POST|PUT|PATCH|DELETE)\b/g),
        ].map((m) => m[1]!.toLowerCase());
        routes.set(url, methods);
      }
    }
  };
  walk(root);
  return routes;
}

describe("the OpenAPI document", () => {
  it("describes every intent route and method", () => {
    const doc = openApiDocument() as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/api/v1/intent/",
        "/api/v1/intent/types/",
        "/api/v1/intent/template/",
        "/api/v1/intent/{id}/",
        "/api/v1/intent/{id}/action/",
        "/api/v1/intent/{id}/target/",
        "/api/v1/intent/{id}/report/",
        "/api/v1/intent/{id}/yaml/",
      ]),
    );
    expect(Object.keys(doc.paths["/api/v1/intent/"] ?? {})).toEqual(["get", "post"]);
    expect(JSON.stringify(doc)).not.toMatch(/secretsCipher/);
  });

  it("documents the display states on the list's rows, an intent and its report", () => {
    const text = JSON.stringify(openApiDocument());
    // The row, the intent and the report's intent: three objects carry both fields.
    expect(text.match(/"reevaluating":\{"type":"boolean"/g)).toHaveLength(3);
    expect(text.match(/"scheduledFrom":\{/g)).toHaveLength(3);
  });

  it("documents every route the app serves under /api/v1 (the docs, the document and the 404 catch-all aside)", () => {
    const doc = openApiDocument() as { paths: Record<string, Record<string, unknown>> };
    const undocumented: string[] = [];
    for (const [url, methods] of appRoutes()) {
      if (url.startsWith("/api/v1/docs/") || url === "/api/v1/openapi.json/") continue;
      // The catch-all only answers 404 for paths that are not in the document.
      if (url === "/api/v1/{...rest}/") continue;
      for (const method of methods) {
        if (!doc.paths[url]?.[method]) undocumented.push(`${method.toUpperCase()} ${url}`);
      }
    }
    expect(undocumented).toEqual([]);
    expect(appRoutes().get("/api/v1/intent/{id}/action/")).toEqual(["put"]);
    expect(appRoutes().get("/api/v1/intent/{id}/yaml/")).toEqual(["get"]);
  });
});
