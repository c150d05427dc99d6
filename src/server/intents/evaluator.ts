import { performance } from "node:perf_hooks";
import { z } from "zod";
import type { Cluster } from "@/generated/prisma/client";
import { InstanceStatus } from "@/generated/prisma/enums";
import { enqueueOutbox, messages, outboxRow } from "@/server/bus";
import { driverFor, sharedDriverFactory, type ClusterDriver, type DriverFactory } from "@/server/clusters";
import { poolOf, type Db } from "@/server/db";
import { clusterCandidates } from "@/server/clusters";
import type { Logger } from "@/server/logger";
import { notifyIntentViolations } from "@/server/notifications";
import {
  createEvaluator,
  fulfilmentTransition,
  measurementOf,
  needsClusterUsage,
  needsInstanceUsage,
  readIntent,
  type EvaluationCluster,
  type EvaluationSubject,
  type Evaluator,
  type InstanceStatusName,
  type Selectivity,
  type StoredTarget,
  type UsageReading,
} from "./evaluation";
import {
  readScheduleDetails,
  selectDueSchedules,
  storeEvaluations,
  type EvaluationResult,
  type ScheduleDetail,
} from "./evaluation-store";
import { recordReport } from "./record-report";
import type { FulfilmentStatusName } from "./report";

/**
 * The intent evaluator's cycle: every active intent whose
 * observation period has come round is evaluated and gets a report; an
 * intent that turns violated is announced on `nemo.api.workload` /
 * `intent-notify` (Action "violated") in the transaction that stores its report.
 *
 * Built for 100,000 intents a cycle. It works on `intent_schedules`, the
 * narrow view of `intents` a database trigger keeps in step (a row of about a
 * hundred bytes instead of the intent's kilobyte of body): the due
 * schedules are read as one text, what the evaluator needs of an intent
 * (instance, type, targets) is read only for revisions it has not seen (and
 * kept in a cache across cycles), each cluster is asked for the usage of all
 * its instances at once, the judgement is pure (`evaluation.ts`), and each
 * batch of results is stored by one transaction (`evaluation-store.ts`:
 * conditional schedule update, reports by COPY, announcements), a couple of
 * batches in flight while the next is judged.
 *
 * Concurrency: reading takes no locks. A result is stored only if the
 * intent's schedule is still due, still active, at the revision read (every
 * change of the intent bumps it) and still remembers the fulfilment read;
 * otherwise that result is dropped (no report, no notification) and, still
 * due, the intent is simply evaluated again by the next cycle. So two
 * evaluators (the worker is leader-elected, but leadership can change
 * mid-cycle) never report an intent twice for one period nor announce one
 * violation twice, and an evaluation of a target that was changed meanwhile
 * is never stored. A crash before a batch commits leaves its intents due.
 *
 * An intent whose instance is DELETED gets a TERMINATED report and is then
 * deactivated and marked deleted: there is nothing left to evaluate.
 *
 * Notifications are published by whichever process runs the outbox relay
 * (the orchestrator always does; the evaluator worker runs one too).
 */

export interface EvaluationCycleOptions {
  db: Db;
  log: Logger;
  /** The cycle's clock (tests move it to reach the next observation period). */
  now?: Date;
  /** Most intents taken in one cycle (the rest stay due for the next). */
  limit?: number;
  /** Results stored per transaction. */
  batchSize?: number;
  /** Batches stored at once (default 2: the database stores them while the next is judged). */
  writeConcurrency?: number;
  driverFactory?: DriverFactory;
  /** What was read of intents in earlier cycles; the worker keeps one for its lifetime. */
  cache?: EvaluationCache;
}

export interface EvaluationCycleResult {
  evaluated: number;
  fulfilled: number;
  notFulfilled: number;
  notified: number;
  /** Intents ended because their instance was deleted. */
  terminated: number;
  /** Results dropped because the intent changed (or another evaluator stored it) while it was evaluated. */
  skipped: number;
  durationMs: number;
  /** Where the time went: due intents, their instances, cluster reads, judging, waiting for writes. */
  phasesMs: { select: number; load: number; measure: number; judge: number; write: number };
}

const DEFAULT_LIMIT = 200_000;
const DEFAULT_BATCH_SIZE = 5_000;
const DEFAULT_WRITE_CONCURRENCY = 2;

