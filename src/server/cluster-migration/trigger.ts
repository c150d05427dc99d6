import { z } from "zod";
import { intentTypeDisplayName } from "@/common/intent-catalogue";
import {
  conditionSchema,
  conditionValueSchema,
  describeRequirement,
  evaluateCondition,
  propertyOfTarget,
  type ClusterCandidate,
  type IntentTarget,
} from "@/server/placement";
import type { MigrationStep } from "./state-machine";

/**
 * Why a migration started (column `migrations.trigger`), and how it reads in
 * the Orchestration table's Reason column and the REST answers. Pure.
 *
 * - Intent-triggered: the intent, the action that woke the controller, the
 *   report it reacted to and the target the source cluster no longer met,
 *   with the value that cluster offered ("observed").
 * - "Migrate now": who asked.
 * - CFDRL: the migration agent chose the move (src/server/rl), shown "started by CFDRL".
 */

/** Who the controller's migrations are requested by (the REQUESTED step's actor). */
export const CONTROLLER_ACTOR = "ibmc-controller";

/** A value the source cluster offered: a number (in `unit`), a string, or a set (IS_ALL_OF). */
const observedValueSchema = z.union([z.number(), z.string(), z.array(z.number()), z.array(z.string())]);

export const triggerTargetSchema = z.object({
  /** As the intent names it ("availability"). */
  name: z.string(),
  condition: conditionSchema,
  value: conditionValueSchema,
  /** Unit of `value` and `observed` ("%"), null when unitless. */
  unit: z.string().nullable(),
  observed: observedValueSchema,
});
export type TriggerTarget = z.infer<typeof triggerTargetSchema>;

/** The intent notifications the controller acts on. */
export const INTENT_TRIGGER_ACTIONS = ["created", "updated", "activated", "violated"] as const;
export type IntentTriggerAction = (typeof INTENT_TRIGGER_ACTIONS)[number];

export const storedTriggerSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("intent"),
    intentId: z.string(),
    intentType: z.string(),
    action: z.enum(INTENT_TRIGGER_ACTIONS),
    /** The intent's newest report when the controller acted (intent_reports.id, as a string). */
    reportId: z.string().nullable(),
    /** The first target of this intent the source cluster failed; null when only other intents' targets failed. */
    target: triggerTargetSchema.nullable(),
  }),
  z.object({
    kind: z.literal("request"),
    requestedBy: z.string(),
    /** Set when the request is a cluster drain's: the cluster drained (src/server/cluster-migration/drain.ts). */
    drainedCluster: z.string().optional(),
  }),
  z.object({
    kind: z.literal("cfdrl"),
    /** The `cfdrl_decisions` row that chose the move (as a string). */
    decisionId: z.string(),
    /** The model version that chose it, when one was saved. */
    modelVersion: z.number().int().nullable(),
  }),
]);
export type StoredTrigger = z.infer<typeof storedTriggerSchema>;

/** The trigger as a row shows it. */
export interface MigrationTriggerView {
  kind: "intent" | "request" | "cfdrl";
  /** Null for a request, or when hidden from the caller (`detailsHidden`). */
  intentId: string | null;
  intentType: string | null;
  action: IntentTriggerAction | null;
  reportId: string | null;
  target: TriggerTarget | null;
  /** Who asked ("Migrate now"); null for an intent. */
  requestedBy: string | null;
  /** For people: "Availability intent 3f2a1b2c…: availability needs at least 95 %, observed 90 %", "Requested by admin". */
  summary: string;
  /** An infrastructure provider's view of another tenant's instance: only that an intent triggered it. */
  detailsHidden: boolean;
}

/**
 * The first of `targets` that `cluster` fails, with the value it offers;
 * null when it meets them all or is unknown. Targets that are not cluster
 * properties (judged after deployment) or cannot be judged are passed over.
 */
export function violatedTarget(
  cluster: ClusterCandidate | undefined,
  targets: readonly IntentTarget[],
): TriggerTarget | null {
  if (!cluster) return null;
  for (const target of targets) {
    const property = propertyOfTarget(target);
    if (!property) continue;
    const observed = property.read(cluster);
    const outcome = evaluateCondition(target.condition, observed, target.value);
    if (!outcome.ok || outcome.satisfied) continue;
    const unit = property.unit.trim();
    return {
      name: target.targetName,
      condition: target.condition,
      value: target.value,
      unit: unit === "" ? null : unit,
      observed,
    };
  }
  return null;
}

