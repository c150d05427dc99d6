import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { domainRejection } from "@/server/testing/rejection";
import { makeUser, uniq } from "@/server/testing/factories";
import { Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth/session";
import { messages, OutboxRelay, type Bus } from "@/server/bus";
import { captureLogs, testId, waitFor } from "@/server/testing/bus";
import { openMigrationTestBed, type MigrationTestBed } from "@/server/testing/migration-pipeline";
import { clearSimulatedFailures, driverFor, injectSimulatedFailure } from "@/server/clusters";
import type { Db } from "@/server/db/client";
import { StaleLeaderError } from "@/server/db/leases";
import { DomainError } from "@/server/errors";
import { createIntent } from "@/server/intents/commands";
import {
  type IbmcAgents,
  instanceMigrations,
  listMigrations,
  migrationOptions,
  parseSteps,
  requestMigration,
  runMigrationWatchdog,
  type MigrationRuntimeDeps,
  type MigrationStateName,
} from "./index";

// The whole pipeline in this process against the real broker and database:
// controller, every agent, the orchestrator's completion consumer, a relay
// woken by NOTIFY and the watchdog. Placement looks at every registered
// cluster, so the file has a database of its own holding the five demo
// clusters, with nemo-smart-farming not OK (the reference's "Status: Unknown").
// Its own AMQP prefix keeps other files' `notify` traffic away.
const prefix = `${process.env.AMQP_PREFIX ?? ""}${testId()}.`;
const { logger: log, lines } = captureLogs();

let bed: MigrationTestBed;
let url: string;
let db: Db;
let bus: Bus;
let relay: OutboxRelay;
let agents: IbmcAgents;
let deps: MigrationRuntimeDeps;
let admin: SessionUser;
let provider: SessionUser;
let otherProvider: SessionUser;
let demoInfra: SessionUser;

const as = (user: SessionUser) => ({ db, user });

beforeAll(async () => {
  bed = await openMigrationTestBed("migrations", { prefix, log });
  ({ url, db, admin, provider, demoInfra } = bed);
  ({ bus, relay, agents, deps } = bed.pipeline);
  otherProvider = await makeUser(db, [Role.SERVICE_PROVIDER]);
}, 120_000);

afterAll(async () => {
  await bed.close(relay);
}, 60_000);

/** An instance deployed on `cluster` by the orchestrator's own handler. */
const deployedOn = (cluster: string, release?: string) => bed.deployedOn(cluster, release);

/** An Availability intent through the intents flow ("created" notification to the controller). */
async function availabilityIntent(instanceId: string, above: number) {
  return createIntent(as(provider), {
    source: "form",
    instanceId,
    intentType: "Availability",
    targets: [{ targetName: "availability", targetCondition: "IS_GREATER_THAN", targetValue: above }],
  });
}

async function migrationOf(instanceId: string, states: readonly MigrationStateName[], timeoutMs = 30_000) {
  await waitFor(
    async () => (await db.migration.count({ where: { instanceId, state: { in: [...states] } } })) > 0,
    timeoutMs,
    `a migration of ${instanceId} in ${states.join("/")}`,
  );
  return db.migration.findFirstOrThrow({ where: { instanceId }, orderBy: { createdAt: "desc" } });
}

/** Waits until the migration owes no cleanup any more (source removed after COMPLETED, target after ROLLED_BACK). */
async function settled(migrationId: string) {
  await waitFor(
    async () => (await db.migration.findUniqueOrThrow({ where: { id: migrationId } })).stepDeadline === null,
    15_000,
    "the migration's cleanup",
  );
  return db.migration.findUniqueOrThrow({ where: { id: migrationId } });
}

async function namespaceNodes(cluster: string, namespace: string): Promise<number> {
  const row = await db.cluster.findUniqueOrThrow({ where: { name: cluster } });
  return (await driverFor(db, row).deploymentTree(namespace)).nodes.length;
}

/** Samples both clusters until stopped: [source has the namespace, target has it]. */
function sampleCopies(namespace: string, source: string, target: string) {
  const samples: Array<[boolean, boolean]> = [];
  let running = true;
  const done = (async () => {
    while (running) {
      const onSource = (await namespaceNodes(source, namespace)) > 0;
      const onTarget = (await namespaceNodes(target, namespace)) > 0;
      samples.push([onSource, onTarget]);
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
  })();
  return {
    samples,
    stop: async () => {
      running = false;
      await done;
    },
  };
}

function stateCounts(steps: unknown): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const step of parseSteps(steps)) counts[step.state] = (counts[step.state] ?? 0) + 1;
  return counts;
}

