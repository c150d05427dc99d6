/**
 * The CFDRL live loop (the `cfdrl` worker's leader, every CFDRL_PERIOD_MS):
 * for every DEPLOYED instance with scaling and / or migration enabled it
 * reads the load through the cluster driver, builds the observation, stores
 * the transition that led there (previous state, the action that took
 * effect, reward, state) in the persisted replay buffer, picks the next
 * action epsilon-greedily and records it in `cfdrl_decisions` — a scale
 * goes to the MO on `cfdrl_mo_hs` through the outbox in the same
 * transaction, a move starts a migration through the migration protocol,
 * a keep / stay is recorded as applied without a message. Between decisions
 * each agent trains (CFDRL_TRAIN_STEPS batch updates) and a model version is
 * saved every CFDRL_SAVE_EVERY_STEPS steps.
 *
 * At most one action per instance is in flight: a decision waiting for the
 * MO (or a migration it started) holds `in_flight_instance_id`, a unique
 * column, and the instance is skipped until it resolves (the reply, the
 * migration's end, or CFDRL_REPLY_TIMEOUT_MS). Every write of a tick checks
 * the leader's fence, so a replica that lost leadership acts on nothing.
 */
import { randomUUID } from "node:crypto";
import type { CfdrlAgentKind, Prisma } from "@/generated/prisma/client";
import { systemClock, type Clock } from "@/common/clock";
import { enqueueOutbox, messages, type TransactionClient } from "@/server/bus";
import { type DriverFactory, type InstanceLoadSample, type StoredCluster } from "@/server/clusters";
import { assertLeaderFence, StaleLeaderError, type Db, type LeaderFence } from "@/server/db";
import type { Logger } from "@/server/logger";
import { budgetExhausted } from "./budget";
import { scalingDqnConfig } from "./dqn";
import { loadLiveAgent, type LiveAgent, type LiveAgentOptions } from "./live-agent";
import { decideMigration, resolveMigrationDecisions } from "./migration-loop";
import { migrationDqnConfig } from "./migration-model";
import {
  allowedScalingActions,
  applyScalingAction,
  DEFAULT_REWARD_WEIGHTS,
  SCALING_ACTIONS,
  scalingActionIndex,
  scalingFeatures,
  scalingObservationSchema,
  scalingReward,
  type RewardWeights,
  type ScalingAction,
  type ScalingObservation,
} from "./model";
import { observeInstance } from "./observe";

export interface CfdrlLoopOptions {
  db: Db;
  log: Logger;
  clock?: Clock;
  driverFactory?: DriverFactory;
  /** The decision period (CFDRL_PERIOD_MS): a previous decision older than 3 periods starts no transition. */
  periodMs: number;
  /** The migration agent decides for an instance every this many periods (CFDRL_MIGRATION_EVERY_PERIODS, default 10). */
  migrationEveryPeriods?: number;
  /** Batch updates per agent per tick (CFDRL_TRAIN_STEPS). */
  trainSteps: number;
  /** A model version every this many training steps (CFDRL_SAVE_EVERY_STEPS). */
  saveEverySteps: number;
  /** A pending decision older than this is failed (CFDRL_REPLY_TIMEOUT_MS). */
  replyTimeoutMs: number;
  rewardWeights?: RewardWeights;
  /** DQN overrides (tests: a seed, a small batch). */
  agents?: Partial<Record<CfdrlAgentKind, LiveAgentOptions>>;
}

export interface TickSummary {
  instances: number;
  decisions: number;
  sent: number;
  migrations: number;
  skipped: number;
  timedOut: number;
  trained: Partial<
    Record<CfdrlAgentKind, { steps: number; loss: number | null; savedVersion: number | null }>
  >;
}

/** What the loop reads of an enabled instance. */
export interface LoopInstance {
  id: string;
  releaseName: string;
  namespace: string;
  ownerId: string;
  workloadId: number;
  placement: Prisma.JsonValue;
  cluster: StoredCluster & { id: string };
  settings: { scalingEnabled: boolean; migrationEnabled: boolean; minReplicas: number; maxReplicas: number };
}

/** What the scaling decision rows keep as `state`: the observation, its features and what was not measured. */
export interface StoredScalingState extends Record<string, unknown> {
  replicas: number;
  minReplicas: number;
  maxReplicas: number;
  cpuMillicoresPerPod: number | null;
  cpuTargetMillicores: number;
  memoryMiBPerPod: number | null;
  memoryTargetMiB: number;
  latencyP95Ms: number | null;
  latencySloMs: number;
  requestRate: number | null;
  readyReplicas: number;
  unavailable: string[];
  features: number[];
}

