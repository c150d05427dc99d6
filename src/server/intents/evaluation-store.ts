import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { enqueueOutboxRows, type OutboxRow } from "@/server/bus";
import { INTENT_VIOLATIONS_SQL, intentViolationParams } from "@/server/notifications";
import type { FulfilmentStatusName, IntentReportDraft } from "./report";

/**
 * The intent evaluator's reads and writes, in plain SQL on pg connections:
 * a cycle moves 100,000 schedules and stores as many reports, which is
 * beyond what one-row-at-a-time statements (or Prisma's) can do in seconds.
 * Everything here works on `intent_schedules` (the narrow, trigger-maintained
 * view of `intents`) and never reads an intent's body.
 */

/** What the evaluator reads of an intent when it has not seen this revision yet. */
export interface ScheduleDetail {
  intentId: string;
  revision: number;
  instanceId: string;
  intentType: string;
  contextSelectivity: string | null;
  /** `{ contextSelectivity, intentExpectations: [{ expectationId, expectationTargets }] }`, projected from the body. */
  expectationTargets: unknown;
}

/** A due intent as its schedule says: what a steady cycle reads (a hundred thousand at a time). */
export interface DueSchedule {
  intentId: string;
  /** Counts the intent's changes; the write checks it. */
  revision: number;
  lastFulfilment: FulfilmentStatusName | null;
  /** Read along only when asked for (a first cycle, which knows no intent yet). */
  detail: ScheduleDetail | null;
}

const fulfilment = (text: string | null | undefined): FulfilmentStatusName | null =>
  text === "FULFILLED" || text === "NOT_FULFILLED" ? text : null;

const DUE = `
  SELECT intent_id, revision, last_fulfilment FROM intent_schedules
  WHERE active AND next_evaluation_at <= $1
    AND (valid_from IS NULL OR valid_from <= $1) AND (valid_until IS NULL OR valid_until > $1)
  ORDER BY next_evaluation_at
  LIMIT $2`;

/**
 * A schedule with its details as one line of text: tab-separated fields, the
 * free-text ones as JSON (which never contains a raw tab or newline), so that
 * 100,000 of them cost one string split and a small JSON parse each instead
 * of 100,000 row conversions.
 */
const DETAIL_LINE = `concat_ws(E'\t', s.intent_id::text, s.revision::text, coalesce(s.last_fulfilment::text, '-'),
                                 t.instance_id::text, to_json(t.intent_type)::text,
                                 coalesce(to_json(t.context_selectivity)::text, 'null'), t.expectation_targets::text)`;

function detailLines(text: string | null | undefined): DueSchedule[] {
  if (!text) return [];
  return text.split("\n").map((line) => {
    const [intentId, revision, last, instanceId, intentType, selectivity, targets] = line.split("\t");
    if (!intentId || !revision || !instanceId || !intentType || !selectivity || !targets)
      throw new Error(`unexpected schedule from the database: ${line.slice(0, 200)}`);
    const type: unknown = JSON.parse(intentType);
    const contextSelectivity: unknown = JSON.parse(selectivity);
    const detail: ScheduleDetail = {
      intentId,
      revision: Number(revision),
      instanceId,
      intentType: typeof type === "string" ? type : String(type),
      contextSelectivity: typeof contextSelectivity === "string" ? contextSelectivity : null,
      expectationTargets: JSON.parse(targets) as unknown,
    };
    return { intentId, revision: detail.revision, lastFulfilment: fulfilment(last), detail };
  });
}

/**
 * The active intents within their validity window whose next evaluation has
 * come (the most overdue first when there are more than `limit`), in key
 * order, so that a batch of them is a run of neighbouring keys; with their
 * details when asked (a first cycle, which knows no intent yet). Without
 * details they are read as one text of ids, numbers and enum names.
 */
export async function selectDueSchedules(
  pool: pg.Pool,
  now: Date,
  limit: number,
  withDetails: boolean,
): Promise<DueSchedule[]> {
  if (withDetails) {
    // Sorted by key before the lines are built: sorting the lines themselves costs more.
    const { rows } = await pool.query<{ due: string | null }>(
      `SELECT string_agg(line, E'\n') AS due FROM (
         SELECT ${DETAIL_LINE} AS line
         FROM (${DUE}) s JOIN intent_targets t USING (intent_id)
         ORDER BY s.intent_id
       ) lines`,
      [now, limit],
    );
    return detailLines(rows[0]?.due);
  }
  const { rows } = await pool.query<{ due: string | null }>(
    `SELECT string_agg(intent_id::text || ' ' || revision || ' ' || coalesce(last_fulfilment::text, '-'), ';'
                      ORDER BY intent_id) AS due
     FROM (${DUE}) due`,
    [now, limit],
  );
  const text = rows[0]?.due;
  if (!text) return [];
  return text.split(";").map((entry) => {
    const [intentId, revision, last] = entry.split(" ");
    if (!intentId || !revision) throw new Error(`unexpected schedule from the database: ${entry}`);
    return { intentId, revision: Number(revision), lastFulfilment: fulfilment(last), detail: null };
  });
}

/** The details of the given intents, each with the revision they belong to (one statement). */
export async function readScheduleDetails(
  pool: pg.Pool,
  intentIds: readonly string[],
): Promise<ScheduleDetail[]> {
  if (intentIds.length === 0) return [];
  const { rows } = await pool.query<{ details: string | null }>(
    `SELECT string_agg(${DETAIL_LINE}, E'\n') AS details
     FROM intent_schedules s JOIN intent_targets t USING (intent_id)
     WHERE s.intent_id = ANY($1::uuid[])`,
    [intentIds],
  );
  return detailLines(rows[0]?.details).flatMap((due) => (due.detail ? [due.detail] : []));
}

