import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { z } from "zod";
import type { Cluster } from "@/generated/prisma/client";
import { enqueueOutbox, messages } from "@/server/bus";
import { driverFor, sharedDriverFactory, type ClusterDriver, type DriverFactory } from "@/server/clusters";
import type { Db } from "@/server/db/client";
import { clusterCandidates } from "@/server/instances/placement-input";
import type { Logger } from "@/server/logger";
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
  type FulfilmentTransition,
  type InstanceStatusName,
  type Selectivity,
  type StoredTarget,
  type UsageReading,
} from "./evaluation";
import type { FulfilmentStatusName, IntentReportDraft } from "./report";

/**
 * The intent evaluator's cycle (flow 4): every active intent whose
 * observation period has come round is evaluated and gets a report; an
 * intent that turns violated is announced on `nemo.api.workload` /
 * `intent-notify` (Action "violated") by the statement that stores its report.
 *
 * Built for 100,000 intents a cycle: the due intents, their instances and the
 * clusters are read with one query each (rows aggregated to one JSON text,
 * which is much cheaper to move than 100,000 rows); each cluster is asked for
 * the usage of all its instances at once; the judgement is pure
 * (`evaluation.ts`); and each batch of results is written by a single
 * statement that moves the intents' next evaluation on, stores the reports
 * and enqueues the notifications. Intent bodies are cached between cycles by
 * their `updated_at`, so a steady cycle does not re-read and re-parse them.
 *
 * Concurrency: reading takes no locks. The write of an intent goes straight
 * to the row version that was read (its `ctid`, in physical order, so each
 * batch touches few pages) and happens only if it is still due, still
 * active, unchanged since it was read (`updated_at`) and its
 * `last_fulfilment` is still what was read; otherwise that intent's
 * result is dropped (no report, no notification) and, still due, it is simply
 * evaluated again by the next cycle. So two evaluators (the worker is
 * leader-elected, but leadership can change mid-cycle) never report an intent
 * twice for one period nor announce one violation twice, and an evaluation of
 * a target that was changed meanwhile is never stored. A crash before the
 * write leaves the intents due: they are evaluated by the next cycle.
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
  /** Results written per statement. */
  batchSize?: number;
  /** Batches written at once (default 2: the database writes one while the next is judged and sent). */
  writeConcurrency?: number;
  driverFactory?: DriverFactory;
  /** Intent bodies read in earlier cycles; the worker keeps one for its lifetime. */
  cache?: EvaluationCache;
}

export interface EvaluationCycleResult {
  evaluated: number;
  fulfilled: number;
  notFulfilled: number;
  notified: number;
  /** Intents ended because their instance was deleted. */
  terminated: number;
  /** Results dropped because the intent changed (or another evaluator wrote it) while it was evaluated. */
  skipped: number;
  durationMs: number;
  /** Where the time went: due intents, their instances, cluster reads, judging, waiting for writes. */
  phasesMs: { select: number; load: number; measure: number; judge: number; write: number };
}

const DEFAULT_LIMIT = 200_000;
const DEFAULT_BATCH_SIZE = 5_000;
const DEFAULT_WRITE_CONCURRENCY = 2;

const INSTANCE_STATUSES: ReadonlySet<string> = new Set<InstanceStatusName>([
  "CREATED",
  "RENDERED",
  "DEPLOYING",
  "DEPLOYED",
  "MIGRATING",
  "DELETING",
  "DELETED",
  "FAILED",
]);
/** Instances whose targets are measured (a migrating one still runs on its source cluster). */
const RUNNING: ReadonlySet<InstanceStatusName> = new Set(["DEPLOYED", "MIGRATING"]);

// ---------------------------------------------------------------------------
// The cache of intent bodies

/** What an intent's body tells the evaluator, read once per version of the intent. */
interface ReadIntent {
  /** `updated_at` as text: any change of the intent (target, selectivity) moves it. */
  version: string;
  targets: StoredTarget[];
  contextSelectivity: Selectivity;
  needs: Needs;
}

/** What the intents of one instance need measured. */
interface Needs {
  instanceUsage: boolean;
  clusterUsage: boolean;
}