const nullable = (v: number) => (Number.isFinite(v) ? v : null);

function storedState(
  o: ScalingObservation,
  sample: InstanceLoadSample,
  features: Float32Array,
): StoredScalingState {
  return {
    replicas: o.replicas,
    minReplicas: o.minReplicas,
    maxReplicas: o.maxReplicas,
    cpuMillicoresPerPod: nullable(o.cpuMillicoresPerPod),
    cpuTargetMillicores: o.cpuTargetMillicores,
    memoryMiBPerPod: nullable(o.memoryMiBPerPod),
    memoryTargetMiB: o.memoryTargetMiB,
    latencyP95Ms: nullable(o.latencyP95Ms),
    latencySloMs: o.latencySloMs,
    requestRate: nullable(o.requestRate),
    readyReplicas: sample.readyReplicas,
    unavailable: [...sample.unavailable],
    features: Array.from(features),
  };
}

/** The features a stored decision acted on (recomputed from its observation for rows without them). */
export function featuresOfStoredState(state: Prisma.JsonValue, inputSize: number): Float32Array | null {
  if (typeof state !== "object" || state === null || Array.isArray(state)) return null;
  const features = (state as Record<string, unknown>).features;
  if (
    Array.isArray(features) &&
    features.length === inputSize &&
    features.every((v) => typeof v === "number" && Number.isFinite(v))
  )
    return Float32Array.from(features as number[]);
  // Unmeasured values are stored as null and observed as NaN (the schema wants finite numbers: checked as 0).
  const o = state as Record<string, unknown>;
  const measured = (v: unknown) => (v === null ? 0 : v);
  const parsed = scalingObservationSchema.safeParse({
    ...o,
    cpuMillicoresPerPod: measured(o.cpuMillicoresPerPod),
    memoryMiBPerPod: measured(o.memoryMiBPerPod),
    latencyP95Ms: measured(o.latencyP95Ms),
    requestRate: measured(o.requestRate),
  });
  if (!parsed.success) return null;
  const nan = (v: unknown, parsedValue: number) => (v === null ? Number.NaN : parsedValue);
  return scalingFeatures({
    ...parsed.data,
    cpuMillicoresPerPod: nan(o.cpuMillicoresPerPod, parsed.data.cpuMillicoresPerPod),
    memoryMiBPerPod: nan(o.memoryMiBPerPod, parsed.data.memoryMiBPerPod),
    latencyP95Ms: nan(o.latencyP95Ms, parsed.data.latencyP95Ms),
    requestRate: nan(o.requestRate, parsed.data.requestRate),
  });
}

/**
 * The action that took effect: the decided one when the MO applied it, a
 * keep when it was dropped or failed (the replicas did not change).
 */
export function effectiveAction(
  decision: { action: string; outcome: string },
  keep: number,
  index: (a: string) => number,
): number {
  if (decision.outcome !== "applied") return keep;
  const i = index(decision.action);
  return i >= 0 ? i : keep;
}

export class CfdrlLoop {
  private readonly agents = new Map<CfdrlAgentKind, LiveAgent>();
  private readonly clock: Clock;
  private readonly weights: RewardWeights;

  constructor(private readonly options: CfdrlLoopOptions) {
    this.clock = options.clock ?? systemClock;
    this.weights = options.rewardWeights ?? DEFAULT_REWARD_WEIGHTS;
  }

  /**
   * The agent, loaded from its active model version and the persisted buffer;
   * loaded again when another version became active meanwhile (a rollback,
   * or another replica that led in between).
   */
  async agent(kind: CfdrlAgentKind): Promise<LiveAgent> {
    const held = this.agents.get(kind);
    if (held && !(await held.isStale())) return held;
    const loaded = await loadLiveAgent(this.options.db, kind, {
      log: this.options.log,
      config: kind === "scaling" ? scalingDqnConfig : migrationDqnConfig,
      ...this.options.agents?.[kind],
    });
    this.agents.set(kind, loaded);
    return loaded;
  }

  /** Forgets the in-memory agents (a restart, or a new term: the next tick loads them from the database). */
  reset(): void {
    this.agents.clear();
  }

