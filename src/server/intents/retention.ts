import { performance } from "node:perf_hooks";
import { Prisma } from "@/generated/prisma/client";
import type { Db } from "@/server/db";
import type { Logger } from "@/server/logger";

/**
 * Retention of `intent_reports`: the evaluator writes one report per intent
 * per observation period (100,000 intents every 60 s is 144 M rows a day),
 * so reports older than the retention are deleted — except each intent's
 * newest, which the console shows however old it is (an intent that stopped
 * being evaluated keeps its last report).
 *
 * The only index with `created_at` is `(intent_id, created_at DESC)`, so the
 * work goes intent by intent: a page of intent ids (one index probe each),
 * then per intent one probe for its newest report and one range probe for its
 * reports older than the cutoff. Nothing scans the table: a scan in id order
 * cannot stop at the cutoff, and its last batch would read every report
 * inside the retention window (a week of them) on every run. Each batch is a
 * short statement of its own (its own transaction), so no lock is held long.
 */

const DAY_MS = 86_400_000;

/**
 * Intents one page covers. In steady state (pruning every 10 minutes, reports
 * every minute) each has about 10 reports to delete, so a page is about one
 * default batch.
 */
const INTENTS_PER_PAGE = 1_000;

export interface PruneIntentReportsOptions {
  db: Db;
  log: Logger;
  /** The run's clock (tests set it). */
  now?: Date;
  /** Reports older than `now - retentionMs` are deleted (each intent's newest excepted). */
  retentionMs: number;
  /** Most rows one DELETE statement removes (default 10,000). */
  batchSize?: number;
  /** Intents whose reports one page of batches looks at (default 1,000). */
  intentsPerPage?: number;
  /** Stops between batches (worker shutdown); what was deleted so far stays deleted. */
  signal?: AbortSignal;
  /** Monotonic milliseconds for the run's duration (tests inject one that ticks). */
  elapsed?: () => number;
}

export interface PruneIntentReportsResult {
  deleted: number;
  durationMs: number;
}

export async function pruneIntentReports(
  options: PruneIntentReportsOptions,
): Promise<PruneIntentReportsResult> {
  const {
    db,
    log,
    now = new Date(),
    retentionMs,
    batchSize = 10_000,
    intentsPerPage = INTENTS_PER_PAGE,
    signal,
    elapsed = () => performance.now(),
  } = options;
  if (!Number.isFinite(retentionMs) || retentionMs <= 0)
    throw new Error(`retentionMs must be a positive number of milliseconds, got ${retentionMs}`);
  // A batch of 0 would never come back short: the loop would not end.
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new Error(`batchSize must be a positive integer, got ${batchSize}`);
  if (!Number.isInteger(intentsPerPage) || intentsPerPage < 1)
    throw new Error(`intentsPerPage must be a positive integer, got ${intentsPerPage}`);
  const cutoff = new Date(now.getTime() - retentionMs);
  const started = elapsed();
  let deleted = 0;
  let after: string | null = null;
  while (!signal?.aborted) {
    const intentIds = await intentPage(db, after, intentsPerPage);
    if (intentIds.length === 0) break;
    // A full batch may have left reports behind in this page: go again until one comes back short.
    for (;;) {
      const removed = await deleteBatch(db, intentIds, cutoff, batchSize);
      deleted += removed;
      if (removed < batchSize || signal?.aborted) break;
    }
    if (intentIds.length < intentsPerPage) break;
    after = intentIds[intentIds.length - 1] ?? null;
  }
  const durationMs = Math.round(elapsed() - started);
  // Only a run that deleted something is worth a line.
  if (deleted > 0)
    log.info({ deleted, retentionDays: retentionMs / DAY_MS, durationMs }, "intent reports pruned");
  return { deleted, durationMs };
}

/**
 * The next intents that have reports, in key order after `after`: a loose
 * index scan (one probe per intent on `(intent_id, created_at DESC)`)
 * instead of DISTINCT over every report. Read from the reports themselves,
 * not `intents`, so no report is out of reach.
 */
async function intentPage(db: Db, after: string | null, limit: number): Promise<string[]> {
  const from = after === null ? Prisma.empty : Prisma.sql`WHERE intent_id > ${after}::uuid`;
  const rows = await db.$queryRaw<Array<{ intentId: string }>>`
    WITH RECURSIVE page(intent_id, n) AS (
      (SELECT intent_id, 1 FROM intent_reports ${from} ORDER BY intent_id LIMIT 1)
      UNION ALL
      SELECT (SELECT r.intent_id FROM intent_reports r WHERE r.intent_id > page.intent_id
              ORDER BY r.intent_id LIMIT 1),
             page.n + 1
      FROM page
      WHERE page.intent_id IS NOT NULL AND page.n < ${limit}::int
    )
    SELECT intent_id::text AS "intentId" FROM page WHERE intent_id IS NOT NULL ORDER BY intent_id`;
  return rows.map((row) => row.intentId);
}

/**
 * Deletes up to `batchSize` reports of the given intents older than the
 * cutoff, never an intent's newest (newest as the console reads it:
 * `created_at DESC, id DESC`). The LATERAL subqueries make every intent two
 * index probes whatever the planner thinks of the array, and `id =
 * ANY(ARRAY(…))` deletes the chosen ids by primary key (`id IN (subquery)`
 * was planned as a hash join over the whole table). A report written
 * meanwhile is newer than the statement's snapshot and never among the
 * chosen ids, so every intent keeps at least its newest report.
 */
async function deleteBatch(db: Db, intentIds: string[], cutoff: Date, batchSize: number): Promise<number> {
  return db.$executeRaw`
    DELETE FROM intent_reports WHERE id = ANY(ARRAY(
      SELECT old.id
      FROM unnest(${intentIds}::uuid[]) AS i(intent_id)
      CROSS JOIN LATERAL (
        SELECT n.id FROM intent_reports n WHERE n.intent_id = i.intent_id
        ORDER BY n.created_at DESC, n.id DESC LIMIT 1
      ) newest
      CROSS JOIN LATERAL (
        SELECT r.id FROM intent_reports r
        WHERE r.intent_id = i.intent_id AND r.created_at < ${cutoff}::timestamptz AND r.id <> newest.id
        LIMIT ${batchSize}::int
      ) old
      LIMIT ${batchSize}::int
    ))`;
}
