/**
 * The Orchestration table's Reason cell, plain logic: why the migration
 * started (the trigger's sentence, linked to the intent's report when the
 * caller may open it) and, when it did not complete, why.
 */

/** What a migration row says about its start and end, as the API returns it. */
export interface ReasonSource {
  instanceId: string;
  reason: string | null;
  trigger: {
    kind: "intent" | "request" | "cfdrl";
    intentId: string | null;
    summary: string;
  } | null;
}

export interface ReasonCell {
  /** Why it started; null when the row records nothing (older rows). */
  trigger: { text: string; href: string | null } | null;
  /** Why it failed or was rolled back. */
  failure: string | null;
}

/** The intent's report on the Intents page (`?report=` opens it). */
export function intentReportHref(instanceId: string, intentId: string): string {
  return `/intents?instanceId=${encodeURIComponent(instanceId)}&report=${encodeURIComponent(intentId)}`;
}

export function migrationReasonCell(row: ReasonSource): ReasonCell {
  const t = row.trigger;
  return {
    trigger:
      t === null
        ? null
        : {
            text: t.summary,
            // A hidden intent (infrastructure provider's view) has no id: nothing to open.
            href:
              t.kind === "intent" && t.intentId !== null
                ? intentReportHref(row.instanceId, t.intentId)
                : null,
          },
    failure: row.reason,
  };
}