/** Instances whose targets are measured (a migrating one still runs on its source cluster). */
const RUNNING: ReadonlySet<InstanceStatusName> = new Set(["DEPLOYED", "MIGRATING"]);

// ---------------------------------------------------------------------------
// What the evaluator knows of an intent, kept across cycles

/** What the evaluator needs of one revision of an intent. */
interface ReadIntent {
  revision: number;
  instanceId: string;
  intentType: string;
  targets: StoredTarget[];
  contextSelectivity: Selectivity;
  needs: Needs;
}

/** What the intents of one instance need measured. */
interface Needs {
  instanceUsage: boolean;
  clusterUsage: boolean;
}

/** Intents already read, by id, at the revision read; bounded (cleared when it outgrows `maxEntries`). */
export class EvaluationCache {
  readonly entries = new Map<string, ReadIntent>();
  constructor(readonly maxEntries = 1_000_000) {}
}

export function createEvaluationCache(maxEntries?: number): EvaluationCache {
  return new EvaluationCache(maxEntries);
}

function needsOf(targets: readonly StoredTarget[]): Needs {
  const needs: Needs = { instanceUsage: false, clusterUsage: false };
  for (const target of targets) {
    const measurement = measurementOf(target.targetName, target.targetValue);
    needs.instanceUsage ||= needsInstanceUsage(measurement);
    needs.clusterUsage ||= needsClusterUsage(measurement);
  }
  return needs;
}

// ---------------------------------------------------------------------------
// Reading

/** A due intent with what was read of it (null: it vanished between the two reads). */
interface DueIntent {
  intentId: string;
  revision: number;
  lastFulfilment: FulfilmentStatusName | null;
  read: ReadIntent | null;
}

function readDetail(detail: ScheduleDetail): ReadIntent {
  const { targets, contextSelectivity } = readIntent(detail.expectationTargets, detail.contextSelectivity);
  return {
    revision: detail.revision,
    instanceId: detail.instanceId,
    intentType: detail.intentType,
    targets,
    contextSelectivity,
    needs: needsOf(targets),
  };
}

/**
 * The due intents, each with what the evaluator needs of it: from the cache
 * when it holds the intent at its current revision, otherwise read (with the
 * due intents themselves when the cache is empty) and cached.
 */
async function readDueIntents(
  db: Db,
  now: Date,
  limit: number,
  cache: EvaluationCache,
): Promise<DueIntent[]> {
  const pool = poolOf(db);
  const due = await selectDueSchedules(pool, now, limit, cache.entries.size === 0);
  const intents: DueIntent[] = [];
  const missing = new Map<string, DueIntent>();
  for (const schedule of due) {
    let read: ReadIntent | null = null;
    if (schedule.detail) read = readDetail(schedule.detail);
    else {
      const cached = cache.entries.get(schedule.intentId);
      if (cached?.revision === schedule.revision) read = cached;
    }
    const intent: DueIntent = {
      intentId: schedule.intentId,
      revision: schedule.revision,
      lastFulfilment: schedule.lastFulfilment,
      read,
    };
    if (!read) missing.set(intent.intentId, intent);
    intents.push(intent);
  }
  for (const detail of await readScheduleDetails(pool, [...missing.keys()])) {
    const intent = missing.get(detail.intentId);
    if (!intent) continue;
    // The revision evaluated is the one read with the targets: the write checks that one.
    intent.revision = detail.revision;
    intent.read = readDetail(detail);
  }
  if (cache.entries.size + intents.length > cache.maxEntries) cache.entries.clear();
  for (const intent of intents) if (intent.read) cache.entries.set(intent.intentId, intent.read);
  return intents;
}

/** One aggregated JSON text: thousands of rows cost one parse instead of thousands of row conversions. */
function jsonRows(rows: Array<{ rows: string | null }>): unknown[][] {
  const text = rows[0]?.rows;
  const parsed: unknown = text ? JSON.parse(text) : [];
  if (!Array.isArray(parsed) || !parsed.every(Array.isArray))
    throw new Error("unexpected aggregate from the database");
  return parsed as unknown[][];
}

const instanceRowSchema = z.tuple([
  z.string(),
  z.enum(InstanceStatus),
  z.string().nullable(),
  z.string().nullable(),
  z.string(),
  z.string(),
  z.boolean(),
]);

interface InstanceRow {
  id: string;
  status: InstanceStatusName;
  statusReason: string | null;
  clusterId: string | null;
  namespace: string;
  label: string;
  migrating: boolean;
}