/** Intent bodies already read, by intent id; bounded (cleared when it outgrows `maxEntries`). */
export class EvaluationCache {
  readonly entries = new Map<string, ReadIntent>();
  constructor(readonly maxEntries = 1_000_000) {}
}

export function createEvaluationCache(maxEntries?: number): EvaluationCache {
  return new EvaluationCache(maxEntries);
}

function readBody(body: unknown, column: string | null, version: string): ReadIntent {
  const { targets, contextSelectivity } = readIntent(body, column);
  const needs: Needs = { instanceUsage: false, clusterUsage: false };
  for (const target of targets) {
    const measurement = measurementOf(target.targetName, target.targetValue);
    needs.instanceUsage ||= needsInstanceUsage(measurement);
    needs.clusterUsage ||= needsClusterUsage(measurement);
  }
  return { version, targets, contextSelectivity, needs };
}

// ---------------------------------------------------------------------------
// Reading

/** A due intent as read. */
interface DueIntent {
  id: string;
  /** Where the row version read lies: the write goes straight there (and finds nothing if the row changed). */
  ctid: string;
  instanceId: string;
  version: string;
  lastFulfilment: FulfilmentStatusName | null;
  contextSelectivity: string | null;
  intentType: string;
  read: ReadIntent | null;
}

const str = (value: unknown): string => {
  if (typeof value !== "string") throw new Error(`unexpected value from the database: ${String(value)}`);
  return value;
};
const strOrNull = (value: unknown): string | null => (typeof value === "string" ? value : null);

/** One aggregated JSON text: 100,000 rows cost one parse instead of 100,000 row conversions. */
function jsonRows(rows: Array<{ rows: string | null }>): unknown[][] {
  const text = rows[0]?.rows;
  const parsed: unknown = text ? JSON.parse(text) : [];
  if (!Array.isArray(parsed) || !parsed.every(Array.isArray))
    throw new Error("unexpected aggregate from the database");
  return parsed as unknown[][];
}

async function selectDueIntents(db: Db, now: Date, limit: number, withBodies: boolean): Promise<DueIntent[]> {
  // Bodies are the bulk of the transfer and of the parsing: only a cold cache asks for them here.
  const aggregate = withBodies
    ? await db.$queryRaw<Array<{ rows: string | null }>>`
        SELECT json_agg(json_build_array(id, instance_id, updated_at::text, last_fulfilment, context_selectivity,
                                         intent_type, ctid::text, body))::text AS rows
        FROM (
          SELECT ctid, id, instance_id, updated_at, last_fulfilment, context_selectivity, intent_type, body FROM intents
          WHERE admin_state = 'ACTIVATED' AND deleted_at IS NULL AND next_evaluation_at <= ${now}
            AND (valid_from IS NULL OR valid_from <= ${now})
            AND (valid_until IS NULL OR valid_until > ${now})
          ORDER BY next_evaluation_at
          LIMIT ${limit}
        ) due`
    : await db.$queryRaw<Array<{ rows: string | null }>>`
        SELECT json_agg(json_build_array(id, instance_id, updated_at::text, last_fulfilment, context_selectivity,
                                         intent_type, ctid::text))::text AS rows
        FROM (
          SELECT ctid, id, instance_id, updated_at, last_fulfilment, context_selectivity, intent_type FROM intents
          WHERE admin_state = 'ACTIVATED' AND deleted_at IS NULL AND next_evaluation_at <= ${now}
            AND (valid_from IS NULL OR valid_from <= ${now})
            AND (valid_until IS NULL OR valid_until > ${now})
          ORDER BY next_evaluation_at
          LIMIT ${limit}
        ) due`;
  const intents = jsonRows(aggregate).map(
    ([id, instanceId, version, last, selectivity, type, ctid, body]) => {
      const intent: DueIntent = {
        id: str(id),
        ctid: str(ctid),
        instanceId: str(instanceId),
        version: str(version),
        lastFulfilment: last === "FULFILLED" || last === "NOT_FULFILLED" ? last : null,
        contextSelectivity: strOrNull(selectivity),
        intentType: str(type),
        read: null,
      };
      if (withBodies) intent.read = readBody(body, intent.contextSelectivity, intent.version);
      return intent;
    },
  );
  // Physical order (sorted here: in the database it would spill to disk), so each write batch touches few pages.
  return intents.sort((a, b) => physicalOrder(a.ctid) - physicalOrder(b.ctid));
}