/** One evaluation to store. */
export interface EvaluationResult {
  intentId: string;
  /** The schedule as read: the result is stored only if it still is. */
  revision: number;
  previous: FulfilmentStatusName | null;
  /** The fulfilment to remember for the next transition. */
  next: FulfilmentStatusName | null;
  report: IntentReportDraft;
  /** The instance is gone: deactivate and delete the intent after this (TERMINATED) report. */
  terminate: boolean;
  /** The `violated` announcement, when this evaluation turned the intent violated. */
  notification: OutboxRow | null;
}

// COPY's text format: tab-separated columns, \N for NULL, backslash escapes.
const COPY_ESCAPES: Record<string, string> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };
// PostgreSQL text cannot hold NUL: it is dropped.
const NUL = /\u0000/g;
const SPECIAL = /[\\\t\n\r\u0000]/;
const copyText = (value: string): string =>
  SPECIAL.test(value) ? value.replace(NUL, "").replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c] ?? c) : value;
const copyNullable = (value: string | null): string => (value === null ? "\\N" : copyText(value));
/** A text[] literal: every element quoted, quotes and backslashes escaped. */
const arrayLiteral = (values: readonly string[]): string =>
  `{${values.map((v) => `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(",")}}`;

function reportLine(result: EvaluationResult): string {
  const r = result.report;
  return `${result.intentId}\t${r.fulfilmentStatus}\t${copyNullable(r.notFulfilledState)}\t${copyText(
    arrayLiteral(r.notFulfilledReasons),
  )}\t${r.feasibility}\t${copyNullable(r.infeasibilityReason)}\t${copyText(JSON.stringify(r.targetResults))}\n`;
}

async function copyReports(client: pg.PoolClient, results: readonly EvaluationResult[]): Promise<void> {
  if (results.length === 0) return;
  const stream = client.query(
    copyFrom(
      `COPY intent_reports (intent_id, fulfilment_status, not_fulfilled_state, not_fulfilled_reasons,
                            feasibility, infeasibility_reason, target_results) FROM STDIN`,
    ),
  );
  await pipeline(Readable.from([results.map(reportLine).join("")]), stream);
}

/**
 * Stores a batch of evaluations in one transaction, so schedule, report,
 * ending and announcement commit together. The schedule update is the
 * guard: it takes only intents still due, active, at the revision evaluated
 * and with the fulfilment read (so two evaluators never report one period
 * twice nor announce one violation twice, and an evaluation of a target
 * changed meanwhile is dropped); only those get their report (by COPY) and
 * their announcement. Returns the ids stored.
 */
export async function storeEvaluations(
  pool: pg.Pool,
  results: readonly EvaluationResult[],
  now: Date,
): Promise<Set<string>> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query("BEGIN");
    // The batch is a small part of the table, which the planner cannot tell from an array: without
    // this it hashes the whole table for every batch instead of looking each intent up by its key.
    await client.query("SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off");
    const { rows } = await client.query<{ ids: string | null }>(
      `WITH moved AS (
         UPDATE intent_schedules AS s
         SET next_evaluation_at = $1::timestamptz + make_interval(secs => s.observation_period_s),
             last_fulfilment = b.next::"FulfilmentStatus",
             last_evaluated_at = $1,
             -- The reports below get the same time (the transaction's) as their created_at.
             last_reported_at = CURRENT_TIMESTAMP
         FROM unnest($2::uuid[], $3::int[], $4::text[], $5::text[]) AS b(id, revision, previous, next)
         WHERE s.intent_id = b.id AND s.revision = b.revision AND s.active AND s.next_evaluation_at <= $1
           AND s.last_fulfilment IS NOT DISTINCT FROM b.previous::"FulfilmentStatus"
         RETURNING s.intent_id
       )
       SELECT string_agg(intent_id::text, ',') AS ids FROM moved`,
      [
        now,
        results.map((r) => r.intentId),
        results.map((r) => r.revision),
        results.map((r) => r.previous),
        results.map((r) => r.next),
      ],
    );
    const stored = new Set(rows[0]?.ids ? rows[0].ids.split(",") : []);

    const kept = results.filter((r) => stored.has(r.intentId));
    await copyReports(client, kept);
    const ended = kept.filter((r) => r.terminate).map((r) => r.intentId);
    if (ended.length > 0)
      await client.query(
        `UPDATE intents SET admin_state = 'DEACTIVATED', deleted_at = $1, updated_at = $1
         WHERE id = ANY($2::uuid[]) AND deleted_at IS NULL`,
        [now, ended],
      );
    await enqueueOutboxRows(
      client,
      kept.flatMap((r) => (r.notification ? [r.notification] : [])),
    );
    // The owners' in-app notifications of the same transitions, in the same transaction.
    const violations = kept.flatMap((r) =>
      r.notification ? [{ intentId: r.intentId, reason: r.report.notFulfilledReasons[0] ?? "" }] : [],
    );
    if (violations.length > 0)
      await client.query(INTENT_VIOLATIONS_SQL, intentViolationParams(violations, now));
    await client.query("COMMIT");
    return stored;
  } catch (error) {
    await client.query("ROLLBACK").catch((rollbackError: unknown) => {
      // The connection itself failed: it must not go back to the pool.
      broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
    });
    throw error;
  } finally {
    client.release(broken);
  }
}