async function loadInstances(db: Db, ids: readonly string[]): Promise<Map<string, InstanceRow>> {
  const rows = jsonRows(
    await db.$queryRaw<Array<{ rows: string | null }>>`
      SELECT json_agg(json_build_array(w.id, w.status, w.status_reason, w.cluster_id, w.namespace,
                                       w.release_name || '-' || w.short_id,
                                       EXISTS (SELECT 1 FROM migrations m WHERE m.active_instance_id = w.id)))::text AS rows
      FROM workload_instances w WHERE w.id = ANY(${ids}::uuid[])`,
  );
  const instances = new Map<string, InstanceRow>();
  for (const row of rows) {
    const [id, status, statusReason, clusterId, namespace, label, migrating] = instanceRowSchema.parse(row);
    instances.set(id, {
      id,
      status,
      statusReason,
      clusterId,
      namespace,
      label,
      migrating,
    });
  }
  return instances;
}

interface Measurements {
  clusters: EvaluationCluster[];
  clusterNames: Map<string, string>;
  /** Keyed by `${clusterId}/${namespace}`. */
  usage: Map<string, UsageReading>;
}

function usageKey(clusterId: string, namespace: string): string {
  return `${clusterId}/${namespace}`;
}

/**
 * Reads the registered clusters and, from each cluster that runs instances
 * needing it, their usage in one driver call (and the cluster's own usage
 * sample when an energy-efficiency target needs it). A cluster that cannot be
 * read leaves its instances' usage targets unmeasured, with the reason.
 */
async function measure(
  db: Db,
  log: Logger,
  wanted: ReadonlyMap<string, { namespaces: Set<string>; clusterUsage: boolean }>,
  factory: DriverFactory,
): Promise<Measurements> {
  const [rows, candidates] = await Promise.all([
    db.cluster.findMany({ where: { status: { not: "DEREGISTERED" } } }),
    clusterCandidates(db),
  ]);
  const rowById = new Map<string, Cluster>(rows.map((row) => [row.id, row]));
  const usage = new Map<string, UsageReading>();
  const cpuInUse = new Map<string, number>();

  await Promise.all(
    [...wanted].map(async ([clusterId, want]) => {
      const row = rowById.get(clusterId);
      if (!row) return; // deregistered meanwhile: the evaluation says the cluster is not registered
      const clusterLog = log.child({ cluster: row.name });
      const unmeasured = (reason: string): void => {
        for (const namespace of want.namespaces)
          usage.set(usageKey(clusterId, namespace), { ok: false, reason });
      };
      let driver: ClusterDriver;
      try {
        driver = driverFor(db, row, factory);
      } catch (error) {
        clusterLog.warn({ err: error }, "cannot reach cluster for intent evaluation");
        unmeasured(`cluster ${row.name} cannot be reached: ${(error as Error).message}`);
        return;
      }
      const [instances, sample] = await Promise.allSettled([
        want.namespaces.size > 0 ? driver.instancesUsage([...want.namespaces]) : Promise.resolve(null),
        want.clusterUsage ? driver.usage() : Promise.resolve(null),
      ]);
      if (instances.status === "rejected") {
        clusterLog.warn({ err: instances.reason }, "instance usage unreadable: usage targets unmeasured");
        unmeasured(`cluster ${row.name} did not report usage: ${(instances.reason as Error).message}`);
      } else if (instances.value) {
        for (const u of instances.value.usages)
          usage.set(usageKey(clusterId, u.namespace), {
            ok: true,
            cpuMillicores: u.cpuMillicores,
            memoryMiB: u.memoryMiB,
            diskMiB: u.diskMiB,
          });
        for (const f of instances.value.failures)
          usage.set(usageKey(clusterId, f.namespace), {
            ok: false,
            reason: `cluster ${row.name}: ${f.error.message}`,
          });
      }
      if (sample.status === "rejected")
        clusterLog.warn({ err: sample.reason }, "cluster usage unreadable: efficiency targets unmeasured");
      else if (sample.value) cpuInUse.set(clusterId, sample.value.cpu_usage);
    }),
  );

  const clusters = candidates.map((candidate): EvaluationCluster => ({
    candidate,
    storageGb: rowById.get(candidate.id)?.storageGb ?? 0,
    cpuInUseMillicores: cpuInUse.get(candidate.id) ?? null,
  }));
  return { clusters, clusterNames: new Map(rows.map((r) => [r.id, r.name])), usage };
}

