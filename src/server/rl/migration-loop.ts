/**
 * The migration agent in the live loop: per instance with migration enabled,
 * stay or move to one of the clusters that meet every intent target (the
 * migration target selection's placement filters: OK, not cordoned, room,
 * intents). A move starts a migration through the existing protocol
 * (`startMigration`, trigger `{kind: "cfdrl"}`, shown "Started by CFDRL"),
 * in the transaction that records the decision; the decision stays pending
 * (in flight) until the migration ends — COMPLETED: applied; FAILED or
 * ROLLED_BACK: failed with the migration's reason.
 */
import type { Prisma } from "@/generated/prisma/client";
import { CFDRL_ACTOR, selectionForInstance, startMigration } from "@/server/cluster-migration";
import { clusterCandidates, type DriverFactory } from "@/server/clusters";
import { assertLeaderFence, type Db, type LeaderFence } from "@/server/db";
import type { Logger } from "@/server/logger";
import type { LiveAgent } from "./live-agent";
import type { LoopInstance } from "./loop";
import { observeInstance } from "./observe";
import {
  allowedMigrationActions,
  MIGRATION_ACTIONS,
  MIGRATION_STAY,
  migrationActionTarget,
  migrationFeatures,
  migrationReward,
  migrationSlots,
  type MigrationClusterView,
  type MigrationObservation,
} from "./migration-model";

export interface MigrationLoopDeps {
  db: Db;
  log: Logger;
  now: Date;
  agent: LiveAgent;
  /** How often the migration agent decides for one instance (CFDRL_MIGRATION_EVERY_PERIODS periods). */
  intervalMs: number;
  driverFactory?: DriverFactory;
  fence?: LeaderFence;
}

const TERMINAL = new Set(["COMPLETED", "FAILED", "ROLLED_BACK"]);

/** Pending migration decisions whose migration ended: applied (COMPLETED) or failed (with its reason). */
export async function resolveMigrationDecisions(
  db: Db,
  deps: { log: Logger; now: Date; fence?: LeaderFence },
): Promise<number> {
  const pending = await db.cfdrlDecision.findMany({
    where: { agent: "migration", outcome: "pending", migrationId: { not: null } },
    select: { id: true, instanceId: true, migrationId: true },
  });
  let resolved = 0;
  for (const decision of pending) {
    const migration = await db.migration.findUnique({
      where: { id: decision.migrationId! },
      select: { state: true, reason: true, targetCluster: true },
    });
    if (migration && !TERMINAL.has(migration.state)) continue;
    const applied = migration?.state === "COMPLETED";
    const reason = !migration
      ? "migration no longer exists"
      : applied
        ? null
        : `migration ${migration.state.toLowerCase().replace("_", " ")}${migration.reason ? `: ${migration.reason}` : ""}`;
    const count = await db.$transaction(async (tx) => {
      await assertLeaderFence(tx, deps.fence);
      return (
        await tx.cfdrlDecision.updateMany({
          where: { id: decision.id, outcome: "pending" },
          data: {
            outcome: applied ? "applied" : "failed",
            outcomeReason: reason,
            inFlightInstanceId: null,
            resolvedAt: deps.now,
          },
        })
      ).count;
    });
    if (count === 1) {
      resolved += 1;
      deps.log.info(
        {
          instance: decision.instanceId,
          decision: decision.id.toString(),
          migration: decision.migrationId,
          reason,
        },
        applied
          ? `CFDRL move to ${migration?.targetCluster} completed`
          : `CFDRL move failed: ${reason ?? "unknown"}`,
      );
    }
  }
  return resolved;
}

/**
 * One migration decision: "skipped" (an action in flight, not due yet, no reading), "decided"
 * (stay, recorded), or "moved" (a migration started). A move interrupts the instance, so the agent
 * decides once per `intervalMs`, not every period (the lab's comparison: every 10 minutes).
 */
