import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { domainRejection } from "@/server/testing/rejection";
import { makeUser, uniq } from "@/server/testing/factories";
import { Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth/session";
import { createDb, type Db } from "@/server/db/client";
import { MiB } from "@/server/charts";
import {
  createWorkload,
  deleteWorkload,
  getWorkload,
  listWorkloads,
  patchWorkload,
  renderWorkload,
  replaceWorkload,
  uploadChart,
} from "./index";
import { packChartDirectory, packTarGz } from "./tar-writer";

const MYCHART = path.resolve("src/server/charts/conformance-data/helm/create/mychart");

let db: Db;
let admin: SessionUser;
let provider: SessionUser;
let provider2: SessionUser;
let infra: SessionUser;
let mychart: Buffer;
/** Names of this file's workloads start with it, so searches see only them. */
const tag = uniq("wl");

const as = (user: SessionUser) => ({ db, user });

const failure = domainRejection;

const register = (user: SessionUser, name = uniq(tag), version = "1.0.0") =>
  createWorkload(as(user), { name, version, supportedIntents: ["Availability"] });

beforeAll(async () => {
  db = createDb(process.env.DATABASE_URL);
  admin = await makeUser(db, [Role.NEMO_ADMIN]);
  provider = await makeUser(db, [Role.SERVICE_PROVIDER]);
  provider2 = await makeUser(db, [Role.SERVICE_PROVIDER]);
  infra = await makeUser(db, [Role.INFRASTRUCTURE_PROVIDER]);
  mychart = await packChartDirectory(MYCHART);
});

afterAll(async () => {
  await db.$disconnect();
});

describe("registering a workload", () => {
  it("creates it PENDING, owned by the caller, with defaults", async () => {
    const name = uniq(tag);
    const workload = await createWorkload(as(provider), { name, version: "1.0.0" });
    expect(workload).toMatchObject({
      name,
      version: "1.0.0",
      status: "PENDING",
      supportedIntents: [],
      ingressSupport: false,
      ownerId: provider.id,
      user: provider.username,
      chart: null,
    });
  });

  it("refuses a duplicate name + version of the same tenant on the version field", async () => {
    const first = await register(provider);
    const error = await failure(register(provider, first.name, first.version));
    expect(error).toMatchObject({
      kind: "conflict",
      field: "version",
      message: `A workload named ${first.name} with version 1.0.0 already exists.`,
    });
    // Another version of the same name is a new workload.
    await expect(register(provider, first.name, "1.0.1")).resolves.toMatchObject({ version: "1.0.1" });
  });

  it("lets two tenants register the same name + version, so a clash reveals nothing across tenants", async () => {
    const first = await register(provider);
    const second = await register(provider2, first.name, first.version);
    expect(second).toMatchObject({ name: first.name, version: first.version, ownerId: provider2.id });
    expect(second.id).not.toBe(first.id);
    // Renaming into another tenant's pair is no clash either; into one's own pair is.
    const other = await register(provider2);
    await expect(
      patchWorkload(as(provider2), other.id, { name: first.name, version: "2.0.0" }),
    ).resolves.toMatchObject({
      name: first.name,
    });
    const clash = await failure(patchWorkload(as(provider2), other.id, { version: first.version }));
    expect(clash).toMatchObject({ kind: "conflict", field: "version" });
    // Two registrations of one tenant at once: the per-tenant unique index decides, with the same answer.
    const name = uniq(tag);
    const results = await Promise.allSettled([register(provider, name), register(provider, name)]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const rejected = results.find((r) => r.status === "rejected");
    expect(rejected?.reason).toMatchObject({ kind: "conflict", field: "version" });
  });

  it("names the field of invalid input", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ name: "", version: "1.0.0" }, "name"],
      [{ name: "has space", version: "1.0.0" }, "name"],
      [{ name: uniq(tag), version: "1.0" }, "version"],
      [{ name: uniq(tag), version: "1.0.0", supportedIntents: ["Teleportation"] }, "supportedIntents.0"],
      [
        { name: uniq(tag), version: "1.0.0", supportedIntents: ["GreenEnergy", "GreenEnergy"] },
        "supportedIntents",
      ],
      [{ name: uniq(tag), version: "1.0.0", ingressSupport: "yes" }, "ingressSupport"],
    ];
    for (const [input, field] of cases) {
      const error = await failure(createWorkload(as(provider), input as never));
      expect(error, JSON.stringify(input)).toMatchObject({ kind: "invalid", field });
    }
  });

  it("is for service providers and admins only", async () => {
    const error = await failure(register(infra));
    expect(error).toMatchObject({
      kind: "forbidden",
      message: "This needs the nemo-admin or service-provider role.",
    });
  });
});