// ---------------------------------------------------------------------------
// Judging

/** An instance with what every one of its intents is judged against, worked out once per cycle. */
interface PreparedInstance {
  id: string;
  subject: EvaluationSubject["instance"];
  usage: UsageReading | null;
  cluster: string | null;
}

function prepareInstance(instance: InstanceRow, measurements: Measurements): PreparedInstance {
  const { clusterId } = instance;
  return {
    id: instance.id,
    subject: {
      id: instance.id,
      label: instance.label,
      status: instance.status,
      statusReason: instance.statusReason,
      clusterId,
      migrationInFlight: instance.migrating,
    },
    usage:
      clusterId === null ? null : (measurements.usage.get(usageKey(clusterId, instance.namespace)) ?? null),
    cluster: clusterId === null ? null : (measurements.clusterNames.get(clusterId) ?? null),
  };
}

/** A result with what its log line names. */
interface Judged extends EvaluationResult {
  instanceId: string;
  cluster: string | null;
}

function judge(
  evaluator: Evaluator,
  intent: DueIntent & { read: ReadIntent },
  instance: PreparedInstance,
): Judged {
  const report = evaluator.evaluate({
    intentType: intent.read.intentType,
    body: null,
    targets: intent.read.targets,
    contextSelectivity: intent.read.contextSelectivity,
    instance: instance.subject,
    usage: instance.usage,
  });
  const transition = fulfilmentTransition(intent.lastFulfilment, report);
  return {
    intentId: intent.intentId,
    revision: intent.revision,
    previous: intent.lastFulfilment,
    next: transition.lastFulfilment,
    report,
    terminate: report.notFulfilledState === "TERMINATED",
    // Built (and checked against the message schema) here; written only if the result is stored.
    notification: transition.notify
      ? outboxRow(messages.intentNotify, {
          Type: "intent",
          IntentID: intent.intentId,
          WorkloadID: instance.id,
          Action: "violated",
        })
      : null,
    instanceId: instance.id,
    cluster: instance.cluster,
  };
}

// ---------------------------------------------------------------------------
// The cycle

function emptyResult(started: number): EvaluationCycleResult {
  return {
    evaluated: 0,
    fulfilled: 0,
    notFulfilled: 0,
    notified: 0,
    terminated: 0,
    skipped: 0,
    durationMs: Date.now() - started,
    phasesMs: { select: 0, load: 0, measure: 0, judge: 0, write: 0 },
  };
}

/** Milliseconds since the last call. */
function stopwatch(): () => number {
  let mark = performance.now();
  return () => {
    const at = performance.now();
    const ms = Math.round(at - mark);
    mark = at;
    return ms;
  };
}

