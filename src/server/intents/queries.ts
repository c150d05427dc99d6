import { z } from "zod";
import { Prisma } from "@/generated/prisma/client";
import type {
  FeasibilityResult,
  FulfilmentStatus,
  IntentAdminState,
  NotFulfilledState,
} from "@/generated/prisma/enums";
import { listInputSchema, type ListPage, queryPageFields } from "@/common/pagination";
import {
  asUuid,
  containsPattern,
  pageItems,
  pageStatement,
  pageWindow,
  readRows,
  SqlParams,
  type PageStatementRow,
} from "@/server/db";
import { hasAnyRole, hasRole, Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth";
import type { Db } from "@/server/db";
import { DomainError, parseOrThrow } from "@/server/errors";
import type { ConditionValue } from "@/server/placement";
import { INTENT_TYPES, intentType, intentTypeDisplayName, type IntentType } from "@/common/intent-catalogue";
import { intentSchema, readStoredTargets, type Intent } from "./model";
import { reportView, storedTargetResults, type IntentReportView } from "./report";
import { intentToYaml, redactIntent } from "./yaml";
import { isUuid } from "@/common/ids";
import { systemClock, type Clock } from "@/common/clock";
import { intentDisplayState } from "./display-state";

/**
 * The read side of intent management: the Intents table, one intent, its report with history, its YAML.
 * tRPC and REST call the same functions; every read is scoped to the
 * caller's intents (all of them for an admin) and never returns secrets.
 */

export interface IntentDeps {
  db: Db;
  user: SessionUser;
  /** What "now" is for schedules and display states (tests pin it); the system clock by default. */
  clock?: Clock;
}

export const nowOf = (deps: Pick<IntentDeps, "clock">): Date => new Date((deps.clock ?? systemClock)());

const INTENT_ROLES = [Role.NEMO_ADMIN, Role.SERVICE_PROVIDER];

export function assertIntentUser(user: SessionUser): void {
  if (!hasAnyRole(user.roles, INTENT_ROLES)) {
    throw new DomainError("forbidden", "Only service providers and NEMO admins can manage intents.");
  }
}

/**
 * Intents the caller may see: an intent's owner is its instance's owner (set
 * at creation, whoever created it), so one indexed column scopes them.
 */
export function intentScope(user: SessionUser): Prisma.IntentWhereInput {
  return hasRole(user.roles, Role.NEMO_ADMIN) ? {} : { ownerId: user.id };
}

export const notFound = () => new DomainError("not_found", "No such intent.");

// ---------------------------------------------------------------------------
// Targets as stored

export interface IntentTargetSummary {
  expectationId: string;
  targetName: string;
  targetCondition: string;
  targetValueRange: ConditionValue;
  /** The catalogue's unit (null when unitless or unknown). */
  unit: string | null;
  /** The catalogue's label ("Target availability"); the target name when unknown. */
  label: string;
}

export function targetsOf(typeName: string, body: unknown): IntentTargetSummary[] {
  const type: IntentType | undefined = intentType(typeName);
  return readStoredTargets(body).map((target) => {
    const known = type?.targets.find((t) => t.name === target.targetName);
    return {
      expectationId: target.expectationId,
      targetName: target.targetName,
      targetCondition: target.targetCondition,
      targetValueRange: target.targetValue,
      unit: known?.unit ?? null,
      label: known?.label ?? target.targetName,
    };
  });
}

/** The stored body in normal form, or null for a row that predates it. */
export function normalFormOf(body: unknown): Intent | null {
  const parsed = intentSchema.safeParse(body);
  return parsed.success ? parsed.data : null;
}

// ---------------------------------------------------------------------------
// The catalogue

/** The intent types with their targets, units and accepted conditions (the form's choices). */
export function intentTypes(): readonly IntentType[] {
  return INTENT_TYPES;
}

// ---------------------------------------------------------------------------
// List

const INTENT_SORTS = ["id", "status", "intentType", "instanceId", "lastUpdated"] as const;

const instanceFilterSchema = z.uuid({ error: "instanceId must be a workload instance id (a UUID)." });

export const intentListInput = listInputSchema(INTENT_SORTS, "id").extend({
  /** Only this instance's intents (the instance page's Intents tab). */
  instanceId: instanceFilterSchema.optional(),
});
export type IntentListInput = z.input<typeof intentListInput>;

/** The same list from a URL query string: numbers arrive as text. */
export const intentListQuery = intentListInput.extend({
  ...queryPageFields,
});

export interface IntentRow {
  id: string;
  /** The id the intent's YAML gave it, if it came from one. */
  externalId: string | null;
  intentType: string;
  /** The catalogue's display name of the type ("Green energy"), as the console shows it. */
  typeDisplayName: string;
  instanceId: string;
  instanceShortId: string;
  releaseName: string;
  adminState: IntentAdminState;
  /** From the latest report; null before the first one. */
  fulfilmentStatus: FulfilmentStatus | null;
  notFulfilledState: NotFulfilledState | null;
  feasibility: FeasibilityResult | null;
  /** When the latest report was written (the intent's last change before any). */
  lastUpdatedTime: Date;
  /** A target changed after the last evaluation: the fulfilment above judged the old value. */
  reevaluating: boolean;
  /** Active, with a validity starting later: not evaluated before this time. */
  scheduledFrom: Date | null;
  targets: IntentTargetSummary[];
}

interface LatestReportRow {
  id: bigint;
  intentId: string;
  fulfilmentStatus: FulfilmentStatus;
  notFulfilledState: NotFulfilledState | null;
  notFulfilledReasons: string[];
  feasibility: FeasibilityResult;
  infeasibilityReason: string | null;
  targetResults: unknown;
  createdAt: Date;
}

/**
 * The newest report of each intent: one index probe per intent (LATERAL …
 * LIMIT 1 over intent_reports(intent_id, created_at DESC)), however long
 * their histories are.
 */
export async function latestReports(
  db: Db,
  intentIds: readonly string[],
): Promise<Map<string, LatestReportRow>> {
  if (intentIds.length === 0) return new Map();
  const rows = await db.$queryRaw<LatestReportRow[]>(Prisma.sql`
    SELECT r.id, r.intent_id AS "intentId", r.fulfilment_status::text AS "fulfilmentStatus",
           r.not_fulfilled_state::text AS "notFulfilledState", r.not_fulfilled_reasons AS "notFulfilledReasons",
           r.feasibility::text AS feasibility, r.infeasibility_reason AS "infeasibilityReason",
           r.target_results AS "targetResults", r.created_at AS "createdAt"
    FROM unnest(${[...intentIds]}::uuid[]) AS i(id)
    CROSS JOIN LATERAL (
      SELECT * FROM intent_reports
      WHERE intent_id = i.id
      ORDER BY created_at DESC, id DESC
      LIMIT 1
    ) r`);
  return new Map(rows.map((row) => [row.intentId, row]));
}

/** The page's order per sort: constant SQL (`i` intents, `s` schedules); the id breaks ties. */
const SORT_SQL = {
  id: ["i.id"],
  status: ["i.admin_state"],
  intentType: ["i.intent_type"],
  instanceId: ["i.instance_id"],
  // "Last updated" is the newest report's time, as the column shows (then the intent's own change).
  lastUpdated: ["s.last_reported_at", "i.updated_at"],
} as const satisfies Record<(typeof INTENT_SORTS)[number], readonly string[]>;

/** A row of the list's statement (pageStatement): nullable where a page may be empty. */
interface IntentListRow extends PageStatementRow {
  id: string;
  externalId: string | null;
  intentType: string;
  instanceId: string;
  adminState: IntentAdminState;
  body: unknown;
  updatedAt: Date;
  validFrom: Date | null;
  validUntil: Date | null;
  targetsChangedAt: Date | null;
  instanceShortId: string;
  releaseName: string;
  lastFulfilment: FulfilmentStatus | null;
  lastEvaluatedAt: Date | null;
  reportStatus: FulfilmentStatus | null;
  reportNotFulfilledState: NotFulfilledState | null;
  reportFeasibility: FeasibilityResult | null;
  reportedAt: Date | null;
}

/**
 * The Intents table (and GET /api/v1/intent/): one page of the caller's live
 * intents with the total, each with its instance, schedule and newest report —
 * one hand-written statement (readRows: the ORM cost more CPU than the rest of
 * the request). The newest report is one index probe per row of the page only.
 */
export async function listIntents(deps: IntentDeps, input: IntentListInput): Promise<ListPage<IntentRow>> {
  const { db, user } = deps;
  assertIntentUser(user);
  const query = parseOrThrow(intentListInput, input);
  const uuid = asUuid(query.search);
  const params = new SqlParams();
  const where = ["i.deleted_at IS NULL"];
  if (!hasRole(user.roles, Role.NEMO_ADMIN)) where.push(`i.owner_id = ${params.add(user.id)}::uuid`);
  if (query.instanceId) where.push(`i.instance_id = ${params.add(query.instanceId)}::uuid`);
  if (query.search) {
    const text = containsPattern(query.search);
    const pattern = text === null ? null : params.add(text);
    const any = pattern
      ? [
          `i.intent_type ILIKE ${pattern}`,
          `i.external_id ILIKE ${pattern}`,
          `wi.release_name ILIKE ${pattern}`,
          `wi.short_id ILIKE ${pattern}`,
        ]
      : [];
    if (uuid) {
      const id = params.add(uuid);
      any.push(`i.id = ${id}::uuid`, `i.instance_id = ${id}::uuid`);
    }
    where.push(any.length > 0 ? `(${any.join(" OR ")})` : "FALSE");
  }
  const dir = query.direction === "desc" ? "DESC" : "ASC";
  const nullsLast = (column: string) => (column.startsWith("s.") ? " NULLS LAST" : "");
  const orderBy = [...SORT_SQL[query.sort], "i.id"].map((c) => `${c} ${dir}${nullsLast(c)}`).join(", ");
  const window = pageWindow(query);
  const rows = await readRows<IntentListRow>(
    db,
    pageStatement({
      select: `i.id, i.external_id AS "externalId", i.intent_type AS "intentType", i.instance_id AS "instanceId",
        i.admin_state::text AS "adminState", i.body, i.updated_at AS "updatedAt", i.valid_from AS "validFrom",
        i.valid_until AS "validUntil", i.targets_changed_at AS "targetsChangedAt",
        wi.short_id AS "instanceShortId", wi.release_name AS "releaseName",
        s.last_fulfilment::text AS "lastFulfilment", s.last_evaluated_at AS "lastEvaluatedAt"`,
      from: `intents i
        JOIN workload_instances wi ON wi.id = i.instance_id
        LEFT JOIN intent_schedules s ON s.intent_id = i.id`,
      where: where.join(" AND "),
      orderBy,
      limit: params.add(window.take),
      offset: params.add(window.skip),
      after: {
        select: `r.fulfilment_status::text AS "reportStatus", r.not_fulfilled_state::text AS "reportNotFulfilledState",
          r.feasibility::text AS "reportFeasibility", r.created_at AS "reportedAt"`,
        joins: `LEFT JOIN LATERAL (
          SELECT fulfilment_status, not_fulfilled_state, feasibility, created_at FROM intent_reports
          WHERE intent_id = p.id ORDER BY created_at DESC, id DESC LIMIT 1
        ) r ON true`,
      },
    }),
    params.values,
  );
  const page = pageItems(rows);
  const now = nowOf(deps);
  return {
    items: page.rows.map((row) => ({
      id: row.id,
      externalId: row.externalId,
      intentType: row.intentType,
      typeDisplayName: intentTypeDisplayName(row.intentType),
      instanceId: row.instanceId,
      instanceShortId: row.instanceShortId,
      releaseName: row.releaseName,
      adminState: row.adminState,
      fulfilmentStatus: row.reportStatus ?? row.lastFulfilment ?? null,
      notFulfilledState: row.reportNotFulfilledState ?? null,
      feasibility: row.reportFeasibility ?? null,
      lastUpdatedTime: row.reportedAt ?? row.updatedAt,
      ...intentDisplayState(row, now),
      targets: targetsOf(row.intentType, row.body),
    })),
    total: page.total,
    page: query.page,
    pageSize: query.pageSize,
  };
}

// ---------------------------------------------------------------------------
// One intent

const detailSelect = {
  id: true,
  externalId: true,
  intentType: true,
  instanceId: true,
  adminState: true,
  priority: true,
  observationPeriodS: true,
  contextSelectivity: true,
  validFrom: true,
  validUntil: true,
  targetsChangedAt: true,
  body: true,
  secretsCipher: true,
  schedule: { select: { lastFulfilment: true, nextEvaluationAt: true, lastEvaluatedAt: true } },
  createdAt: true,
  updatedAt: true,
  deletedAt: true,
  instance: { select: { shortId: true, releaseName: true, status: true } },
  owner: { select: { username: true } },
} satisfies Prisma.IntentSelect;

/** A live (not deleted) intent of the caller's, or "not found" (another tenant's intent included). */
export async function loadIntent(db: Db, user: SessionUser, id: string, options: { deleted?: boolean } = {}) {
  // Ids arrive from URLs: what is not a UUID names no intent (and the uuid column would reject it).
  if (!isUuid(id)) throw notFound();
  const row = await db.intent.findFirst({
    where: { id, ...(options.deleted ? {} : { deletedAt: null }), ...intentScope(user) },
    select: detailSelect,
  });
  if (!row) throw notFound();
  return row;
}

export interface IntentDetail {
  id: string;
  externalId: string | null;
  /** The intent's userLabel. */
  name: string;
  intentType: string;
  /** The catalogue's display name of the type ("Green energy"), as the console shows it. */
  typeDisplayName: string;
  instanceId: string;
  instance: { shortId: string; releaseName: string; status: string };
  owner: string;
  adminState: IntentAdminState;
  priority: number;
  observationPeriodS: number;
  contextSelectivity: string | null;
  validFrom: Date | null;
  validUntil: Date | null;
  lastFulfilment: FulfilmentStatus | null;
  nextEvaluationAt: Date;
  /** A target changed after the last evaluation: `latest` judged the old value. */
  reevaluating: boolean;
  /** Active, with a validity starting later: not evaluated before this time. */
  scheduledFrom: Date | null;
  createdAt: Date;
  updatedAt: Date;
  /** Set once deleted (only the delete action's own answer shows a deleted intent). */
  deletedAt: Date | null;
  /** Whether secret contexts were lifted out (they show as "<redacted>" in `intent`). */
  hasSecrets: boolean;
  /** The normal form, secrets redacted; null for a row stored before the normal form. */
  intent: Intent | null;
  targets: IntentTargetSummary[];
  latest: IntentReportView | null;
}

type DetailRow = Awaited<ReturnType<typeof loadIntent>>;

export async function detailOf(db: Db, row: DetailRow, now: Date): Promise<IntentDetail> {
  const intent = normalFormOf(row.body);
  const latest = (await latestReports(db, [row.id])).get(row.id);
  return {
    id: row.id,
    externalId: row.externalId,
    name: intent?.userLabel ?? row.intentType,
    intentType: row.intentType,
    typeDisplayName: intentTypeDisplayName(row.intentType),
    instanceId: row.instanceId,
    instance: row.instance,
    owner: row.owner.username,
    adminState: row.adminState,
    priority: row.priority,
    observationPeriodS: row.observationPeriodS,
    contextSelectivity: row.contextSelectivity,
    validFrom: row.validFrom,
    validUntil: row.validUntil,
    lastFulfilment: row.schedule?.lastFulfilment ?? null,
    // Every intent has a schedule (the trigger creates it); the fallback only satisfies the type.
    nextEvaluationAt: row.schedule?.nextEvaluationAt ?? row.createdAt,
    ...intentDisplayState({ ...row, lastEvaluatedAt: row.schedule?.lastEvaluatedAt ?? null }, now),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    deletedAt: row.deletedAt,
    hasSecrets: row.secretsCipher !== null,
    // Redacted again on the way out: a row stored before its context's name counted as secret kept the value.
    intent: intent ? redactIntent(intent) : null,
    targets: targetsOf(row.intentType, row.body),
    latest: latest ? reportView(latest) : null,
  };
}

export async function intentDetail(deps: IntentDeps, id: string): Promise<IntentDetail> {
  assertIntentUser(deps.user);
  return detailOf(deps.db, await loadIntent(deps.db, deps.user, id), nowOf(deps));
}

// ---------------------------------------------------------------------------
// Report

export const REPORT_HISTORY = 30;

export interface IntentReportHistoryPoint {
  /** ISO 8601. */
  time: string;
  fulfilmentStatus: FulfilmentStatus;
  /** Achieved value per target name; null when not measured or not a number. */
  targets: Record<string, number | null>;
}

export interface IntentReport {
  intent: {
    id: string;
    externalId: string | null;
    name: string;
    intentType: string;
    typeDisplayName: string;
    instanceId: string;
    adminState: IntentAdminState;
    validFrom: Date | null;
    validUntil: Date | null;
    observationPeriodS: number;
    /** A target changed after the last evaluation: `latest` judged the old value. */
    reevaluating: boolean;
    /** Active, with a validity starting later: not evaluated before this time. */
    scheduledFrom: Date | null;
    targets: IntentTargetSummary[];
  };
  latest: IntentReportView | null;
  /** The last reports, oldest first (for a chart of achieved values). */
  history: IntentReportHistoryPoint[];
}

/** The intent's fulfilment and feasibility (3GPP view of the latest report) and its recent history. */
export async function intentReport(deps: IntentDeps, id: string): Promise<IntentReport> {
  const { db, user } = deps;
  assertIntentUser(user);
  const row = await loadIntent(db, user, id);
  const reports = await db.intentReport.findMany({
    where: { intentId: row.id },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: REPORT_HISTORY,
  });
  const newest = reports[0];
  return {
    intent: {
      id: row.id,
      externalId: row.externalId,
      name: normalFormOf(row.body)?.userLabel ?? row.intentType,
      intentType: row.intentType,
      typeDisplayName: intentTypeDisplayName(row.intentType),
      instanceId: row.instanceId,
      adminState: row.adminState,
      validFrom: row.validFrom,
      validUntil: row.validUntil,
      observationPeriodS: row.observationPeriodS,
      ...intentDisplayState({ ...row, lastEvaluatedAt: row.schedule?.lastEvaluatedAt ?? null }, nowOf(deps)),
      targets: targetsOf(row.intentType, row.body),
    },
    latest: newest ? reportView(newest) : null,
    history: reports.reverse().map((report) => ({
      time: report.createdAt.toISOString(),
      fulfilmentStatus: report.fulfilmentStatus,
      targets: Object.fromEntries(
        storedTargetResults(report.targetResults).map((t) => [
          t.targetName,
          typeof t.targetAchievedValue === "number" ? t.targetAchievedValue : null,
        ]),
      ),
    })),
  };
}

// ---------------------------------------------------------------------------
// YAML export

/** The intent as YAML (normal form, secrets "<redacted>"): what an import reads back. */
export async function exportIntentYaml(deps: IntentDeps, id: string): Promise<{ yaml: string }> {
  assertIntentUser(deps.user);
  const row = await loadIntent(deps.db, deps.user, id);
  const intent = normalFormOf(row.body);
  if (!intent) {
    throw new DomainError(
      "conflict",
      "This intent was stored before intents had a normal form; it has no YAML to export.",
    );
  }
  return { yaml: intentToYaml(redactIntent(intent)) };
}