describe("tenant isolation", () => {
  it("hides a service provider's workload from another, but not from an admin", async () => {
    const mine = await register(provider);
    for (const attempt of [
      () => getWorkload(as(provider2), mine.id),
      () => patchWorkload(as(provider2), mine.id, { ingressSupport: true }),
      () => replaceWorkload(as(provider2), mine.id, { name: mine.name, version: "9.9.9" }),
      () => deleteWorkload(as(provider2), mine.id),
      () => uploadChart(as(provider2), mine.id, mychart),
      () => renderWorkload(as(provider2), mine.id),
    ]) {
      expect(await failure(attempt())).toMatchObject({
        kind: "not_found",
        message: `Workload ${mine.id} was not found.`,
      });
    }
    const theirs = await listWorkloads(as(provider2), { search: mine.name });
    expect(theirs.total).toBe(0);

    expect(await getWorkload(as(admin), mine.id)).toMatchObject({ id: mine.id, user: provider.username });
    const all = await listWorkloads(as(admin), { search: mine.name });
    expect(all.items.map((w) => w.id)).toEqual([mine.id]);
    // Still there, unchanged.
    expect(await getWorkload(as(provider), mine.id)).toMatchObject({
      ingressSupport: false,
      version: "1.0.0",
    });
  });
});

describe("listing", () => {
  it("pages, sorts (id descending by default) and searches on the server", async () => {
    const prefix = uniq(tag);
    const created = [];
    for (let i = 1; i <= 12; i++)
      created.push(await register(provider, `${prefix}-${String(i).padStart(2, "0")}`));
    const first = await listWorkloads(as(provider), { search: prefix });
    expect(first.total).toBe(12);
    expect(first.items.map((w) => w.id)).toEqual(
      created
        .map((w) => w.id)
        .reverse()
        .slice(0, 10),
    );
    const second = await listWorkloads(as(provider), { search: prefix, page: 2 });
    expect(second.items).toHaveLength(2);
    const byName = await listWorkloads(as(provider), {
      search: prefix,
      sort: "name",
      direction: "asc",
      pageSize: 25,
    });
    expect(byName.items[0]?.name).toBe(`${prefix}-01`);
    expect(byName.items[0]).toMatchObject({
      status: "PENDING",
      hasChart: false,
      supportedIntents: ["Availability"],
    });
    const one = await listWorkloads(as(provider), { search: `${prefix}-07` });
    expect(one.items.map((w) => w.name)).toEqual([`${prefix}-07`]);
  });
});

describe("changing and deleting while PENDING", () => {
  it("patches and replaces fields, refusing a rename onto an existing pair", async () => {
    const a = await register(provider);
    const b = await register(provider);
    const patched = await patchWorkload(as(provider), a.id, {
      ingressSupport: true,
      supportedIntents: ["GreenEnergy"],
    });
    expect(patched).toMatchObject({ ingressSupport: true, supportedIntents: ["GreenEnergy"], name: a.name });
    const replaced = await replaceWorkload(as(provider), a.id, { name: a.name, version: "2.0.0" });
    // PUT replaces every field: omitted ones take their defaults.
    expect(replaced).toMatchObject({ version: "2.0.0", ingressSupport: false, supportedIntents: [] });
    const clash = await failure(patchWorkload(as(provider), a.id, { name: b.name, version: b.version }));
    expect(clash).toMatchObject({ kind: "conflict", field: "version" });
    expect(await failure(patchWorkload(as(provider), a.id, {}))).toMatchObject({ kind: "invalid" });
  });

  it("deletes a PENDING workload", async () => {
    const w = await register(provider);
    await expect(deleteWorkload(as(provider), w.id)).resolves.toEqual({ id: w.id });
    expect(await failure(getWorkload(as(provider), w.id))).toMatchObject({ kind: "not_found" });
  });
});

