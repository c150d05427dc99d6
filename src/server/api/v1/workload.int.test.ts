import path from "node:path";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "@/server/api/root";
import { contextFor, makeUser, uniq } from "@/server/testing/factories";
import { Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth/session";
import { createDb, type Db } from "@/server/db/client";
import { MiB } from "@/server/charts";
import { packChartDirectory, packTarGz } from "@/server/workloads/tar-writer";
import { openApiDocument } from "./openapi";
import {
  createWorkloadRest,
  deleteWorkloadRest,
  getWorkloadRest,
  listWorkloadsRest,
  patchWorkloadRest,
  putWorkloadRest,
  templateWorkloadRest,
  uploadChartRest,
} from "./workload";
import { sessionCookie } from "@/server/testing/session-cookie";

const MYCHART = path.resolve("src/server/charts/conformance-data/helm/create/mychart");
const BASE = "http://localhost:3999";

let db: Db;
let admin: SessionUser;
let provider: SessionUser;
let provider2: SessionUser;
let infra: SessionUser;
let mychart: Buffer;
const cookies = new Map<string, string>();
const tag = uniq("rest");

interface ErrorBody {
  error: string;
  message: string;
  field?: string | null;
  problems?: { file?: string; line?: number; message: string }[];
}

async function cookieFor(user: SessionUser): Promise<string> {
  const token = await sessionCookie(user);
  return `next-auth.session-token=${token}`;
}

function call(
  handler: (
    request: Request,
    context?: { params: Promise<Record<string, string> | undefined> },
  ) => Promise<Response>,
  user: SessionUser | null,
  init: {
    method?: string;
    path?: string;
    json?: unknown;
    body?: BodyInit;
    params?: Record<string, string>;
  } = {},
): Promise<Response> {
  const headers = new Headers();
  if (user) headers.set("cookie", cookies.get(user.id) ?? "");
  // What the browser adds to the console's own requests (a cookie session's mutations need it).
  if (user) headers.set("origin", BASE);
  if (init.json !== undefined) headers.set("content-type", "application/json");
  const request = new Request(`${BASE}${init.path ?? "/api/v1/workload/"}`, {
    method: init.method ?? "GET",
    headers,
    body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
  });
  // As Next does: routes without dynamic segments get no params at all.
  return handler(request, { params: Promise.resolve(init.params) });
}

const withId = (id: number) => ({ params: { id: String(id) }, path: `/api/v1/workload/${id}/` });

function uploadForm(workloadId: number | string, archive: Uint8Array, name = "chart.tgz"): FormData {
  const form = new FormData();
  form.set("workload_id", String(workloadId));
  form.set("file", new Blob([new Uint8Array(archive)], { type: "application/gzip" }), name);
  return form;
}

async function create(
  user: SessionUser,
  name = uniq(tag),
  version = "1.0.0",
): Promise<{ id: number; name: string }> {
  const response = await call(createWorkloadRest, user, { method: "POST", json: { name, version } });
  expect(response.status).toBe(201);
  return (await response.json()) as { id: number; name: string };
}

beforeAll(async () => {
  db = createDb(process.env.DATABASE_URL);
  admin = await makeUser(db, [Role.NEMO_ADMIN]);
  provider = await makeUser(db, [Role.SERVICE_PROVIDER]);
  provider2 = await makeUser(db, [Role.SERVICE_PROVIDER]);
  infra = await makeUser(db, [Role.INFRASTRUCTURE_PROVIDER]);
  for (const user of [admin, provider, provider2, infra]) cookies.set(user.id, await cookieFor(user));
  mychart = await packChartDirectory(MYCHART);
});

afterAll(async () => {
  await db.$disconnect();
});

describe("POST /api/v1/workload/", () => {
  it("registers a workload: 201 with its location", async () => {
    const name = uniq(tag);
    const response = await call(createWorkloadRest, provider, {
      method: "POST",
      json: {
        name,
        version: "1.0.0",
        supportedIntents: ["Availability", "cloud_continuum"],
        ingressSupport: true,
      },
    });
    expect(response.status).toBe(201);
    const body = (await response.json()) as { id: number };
    expect(response.headers.get("location")).toBe(`/api/v1/workload/${body.id}/`);
    expect(body).toMatchObject({
      name,
      status: "PENDING",
      ingressSupport: true,
      user: provider.username,
      chart: null,
    });
  });

  it("answers 409 on the version field for a duplicate, 400 naming the field for bad input", async () => {
    const first = await create(provider);
    // Another tenant's pair is no clash: names are unique per tenant, and nothing tells provider2 it exists.
    const elsewhere = await call(createWorkloadRest, provider2, {
      method: "POST",
      json: { name: first.name, version: "1.0.0" },
    });
    expect(elsewhere.status).toBe(201);
    const duplicate = await call(createWorkloadRest, provider, {
      method: "POST",
      json: { name: first.name, version: "1.0.0" },
    });
    expect(duplicate.status).toBe(409);
    expect(await duplicate.json()).toEqual({
      error: "conflict",
      message: `A workload named ${first.name} with version 1.0.0 already exists.`,
      field: "version",
    });
    const bad = await call(createWorkloadRest, provider, {
      method: "POST",
      json: { name: "ok", version: "v1" },
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: "bad_request", field: "version" });
    const unknown = await call(createWorkloadRest, provider, {
      method: "POST",
      json: { name: "ok", version: "1.0.0", color: "red" },
    });
    expect(unknown.status).toBe(400);
  });

  it("answers 401 without a session and 403 for an infrastructure provider", async () => {
    expect((await call(createWorkloadRest, null, { method: "POST", json: {} })).status).toBe(401);
    const forbidden = await call(createWorkloadRest, infra, {
      method: "POST",
      json: { name: "x", version: "1.0.0" },
    });
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toEqual({
      error: "forbidden",
      message: "This needs the nemo-admin or service-provider role.",
    });
  });
});

describe("GET, PUT, PATCH, DELETE /api/v1/workload/{id}/", () => {
  it("scopes reads and changes to the owner; an admin sees everything", async () => {
    const w = await create(provider);
    for (const [handler, method, json] of [
      [getWorkloadRest, "GET", undefined],
      [patchWorkloadRest, "PATCH", { ingressSupport: true }],
      [putWorkloadRest, "PUT", { name: w.name, version: "1.0.0" }],
      [deleteWorkloadRest, "DELETE", undefined],
    ] as const) {
      const response = await call(handler, provider2, { method, json, ...withId(w.id) });
      expect(response.status, method).toBe(404);
      expect(await response.json()).toMatchObject({
        error: "not_found",
        message: `Workload ${w.id} was not found.`,
      });
    }
    expect((await call(getWorkloadRest, admin, withId(w.id))).status).toBe(200);
    const list = (await (
      await call(listWorkloadsRest, provider2, { path: `/api/v1/workload/?search=${w.name}` })
    ).json()) as {
      total: number;
    };
    expect(list.total).toBe(0);
    const adminList = (await (
      await call(listWorkloadsRest, admin, { path: `/api/v1/workload/?search=${w.name}&pageSize=25` })
    ).json()) as { total: number; pageSize: number };
    expect(adminList).toMatchObject({ total: 1, pageSize: 25 });
    const badQuery = await call(listWorkloadsRest, admin, { path: "/api/v1/workload/?pageSize=7" });
    expect(badQuery.status).toBe(400);
    expect(await badQuery.json()).toMatchObject({ field: "pageSize" });
  });

  it("changes a PENDING workload and deletes it with 204", async () => {
    const w = await create(provider);
    const patched = await call(patchWorkloadRest, provider, {
      method: "PATCH",
      json: { version: "1.1.0" },
      ...withId(w.id),
    });
    expect(await patched.json()).toMatchObject({ version: "1.1.0" });
    const put = await call(putWorkloadRest, provider, {
      method: "PUT",
      json: { name: w.name, version: "1.2.0", ingressSupport: true },
      ...withId(w.id),
    });
    expect(await put.json()).toMatchObject({ version: "1.2.0", ingressSupport: true });
    const deleted = await call(deleteWorkloadRest, provider, { method: "DELETE", ...withId(w.id) });
    expect(deleted.status).toBe(204);
    expect((await call(getWorkloadRest, provider, withId(w.id))).status).toBe(404);
  });

  it("answers 400 for an id that is not a number", async () => {
    const response = await call(getWorkloadRest, provider, {
      params: { id: "abc" },
      path: "/api/v1/workload/abc/",
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ field: "id" });
  });
});

describe("POST /api/v1/workload/upload/ and /template/", () => {
  it("accepts mychart, then keeps the workload immutable (409) and renders it", async () => {
    const w = await create(provider);
    const response = await call(uploadChartRest, provider, {
      method: "POST",
      path: "/api/v1/workload/upload/",
      body: uploadForm(w.id, mychart),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      workload: { status: string };
      chart: { valid: boolean; chartName: string };
    };
    expect(body.workload.status).toBe("ACCEPTED");
    expect(body.chart).toMatchObject({ valid: true, chartName: "mychart" });

    const patch = await call(patchWorkloadRest, provider, {
      method: "PATCH",
      json: { ingressSupport: true },
      ...withId(w.id),
    });
    expect(patch.status).toBe(409);
    expect(((await patch.json()) as ErrorBody).message).toContain("any change is a new version");
    const del = await call(deleteWorkloadRest, admin, { method: "DELETE", ...withId(w.id) });
    expect(del.status).toBe(409);

    const template = await call(templateWorkloadRest, provider, {
      method: "POST",
      json: {
        releaseName: "shop",
        namespace: "prod",
        values: "service:\n  port: 8080\n",
        includeCrds: true,
        noHooks: true,
      },
      params: { id: String(w.id) },
      path: `/api/v1/workload/${w.id}/template/`,
    });
    expect(template.status).toBe(200);
    const rendered = (await template.json()) as {
      manifests: { kind: string; name: string; content: string }[];
    };
    expect(rendered.manifests.map((m) => m.name)).toEqual(["shop-mychart", "shop-mychart", "shop-mychart"]);
    expect(rendered.manifests[1]?.content).toContain("port: 8080");
    const empty = await call(templateWorkloadRest, provider, {
      method: "POST",
      params: { id: String(w.id) },
    });
    expect(empty.status).toBe(200);

    const badValues = await call(templateWorkloadRest, provider, {
      method: "POST",
      json: { values: "- not a mapping\n" },
      params: { id: String(w.id) },
    });
    expect(badValues.status).toBe(422);
    expect(await badValues.json()).toMatchObject({ error: "unprocessable_entity", field: "values" });
  });

  it("answers 422 with file and line for an invalid chart, and 422 for a .. entry", async () => {
    const w = await create(provider);
    const broken = packTarGz([
      { path: "shop/Chart.yaml", content: "apiVersion: v2\nname: shop\nversion: 1.0.0\n" },
      { path: "shop/values.yaml", content: "replicas: 1\n" },
      { path: "shop/templates/d.yaml", content: "kind: ConfigMap\n{{ if }}\n" },
    ]);
    const invalid = await call(uploadChartRest, provider, { method: "POST", body: uploadForm(w.id, broken) });
    expect(invalid.status).toBe(422);
    const body = (await invalid.json()) as ErrorBody;
    expect(body).toMatchObject({ error: "unprocessable_entity", field: "file" });
    expect(body.message).toBe(
      "The chart is not valid: parse error at (shop/templates/d.yaml:2): missing value for if",
    );
    expect(body.problems?.[0]).toMatchObject({ file: "shop/templates/d.yaml", line: 2 });

    const evil = packTarGz([
      { path: "x/Chart.yaml", content: "a: 1" },
      { path: "x/../../../tmp/pwn", content: "x" },
    ]);
    const traversal = await call(uploadChartRest, provider, { method: "POST", body: uploadForm(w.id, evil) });
    expect(traversal.status).toBe(422);
    expect(((await traversal.json()) as ErrorBody).message).toContain('contains ".."');
  });

  it("answers 413 for an archive over 10 MiB, and 400 for a request without the parts", async () => {
    const w = await create(provider);
    const big = new Uint8Array(10 * MiB + 10);
    const tooLarge = await call(uploadChartRest, provider, { method: "POST", body: uploadForm(w.id, big) });
    expect(tooLarge.status).toBe(413);
    expect(await tooLarge.json()).toMatchObject({ error: "payload_too_large", field: "file" });

    const noFile = new FormData();
    noFile.set("workload_id", String(w.id));
    const missing = await call(uploadChartRest, provider, { method: "POST", body: noFile });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ field: "file" });
    const notMultipart = await call(uploadChartRest, provider, {
      method: "POST",
      json: { workload_id: w.id },
    });
    expect(notMultipart.status).toBe(400);
    const otherTenant = await call(uploadChartRest, provider2, {
      method: "POST",
      body: uploadForm(w.id, mychart),
    });
    expect(otherTenant.status).toBe(404);
    expect(await otherTenant.json()).toMatchObject({ field: "workload_id" });
    const badId = await call(uploadChartRest, provider, {
      method: "POST",
      body: uploadForm("seven", mychart),
    });
    expect(badId.status).toBe(400);
    expect(await badId.json()).toMatchObject({ field: "workload_id" });
  });
});

