import { randomUUID } from "node:crypto";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth/session";
import { messages, outboxRow, type ClusterJoinRequest } from "@/server/bus";
import { endMigration, startMigration } from "@/server/cluster-migration";
import { handleClusterJoin } from "@/server/clusters/join";
import { createDb, poolOf, type Db } from "@/server/db/client";
import { DomainError } from "@/server/errors";
import { recordLifecycleEvent } from "@/server/instances";
import { storeEvaluations, type EvaluationResult } from "@/server/intents/evaluation-store";
import type { IntentReportDraft } from "@/server/intents/report";
import { makeCluster, makeInstance, makeIntent, makeUser, makeWorkload } from "@/server/testing/factories";
import {
  countUnread,
  listNotifications,
  markAllNotificationsRead,
  markNotificationRead,
  notifyLifecycleEvent,
  pruneNotifications,
} from "./index";

/*
 * Notifications written by the real state changes (lifecycle events, a
 * migration ending, a cluster join failing, the evaluator's batch store),
 * read and marked through the domain's queries. Test files share the run's
 * database, so every assertion is about this file's users.
 */

const silent = pino({ level: "silent" });
let db: Db;
let owner: SessionUser;
let otherTenant: SessionUser;
let provider: SessionUser;
let admin: SessionUser;

beforeAll(async () => {
  db = createDb(process.env.DATABASE_URL);
  [owner, otherTenant, provider, admin] = await Promise.all([
    makeUser(db, [Role.SERVICE_PROVIDER]),
    makeUser(db, [Role.SERVICE_PROVIDER]),
    makeUser(db, [Role.INFRASTRUCTURE_PROVIDER]),
    makeUser(db, [Role.NEMO_ADMIN]),
  ]);
});
afterAll(async () => {
  await db.$disconnect();
});

const rowsOf = (user: SessionUser, subjectId?: string) =>
  db.notification.findMany({
    where: { userId: user.id, ...(subjectId && { subjectId }) },
    orderBy: { id: "asc" },
  });

async function newInstance(of: SessionUser = owner) {
  const workload = await makeWorkload(db, of);
  return makeInstance(db, of, workload.id);
}