/** "(12,3)" → a number ordering row versions as they lie in the table (offsets are below 2^16). */
function physicalOrder(ctid: string): number {
  const comma = ctid.indexOf(",");
  return Number(ctid.slice(1, comma)) * 65_536 + Number(ctid.slice(comma + 1, -1));
}

/** Reads the bodies the cache does not hold at the intent's current version, and caches what was read. */
async function readBodies(db: Db, intents: DueIntent[], cache: EvaluationCache): Promise<void> {
  const missing: DueIntent[] = [];
  for (const intent of intents) {
    if (intent.read) continue;
    const cached = cache.entries.get(intent.id);
    if (cached && cached.version === intent.version) intent.read = cached;
    else missing.push(intent);
  }
  if (missing.length > 0) {
    const byId = new Map(missing.map((intent) => [intent.id, intent]));
    const rows = jsonRows(
      await db.$queryRaw<Array<{ rows: string | null }>>`
        SELECT json_agg(json_build_array(id, updated_at::text, context_selectivity, ctid::text, body))::text AS rows
        FROM intents WHERE id = ANY(${[...byId.keys()]}::uuid[])`,
    );
    for (const [id, version, selectivity, ctid, body] of rows) {
      const intent = byId.get(str(id));
      if (!intent) continue;
      // The version evaluated is the body's: the write checks that one.
      intent.version = str(version);
      intent.ctid = str(ctid);
      intent.read = readBody(body, strOrNull(selectivity), intent.version);
    }
  }
  if (cache.entries.size + missing.length > cache.maxEntries) cache.entries.clear();
  for (const intent of intents) if (intent.read) cache.entries.set(intent.id, intent.read);
}

