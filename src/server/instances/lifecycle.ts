import type { Prisma } from "@/generated/prisma/client";
import type { TransactionClient } from "@/server/bus";

/**
 * The lifecycle history of an instance: append-only, one row per status
 * change, written in the same transaction as the change it records. Types are
 * the timeline's vocabulary.
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
] as const;
export type LifecycleEventType = (typeof LIFECYCLE_EVENT_TYPES)[number];

export async function recordLifecycleEvent(
  tx: TransactionClient,
  instanceId: string,
  type: LifecycleEventType,
  message: string,
  detail?: Prisma.InputJsonObject,
): Promise<void> {
  await tx.lifecycleEvent.create({
    data: { instanceId, type, message, ...(detail !== undefined && { detail }) },
  });
}
