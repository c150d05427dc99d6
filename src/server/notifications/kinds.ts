/**
 * What a notification tells about. Each kind has one source of truth for
 * who receives it (record.ts) and one console link (`links` below).
 */
export const NOTIFICATION_KINDS = [
  "INSTANCE_FAILED",
  "INSTANCE_DRIFTED",
  "MIGRATION_STARTED",
  "MIGRATION_COMPLETED",
  "MIGRATION_FAILED",
  "INTENT_NOT_FULFILLED",
  "CLUSTER_ERROR",
  // Accounting (src/server/accounting/budgets.ts): a budget crossed 80 % or 100 % in its window.
  "BUDGET_THRESHOLD",
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** What a notification links to. */
export const NOTIFICATION_SUBJECTS = ["instance", "intent", "cluster", "budget"] as const;
export type NotificationSubject = (typeof NOTIFICATION_SUBJECTS)[number];

export function isNotificationKind(value: string): value is NotificationKind {
  return (NOTIFICATION_KINDS as readonly string[]).includes(value);
}

/** The console paths a notification opens (the same ones the console's own links use). */
export const links = {
  instance: (instanceId: string): string => `/instances/${instanceId}`,
  /** The intents table filtered to the instance, with the intent's report open. */
  intent: (instanceId: string, intentId: string): string =>
    `/intents?instanceId=${encodeURIComponent(instanceId)}&report=${encodeURIComponent(intentId)}`,
  cluster: (clusterId: string): string => `/clusters/${clusterId}/metrics`,
  /** The Accounting page with the budget shown. */
  budget: (budgetId: string): string => `/accounting?budget=${encodeURIComponent(budgetId)}`,
};

/** The longest message stored: reasons can be long; the object's own page has the whole text. */
export const MAX_MESSAGE_LENGTH = 500;

export function clip(text: string, max: number = MAX_MESSAGE_LENGTH): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
