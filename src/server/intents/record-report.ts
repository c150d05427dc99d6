import type { TransactionClient } from "@/server/bus";
import type { IntentReportDraft } from "./report";

/**
 * Stores one report of an intent, one at a time (lifecycle changes, the
 * migration controller, a single evaluation), and marks it as the intent's
 * newest on its schedule, which is what the console's "last updated" sorts
 * by. The evaluator's cycle stores its reports in bulk and marks them in the
 * same statement that moves the schedule (evaluation-store.ts).
 */
export async function recordReport(
  tx: Pick<TransactionClient, "intentReport" | "intentSchedule">,
  intentId: string,
  draft: IntentReportDraft,
  now: Date = new Date(),
): Promise<void> {
  await tx.intentReport.create({
    data: {
      intentId,
      fulfilmentStatus: draft.fulfilmentStatus,
      notFulfilledState: draft.notFulfilledState,
      notFulfilledReasons: draft.notFulfilledReasons,
      feasibility: draft.feasibility,
      infeasibilityReason: draft.infeasibilityReason,
      targetResults: draft.targetResults,
      createdAt: now,
    },
  });
  await tx.intentSchedule.updateMany({ where: { intentId }, data: { lastReportedAt: now } });
}
