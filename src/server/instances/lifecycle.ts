import type { Prisma } from "@/generated/prisma/client";
import type { TransactionClient } from "@/server/bus";
import { notifyLifecycleEvent } from "@/server/notifications";

/**
 * The lifecycle history of an instance: append-only, one row per status
 * change, written in the same transaction as the change it records. Types are
 * the timeline's vocabulary. The events a user is told about (Failed, a
 * migration's start and end, Drifted) become the owner's notifications in
 * the same transaction (src/server/notifications).
 */
export const LIFECYCLE_EVENT_TYPES = [
  "Rendered",
  "Placement",
  "Deployment",
  "Deletion requested",
  "Deletion",
  "Failed",
  "Migration",
  "Scaling",
  "Upgrade",
  "Retry",
  // Drift (src/server/drift): the live objects left the manifests, matched again, or were re-applied.
  "Drifted",
  "In sync",
  "Re-sync",
  // Accounting: the instance's budget crossed 80 % or 100 % in its window (src/server/accounting/budgets.ts).
  "Budget",
] as const;
export type LifecycleEventType = (typeof LIFECYCLE_EVENT_TYPES)[number];

export async function recordLifecycleEvent(
  tx: TransactionClient,
  instanceId: string,
  type: LifecycleEventType,
  message: string,
  detail?: Prisma.InputJsonObject,
): Promise<void> {
  const event = await tx.lifecycleEvent.create({
    data: { instanceId, type, message, ...(detail !== undefined && { detail }) },
    select: { id: true, occurredAt: true },
  });
  await notifyLifecycleEvent(tx, { ...event, instanceId, type, message, detail });
}