describe("notifications from lifecycle events", () => {
  it("tells the instance's owner (only) that it FAILED, linked to the instance", async () => {
    const instance = await newInstance();
    await db.$transaction((tx) => recordLifecycleEvent(tx, instance.id, "Failed", "No cluster can take it"));
    const rows = await rowsOf(owner, instance.id);
    expect(rows).toEqual([
      expect.objectContaining({
        kind: "INSTANCE_FAILED",
        title: `Instance ${instance.namespace} failed`,
        message: "No cluster can take it",
        subjectType: "instance",
        link: `/instances/${instance.id}`,
        readAt: null,
      }),
    ]);
    for (const user of [otherTenant, provider, admin]) expect(await rowsOf(user, instance.id)).toEqual([]);
  });

  it("tells nobody of the events that are not news (placement, deployment, scaling)", async () => {
    const instance = await newInstance();
    await db.$transaction(async (tx) => {
      await recordLifecycleEvent(tx, instance.id, "Placement", "Placed on c1");
      await recordLifecycleEvent(tx, instance.id, "Deployment", "Deployed");
      await recordLifecycleEvent(tx, instance.id, "Scaling", "Scaled");
    });
    expect(await db.notification.count({ where: { subjectId: instance.id } })).toBe(0);
  });

  it("tells a migration's start, completion and failure apart by the state its event carries", async () => {
    const instance = await newInstance();
    await db.$transaction(async (tx) => {
      await recordLifecycleEvent(tx, instance.id, "Migration", "Migration a → b requested", {
        migrationId: randomUUID(),
        state: "REQUESTED",
      });
      await recordLifecycleEvent(tx, instance.id, "Migration", "Migration a → b", { state: "COMPLETED" });
      await recordLifecycleEvent(tx, instance.id, "Migration", "Migration a → b failed: x", {
        state: "FAILED",
      });
      // An event of unknown shape is not guessed at.
      await recordLifecycleEvent(tx, instance.id, "Migration", "Migration a → b", {});
    });
    expect((await rowsOf(owner, instance.id)).map((r) => r.kind)).toEqual([
      "MIGRATION_STARTED",
      "MIGRATION_COMPLETED",
      "MIGRATION_FAILED",
    ]);
  });

  it("a migration that rolls back (endMigration) tells the owner once, in its transaction", async () => {
    const workload = await makeWorkload(db, owner);
    const [source, target] = await Promise.all([makeCluster(db, provider), makeCluster(db, provider)]);
    const instance = await makeInstance(db, owner, workload.id, source.id);
    await db.workloadInstance.update({ where: { id: instance.id }, data: { status: "MIGRATING" } });
    const migration = await db.migration.create({
      data: {
        instanceId: instance.id,
        sourceCluster: source.name,
        targetCluster: target.name,
        state: "RESTORING",
        activeInstanceId: instance.id,
      },
    });
    const args = {
      migration,
      from: "RESTORING" as const,
      to: "ROLLED_BACK" as const,
      reason: "restore timed out",
    };
    expect(await endMigration(db, args)).toBe(true);
    // Ending it again finds nothing to do: no second notification.
    expect(await endMigration(db, args)).toBe(false);
    expect(await rowsOf(owner, instance.id)).toEqual([
      expect.objectContaining({
        kind: "MIGRATION_FAILED",
        title: `Migration of ${instance.namespace} rolled back`,
        message: expect.stringContaining("restore timed out"),
      }),
    ]);
    expect(await rowsOf(provider, instance.id)).toEqual([]);
  });

  it("startMigration tells the owner the migration started, in its transaction", async () => {
    const workload = await makeWorkload(db, owner);
    const [source, target] = await Promise.all([makeCluster(db, provider), makeCluster(db, provider)]);
    const instance = await makeInstance(db, owner, workload.id, source.id);
    await db.workloadInstance.update({ where: { id: instance.id }, data: { status: "DEPLOYED" } });
    class RolledBack extends Error {}
    // Checked inside the transaction and rolled back: the backup command it enqueues is never sent.
    const seen = await db
      .$transaction(async (tx) => {
        const started = await startMigration(tx, {
          instanceId: instance.id,
          targetCluster: target.name,
          actor: owner.username,
          trigger: "requested by the test",
          cause: { kind: "request", requestedBy: owner.username },
        });
        expect(started.ok).toBe(true);
        throw new RolledBack(
          JSON.stringify(
            await tx.notification.findMany({
              where: { subjectId: instance.id },
              select: { userId: true, kind: true, title: true },
            }),
          ),
        );
      })
      .catch((error: unknown) => {
        if (!(error instanceof RolledBack)) throw error;
        return JSON.parse(error.message) as unknown;
      });
    expect(seen).toEqual([
      { userId: owner.id, kind: "MIGRATION_STARTED", title: `Migration of ${instance.namespace} started` },
    ]);
    expect(await rowsOf(owner, instance.id)).toEqual([]);
  });

  it("tells the owner that an instance drifted", async () => {
    const instance = await newInstance();
    await db.$transaction((tx) =>
      notifyLifecycleEvent(tx, {
        id: BigInt(Date.now()),
        instanceId: instance.id,
        type: "Drifted",
        message: "Deployment web: spec.replicas changed",
        occurredAt: new Date(),
      }),
    );
    expect((await rowsOf(owner, instance.id)).map((r) => r.kind)).toEqual(["INSTANCE_DRIFTED"]);
  });

  it("writing the same event twice notifies once (the source key is the event)", async () => {
    const instance = await newInstance();
    const event = {
      id: 9_000_000_000n + BigInt(Math.floor(Math.random() * 1e9)),
      instanceId: instance.id,
      type: "Failed",
      message: "crashed",
      occurredAt: new Date(),
    };
    expect(await db.$transaction((tx) => notifyLifecycleEvent(tx, event))).toBe(1);
    expect(await db.$transaction((tx) => notifyLifecycleEvent(tx, event))).toBe(0);
    expect(await rowsOf(owner, instance.id)).toHaveLength(1);
  });

  it("a notification rolls back with the change that caused it", async () => {
    const instance = await newInstance();
    await expect(
      db.$transaction(async (tx) => {
        await recordLifecycleEvent(tx, instance.id, "Failed", "crashed");
        throw new Error("the state change failed");
      }),
    ).rejects.toThrow("the state change failed");
    expect(await rowsOf(owner, instance.id)).toEqual([]);
  });
});