describe("chart upload", () => {
  it("accepts mychart: renders with the real renderer, stores archive and result, makes the workload ACCEPTED and immutable", async () => {
    const w = await register(provider);
    const { workload, chart } = await uploadChart(as(provider), w.id, mychart);
    expect(workload.status).toBe("ACCEPTED");
    expect(chart).toMatchObject({
      chartName: "mychart",
      chartVersion: "0.1.0",
      valid: true,
      errors: [],
      sizeBytes: mychart.length,
    });
    expect(chart.sha256).toMatch(/^[0-9a-f]{64}$/);
    const row = await db.chart.findUniqueOrThrow({ where: { workloadId: w.id } });
    expect(Buffer.from(row.archive).equals(mychart)).toBe(true);

    const immutable =
      "is ACCEPTED and cannot be changed: an accepted workload is immutable, so any change is a new version.";
    expect((await failure(patchWorkload(as(provider), w.id, { ingressSupport: true }))).message).toBe(
      `Workload ${w.id} ${immutable}`,
    );
    expect(await failure(replaceWorkload(as(admin), w.id, { name: w.name, version: "1.0.0" }))).toMatchObject(
      { kind: "conflict" },
    );
    expect(await failure(deleteWorkload(as(provider), w.id))).toMatchObject({
      kind: "conflict",
      message: `Workload ${w.id} is ACCEPTED and cannot be deleted: instances may depend on an accepted workload.`,
    });
    expect(await failure(uploadChart(as(provider), w.id, mychart))).toMatchObject({ kind: "conflict" });

    const rendered = await renderWorkload(as(provider), w.id);
    expect(rendered.ok && rendered.manifests.map((m) => m.kind)).toEqual([
      "ServiceAccount",
      "Service",
      "Deployment",
      "Pod",
    ]);
  });

  it("keeps the workload PENDING with the first problem (file and line) when a template fails", async () => {
    const w = await register(provider);
    const broken = packTarGz([
      { path: "shop/Chart.yaml", content: "apiVersion: v2\nname: shop\nversion: 1.0.0\n" },
      {
        path: "shop/templates/cm.yaml",
        content: "kind: ConfigMap\nmetadata:\n  name: {{ .Values.x | nope }}\n",
      },
    ]);
    const error = await failure(uploadChart(as(provider), w.id, broken));
    expect(error).toMatchObject({
      kind: "unprocessable",
      field: "file",
      message:
        'The chart is not valid: parse error at (shop/templates/cm.yaml:3): function "nope" not defined',
    });
    expect(error.problems?.[0]).toMatchObject({ file: "shop/templates/cm.yaml", line: 3 });
    const stored = await getWorkload(as(provider), w.id);
    expect(stored.status).toBe("PENDING");
    expect(stored.chart).toMatchObject({
      chartName: "shop",
      valid: false,
      errors: [{ file: "shop/templates/cm.yaml", line: 3 }],
    });
    const render = await renderWorkload(as(provider), w.id);
    expect(render).toMatchObject({ ok: false, errors: [{ file: "shop/templates/cm.yaml", line: 3 }] });

    // A fixed chart replaces the invalid one.
    const fixed = await uploadChart(as(provider), w.id, mychart);
    expect(fixed.workload.status).toBe("ACCEPTED");
  });

  it("refuses an archive with a .. entry and stores nothing", async () => {
    const w = await register(provider);
    const evil = packTarGz([
      { path: "evil/Chart.yaml", content: "apiVersion: v2\nname: evil\nversion: 1.0.0\n" },
      { path: "evil/../../etc/cron.d/x", content: "* * * * * root true\n" },
    ]);
    const error = await failure(uploadChart(as(provider), w.id, evil));
    expect(error).toMatchObject({ kind: "unprocessable", field: "file" });
    expect(error.message).toContain('Entry "evil/../../etc/cron.d/x" contains ".."');
    expect(await db.chart.count({ where: { workloadId: w.id } })).toBe(0);
  });

  it("refuses an archive over 10 MiB as too large", async () => {
    const w = await register(provider);
    const big = Buffer.alloc(10 * MiB + 1);
    big[0] = 0x1f;
    big[1] = 0x8b;
    expect(await failure(uploadChart(as(provider), w.id, big))).toMatchObject({
      kind: "too_large",
      field: "file",
    });
  });

  it("renders with options: release name, namespace and a values override", async () => {
    const w = await register(provider);
    await uploadChart(as(provider), w.id, mychart);
    const rendered = await renderWorkload(as(provider), w.id, {
      releaseName: "web",
      namespace: "shop",
      values: 'replicaCount: 3\nimage:\n  tag: "1.25"\n',
      noHooks: true,
    });
    if (!rendered.ok) throw new Error(JSON.stringify(rendered.errors));
    expect(rendered.manifests.map((m) => `${m.kind}/${m.name}`)).toEqual([
      "ServiceAccount/web-mychart",
      "Service/web-mychart",
      "Deployment/web-mychart",
    ]);
    const deployment = rendered.manifests[2]?.content ?? "";
    expect(deployment).toContain("replicas: 3");
    expect(deployment).toContain('image: "nginx:1.25"');

    const badYaml = await renderWorkload(as(provider), w.id, { values: "replicaCount: [3\n" });
    expect(badYaml).toMatchObject({ ok: false, errors: [{ field: "values", file: "values override" }] });
    expect(await failure(renderWorkload(as(provider), w.id, { namespace: "Not A Namespace" }))).toMatchObject(
      {
        kind: "invalid",
        field: "namespace",
      },
    );
  });

  it("says a workload without a chart has nothing to render", async () => {
    const w = await register(provider);
    expect(await failure(renderWorkload(as(provider), w.id))).toMatchObject({ kind: "conflict" });
  });
});