const domainError = domainRejection;

describe("intent-based migration", () => {
  it("moves an instance whose intent its cluster no longer meets, make-before-break, and says why at each step", async () => {
    const instance = await deployedOn("dev-onelab");
    const sampler = sampleCopies(instance.namespace, "dev-onelab", "staging-onelab");
    const intent = await availabilityIntent(instance.id, 95);

    const done = await migrationOf(instance.id, ["COMPLETED", "FAILED", "ROLLED_BACK"]);
    const migration = await settled(done.id);
    await sampler.stop();

    expect(migration).toMatchObject({
      state: "COMPLETED",
      sourceCluster: "dev-onelab",
      targetCluster: "staging-onelab",
      intentId: intent.id,
      activeInstanceId: null,
      reason: null,
    });
    expect(migration.backupName).toMatch(new RegExp(`^dev-onelab-${instance.id}-\\d{14}$`));
    const steps = parseSteps(migration.steps);
    expect(steps.map((s) => s.state)).toEqual([
      "REQUESTED",
      "BACKING_UP",
      "BACKED_UP",
      "RESTORING",
      "VERIFYING",
      "VERIFYING",
      "COMPLETED",
      "COMPLETED",
    ]);
    expect(steps[0]?.actor).toBe("ibmc-controller");
    const times = steps.map((s) => Date.parse(s.at));
    expect(times.every((t, i) => Number.isFinite(t) && (i === 0 || t >= times[i - 1]!))).toBe(true);
    expect(steps.at(-1)?.message).toBe(`Removed namespace ${instance.namespace} from dev-onelab`);

    const moved = await db.workloadInstance.findUniqueOrThrow({
      where: { id: instance.id },
      include: { cluster: true },
    });
    expect(moved).toMatchObject({ status: "DEPLOYED", statusReason: null });
    expect(moved.cluster?.name).toBe("staging-onelab");
    expect(await namespaceNodes("dev-onelab", instance.namespace)).toBe(0);
    expect(await namespaceNodes("staging-onelab", instance.namespace)).toBeGreaterThan(0);
    const events = await db.lifecycleEvent.findMany({
      where: { instanceId: instance.id, type: "Migration" },
      orderBy: { id: "asc" },
    });
    expect(events.map((e) => e.message)).toEqual([
      `Migration dev-onelab → staging-onelab requested (intent ${intent.id} created)`,
      "Migration dev-onelab → staging-onelab",
    ]);
    const reevaluated = await db.intentSchedule.findUniqueOrThrow({ where: { intentId: intent.id } });
    expect(reevaluated.nextEvaluationAt.getTime()).toBeLessThanOrEqual(Date.now());

    // Never on zero clusters; on both while the target copy was verified.
    expect(sampler.samples.length).toBeGreaterThan(5);
    expect(sampler.samples.filter(([s, t]) => !s && !t)).toEqual([]);
    expect(sampler.samples.some(([s, t]) => s && t)).toBe(true);

    // The controller's log, in the reference wording, naming the instance and the clusters.
    const about = lines.filter((l) => l.instance === instance.id);
    const said = about.map((l) => l.msg);
    expect(said).toEqual(
      expect.arrayContaining([
        "Cluster dev-onelab does not meet intent availability requirement (offers 90 %, needs more than 95 %)",
        "Cluster k3s-onelab does not meet intent availability requirement (offers 95 %, needs more than 95 %)",
        "Cluster pro-onelab does not meet intent availability requirement (offers 95 %, needs more than 95 %)",
        "Skipping cluster nemo-smart-farming due to invalid or missing Status: ERROR",
        "Cluster staging-onelab meets all intent requirements",
        "Backup requested on exchange mo with routing key dev-onelab",
        "Migration triggered from dev-onelab to staging-onelab",
        "Migration dev-onelab → staging-onelab completed",
      ]),
    );
    expect(
      about.find((l) => l.msg === "Migration triggered from dev-onelab to staging-onelab"),
    ).toMatchObject({
      migration: migration.id,
      intent: intent.id,
      source: "dev-onelab",
      target: "staging-onelab",
    });
    expect(about.find((l) => String(l.msg).startsWith("Skipping cluster nemo-smart-farming"))).toMatchObject({
      cluster: "nemo-smart-farming",
      verdict: "skipped",
    });

    // The console's reads, scoped.
    const rows = await instanceMigrations(as(provider), instance.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      id: migration.id,
      instanceShortId: instance.shortId,
      releaseName: instance.releaseName,
      state: "COMPLETED",
      requestedBy: "ibmc-controller",
      active: false,
    });
    expect((await listMigrations(as(admin), { instanceId: instance.id })).total).toBe(1);
    expect(
      (await listMigrations(as(provider), { search: instance.releaseName })).items.map((r) => r.id),
    ).toEqual([migration.id]);
    expect((await listMigrations(as(otherProvider), { instanceId: instance.id })).total).toBe(0);
    expect(
      (await listMigrations(as(demoInfra), { cluster: "staging-onelab", instanceId: instance.id })).total,
    ).toBe(1);
    await expect(instanceMigrations(as(otherProvider), instance.id)).rejects.toThrow("No such instance.");
    expect((await listMigrations(as(admin), { state: "FAILED", instanceId: instance.id })).total).toBe(0);
  }, 60_000);

  it("reports FULFILMENTFAILED and moves nothing when no cluster qualifies", async () => {
    const instance = await deployedOn("dev-onelab");
    const intent = await availabilityIntent(instance.id, 99.95);
    await waitFor(
      async () =>
        (await db.intentReport.count({
          where: { intentId: intent.id, notFulfilledState: "FULFILMENTFAILED" },
        })) > 0,
      15_000,
      "the FULFILMENTFAILED report",
    );
    const report = await db.intentReport.findFirstOrThrow({
      where: { intentId: intent.id, notFulfilledState: "FULFILMENTFAILED" },
    });
    expect(report).toMatchObject({ fulfilmentStatus: "NOT_FULFILLED", feasibility: "INFEASIBLE" });
    expect(report.notFulfilledReasons).toEqual([
      "No cluster other than dev-onelab offers availability of more than 99.95 % " +
        "(highest availability offered: 99.9 %)",
    ]);
    expect(await db.migration.count({ where: { instanceId: instance.id } })).toBe(0);
    const row = await db.workloadInstance.findUniqueOrThrow({
      where: { id: instance.id },
      include: { cluster: true },
    });
    expect(row.status).toBe("DEPLOYED");
    expect(row.cluster?.name).toBe("dev-onelab");
  }, 30_000);

  it("fails a migration whose backup fails, leaving the instance running on its source", async () => {
    const instance = await deployedOn("dev-onelab");
    await injectSimulatedFailure(db, "dev-onelab", {
      type: "backup-fails",
      message: "bucket unreachable",
      times: 1,
    });
    try {
      await availabilityIntent(instance.id, 95);
      const migration = await migrationOf(instance.id, ["FAILED", "COMPLETED", "ROLLED_BACK"]);
      expect(migration.state).toBe("FAILED");
      expect(migration.reason).toBe(
        `backup of ${instance.namespace} on dev-onelab failed: bucket unreachable`,
      );
      expect(migration.activeInstanceId).toBeNull();
      expect(parseSteps(migration.steps).map((s) => s.state)).toEqual(["REQUESTED", "BACKING_UP", "FAILED"]);
      const row = await db.workloadInstance.findUniqueOrThrow({
        where: { id: instance.id },
        include: { cluster: true },
      });
      expect(row).toMatchObject({
        status: "DEPLOYED",
        statusReason: `Migration to staging-onelab failed: ${migration.reason}`,
      });
      expect(row.cluster?.name).toBe("dev-onelab");
      expect(await namespaceNodes("dev-onelab", instance.namespace)).toBeGreaterThan(0);
      expect(await namespaceNodes("staging-onelab", instance.namespace)).toBe(0);
      const event = await db.lifecycleEvent.findFirstOrThrow({
        where: { instanceId: instance.id, type: "Migration" },
        orderBy: { id: "desc" },
      });
      expect(event.message).toBe(`Migration dev-onelab → staging-onelab failed: ${migration.reason}`);
    } finally {
      await clearSimulatedFailures(db, "dev-onelab");
    }
  }, 30_000);

  it("rolls a migration back when the restore fails: partial copy removed, reason shown", async () => {
    const instance = await deployedOn("dev-onelab");
    await injectSimulatedFailure(db, "staging-onelab", {
      type: "restore-fails",
      message: "PVC not bound",
      times: 1,
    });
    try {
      await availabilityIntent(instance.id, 95);
      const ended = await migrationOf(instance.id, ["ROLLED_BACK", "COMPLETED", "FAILED"]);
      const migration = await settled(ended.id);
      expect(migration.state).toBe("ROLLED_BACK");
      expect(migration.reason).toBe("restore on staging-onelab failed: PVC not bound");
      expect(parseSteps(migration.steps).map((s) => s.state)).toEqual([
        "REQUESTED",
        "BACKING_UP",
        "BACKED_UP",
        "RESTORING",
        "ROLLED_BACK",
        "ROLLED_BACK",
      ]);
      const row = await db.workloadInstance.findUniqueOrThrow({
        where: { id: instance.id },
        include: { cluster: true },
      });
      expect(row.status).toBe("DEPLOYED");
      expect(row.cluster?.name).toBe("dev-onelab");
      expect(row.statusReason).toBe(
        "Migration to staging-onelab rolled back: restore on staging-onelab failed: PVC not bound",
      );
      expect(await namespaceNodes("staging-onelab", instance.namespace)).toBe(0);
      expect(await namespaceNodes("dev-onelab", instance.namespace)).toBeGreaterThan(0);
      const timeline = await db.lifecycleEvent.findMany({
        where: { instanceId: instance.id, type: "Migration" },
      });
      expect(timeline.map((e) => e.message)).toContain(
        "Migration dev-onelab → staging-onelab rolled back: restore on staging-onelab failed: PVC not bound",
      );
    } finally {
      await clearSimulatedFailures(db, "staging-onelab");
    }
  }, 30_000);

  it("rolls back when the target cluster is down, and removes the partial copy once it is back", async () => {
    const instance = await deployedOn("dev-onelab");
    await injectSimulatedFailure(db, "staging-onelab", { type: "cluster-down" });
    let migrationId: string;
    try {
      await availabilityIntent(instance.id, 95);
      const ended = await migrationOf(instance.id, ["ROLLED_BACK", "COMPLETED", "FAILED"]);
      migrationId = ended.id;
      expect(ended.state).toBe("ROLLED_BACK");
      expect(ended.reason).toMatch(/^restore on staging-onelab failed: .*unreachable/i);
      // The copy could not be removed from a cluster that is down: the cleanup is owed.
      await waitFor(
        async () => {
          const row = await db.migration.findUniqueOrThrow({ where: { id: ended.id } });
          return row.stepDeadline !== null && row.stepDeadline.getTime() > Date.now();
        },
        10_000,
        "the cleanup to be rescheduled",
      );
      const row = await db.workloadInstance.findUniqueOrThrow({
        where: { id: instance.id },
        include: { cluster: true },
      });
      expect(row.status).toBe("DEPLOYED");
      expect(row.cluster?.name).toBe("dev-onelab");
    } finally {
      await clearSimulatedFailures(db, "staging-onelab");
    }
    // Back up, and the retry is due: the watchdog settles it.
    await db.migration.update({
      where: { id: migrationId },
      data: { stepDeadline: new Date(Date.now() - 1) },
    });
    const settledRow = await settled(migrationId);
    expect(parseSteps(settledRow.steps).at(-1)?.message).toMatch(
      /^(Removed namespace|Namespace .* was already absent)/,
    );
    expect(await namespaceNodes("staging-onelab", instance.namespace)).toBe(0);
  }, 30_000);

  it("rolls back when the restored workload never runs on the target", async () => {
    const instance = await deployedOn("dev-onelab");
    await injectSimulatedFailure(db, "staging-onelab", { type: "crash-loop", namespace: instance.namespace });
    try {
      await availabilityIntent(instance.id, 95);
      const verifying = await migrationOf(instance.id, ["VERIFYING"]);
      // Its pods crash-loop: let the verification step run out of time now rather than in 30 s.
      await db.migration.update({
        where: { id: verifying.id },
        data: { stepDeadline: new Date(Date.now() + 1_500) },
      });
      const ended = await migrationOf(instance.id, ["ROLLED_BACK", "COMPLETED"], 15_000);
      const migration = await settled(ended.id);
      expect(migration.state).toBe("ROLLED_BACK");
      // The agent (it polls the tree) or the watchdog (same deadline) ends it, whichever comes first.
      expect(migration.reason).toMatch(
        /^verification on staging-onelab failed: .*pods Running|^VERIFYING step timed out/,
      );
      expect(await namespaceNodes("staging-onelab", instance.namespace)).toBe(0);
      const row = await db.workloadInstance.findUniqueOrThrow({
        where: { id: instance.id },
        include: { cluster: true },
      });
      expect(row.cluster?.name).toBe("dev-onelab");
      expect(row.status).toBe("DEPLOYED");
    } finally {
      await clearSimulatedFailures(db, "staging-onelab");
    }
  }, 30_000);

  it("rolls back by the watchdog when a step overstays its deadline; the late agent cleans up and stops", async () => {
    const instance = await deployedOn("dev-onelab");
    // The target's agent is down: the restore command waits in its durable queue.
    await agents.stop("staging-onelab");
    try {
      await availabilityIntent(instance.id, 95);
      const stuck = await migrationOf(instance.id, ["BACKED_UP"]);
      // A watchdog replica whose leadership has moved on (lease 1, another replica holds 2) ends nothing.
      const loop = uniq("ibmc-controller:migration-watchdog");
      await db.leaderLease.create({
        data: { name: loop, lease: 2n, holder: "the new leader", acquiredAt: new Date() },
      });
      await expect(
        runMigrationWatchdog(deps, new Date(Date.now() + 60_000), { name: loop, lease: 1n }),
      ).rejects.toBeInstanceOf(StaleLeaderError);
      expect((await db.migration.findUniqueOrThrow({ where: { id: stuck.id } })).state).toBe("BACKED_UP");
      // Time passes: the step's deadline is behind us.
      await db.migration.update({
        where: { id: stuck.id },
        data: { stepDeadline: new Date(Date.now() - 1_000) },
      });
      const ended = await migrationOf(instance.id, ["ROLLED_BACK"], 10_000);
      expect(ended.reason).toMatch(/^BACKED_UP step timed out: no progress by .* \(step timeout 30 s\)$/);
      const row = await db.workloadInstance.findUniqueOrThrow({ where: { id: instance.id } });
      expect(row.status).toBe("DEPLOYED");
      expect(row.statusReason).toContain("Migration to staging-onelab rolled back: BACKED_UP step timed out");
    } finally {
      await agents.serve("staging-onelab");
    }
    await waitFor(
      () => lines.some((l) => l.msg === "migration no longer active: stopped" && l.instance === instance.id),
      15_000,
      "the late agent to stand down",
    );
    expect(await namespaceNodes("staging-onelab", instance.namespace)).toBe(0);
    const migration = await db.migration.findFirstOrThrow({ where: { instanceId: instance.id } });
    expect(stateCounts(migration.steps)).toEqual({
      REQUESTED: 1,
      BACKING_UP: 1,
      BACKED_UP: 1,
      ROLLED_BACK: 2,
    });
  }, 45_000);

  it("runs one migration and one completion when every message arrives twice", async () => {
    const instance = await deployedOn("dev-onelab");
    // Every message the outbox publishes goes out twice (same message id), as after a relay crash.
    await relay.stop();
    const doubling = new OutboxRelay({
      db,
      listen: { databaseUrl: url },
      pollMs: 200,
      bus: {
        isConnected: () => bus.isConnected(),
        publishRaw: async (message, options) => {
          await bus.publishRaw(message, options);
          await bus.publishRaw(message, options);
        },
      },
    });
    doubling.start();
    try {
      // An intent stored without notification, then its violation announced twice with different ids.
      const intent = await db.intent.create({
        data: {
          intentType: "Availability",
          instanceId: instance.id,
          ownerId: provider.id,
          body: {
            userLabel: "Availability",
            intentExpectations: [
              {
                expectationId: "1",
                expectationTargets: [
                  { targetName: "availability", targetCondition: "IS_GREATER_THAN", targetValueRange: "95" },
                ],
              },
            ],
          },
        },
      });
      const violation = {
        Type: "intent",
        IntentID: intent.id,
        WorkloadID: instance.id,
        Action: "violated",
      } as const;
      await Promise.all([
        bus.publish(messages.intentNotify, violation),
        bus.publish(messages.intentNotify, violation),
      ]);
      const done = await migrationOf(instance.id, ["COMPLETED", "FAILED", "ROLLED_BACK"]);
      const migration = await settled(done.id);
      expect(migration.state).toBe("COMPLETED");
      // Let the duplicates drain.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(await db.migration.count({ where: { instanceId: instance.id } })).toBe(1);
      const final = await db.migration.findUniqueOrThrow({ where: { id: migration.id } });
      expect(stateCounts(final.steps)).toEqual({
        REQUESTED: 1,
        BACKING_UP: 1,
        BACKED_UP: 1,
        RESTORING: 1,
        VERIFYING: 2,
        COMPLETED: 2,
      });
      expect(
        await db.lifecycleEvent.count({
          where: { instanceId: instance.id, message: "Migration dev-onelab → staging-onelab" },
        }),
      ).toBe(1);
      const row = await db.workloadInstance.findUniqueOrThrow({
        where: { id: instance.id },
        include: { cluster: true },
      });
      expect(row.cluster?.name).toBe("staging-onelab");
      expect(await namespaceNodes("dev-onelab", instance.namespace)).toBe(0);
    } finally {
      await doubling.stop();
      relay = new OutboxRelay({ db, bus, pollMs: 200, listen: { databaseUrl: url } });
      relay.start();
    }
  }, 45_000);

  it("lets an admin migrate now: one of two concurrent requests wins, the other is a conflict", async () => {
    const instance = await deployedOn("dev-onelab");
    await db.intent.create({
      data: {
        intentType: "Availability",
        instanceId: instance.id,
        ownerId: provider.id,
        // A target the current cluster meets, so the controller would not move it by itself.
        body: {
          intentExpectations: [
            {
              expectationId: "1",
              expectationTargets: [
                { targetName: "availability", targetCondition: "IS_GREATER_THAN", targetValueRange: "80" },
              ],
            },
          ],
        },
      },
    });
    const options = await migrationOptions(as(admin), instance.id);
    expect(options).toMatchObject({
      currentCluster: "dev-onelab",
      currentMeetsTargets: true,
      canRequest: true,
    });
    expect(Object.fromEntries(options.evaluations.map((e) => [e.cluster, e.verdict]))).toMatchObject({
      "dev-onelab": "current",
      "nemo-smart-farming": "skipped",
    });
    expect((await migrationOptions(as(provider), instance.id)).canRequest).toBe(false);
    await expect(migrationOptions(as(otherProvider), instance.id)).rejects.toThrow("No such instance.");

    expect((await domainError(requestMigration(as(provider), instance.id, "staging-onelab"))).kind).toBe(
      "forbidden",
    );
    for (const [cluster, message] of [
      ["nemo-smart-farming", "Skipping cluster nemo-smart-farming due to invalid or missing Status: ERROR"],
      ["dev-onelab", "The instance already runs on dev-onelab."],
      ["nowhere", "Cluster nowhere is not registered."],
    ] as const) {
      const error = await domainError(requestMigration(as(admin), instance.id, cluster));
      expect([error.kind, error.field, error.message]).toEqual(["invalid", "targetCluster", message]);
    }
    expect((await domainError(requestMigration(as(admin), randomUUID(), "staging-onelab"))).kind).toBe(
      "not_found",
    );

    const results = await Promise.allSettled([
      requestMigration(as(admin), instance.id, "staging-onelab"),
      requestMigration(as(admin), instance.id, "k3s-onelab"),
    ]);
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r) => r.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    const conflict = (lost[0] as PromiseRejectedResult).reason as DomainError;
    expect(conflict).toBeInstanceOf(DomainError);
    expect(conflict.kind).toBe("conflict");
    expect(conflict.message).toMatch(/instance is MIGRATING|migration .* is REQUESTED/);
    const row = (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof requestMigration>>>).value;
    expect(row).toMatchObject({ state: "REQUESTED", requestedBy: admin.username, active: true });

    const again = await domainError(requestMigration(as(admin), instance.id, "staging-onelab"));
    expect([again.kind, again.message]).toEqual([
      "conflict",
      `Cannot migrate ${instance.releaseName}: instance is MIGRATING.`,
    ]);
    const done = await migrationOf(instance.id, ["COMPLETED", "FAILED", "ROLLED_BACK"]);
    expect(done.state).toBe("COMPLETED");
    expect(await db.migration.count({ where: { instanceId: instance.id } })).toBe(1);
  }, 45_000);

  it("leaves nothing behind: every outbox row published", async () => {
    await waitFor(
      async () => (await db.outboxMessage.count({ where: { status: { not: "PUBLISHED" } } })) === 0,
      10_000,
      "the outbox to drain",
    );
    expect(await db.migration.count({ where: { activeInstanceId: { not: null } } })).toBe(0);
  });
});