/** One evaluation cycle over every due intent; what the evaluator worker runs each tick. */
export async function runEvaluationCycle(options: EvaluationCycleOptions): Promise<EvaluationCycleResult> {
  const started = Date.now();
  const { db } = options;
  const now = options.now ?? new Date();
  const log = options.log.child({ component: "intent-evaluator" });
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const cache = options.cache ?? new EvaluationCache();
  const lap = stopwatch();
  const result = emptyResult(started);

  const intents = await readDueIntents(db, now, options.limit ?? DEFAULT_LIMIT, cache);
  if (intents.length === 0) return result;
  result.phasesMs.select = lap();
  const instanceIds = new Set<string>();
  for (const intent of intents) if (intent.read) instanceIds.add(intent.read.instanceId);
  const instances = await loadInstances(db, [...instanceIds]);

  // What to read from which cluster: one entry per cluster, every namespace that needs usage.
  const wanted = new Map<string, { namespaces: Set<string>; clusterUsage: boolean }>();
  for (const intent of intents) {
    const instance = intent.read && instances.get(intent.read.instanceId);
    if (!intent.read || !instance?.clusterId || !RUNNING.has(instance.status)) continue;
    const { needs } = intent.read;
    if (!needs.instanceUsage && !needs.clusterUsage) continue;
    let entry = wanted.get(instance.clusterId);
    if (!entry) wanted.set(instance.clusterId, (entry = { namespaces: new Set(), clusterUsage: false }));
    if (needs.instanceUsage) entry.namespaces.add(instance.namespace);
    entry.clusterUsage ||= needs.clusterUsage;
  }
  result.phasesMs.load = lap();
  const measurements = await measure(db, log, wanted, options.driverFactory ?? sharedDriverFactory(db));
  const evaluator = createEvaluator(measurements.clusters);
  const prepared = new Map<string, PreparedInstance>();
  for (const instance of instances.values())
    prepared.set(instance.id, prepareInstance(instance, measurements));
  result.phasesMs.measure = lap();

  // Judge batch by batch, keeping a few stores in flight while the next batch is judged.
  const pool = poolOf(db);
  const writes = new Set<Promise<void>>();
  let failure: unknown = null;
  const settle = (batch: readonly Judged[], stored: ReadonlySet<string>): void => {
    for (const e of batch) {
      if (!stored.has(e.intentId)) {
        result.skipped += 1;
        continue;
      }
      result.evaluated += 1;
      if (e.terminate) result.terminated += 1;
      if (!e.notification) continue;
      result.notified += 1;
      log.info(
        {
          intent: e.intentId,
          instance: e.instanceId,
          cluster: e.cluster,
          state: e.report.notFulfilledState,
          reasons: e.report.notFulfilledReasons,
        },
        "intent violated: owner notified",
      );
    }
  };
  let judgeMs = 0;
  let writeWaitMs = 0;
  for (let offset = 0; offset < intents.length && failure === null; offset += batchSize) {
    const judgeStarted = performance.now();
    const batch: Judged[] = [];
    for (let i = offset; i < Math.min(offset + batchSize, intents.length); i++) {
      const intent = intents[i]!;
      const instance = intent.read && prepared.get(intent.read.instanceId);
      // Nothing read (the intent vanished between the two reads) or no instance: nothing to judge.
      if (!intent.read || !instance) continue;
      const judged = judge(evaluator, intent as DueIntent & { read: ReadIntent }, instance);
      if (judged.report.fulfilmentStatus === "FULFILLED") result.fulfilled += 1;
      else result.notFulfilled += 1;
      batch.push(judged);
    }
    judgeMs += performance.now() - judgeStarted;
    if (batch.length === 0) continue;
    if (writes.size >= (options.writeConcurrency ?? DEFAULT_WRITE_CONCURRENCY)) {
      const waitStarted = performance.now();
      await Promise.race(writes);
      writeWaitMs += performance.now() - waitStarted;
    }
    const write: Promise<void> = storeEvaluations(pool, batch, now)
      .then(
        (stored) => settle(batch, stored),
        (error: unknown) => {
          failure ??= error;
        },
      )
      .finally(() => writes.delete(write));
    writes.add(write);
  }
  const waitStarted = performance.now();
  await Promise.all(writes);
  writeWaitMs += performance.now() - waitStarted;
  // Batches already stored stay stored: their intents are not due any more, the rest are.
  // Rethrown as caught: a store failure is already an Error from the driver or the database.
  // eslint-disable-next-line @typescript-eslint/only-throw-error
  if (failure !== null) throw failure;
  result.phasesMs.judge = Math.round(judgeMs);
  // Stores overlap judging: this is the time spent waiting for the database to take them.
  result.phasesMs.write = Math.round(writeWaitMs);
  result.durationMs = Date.now() - started;
  log.debug({ ...result, due: intents.length }, "intent evaluation cycle");
  return result;
}

// ---------------------------------------------------------------------------
// One intent at a time

export interface EvaluateIntentsOptions extends Omit<
  EvaluationCycleOptions,
  "limit" | "batchSize" | "cache"
> {
  intentIds: readonly string[];
}

/**
 * Evaluates the given intents now, whatever their observation period, one
 * query, one driver read and one transaction per intent (suspended, deleted
 * or out-of-window intents are skipped). For a single intent after a change;
 * the benchmark uses it as the baseline the batched cycle is measured against.
 */