const instanceRowSchema = z.tuple([
  z.string(),
  z.string().refine((s) => INSTANCE_STATUSES.has(s)),
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
      status: status as InstanceStatusName,
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

interface Evaluated {
  intentId: string;
  ctid: string;
  version: string;
  instanceId: string;
  cluster: string | null;
  previous: FulfilmentStatusName | null;
  report: IntentReportDraft;
  transition: FulfilmentTransition;
}

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

function judge(
  evaluator: Evaluator,
  intent: DueIntent & { read: ReadIntent },
  instance: PreparedInstance,
): Evaluated {
  const report = evaluator.evaluate({
    intentType: intent.intentType,
    body: null,
    targets: intent.read.targets,
    contextSelectivity: intent.read.contextSelectivity,
    instance: instance.subject,
    usage: instance.usage,
  });
  return {
    intentId: intent.id,
    ctid: intent.ctid,
    version: intent.version,
    instanceId: instance.id,
    cluster: instance.cluster,
    previous: intent.lastFulfilment,
    report,
    transition: fulfilmentTransition(intent.lastFulfilment, report),
  };
}

// ---------------------------------------------------------------------------
// Writing

interface BatchOutcome {
  moved: number;
  reported: number;
  notified: Evaluated[];
  terminated: number;
}

/**
 * One statement per batch, so report, state change and notification commit
 * together: `moved` takes the intents that are still due, active, unchanged
 * and as last seen (moving their next evaluation on, recording the new
 * fulfilment, ending those whose instance is gone); only those get a report
 * and, when they turned violated, an outbox row exactly as `enqueueOutbox`
 * writes it (payload checked against the message schema, message type in the
 * envelope) — one insert per message would dominate a cycle in which
 * thousands of intents turn violated at once.
 */
async function writeBatch(db: Db, batch: readonly Evaluated[], now: Date): Promise<BatchOutcome> {
  const definition = messages.intentNotify;
  const rows = JSON.stringify(
    batch.map((e) => ({
      id: e.intentId,
      ctid: e.ctid,
      version: e.version,
      previous: e.previous,
      next: e.transition.lastFulfilment,
      terminate: e.report.notFulfilledState === "TERMINATED",
      fulfilment_status: e.report.fulfilmentStatus,
      not_fulfilled_state: e.report.notFulfilledState,
      reasons: e.report.notFulfilledReasons,
      feasibility: e.report.feasibility,
      infeasibility_reason: e.report.infeasibilityReason,
      target_results: e.report.targetResults,
      message_id: e.transition.notify ? randomUUID() : null,
      payload: e.transition.notify
        ? definition.schema.parse({
            Type: "intent",
            IntentID: e.intentId,
            WorkloadID: e.instanceId,
            Action: "violated",
          })
        : null,
    })),
  );
  const envelope = JSON.stringify({ type: definition.name });
  const [result] = await db.$queryRaw<
    Array<{ moved: number; reported: number; terminated: number; notified: string }>
  >`
    WITH batch AS (
      SELECT * FROM jsonb_to_recordset(${rows}::jsonb) AS b(
        id uuid, ctid text, version text, previous text, next text, terminate boolean,
        fulfilment_status text, not_fulfilled_state text, reasons jsonb, feasibility text,
        infeasibility_reason text, target_results jsonb, message_id uuid, payload jsonb)
    ),
    moved AS (
      UPDATE intents AS i
      SET next_evaluation_at = ${now}::timestamptz + make_interval(secs => i.observation_period_s),
          last_fulfilment = b.next::"FulfilmentStatus",
          admin_state = CASE WHEN b.terminate THEN 'DEACTIVATED'::"IntentAdminState" ELSE i.admin_state END,
          deleted_at = CASE WHEN b.terminate THEN ${now}::timestamptz ELSE i.deleted_at END
      FROM batch b
      WHERE i.ctid = b.ctid::tid AND i.id = b.id AND i.next_evaluation_at <= ${now} AND i.updated_at = b.version::timestamptz
        AND i.last_fulfilment IS NOT DISTINCT FROM b.previous::"FulfilmentStatus"
        AND i.admin_state = 'ACTIVATED' AND i.deleted_at IS NULL
      RETURNING i.id, b.terminate
    ),
    reported AS (
      INSERT INTO intent_reports (intent_id, fulfilment_status, not_fulfilled_state, not_fulfilled_reasons,
                                  feasibility, infeasibility_reason, target_results)
      SELECT b.id, b.fulfilment_status::"FulfilmentStatus", b.not_fulfilled_state::"NotFulfilledState",
             ARRAY(SELECT jsonb_array_elements_text(b.reasons)), b.feasibility::"FeasibilityResult",
             b.infeasibility_reason, b.target_results
      FROM batch b JOIN moved m ON m.id = b.id
      RETURNING 1
    ),
    notified AS (
      INSERT INTO outbox_messages (id, exchange, routing_key, payload, headers)
      SELECT b.message_id, ${definition.exchange?.name ?? ""}, ${definition.routingKey}, b.payload, ${envelope}::jsonb
      FROM batch b JOIN moved m ON m.id = b.id
      WHERE b.message_id IS NOT NULL
      RETURNING payload->>'IntentID' AS intent_id
    )
    SELECT (SELECT count(*) FROM moved)::int AS moved,
           (SELECT count(*) FROM reported)::int AS reported,
           (SELECT count(*) FROM moved WHERE terminate)::int AS terminated,
           (SELECT coalesce(json_agg(intent_id), '[]') FROM notified)::text AS notified`;
  const notifiedIds = new Set(z.array(z.string()).parse(JSON.parse(result?.notified ?? "[]")));
  return {
    moved: result?.moved ?? 0,
    reported: result?.reported ?? 0,
    terminated: result?.terminated ?? 0,
    notified: batch.filter((e) => notifiedIds.has(e.intentId)),
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

  const intents = await selectDueIntents(db, now, options.limit ?? DEFAULT_LIMIT, cache.entries.size === 0);
  if (intents.length === 0) return result;
  await readBodies(db, intents, cache);
  result.phasesMs.select = lap();
  const instances = await loadInstances(db, [...new Set(intents.map((i) => i.instanceId))]);

  // What to read from which cluster: one entry per cluster, every namespace that needs usage.
  const wanted = new Map<string, { namespaces: Set<string>; clusterUsage: boolean }>();
  for (const intent of intents) {
    const instance = instances.get(intent.instanceId);
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

  // Judge batch by batch, keeping a few writes in flight while the next batch is judged.
  const writes = new Set<Promise<void>>();
  let failure: unknown = null;
  const settle = (outcome: BatchOutcome, size: number): void => {
    result.evaluated += outcome.reported;
    result.terminated += outcome.terminated;
    result.skipped += size - outcome.moved;
    result.notified += outcome.notified.length;
    for (const e of outcome.notified)
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
  };
  let judgeMs = 0;
  let writeWaitMs = 0;
  for (let offset = 0; offset < intents.length && failure === null; offset += batchSize) {
    const judgeStarted = performance.now();
    const batch: Evaluated[] = [];
    for (let i = offset; i < Math.min(offset + batchSize, intents.length); i++) {
      const intent = intents[i]!;
      const instance = prepared.get(intent.instanceId);
      // No body (the intent vanished between the two reads) or no instance: nothing to judge.
      if (!intent.read || !instance) continue;
      const evaluated = judge(evaluator, intent as DueIntent & { read: ReadIntent }, instance);
      if (evaluated.report.fulfilmentStatus === "FULFILLED") result.fulfilled += 1;
      else result.notFulfilled += 1;
      batch.push(evaluated);
    }
    judgeMs += performance.now() - judgeStarted;
    if (batch.length === 0) continue;
    if (writes.size >= (options.writeConcurrency ?? DEFAULT_WRITE_CONCURRENCY)) {
      const waitStarted = performance.now();
      await Promise.race(writes);
      writeWaitMs += performance.now() - waitStarted;
    }
    const write: Promise<void> = writeBatch(db, batch, now)
      .then(
        (outcome) => settle(outcome, batch.length),
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
  // Batches already written stay written: their intents are not due any more, the rest are.
  if (failure !== null) throw failure;
  result.phasesMs.judge = Math.round(judgeMs);
  // Writes overlap judging: this is the time spent waiting for the database to take them.
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
      },
    });
    if (!intent) continue;
    const { instance } = intent;
    const row = instance.clusterId ? rowById.get(instance.clusterId) : undefined;
    const read = readBody(intent.body, intent.contextSelectivity, intent.updatedAt.toISOString());
    let usage: UsageReading | null = null;
    let cpuInUse: number | null = null;
    if (row && RUNNING.has(instance.status)) {
      try {
        const driver = driverFor(db, row, factory);
        if (read.needs.instanceUsage) {
          const u = await driver.instanceUsage(instance.namespace);
          usage = { ok: true, cpuMillicores: u.cpuMillicores, memoryMiB: u.memoryMiB, diskMiB: u.diskMiB };
        }
        if (read.needs.clusterUsage) cpuInUse = (await driver.usage()).cpu_usage;
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
    const transition = fulfilmentTransition(intent.lastFulfilment, report);
    const terminated = report.notFulfilledState === "TERMINATED";
    const notified = await db.$transaction(async (tx) => {
      await tx.intentReport.create({
        data: {
          intentId: intent.id,
          fulfilmentStatus: report.fulfilmentStatus,
          notFulfilledState: report.notFulfilledState,
          notFulfilledReasons: report.notFulfilledReasons,
          feasibility: report.feasibility,
          infeasibilityReason: report.infeasibilityReason,
          targetResults: report.targetResults,
        },
      });
      // Compare-and-set on the fulfilment read, as the cycle does: one notification per violation.
      const moved = await tx.intent.updateMany({
        where: { id: intent.id, lastFulfilment: intent.lastFulfilment },
        data: {
          lastFulfilment: transition.lastFulfilment,
          nextEvaluationAt: new Date(now.getTime() + intent.observationPeriodS * 1000),
          ...(terminated && { adminState: "DEACTIVATED", deletedAt: now }),
        },
      });
      if (!transition.notify || moved.count === 0) return false;
      await enqueueOutbox(tx, messages.intentNotify, {
        Type: "intent",
        IntentID: intent.id,
        WorkloadID: instance.id,
        Action: "violated",
      });
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