  /** One period's work. */
  async tick(signal: AbortSignal, fence?: LeaderFence): Promise<TickSummary> {
    const { db, log } = this.options;
    const now = new Date(this.clock());
    const summary: TickSummary = {
      instances: 0,
      decisions: 0,
      sent: 0,
      migrations: 0,
      skipped: 0,
      timedOut: 0,
      trained: {},
    };
    summary.timedOut = await this.expirePending(now, fence);
    await resolveMigrationDecisions(db, { log, now, fence });

    const instances = await enabledInstances(db);
    summary.instances = instances.length;
    for (const instance of instances) {
      if (signal.aborted) break;
      const ilog = log.child({
        instance: instance.id,
        release: instance.releaseName,
        cluster: instance.cluster.name,
      });
      try {
        if (instance.settings.migrationEnabled) {
          const moved = await decideMigration(
            {
              db,
              log: ilog,
              now,
              agent: await this.agent("migration"),
              intervalMs: this.options.periodMs * (this.options.migrationEveryPeriods ?? 10),
              ...(this.options.driverFactory && { driverFactory: this.options.driverFactory }),
              ...(fence && { fence }),
            },
            instance,
          );
          if (moved === "decided" || moved === "moved") summary.decisions += 1;
          if (moved === "moved") {
            summary.migrations += 1;
            continue;
          }
        }
        if (instance.settings.scalingEnabled) {
          const outcome = await this.decideScaling(instance, now, ilog, fence);
          if (outcome === "skipped") summary.skipped += 1;
          else summary.decisions += 1;
          if (outcome === "sent") summary.sent += 1;
        }
      } catch (error) {
        if (error instanceof StaleLeaderError) throw error;
        ilog.warn({ err: error }, "CFDRL decision failed for this instance; next period tries again");
      }
    }
    for (const kind of ["scaling", "migration"] as const) {
      if (signal.aborted) break;
      const held = this.agents.get(kind);
      if (!held) continue;
      summary.trained[kind] = await held.trainAndSave(
        this.options.trainSteps,
        this.options.saveEverySteps,
        fence,
      );
    }
    return summary;
  }

  /** Pending decisions the MO never answered become failed, freeing their instance. */
  private async expirePending(now: Date, fence?: LeaderFence): Promise<number> {
    const cutoff = new Date(now.getTime() - this.options.replyTimeoutMs);
    const reason = `no reply from the MO within ${Math.round(this.options.replyTimeoutMs / 1000)} s`;
    return this.options.db.$transaction(async (tx) => {
      await assertLeaderFence(tx, fence);
      const { count } = await tx.cfdrlDecision.updateMany({
        where: { outcome: "pending", agent: "scaling", decidedAt: { lt: cutoff } },
        data: { outcome: "failed", outcomeReason: reason, inFlightInstanceId: null, resolvedAt: now },
      });
      if (count > 0) this.options.log.warn({ count }, `CFDRL decisions failed: ${reason}`);
      return count;
    });
  }

  /** One scaling decision for one instance: "sent" to the MO, "recorded" (keep / dropped), or "skipped". */
  async decideScaling(
    instance: LoopInstance,
    now: Date,
    log: Logger,
    fence?: LeaderFence,
  ): Promise<"sent" | "recorded" | "skipped"> {
    const { db } = this.options;
    const inFlight = await db.cfdrlDecision.findUnique({
      where: { inFlightInstanceId: instance.id },
      select: { id: true, agent: true },
    });
    if (inFlight) {
      log.debug(
        { decision: inFlight.id.toString(), agent: inFlight.agent },
        "a CFDRL action is in flight: no decision",
      );
      return "skipped";
    }
    const agent = await this.agent("scaling");
    const observed = await observeInstance(db, instance, now, log, this.options.driverFactory);
    if (!observed) return "skipped";
    const { sample, observation } = observed;
    const features = scalingFeatures(observation);
    const reward = scalingReward(observation, this.weights);

    // The transition that led here: the previous decision's state, the action that took effect, this reward.
    const previous = await db.cfdrlDecision.findFirst({
      where: { instanceId: instance.id, agent: "scaling" },
      orderBy: [{ decidedAt: "desc" }, { id: "desc" }],
      select: { state: true, action: true, outcome: true, decidedAt: true },
    });
    if (
      previous &&
      previous.outcome !== "pending" &&
      now.getTime() - previous.decidedAt.getTime() <= 3 * this.options.periodMs
    ) {
      const state = featuresOfStoredState(previous.state, features.length);
      if (state) {
        const keep = scalingActionIndex("keep");
        await agent.remember({
          state,
          action: effectiveAction(previous, keep, (a) => SCALING_ACTIONS.indexOf(a as ScalingAction)),
          reward,
          nextState: features,
          done: false,
        });
      }
    }

    const actionIndex = agent.dqn.act(features, { allowed: allowedScalingActions(observation) });
    const action = SCALING_ACTIONS[actionIndex] ?? "keep";
    const toReplicas = applyScalingAction(observation, action);
    const base = {
      instanceId: instance.id,
      agent: "scaling" as const,
      decidedAt: now,
      state: storedState(observation, sample, features) as Prisma.InputJsonObject,
      action,
      fromReplicas: observation.replicas,
      toReplicas,
      reward,
      modelVersion: agent.version,
      epsilon: agent.dqn.epsilon,
    };
    const budgetHit = toReplicas > observation.replicas && (await budgetExhausted(db, instance, now));
    try {
      return await db.$transaction(async (tx) => {
        await assertLeaderFence(tx, fence);
        const gone = await sendTimeDropReason(tx, instance);
        if (gone !== null || budgetHit || toReplicas === observation.replicas) {
          const reason = gone ?? (budgetHit ? "budget exhausted" : null);
          await tx.cfdrlDecision.create({
            data: {
              ...base,
              outcome: reason === null ? "applied" : "dropped",
              outcomeReason: reason,
              resolvedAt: now,
            },
          });
          if (reason !== null) log.info({ action, reason }, `CFDRL ${action} dropped: ${reason}`);
          else log.debug({ action, replicas: toReplicas }, "CFDRL keeps the replicas");
          return "recorded" as const;
        }
        const messageId = randomUUID();
        const decision = await tx.cfdrlDecision.create({
          data: { ...base, outcome: "pending", messageId, inFlightInstanceId: instance.id },
          select: { id: true },
        });
        await enqueueOutbox(
          tx,
          messages.cfdrlScalingDecision,
          {
            cluster_name: instance.cluster.name,
            workload_id: instance.id,
            number_replicas: toReplicas,
            action,
            decision_id: decision.id.toString(),
          },
          { messageId },
        );
        log.info(
          { decision: decision.id.toString(), action, from: observation.replicas, to: toReplicas, reward },
          `CFDRL ${action}: ${observation.replicas} → ${toReplicas} replicas sent to the MO`,
        );
        return "sent" as const;
      });
    } catch (error) {
      // Another decision took the in-flight slot meanwhile (a second leader would be fenced first).
      if (error instanceof Error && "code" in error && error.code === "P2002") return "skipped";
      throw error;
    }
  }
}

