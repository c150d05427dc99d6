import { z } from "zod";
import {
  FULFILMENT_STATUSES,
  type FeasibilityResultName,
  type FulfilmentStatusName,
  type NotFulfilledStateName,
} from "@/common/intent-status";
import { conditionValueSchema } from "@/server/placement";

/**
 * Intent fulfilment and feasibility reports (3GPP TS 28.312
 * IntentReport): what the evaluator, the intent actions and the creation
 * flow store, and the view the console and REST return. Pure, no I/O.
 *
 * Stored shape (table `intent_reports`): the columns carry the intent-level
 * info, `target_results` the per-target results ({@link storedTargetResultsSchema}).
 * Every report is kept (history); the latest is the intent's state.
 */

export {
  FEASIBILITY_RESULTS,
  FULFILMENT_STATUSES,
  NOT_FULFILLED_STATES,
  type FeasibilityResultName,
  type FulfilmentStatusName,
  type NotFulfilledStateName,
} from "@/common/intent-status";

/** An achieved value as measured: a number (in the target's unit), a string, a boolean, or nothing measured. */
export const achievedValueSchema = z.union([z.number(), z.string(), z.boolean(), z.null()]);
export type AchievedValue = z.infer<typeof achievedValueSchema>;

/** One target's result as stored in `intent_reports.target_results`. */
export const storedTargetResultSchema = z.object({
  expectationId: z.string(),
  targetName: z.string(),
  targetCondition: z.string(),
  targetValueRange: conditionValueSchema,
  /** Unit of the achieved and required values (catalogue unit), null when unitless. */
  unit: z.string().nullable(),
  fulfilmentStatus: z.enum(FULFILMENT_STATUSES),
  targetAchievedValue: achievedValueSchema,
  /** Why the target is not fulfilled (or could not be judged); absent when fulfilled. */
  reason: z.string().optional(),
});
export type StoredTargetResult = z.infer<typeof storedTargetResultSchema>;
export const storedTargetResultsSchema = z.array(storedTargetResultSchema);

/** What a report says, before it is stored (the evaluator's and the actions' output). */
export interface IntentReportDraft {
  fulfilmentStatus: FulfilmentStatusName;
  /** Null exactly when FULFILLED. */
  notFulfilledState: NotFulfilledStateName | null;
  notFulfilledReasons: string[];
  feasibility: FeasibilityResultName;
  infeasibilityReason: string | null;
  targetResults: StoredTargetResult[];
}

/** A report whose state comes from the intent's lifecycle, not from measuring (created, suspended, deleted). */
export function lifecycleReport(
  state: Extract<NotFulfilledStateName, "ACKNOWLEDGED" | "SUSPENDED" | "TERMINATED">,
  reason: string,
  previous?: Pick<IntentReportDraft, "feasibility" | "infeasibilityReason" | "targetResults"> | null,
): IntentReportDraft {
  return {
    fulfilmentStatus: "NOT_FULFILLED",
    notFulfilledState: state,
    notFulfilledReasons: [reason],
    feasibility: previous?.feasibility ?? "FEASIBLE",
    infeasibilityReason: previous?.infeasibilityReason ?? null,
    targetResults: previous?.targetResults ?? [],
  };
}

// ---------------------------------------------------------------------------
// The 3GPP view (console, REST)

export interface TargetFulfilmentResultView {
  targetName: string;
  targetCondition: string;
  targetValueRange: z.infer<typeof conditionValueSchema>;
  unit: string | null;
  targetFulfilmentInfo: { fulfilmentStatus: FulfilmentStatusName; notFulfilledReason: string | null };
  targetAchievedValue: AchievedValue;
}

export interface IntentReportView {
  /** Report id (its row number, as a string). */
  id: string;
  intentId: string;
  intentFulfilmentReport: {
    intentFulfilmentInfo: {
      fulfilmentStatus: FulfilmentStatusName;
      notFulfilledState: NotFulfilledStateName | null;
      notFulfilledReasons: string[];
    };
    expectationFulfilmentResult: Array<{
      expectationId: string;
      expectationFulfilmentInfo: { fulfilmentStatus: FulfilmentStatusName };
      targetFulfilmentResult: TargetFulfilmentResultView[];
    }>;
  };
  intentFeasibilityCheckReport: {
    feasibilityCheckResult: FeasibilityResultName;
    infeasibilityReason: string | null;
  };
  /** ISO 8601. */
  lastUpdatedTime: string;
}

/** A stored report row (Prisma `IntentReport`), as far as the view needs it. */
export interface StoredReportRow {
  id: bigint | number | string;
  intentId: string;
  fulfilmentStatus: FulfilmentStatusName;
  notFulfilledState: NotFulfilledStateName | null;
  notFulfilledReasons: string[];
  feasibility: FeasibilityResultName;
  infeasibilityReason: string | null;
  targetResults: unknown;
  createdAt: Date;
}

/** Target results of a stored row; rows written by an older shape read as no results rather than failing the page. */
export function storedTargetResults(value: unknown): StoredTargetResult[] {
  const parsed = storedTargetResultsSchema.safeParse(value);
  return parsed.success ? parsed.data : [];
}

export function reportView(row: StoredReportRow): IntentReportView {
  const targets = storedTargetResults(row.targetResults);
  const byExpectation = new Map<string, StoredTargetResult[]>();
  for (const target of targets) {
    const list = byExpectation.get(target.expectationId) ?? [];
    list.push(target);
    byExpectation.set(target.expectationId, list);
  }
  return {
    id: String(row.id),
    intentId: row.intentId,
    intentFulfilmentReport: {
      intentFulfilmentInfo: {
        fulfilmentStatus: row.fulfilmentStatus,
        notFulfilledState: row.notFulfilledState,
        notFulfilledReasons: row.notFulfilledReasons,
      },
      expectationFulfilmentResult: [...byExpectation].map(([expectationId, results]) => ({
        expectationId,
        expectationFulfilmentInfo: {
          fulfilmentStatus: results.every((r) => r.fulfilmentStatus === "FULFILLED")
            ? "FULFILLED"
            : "NOT_FULFILLED",
        },
        targetFulfilmentResult: results.map((r) => ({
          targetName: r.targetName,
          targetCondition: r.targetCondition,
          targetValueRange: r.targetValueRange,
          unit: r.unit,
          targetFulfilmentInfo: {
            fulfilmentStatus: r.fulfilmentStatus,
            notFulfilledReason: r.reason ?? null,
          },
          targetAchievedValue: r.targetAchievedValue,
        })),
      })),
    },
    intentFeasibilityCheckReport: {
      feasibilityCheckResult: row.feasibility,
      infeasibilityReason: row.infeasibilityReason,
    },
    lastUpdatedTime: row.createdAt.toISOString(),
  };
}