describe("workload procedures (tRPC)", () => {
  it("report a duplicate on the version field and flatten zod errors per field", async () => {
    const caller = createCaller(contextFor(db, provider));
    const first = await caller.workload.create({ name: uniq(tag), version: "3.0.0" });
    const duplicate = await caller.workload
      .create({ name: first.name, version: "3.0.0" })
      .catch((e: unknown) => e);
    expect(duplicate).toBeInstanceOf(TRPCError);
    expect(duplicate).toMatchObject({
      code: "CONFLICT",
      message: `A workload named ${first.name} with version 3.0.0 already exists.`,
    });
    const other = createCaller(contextFor(db, provider2));
    await expect(other.workload.get({ id: first.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    // The same pair in another tenant is a workload of its own.
    await expect(other.workload.create({ name: first.name, version: "3.0.0" })).resolves.toMatchObject({
      name: first.name,
      user: provider2.username,
    });
    await expect(createCaller(contextFor(db, admin)).workload.get({ id: first.id })).resolves.toMatchObject({
      id: first.id,
    });
    await expect(caller.workload.delete({ id: first.id })).resolves.toEqual({ id: first.id });
  });
});

describe("GET /api/v1/openapi.json", () => {
  it("describes every workload operation and /me/, generated from the zod schemas", () => {
    const doc = openApiDocument() as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, unknown> };
    };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/api/v1/me/",
        "/api/v1/workload/",
        "/api/v1/workload/{id}/",
        "/api/v1/workload/upload/",
        "/api/v1/workload/{id}/template/",
        "/api/v1/cluster/",
        "/api/v1/cluster/{id}/",
        "/api/v1/cluster/{id}/metrics/",
        "/api/v1/instance/",
      ]),
    );
    expect(doc.components.schemas.ClusterRegistration).toBeDefined();
    expect(Object.keys(doc.paths["/api/v1/workload/{id}/"] ?? {})).toEqual([
      "parameters",
      "get",
      "put",
      "patch",
      "delete",
    ]);
    expect(doc.components.schemas.WorkloadCreate).toMatchObject({
      required: ["name", "version"],
      properties: {
        supportedIntents: {
          items: { enum: expect.arrayContaining(["Availability", "cloud_continuum"]) as unknown },
        },
      },
    });
    expect(JSON.stringify(doc)).not.toContain('"$schema"');
  });
});