/**
 * Why a decision cannot be sent now (instance deleted, not DEPLOYED,
 * mid-migration, moved off the cluster it was observed on), read under a
 * share lock so a migration cannot start between the check and the commit;
 * null when it can.
 */
export async function sendTimeDropReason(
  tx: TransactionClient,
  instance: { id: string; cluster: { id: string; name: string } },
): Promise<string | null> {
  const rows = await tx.$queryRaw<Array<{ status: string; cluster_id: string | null }>>`
    SELECT status::text AS status, cluster_id::text AS cluster_id FROM workload_instances
    WHERE id = ${instance.id}::uuid FOR SHARE`;
  const row = rows[0];
  if (!row || row.status === "DELETED" || row.status === "DELETING") return "instance deleted";
  const active = await tx.migration.findUnique({
    where: { activeInstanceId: instance.id },
    select: { id: true },
  });
  if (row.status === "MIGRATING" || active) return "instance is mid-migration";
  if (row.status !== "DEPLOYED") return `instance is ${row.status}`;
  if (row.cluster_id !== instance.cluster.id) return "instance migrated to another cluster";
  return null;
}

/** DEPLOYED instances with scaling or migration enabled, oldest first. */
export async function enabledInstances(db: Db): Promise<LoopInstance[]> {
  const rows = await db.instanceCfdrlSettings.findMany({
    where: {
      OR: [{ scalingEnabled: true }, { migrationEnabled: true }],
      instance: { status: "DEPLOYED", clusterId: { not: null } },
    },
    select: {
      scalingEnabled: true,
      migrationEnabled: true,
      minReplicas: true,
      maxReplicas: true,
      instance: {
        select: {
          id: true,
          releaseName: true,
          namespace: true,
          ownerId: true,
          workloadId: true,
          placement: true,
          createdAt: true,
          cluster: true,
        },
      },
    },
  });
  return rows
    .filter((r) => r.instance.cluster !== null)
    .sort((a, b) => a.instance.createdAt.getTime() - b.instance.createdAt.getTime())
    .map((r) => ({
      id: r.instance.id,
      releaseName: r.instance.releaseName,
      namespace: r.instance.namespace,
      ownerId: r.instance.ownerId,
      workloadId: r.instance.workloadId,
      placement: r.instance.placement,
      cluster: r.instance.cluster!,
      settings: {
        scalingEnabled: r.scalingEnabled,
        migrationEnabled: r.migrationEnabled,
        minReplicas: r.minReplicas,
        maxReplicas: r.maxReplicas,
      },
    }));
}