export async function decideMigration(
  deps: MigrationLoopDeps,
  instance: LoopInstance,
): Promise<"skipped" | "decided" | "moved"> {
  const { db, log, now, agent } = deps;
  const inFlight = await db.cfdrlDecision.findUnique({
    where: { inFlightInstanceId: instance.id },
    select: { id: true },
  });
  if (inFlight) return "skipped";
  const previous = await db.cfdrlDecision.findFirst({
    where: { instanceId: instance.id, agent: "migration" },
    orderBy: [{ decidedAt: "desc" }, { id: "desc" }],
    select: { state: true, action: true, outcome: true, decidedAt: true },
  });
  if (previous && now.getTime() - previous.decidedAt.getTime() < deps.intervalMs) return "skipped";

  const observed = await observeInstance(db, instance, now, log, deps.driverFactory);
  if (!observed) return "skipped";
  const selection = await selectionForInstance(
    db,
    { id: instance.id, placement: instance.placement, currentCluster: instance.cluster.name },
    now,
  );
  // Moves only to clusters the placement filters let through (OK, not cordoned, room, every intent target met).
  const eligible = new Set(
    selection.evaluations
      .filter((e) => e.verdict === "eligible" || e.verdict === "chosen")
      .map((e) => e.cluster),
  );
  const clusters: MigrationClusterView[] = (await clusterCandidates(db))
    .filter((c) => c.status === "OK" || c.name === instance.cluster.name)
    .map((c) => ({
      name: c.name,
      load: c.capacity.cpuMillicores > 0 ? c.allocated.cpuMillicores / c.capacity.cpuMillicores : 1,
      availabilityPct: c.availabilityPct,
      greenEnergyPct: c.greenEnergyPct,
      eligible: eligible.has(c.name),
    }));
  const observation: MigrationObservation = {
    instance: observed.observation,
    currentCluster: instance.cluster.name,
    clusters,
  };
  const features = migrationFeatures(observation);

  // The transition that led here: the previous decision's features, what took effect (stay unless it moved), this reward.
  const recent =
    previous !== null &&
    previous.outcome !== "pending" &&
    now.getTime() - previous.decidedAt.getTime() <= 3 * deps.intervalMs;
  const movedHere = recent && previous.outcome === "applied" && previous.action === "move";
  const reward = migrationReward(observation, movedHere);
  if (recent) {
    const state = storedFeatures(previous.state, features.length);
    const slot = storedSlot(previous.state);
    if (state)
      await agent.remember({
        state,
        action: movedHere && slot !== null ? slot : MIGRATION_STAY,
        reward,
        nextState: features,
        done: false,
      });
  }

  const action = agent.dqn.act(features, { allowed: allowedMigrationActions(observation) });
  const target = migrationActionTarget(observation, action);
  const state = {
    ...observed.observation,
    cpuMillicoresPerPod: finiteOrNull(observed.observation.cpuMillicoresPerPod),
    memoryMiBPerPod: finiteOrNull(observed.observation.memoryMiBPerPod),
    latencyP95Ms: finiteOrNull(observed.observation.latencyP95Ms),
    requestRate: finiteOrNull(observed.observation.requestRate),
    currentCluster: instance.cluster.name,
    currentMeetsTargets: selection.currentMeetsTargets,
    clusters: migrationSlots(observation).filter((c) => c !== null),
    slot: action,
    features: Array.from(features),
  } as unknown as Prisma.InputJsonObject;
  const base = {
    instanceId: instance.id,
    agent: "migration" as const,
    decidedAt: now,
    state,
    action: target === null ? "stay" : "move",
    targetCluster: target,
    reward,
    modelVersion: agent.version,
    epsilon: agent.dqn.epsilon,
  };
  if (target === null) {
    await db.$transaction(async (tx) => {
      await assertLeaderFence(tx, deps.fence);
      await tx.cfdrlDecision.create({ data: { ...base, outcome: "applied", resolvedAt: now } });
    });
    log.debug({ reward }, `CFDRL migration agent: stay on ${instance.cluster.name}`);
    return "decided";
  }
  const outcome = await db.$transaction(async (tx) => {
    await assertLeaderFence(tx, deps.fence);
    const decision = await tx.cfdrlDecision.create({
      data: { ...base, outcome: "pending", inFlightInstanceId: instance.id },
      select: { id: true },
    });
    const started = await startMigration(tx, {
      instanceId: instance.id,
      sourceCluster: instance.cluster.name,
      targetCluster: target,
      intentId: null,
      actor: CFDRL_ACTOR,
      trigger: "started by CFDRL",
      cause: { kind: "cfdrl", decisionId: decision.id.toString(), modelVersion: agent.version },
    });
    if (!started.ok) {
      await tx.cfdrlDecision.update({
        where: { id: decision.id },
        data: {
          outcome: "dropped",
          outcomeReason: started.conflict,
          inFlightInstanceId: null,
          resolvedAt: now,
        },
      });
      return { moved: false as const, reason: started.conflict, decision: decision.id };
    }
    await tx.cfdrlDecision.update({
      where: { id: decision.id },
      data: { migrationId: started.migration.id },
    });
    return { moved: true as const, migration: started.migration.id, decision: decision.id };
  });
  if (!outcome.moved) {
    log.info({ target, reason: outcome.reason }, `CFDRL move to ${target} dropped: ${outcome.reason}`);
    return "decided";
  }
  log.info(
    { target, migration: outcome.migration, decision: outcome.decision.toString(), reward },
    `CFDRL started a migration ${instance.cluster.name} → ${target}`,
  );
  return "moved";
}

const finiteOrNull = (v: number) => (Number.isFinite(v) ? v : null);

function storedObject(state: Prisma.JsonValue): Record<string, unknown> | null {
  return typeof state === "object" && state !== null && !Array.isArray(state) ? state : null;
}

function storedFeatures(state: Prisma.JsonValue, size: number): Float32Array | null {
  const features = storedObject(state)?.features;
  return Array.isArray(features) && features.length === size && features.every((v) => typeof v === "number")
    ? Float32Array.from(features)
    : null;
}

function storedSlot(state: Prisma.JsonValue): number | null {
  const slot = storedObject(state)?.slot;
  return typeof slot === "number" && Number.isInteger(slot) && slot >= 0 && slot <= MIGRATION_ACTIONS - 1
    ? slot
    : null;
}