describe("notifications of intents turning NOT_FULFILLED", () => {
  const report = (status: "FULFILLED" | "NOT_FULFILLED"): IntentReportDraft => ({
    fulfilmentStatus: status,
    notFulfilledState: status === "FULFILLED" ? null : "DEGRADED",
    notFulfilledReasons: status === "FULFILLED" ? [] : ["availability is 90 %, needs more than 95 %"],
    feasibility: "FEASIBLE",
    infeasibilityReason: null,
    targetResults: [],
  });
  const evaluation = (
    intentId: string,
    instanceId: string,
    previous: "FULFILLED" | "NOT_FULFILLED" | null,
    next: "FULFILLED" | "NOT_FULFILLED",
  ): EvaluationResult => ({
    intentId,
    revision: 1,
    previous,
    next,
    report: report(next),
    terminate: false,
    // What the evaluator computes (fulfilmentTransition): announced only when it turns violated.
    notification:
      next === "NOT_FULFILLED" && previous !== "NOT_FULFILLED"
        ? outboxRow(messages.intentNotify, {
            Type: "intent",
            IntentID: intentId,
            WorkloadID: instanceId,
            Action: "violated",
          })
        : null,
  });
  const dueAgain = (intentId: string) =>
    db.intentSchedule.update({ where: { intentId }, data: { nextEvaluationAt: new Date(0) } });

  it("tells the intent's owner once per transition FULFILLED → NOT_FULFILLED, not every evaluation", async () => {
    const instance = await newInstance();
    const intent = await makeIntent(db, owner, instance.id);
    const store = (
      previous: "FULFILLED" | "NOT_FULFILLED" | null,
      next: "FULFILLED" | "NOT_FULFILLED",
      at: number,
    ) =>
      storeEvaluations(
        poolOf(db),
        [evaluation(intent.id, instance.id, previous, next)],
        new Date(Date.now() + at),
      );

    expect((await store(null, "FULFILLED", 1_000)).size).toBe(1);
    await dueAgain(intent.id);
    expect((await store("FULFILLED", "NOT_FULFILLED", 2_000)).size).toBe(1);
    await dueAgain(intent.id);
    expect((await store("NOT_FULFILLED", "NOT_FULFILLED", 3_000)).size).toBe(1);
    let rows = await rowsOf(owner, intent.id);
    expect(rows).toEqual([
      expect.objectContaining({
        kind: "INTENT_NOT_FULFILLED",
        subjectType: "intent",
        title: `An intent of ${instance.namespace} is not fulfilled`,
        message: "availability is 90 %, needs more than 95 %",
        link: `/intents?instanceId=${instance.id}&report=${intent.id}`,
      }),
    ]);
    // Fulfilled again, then violated again: a new transition, a new notification.
    await dueAgain(intent.id);
    await store("NOT_FULFILLED", "FULFILLED", 4_000);
    await dueAgain(intent.id);
    await store("FULFILLED", "NOT_FULFILLED", 5_000);
    rows = await rowsOf(owner, intent.id);
    expect(rows).toHaveLength(2);
    expect(await rowsOf(otherTenant, intent.id)).toEqual([]);
    expect(await rowsOf(admin, intent.id)).toEqual([]);
  });
});

describe("notifications of clusters going to ERROR", () => {
  const joinRequest = (clusterName: string, id: string): ClusterJoinRequest => ({
    id,
    cluster_name: clusterName,
    managed_api: "https://example.test:6443",
    cpus: 4,
    memory: 8,
    storage: 100,
    vram: 0,
    availability: "99.9",
    green_energy: "40",
    cost: "low_cost",
    cpu_base_rate: 1,
    memory_base_rate: 1,
    timestamp: new Date().toISOString(),
  });

  it("tells the cluster's provider and every admin, once, not another provider", async () => {
    const otherProvider = await makeUser(db, [Role.INFRASTRUCTURE_PROVIDER]);
    const cluster = await makeCluster(db, provider);
    await db.cluster.update({ where: { id: cluster.id }, data: { joinOperationId: "current-operation" } });
    // A stale join request (another operation) fails the cluster.
    const reply = await db.$transaction((tx) =>
      handleClusterJoin(tx, joinRequest(cluster.name, "stale-operation"), { db, log: silent }),
    );
    expect(reply.status).toBe("error");
    expect((await db.cluster.findUniqueOrThrow({ where: { id: cluster.id } })).status).toBe("ERROR");
    for (const user of [provider, admin]) {
      expect(await rowsOf(user, cluster.id)).toEqual([
        expect.objectContaining({
          kind: "CLUSTER_ERROR",
          title: `Cluster ${cluster.name} is in error`,
          message: "superseded by a newer join request",
          subjectType: "cluster",
          link: `/clusters/${cluster.id}/metrics`,
        }),
      ]);
    }
    expect(await rowsOf(otherProvider, cluster.id)).toEqual([]);
    expect(await rowsOf(owner, cluster.id)).toEqual([]);

    // Failing again while it already is in ERROR is no transition.
    await db.$transaction((tx) =>
      handleClusterJoin(tx, joinRequest(cluster.name, "another-stale-operation"), { db, log: silent }),
    );
    expect(await rowsOf(provider, cluster.id)).toHaveLength(1);
    expect(await rowsOf(admin, cluster.id)).toHaveLength(1);
  });
});