/** A stored trigger; a malformed one reads as absent rather than failing a page. */
export function parseTrigger(value: unknown): StoredTrigger | null {
  const parsed = storedTriggerSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

function formatValue(value: TriggerTarget["observed"], unit: string | null): string {
  const one = (v: number | string) => (typeof v === "number" && unit ? `${v} ${unit}` : String(v));
  return Array.isArray(value) ? value.map(one).join(", ") : one(value);
}

export const shortIntentId = (id: string) => `${id.slice(0, 8)}…`;

/** Who a CFDRL migration is requested by (the REQUESTED step's actor) and how it reads. */
export const CFDRL_ACTOR = "cfdrl";
export const CFDRL_TRIGGER_SUMMARY = "Started by CFDRL";

/** The sentence of the Reason column. */
export function triggerSummary(trigger: StoredTrigger): string {
  if (trigger.kind === "cfdrl") return CFDRL_TRIGGER_SUMMARY;
  if (trigger.kind === "request")
    return trigger.drainedCluster !== undefined
      ? `Cluster ${trigger.drainedCluster} drained by ${trigger.requestedBy}`
      : `Requested by ${trigger.requestedBy}`;
  // The type as every view shows it: the catalogue's display name.
  const intent = `${intentTypeDisplayName(trigger.intentType)} intent ${shortIntentId(trigger.intentId)}`;
  const t = trigger.target;
  if (!t) return `${intent} ${trigger.action}: its cluster no longer met the instance's intents`;
  const needs = describeRequirement(t.condition, t.value, { unit: t.unit ? ` ${t.unit}` : "" });
  return `${intent}: ${t.name} needs ${needs}, observed ${formatValue(t.observed, t.unit)}`;
}

export const HIDDEN_TRIGGER_SUMMARY = "Intent-triggered";

/**
 * The trigger of a stored row; rows from before the column say what their
 * intent id and REQUESTED step tell (an intent, or who asked).
 */
export function triggerView(
  stored: unknown,
  row: { intentId: string | null; steps: readonly MigrationStep[] },
): MigrationTriggerView | null {
  const trigger = parseTrigger(stored);
  const actor = row.steps.find((s) => s.state === "REQUESTED")?.actor ?? null;
  if (trigger?.kind === "intent")
    return {
      kind: "intent",
      intentId: trigger.intentId,
      intentType: trigger.intentType,
      action: trigger.action,
      reportId: trigger.reportId,
      target: trigger.target,
      requestedBy: null,
      summary: triggerSummary(trigger),
      detailsHidden: false,
    };
  if (trigger?.kind === "cfdrl")
    return {
      kind: "cfdrl",
      intentId: null,
      intentType: null,
      action: null,
      reportId: null,
      target: null,
      requestedBy: CFDRL_ACTOR,
      summary: CFDRL_TRIGGER_SUMMARY,
      detailsHidden: false,
    };
  const requestedBy = trigger?.requestedBy ?? (actor !== CONTROLLER_ACTOR ? actor : null);
  if (requestedBy !== null)
    return {
      kind: "request",
      intentId: null,
      intentType: null,
      action: null,
      reportId: null,
      target: null,
      requestedBy,
      summary: triggerSummary({
        kind: "request",
        requestedBy,
        ...(trigger?.kind === "request" &&
          trigger.drainedCluster !== undefined && { drainedCluster: trigger.drainedCluster }),
      }),
      detailsHidden: false,
    };
  if (row.intentId === null) return null;
  return {
    kind: "intent",
    intentId: row.intentId,
    intentType: null,
    action: null,
    reportId: null,
    target: null,
    requestedBy: null,
    summary: `Intent ${shortIntentId(row.intentId)}: its cluster no longer met the instance's intents`,
    detailsHidden: false,
  };
}

/** What a caller who does not see the row in full learns: that an intent triggered it, no more. */
export function hiddenTrigger(view: MigrationTriggerView | null): MigrationTriggerView | null {
  if (view === null || view.kind !== "intent") return view;
  return {
    kind: "intent",
    intentId: null,
    intentType: null,
    action: null,
    reportId: null,
    target: null,
    requestedBy: null,
    summary: HIDDEN_TRIGGER_SUMMARY,
    detailsHidden: true,
  };
}