export async function evaluateIntentsOnce(options: EvaluateIntentsOptions): Promise<EvaluationCycleResult> {
  const started = Date.now();
  const { db } = options;
  const now = options.now ?? new Date();
  const log = options.log.child({ component: "intent-evaluator" });
  const factory = options.driverFactory ?? sharedDriverFactory(db);
  const result = emptyResult(started);
  const [rows, candidates] = await Promise.all([
    db.cluster.findMany({ where: { status: { not: "DEREGISTERED" } } }),
    clusterCandidates(db),
  ]);
  const rowById = new Map(rows.map((row) => [row.id, row]));

  for (const id of options.intentIds) {
    const intent = await db.intent.findFirst({
      where: {
        id,
        adminState: "ACTIVATED",
        deletedAt: null,
        AND: [
          { OR: [{ validFrom: null }, { validFrom: { lte: now } }] },
          { OR: [{ validUntil: null }, { validUntil: { gt: now } }] },
        ],
      },
      include: {
        instance: {
          include: { migrations: { where: { activeInstanceId: { not: null } }, select: { id: true } } },
        },
        schedule: { select: { lastFulfilment: true } },
      },
    });
    if (!intent) continue;
    const { instance } = intent;
    const lastFulfilment = intent.schedule?.lastFulfilment ?? null;
    const row = instance.clusterId ? rowById.get(instance.clusterId) : undefined;
    // The whole body, read and interpreted for this one intent: what the cycle avoids.
    const read = readIntent(intent.body, intent.contextSelectivity);
    const needs = needsOf(read.targets);
    let usage: UsageReading | null = null;
    let cpuInUse: number | null = null;
    if (row && RUNNING.has(instance.status)) {
      try {
        const driver = driverFor(db, row, factory);
        if (needs.instanceUsage) {
          const u = await driver.instanceUsage(instance.namespace);
          usage = { ok: true, cpuMillicores: u.cpuMillicores, memoryMiB: u.memoryMiB, diskMiB: u.diskMiB };
        }
        if (needs.clusterUsage) cpuInUse = (await driver.usage()).cpu_usage;
      } catch (error) {
        log
          .child({ intent: intent.id, instance: instance.id, cluster: row.name })
          .warn({ err: error }, "usage unreadable: usage targets unmeasured");
        usage = {
          ok: false,
          reason: `cluster ${row.name} did not report usage: ${(error as Error).message}`,
        };
      }
    }
    const evaluator = createEvaluator(
      candidates.map((candidate) => ({
        candidate,
        storageGb: rowById.get(candidate.id)?.storageGb ?? 0,
        cpuInUseMillicores: candidate.id === instance.clusterId ? cpuInUse : null,
      })),
    );
    const report = evaluator.evaluate({
      intentType: intent.intentType,
      body: null,
      targets: read.targets,
      contextSelectivity: read.contextSelectivity,
      instance: {
        id: instance.id,
        label: `${instance.releaseName}-${instance.shortId}`,
        status: instance.status,
        statusReason: instance.statusReason,
        clusterId: instance.clusterId,
        migrationInFlight: instance.migrations.length > 0,
      },
      usage,
    });
    const transition = fulfilmentTransition(lastFulfilment, report);
    const terminated = report.notFulfilledState === "TERMINATED";
    const notified = await db.$transaction(async (tx) => {
      await recordReport(tx, intent.id, report);
      // Compare-and-set on the fulfilment read, as the cycle does: one notification per violation.
      const moved = await tx.intentSchedule.updateMany({
        where: { intentId: intent.id, lastFulfilment },
        data: {
          lastFulfilment: transition.lastFulfilment,
          nextEvaluationAt: new Date(now.getTime() + intent.observationPeriodS * 1000),
          lastEvaluatedAt: now,
        },
      });
      if (terminated && moved.count > 0)
        await tx.intent.update({
          where: { id: intent.id },
          data: { adminState: "DEACTIVATED", deletedAt: now },
        });
      if (!transition.notify || moved.count === 0) return false;
      await enqueueOutbox(tx, messages.intentNotify, {
        Type: "intent",
        IntentID: intent.id,
        WorkloadID: instance.id,
        Action: "violated",
      });
      // The owner's in-app notification, committed with the report that turned it violated.
      await notifyIntentViolations(
        tx,
        [{ intentId: intent.id, reason: report.notFulfilledReasons[0] ?? "" }],
        now,
      );
      return true;
    });
    result.evaluated += 1;
    if (report.fulfilmentStatus === "FULFILLED") result.fulfilled += 1;
    else result.notFulfilled += 1;
    if (terminated) result.terminated += 1;
    if (notified) {
      result.notified += 1;
      log.info(
        {
          intent: intent.id,
          instance: instance.id,
          cluster: row?.name ?? null,
          state: report.notFulfilledState,
          reasons: report.notFulfilledReasons,
        },
        "intent violated: owner notified",
      );
    }
  }
  result.durationMs = Date.now() - started;
  return result;
}
