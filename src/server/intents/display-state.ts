import type { IntentAdminState } from "@/generated/prisma/enums";

/**
 * What the console shows instead of the latest report when that report
 * would mislead (pure): an intent whose validity has not begun is
 * "scheduled" (the evaluator leaves it alone until then), and an intent
 * whose target changed after its last evaluation is "re-evaluating" (the
 * latest report judged the old value).
 */
export interface IntentDisplayFacts {
  adminState: IntentAdminState;
  validFrom: Date | null;
  validUntil: Date | null;
  /** When a target last changed (target change or replace): `intents.targets_changed_at`. */
  targetsChangedAt: Date | null;
  /** When the evaluator last judged the intent (its schedule's `lastEvaluatedAt`). */
  lastEvaluatedAt: Date | null;
}

export interface IntentDisplayState {
  /** Active, in its validity, and not evaluated since a target changed: its latest report judged the old value. */
  reevaluating: boolean;
  /** Active and its validity starts after `now`: evaluated from then on; null otherwise. */
  scheduledFrom: Date | null;
}

export function intentDisplayState(facts: IntentDisplayFacts, now: Date): IntentDisplayState {
  const active = facts.adminState === "ACTIVATED";
  const scheduledFrom =
    active && facts.validFrom !== null && facts.validFrom.getTime() > now.getTime() ? facts.validFrom : null;
  // Only what the evaluator will judge can be "re-evaluating": not a suspended, scheduled or expired intent.
  const evaluated =
    active &&
    scheduledFrom === null &&
    (facts.validUntil === null || facts.validUntil.getTime() > now.getTime());
  // Same-instant counts as evaluated: a cycle at the change's time already finds it due and judges the new value.
  const reevaluating =
    evaluated &&
    facts.targetsChangedAt !== null &&
    (facts.lastEvaluatedAt === null || facts.lastEvaluatedAt.getTime() < facts.targetsChangedAt.getTime());
  return { reevaluating, scheduledFrom };
}