describe("reading and marking notifications", () => {
  async function reader() {
    const user = await makeUser(db, [Role.SERVICE_PROVIDER]);
    const instance = await newInstance(user);
    await db.$transaction(async (tx) => {
      for (let n = 1; n <= 12; n++) await recordLifecycleEvent(tx, instance.id, "Failed", `failure ${n}`);
    });
    return user;
  }

  it("lists newest first, page by page below the cursor, with the unread count", async () => {
    const user = await reader();
    const first = await listNotifications({ db, user }, { limit: 5 });
    expect(first.items.map((i) => i.message)).toEqual([12, 11, 10, 9, 8].map((n) => `failure ${n}`));
    expect(first.unread).toBe(12);
    expect(first.nextCursor).toBe(first.items[4]?.id);
    const second = await listNotifications({ db, user }, { limit: 5, before: first.nextCursor });
    expect(second.items.map((i) => i.message)).toEqual([7, 6, 5, 4, 3].map((n) => `failure ${n}`));
    const last = await listNotifications({ db, user }, { limit: 5, before: second.nextCursor });
    expect(last.items.map((i) => i.message)).toEqual(["failure 2", "failure 1"]);
    expect(last.nextCursor).toBeNull();
  });

  it("marks one read (only the caller's own) and all read (only the caller's)", async () => {
    const [user, other] = await Promise.all([reader(), reader()]);
    const mine = (await listNotifications({ db, user }, {})).items;
    const theirs = (await listNotifications({ db, user: other }, {})).items;
    const target = mine[0]!;

    // Another user's id is "not found", whatever their role; nothing changes.
    for (const caller of [other, admin]) {
      const error = await markNotificationRead({ db, user: caller }, { id: target.id }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({ kind: "not_found", field: "id" });
    }
    expect(await countUnread({ db, user })).toBe(12);

    const read = await markNotificationRead({ db, user, clock: () => 1_000_000 }, { id: target.id });
    expect(read.readAt).toEqual(new Date(1_000_000));
    // Again: fine, the first time stays.
    expect((await markNotificationRead({ db, user }, { id: target.id })).readAt).toEqual(new Date(1_000_000));
    expect(await countUnread({ db, user })).toBe(11);
    const unreadOnly = await listNotifications({ db, user }, { unreadOnly: true, limit: 50 });
    expect(unreadOnly.items.map((i) => i.id)).not.toContain(target.id);

    expect(await markAllNotificationsRead({ db, user })).toEqual({ marked: 11 });
    expect(await countUnread({ db, user })).toBe(0);
    expect(await countUnread({ db, user: other })).toBe(theirs.length + 2);
  });

  it("refuses ids that are not ids, naming the field", async () => {
    const user = await makeUser(db, [Role.SERVICE_PROVIDER]);
    for (const id of ["abc", "0", "-1", "1.5", ""]) {
      await expect(markNotificationRead({ db, user }, { id })).rejects.toMatchObject({
        kind: "invalid",
        field: "id",
      });
    }
    await expect(listNotifications({ db, user }, { limit: 500 })).rejects.toMatchObject({ field: "limit" });
  });
});

describe("retention", () => {
  it("deletes read notifications after readDays and every one after days", async () => {
    const user = await makeUser(db, [Role.SERVICE_PROVIDER]);
    const instance = await newInstance(user);
    const DAY = 86_400_000;
    // The clock is pinned years before the run, so the cutoffs fall before every row other test
    // files write: only this test's back-dated rows can be old enough.
    const now = Date.parse("2001-06-01T00:00:00Z"); // fixed-date: far before any other file's rows
    const row = (key: string, ageDays: number, read: boolean) => ({
      userId: user.id,
      kind: "INSTANCE_FAILED",
      title: key,
      message: key,
      subjectType: "instance",
      subjectId: instance.id,
      link: `/instances/${instance.id}`,
      sourceKey: `test:${key}`,
      createdAt: new Date(now - ageDays * DAY),
      readAt: read ? new Date(now - ageDays * DAY) : null,
    });
    await db.notification.createMany({
      data: [
        row("old-unread", 100, false),
        row("mid-unread", 40, false),
        row("mid-read", 40, true),
        row("new-read", 5, true),
      ],
    });
    const deleted = await pruneNotifications({
      db,
      log: silent,
      retention: { days: 90, readDays: 30 },
      clock: () => now,
      batchSize: 1,
    });
    expect(deleted).toBeGreaterThanOrEqual(2);
    expect((await rowsOf(user)).map((r) => r.title).sort()).toEqual(["mid-unread", "new-read"]);
  });
});
