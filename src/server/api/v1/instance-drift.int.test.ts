import { beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "@/server/api/root";
import { Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth/session";
import { simulateOperatorDelete } from "@/server/clusters";
import type { Db } from "@/server/db";
import { checkDrift } from "@/server/drift";
import { logger } from "@/server/logger";
import { acceptedMychartWorkload, demoDatabaseForFile } from "@/server/testing/demo-database";
import { contextFor, makeUser } from "@/server/testing/factories";
import { deployedInstance } from "@/server/testing/orchestration";
import { trpcRejection } from "@/server/testing/rejection";
import { ConsoleSessions, type RestHandler } from "@/server/testing/rest-session";
import { instanceDriftRest, resyncInstanceRest } from "./instance-drift";
import { openApiDocument } from "./openapi";

/*
 * Drift over REST and tRPC on a database of its own (the demo clusters):
 * GET /api/v1/instance/{id}/drift/ and POST …/resync/ answer the owner and
 * admins, another tenant 404, no session 401; the answers carry the
 * drifted objects and never a Secret's value; the OpenAPI document lists both.
 */
// The REST handlers use the process-wide client: this file's database.
const demo = demoDatabaseForFile("drift_api", { processWide: true });
let db: Db;
let owner: SessionUser;
let otherTenant: SessionUser;
let infra: SessionUser;
let instance: { id: string; namespace: string; releaseName: string; cluster: string };
const sessions = new ConsoleSessions();

const call = (handler: RestHandler, user: SessionUser | null, id: string, method: "GET" | "POST") =>
  sessions.call(handler, user, `/api/v1/instance/${id}/${method === "GET" ? "drift" : "resync"}/`, {
    method,
    params: { id },
  });
const getDrift = (user: SessionUser | null, id = instance.id) => call(instanceDriftRest, user, id, "GET");
const resync = (user: SessionUser | null, id = instance.id) => call(resyncInstanceRest, user, id, "POST");

interface DriftAnswer {
  status: string;
  checkedAt: string | null;
  canResync: boolean;
  summary: { objects: Array<{ kind: string; name: string; state: string }> } | null;
  applied?: number;
}

beforeAll(async () => {
  db = demo.db;
  [owner, otherTenant, infra] = await Promise.all([
    makeUser(db, [Role.SERVICE_PROVIDER]),
    makeUser(db, [Role.SERVICE_PROVIDER]),
    makeUser(db, [Role.INFRASTRUCTURE_PROVIDER]),
  ]);
  await sessions.signIn(owner, otherTenant, infra);
  const workloadId = await acceptedMychartWorkload(db, owner, "driftapi");
  const row = await deployedInstance(db, owner, workloadId, "api");
  instance = {
    id: row.id,
    namespace: row.namespace,
    releaseName: row.releaseName,
    cluster: row.cluster!.name,
  };
});

describe("REST drift", () => {
  it("answers the owner with the verdict: not checked, in sync, then drifted with the missing object", async () => {
    let answer = (await (await getDrift(owner)).json()) as DriftAnswer;
    expect(answer).toMatchObject({ status: "unknown", checkedAt: null, canResync: true });

    await checkDrift({ db, log: logger });
    answer = (await (await getDrift(owner)).json()) as DriftAnswer;
    expect(answer.status).toBe("in_sync");
    expect(answer.checkedAt).toEqual(expect.any(String));

    await simulateOperatorDelete(db, instance.cluster, {
      namespace: instance.namespace,
      kind: "ServiceAccount",
      name: `${instance.releaseName}-mychart`,
    });
    await checkDrift({ db, log: logger });
    const response = await getDrift(owner);
    expect(response.status).toBe(200);
    answer = (await response.json()) as DriftAnswer;
    expect(answer.status).toBe("drifted");
    expect(answer.summary?.objects).toEqual([
      expect.objectContaining({
        kind: "ServiceAccount",
        name: `${instance.releaseName}-mychart`,
        state: "missing",
      }),
    ]);
  });

  it("hides another tenant's instance (404), refuses other roles (403) and anonymous callers (401)", async () => {
    for (const handler of [getDrift, resync]) {
      const hidden = await handler(otherTenant);
      expect(hidden.status).toBe(404);
      expect(await hidden.json()).toMatchObject({ error: "not_found" });
      expect((await handler(infra)).status).toBe(403);
      expect((await handler(null)).status).toBe(401);
      expect((await handler(owner, "not-an-id")).status).toBe(404);
    }
    // Nothing was re-applied by the refused calls.
    const resyncs = await db.lifecycleEvent.count({ where: { instanceId: instance.id, type: "Re-sync" } });
    expect(resyncs).toBe(0);
  });

  it("re-syncs for the owner: the object is back and the verdict is in sync", async () => {
    const response = await resync(owner);
    expect(response.status).toBe(200);
    const answer = (await response.json()) as DriftAnswer;
    expect(answer).toMatchObject({ status: "in_sync", canResync: true });
    expect(answer.applied).toBeGreaterThanOrEqual(3);
    const types = (
      await db.lifecycleEvent.findMany({ where: { instanceId: instance.id }, orderBy: { id: "asc" } })
    ).map((e) => e.type);
    expect(types.slice(-2)).toEqual(["Re-sync", "In sync"]);
    expect(types.filter((t) => t === "Drifted")).toHaveLength(1);
  });

  it("is in the OpenAPI document", () => {
    const paths = openApiDocument().paths as Record<string, Record<string, { operationId?: string }>>;
    expect(paths["/api/v1/instance/{id}/drift/"]?.get?.operationId).toBe("instanceDrift");
    expect(paths["/api/v1/instance/{id}/resync/"]?.post?.operationId).toBe("resyncInstance");
  });
});

describe("tRPC drift", () => {
  it("answers the owner and hides the instance from another tenant", async () => {
    const mine = await createCaller(contextFor(db, owner)).drift.forInstance({ instanceId: instance.id });
    expect(mine.status).toBe("in_sync");
    const theirs = createCaller(contextFor(db, otherTenant));
    expect(await trpcRejection(theirs.drift.forInstance({ instanceId: instance.id }))).toMatchObject({
      code: "NOT_FOUND",
    });
    expect(await trpcRejection(theirs.drift.resync({ instanceId: instance.id }))).toMatchObject({
      code: "NOT_FOUND",
    });
  });
});
