import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "@/server/api/root";
import { getInstanceRest, instanceManifestsRest } from "@/server/api/v1/instance";
import { openApiDocument } from "@/server/api/v1/openapi";
import { Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth";
import { sharedDriverFactory, type KubernetesManifest } from "@/server/clusters";
import type { Db } from "@/server/db";
import { getInstance, instanceManifests, sealLegacyInstanceSecrets } from "@/server/instances";
import { REDACTED } from "@/server/secrets";
import { demoDatabaseForFile } from "@/server/testing/demo-database";
import { contextFor, makeUser, uniq } from "@/server/testing/factories";
import { orchestrateNewestRun } from "@/server/testing/orchestration";
import { trpcRejection } from "@/server/testing/rejection";
import { sessionCookie } from "@/server/testing/session-cookie";
import { createWorkload, uploadChart } from "@/server/workloads";
import { packChartDirectory } from "@/server/workloads/tar-writer";

/*
 * An instance's secrets (issue 12, item 12): the values override and the
 * rendered Secret objects are sealed at rest, redacted in every answer, and
 * shown in clear only to the owner who asks (audited); the orchestrator still
 * applies the real values. Own database: the orchestrator places on every
 * registered cluster.
 */
const BASE = "http://localhost:3999";
/** Values of this file's secrets: no raw column and no unrevealed answer may carry them. */
const PASSWORD = `pw-${randomBytes(12).toString("hex")}`;
const API_KEY = `ak-${randomBytes(12).toString("hex")}`;
const API_KEY_B64 = Buffer.from(API_KEY).toString("base64");
const VALUES = `# tuned for the demo\nreplicaCount: 1\ndb:\n  host: pg.internal\n  password: ${PASSWORD}\napiKey: ${API_KEY}\n`;

// The REST handlers use the process-wide client: this file's database.
const demo = demoDatabaseForFile("instance_secrets", { processWide: true });
let db: Db;
let chartDir: string;
let owner: SessionUser;
let admin: SessionUser;
let otherProvider: SessionUser;
let workloadId: number;
const cookies = new Map<string, string>();

const caller = (user: SessionUser) => createCaller(contextFor(db, user));

/** A chart that renders a Secret (stringData and base64 data) and a ConfigMap from its values. */
async function writeSecretChart(dir: string): Promise<void> {
  await mkdir(path.join(dir, "templates"), { recursive: true });
  await writeFile(path.join(dir, "Chart.yaml"), "apiVersion: v2\nname: secretchart\nversion: 0.1.0\n");
  await writeFile(
    path.join(dir, "values.yaml"),
    "replicaCount: 1\ndb:\n  host: localhost\n  password: changeme\napiKey: none\n",
  );
  await writeFile(
    path.join(dir, "templates", "secret.yaml"),
    [
      "apiVersion: v1",
      "kind: Secret",
      "metadata:",
      "  name: {{ .Release.Name }}-db",
      "type: Opaque",
      "stringData:",
      "  password: {{ .Values.db.password | quote }}",
      "data:",
      "  apiKey: {{ .Values.apiKey | b64enc | quote }}",
      "",
    ].join("\n"),
  );
  await writeFile(
    path.join(dir, "templates", "configmap.yaml"),
    [
      "apiVersion: v1",
      "kind: ConfigMap",
      "metadata:",
      "  name: {{ .Release.Name }}-config",
      "data:",
      "  host: {{ .Values.db.host | quote }}",
      "",
    ].join("\n"),
  );
}

function rest(
  handler: typeof getInstanceRest,
  user: SessionUser,
  id: string,
  suffix: "" | "manifests/",
  query = "",
): Promise<Response> {
  const headers = new Headers({ cookie: cookies.get(user.id) ?? "" });
  const request = new Request(`${BASE}/api/v1/instance/${id}/${suffix}${query}`, { headers });
  return handler(request, { params: Promise.resolve({ id }) });
}

async function rawRow(id: string) {
  const rows = await db.$queryRaw<
    Array<{
      values_override: string | null;
      values_override_cipher: Uint8Array | null;
      manifests: string | null;
      manifest_secrets_cipher: Uint8Array | null;
    }>
  >`SELECT values_override, values_override_cipher, manifests::text AS manifests, manifest_secrets_cipher
    FROM workload_instances WHERE id = ${id}::uuid`;
  const row = rows[0];
  if (!row) throw new Error(`no instance ${id}`);
  return row;
}

/** Everything stored for the instance, as one string to search for plaintext. */
async function storedText(id: string): Promise<string> {
  const row = await rawRow(id);
  return [
    row.values_override ?? "",
    Buffer.from(row.values_override_cipher ?? []).toString("latin1"),
    row.manifests ?? "",
    Buffer.from(row.manifest_secrets_cipher ?? []).toString("latin1"),
  ].join("\n");
}

function expectNoSecret(value: unknown): void {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  expect(text).not.toContain(PASSWORD);
  expect(text).not.toContain(API_KEY);
  expect(text).not.toContain(API_KEY_B64);
}

async function newInstance(): Promise<string> {
  const instance = await caller(owner).instance.create({
    workloadId,
    releaseName: "vault",
    valuesOverride: VALUES,
  });
  return instance.id;
}

async function reveals(id: string) {
  return db.auditEvent.findMany({
    where: { subjectType: "instance", subjectId: id, action: "instance.secrets.revealed" },
    orderBy: { createdAt: "asc" },
  });
}

beforeAll(async () => {
  db = demo.db;
  owner = await makeUser(db, [Role.SERVICE_PROVIDER]);
  admin = await makeUser(db, [Role.NEMO_ADMIN]);
  otherProvider = await makeUser(db, [Role.SERVICE_PROVIDER]);
  for (const user of [owner, admin, otherProvider]) {
    cookies.set(user.id, `next-auth.session-token=${await sessionCookie(user)}`);
  }
  chartDir = await mkdtemp(path.join(tmpdir(), "nemo-secretchart-"));
  await writeSecretChart(path.join(chartDir, "secretchart"));
  const workload = await createWorkload({ db, user: owner }, { name: uniq("vault"), version: "1.0.0" });
  await uploadChart(
    { db, user: owner },
    workload.id,
    await packChartDirectory(path.join(chartDir, "secretchart")),
  );
  workloadId = workload.id;
});

afterAll(async () => {
  await rm(chartDir, { recursive: true, force: true });
});

describe("instance secrets at rest", () => {
  it("stores the values override and the Secret's values sealed: no column holds them in clear", async () => {
    const id = await newInstance();
    const row = await rawRow(id);
    expect(row.values_override).toBeNull();
    expect(row.values_override_cipher).not.toBeNull();
    expect(row.manifest_secrets_cipher).not.toBeNull();
    expect(row.manifests).toContain(REDACTED);
    // The ConfigMap is not a Secret: it stays readable.
    expect(row.manifests).toContain("pg.internal");
    expectNoSecret(await storedText(id));
  });

  it("applies the real values to the cluster", async () => {
    const id = await newInstance();
    const applied: KubernetesManifest[] = [];
    await orchestrateNewestRun(db, id, {
      driverFactory: (config) => {
        const driver = sharedDriverFactory(db)(config);
        const apply = driver.apply.bind(driver);
        driver.apply = (namespace, manifests, options) => {
          applied.push(...manifests);
          return apply(namespace, manifests, options);
        };
        return driver;
      },
    });
    expect((await caller(owner).instance.get({ id })).status).toBe("DEPLOYED");
    const secret: Record<string, unknown> = { ...applied.find((m) => m.kind === "Secret") };
    expect(secret.stringData).toEqual({ password: PASSWORD });
    expect(secret.data).toEqual({ apiKey: API_KEY_B64 });
  });
});

describe("instance answers", () => {
  let id: string;
  beforeAll(async () => {
    id = await newInstance();
  });

  it("are redacted for the owner who does not ask, over tRPC and REST", async () => {
    const instance = await caller(owner).instance.get({ id });
    expect(instance.canRevealSecrets).toBe(true);
    expect(instance.valuesOverride).toContain(`password: ${REDACTED}`);
    expect(instance.valuesOverride).toContain(`apiKey: ${REDACTED}`);
    expect(instance.valuesOverride).toContain("host: pg.internal");
    expect(instance.valuesOverride).toContain("# tuned for the demo");
    expectNoSecret(instance);

    const manifests = await caller(owner).instance.manifests({ id });
    const secret = manifests.find((m) => m.kind === "Secret");
    expect(secret?.content).toContain(`password: ${REDACTED}`);
    expectNoSecret(manifests);

    for (const [handler, suffix] of [
      [getInstanceRest, ""],
      [instanceManifestsRest, "manifests/"],
    ] as const) {
      const response = await rest(handler, owner, id, suffix);
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(text).toContain(REDACTED);
      expectNoSecret(text);
    }
    expect(await reveals(id)).toHaveLength(0);
  });

  it("are redacted for an admin, who may not reveal them", async () => {
    const instance = await caller(admin).instance.get({ id });
    expect(instance.canRevealSecrets).toBe(false);
    expectNoSecret(instance);
    expectNoSecret(await caller(admin).instance.manifests({ id }));

    const refused = await trpcRejection(caller(admin).instance.manifests({ id, revealSecrets: true }));
    expect(refused.code).toBe("FORBIDDEN");
    expect(refused.message).toMatch(/owner/);
    const response = await rest(getInstanceRest, admin, id, "", "?reveal=secrets");
    expect(response.status).toBe(403);
    const body = (await response.json()) as { field?: string };
    expect(body.field).toBe("revealSecrets");
    expect(await reveals(id)).toHaveLength(0);
  });

  it("are not found for another tenant, asking or not", async () => {
    expect((await trpcRejection(caller(otherProvider).instance.get({ id }))).code).toBe("NOT_FOUND");
    expect(
      (await trpcRejection(caller(otherProvider).instance.manifests({ id, revealSecrets: true }))).code,
    ).toBe("NOT_FOUND");
    expect(
      (await rest(instanceManifestsRest, otherProvider, id, "manifests/", "?reveal=secrets")).status,
    ).toBe(404);
  });

  it("show the secrets to the owner who asks, and record each reveal", async () => {
    const instance = await caller(owner).instance.get({ id, revealSecrets: true });
    expect(instance.valuesOverride).toBe(VALUES);
    const manifests = await caller(owner).instance.manifests({ id, revealSecrets: true });
    const secret = manifests.find((m) => m.kind === "Secret")?.content ?? "";
    expect(secret).toContain(PASSWORD);
    expect(secret).toContain(API_KEY_B64);

    const response = await rest(instanceManifestsRest, owner, id, "manifests/", "?reveal=secrets");
    expect(response.status).toBe(200);
    expect(await response.text()).toContain(PASSWORD);

    const audited = await reveals(id);
    expect(audited.map((e) => [e.actorId, (e.detail as { what: string }).what])).toEqual([
      [owner.id, "instance"],
      [owner.id, "manifests"],
      [owner.id, "manifests"],
    ]);
  });

  it("date a reveal by the injected clock", async () => {
    const at = Date.parse("2031-02-03T04:05:06.000Z"); // fixed-date: an arbitrary instant the clock returns
    await getInstance({ db, user: owner, clock: () => at }, id, { revealSecrets: true });
    const last = (await reveals(id)).at(-1);
    expect(last?.createdAt.toISOString()).toBe("2031-02-03T04:05:06.000Z");
  });

  it("refuse a reveal query other than `secrets`, naming the parameter", async () => {
    const response = await rest(getInstanceRest, owner, id, "", "?reveal=everything");
    expect(response.status).toBe(400);
    expect(((await response.json()) as { field?: string }).field).toBe("reveal");
  });
});

describe("instances stored before sealing", () => {
  it("are redacted on the way out, then sealed by sealLegacyInstanceSecrets", async () => {
    const id = await newInstance();
    // Put the row back as an older console wrote it: override and Secret in clear, no ciphers.
    const manifests = await instanceManifests({ db, user: owner }, id, { revealSecrets: true });
    await db.$executeRaw`UPDATE workload_instances
      SET values_override = ${VALUES}, values_override_cipher = NULL,
          manifests = ${JSON.stringify(manifests)}::jsonb, manifest_secrets_cipher = NULL
      WHERE id = ${id}::uuid`;
    expect(await storedText(id)).toContain(PASSWORD);

    expectNoSecret(await caller(owner).instance.get({ id }));
    expectNoSecret(await caller(owner).instance.manifests({ id }));

    expect(await sealLegacyInstanceSecrets(db)).toBe(1);
    expectNoSecret(await storedText(id));
    expect((await rawRow(id)).values_override).toBeNull();
    expect((await getInstance({ db, user: owner }, id, { revealSecrets: true })).valuesOverride).toBe(VALUES);
    const opened = await instanceManifests({ db, user: owner }, id, { revealSecrets: true });
    expect(opened).toEqual(manifests);
    expect(await sealLegacyInstanceSecrets(db)).toBe(0);
  });
});

describe("OpenAPI", () => {
  it("documents `reveal` on the instance and its manifests", () => {
    const paths = openApiDocument().paths as Record<
      string,
      { get?: { parameters?: Array<{ name: string }> } }
    >;
    for (const route of ["/api/v1/instance/{id}/", "/api/v1/instance/{id}/manifests/"]) {
      expect(paths[route]?.get?.parameters?.map((p) => p.name)).toContain("reveal");
    }
  });
});
