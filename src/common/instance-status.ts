import { InstanceStatus } from "@/generated/prisma/enums";

export { InstanceStatus };

/**
 * The instance lifecycle, one vocabulary for the server and the console:
 * the statuses in lifecycle order, which moves are legal, and the groupings
 * the rules use (what holds cluster resources, what may be deleted, what
 * views keep polling).
 *
 *   CREATED → RENDERED → (DEPLOYING →) DEPLOYED ⇄ MIGRATING
 *   any live status → DELETING → DELETED; a failed step ends FAILED
 */
export const INSTANCE_STATUSES = [
  "CREATED",
  "RENDERED",
  "DEPLOYING",
  "DEPLOYED",
  "MIGRATING",
  "DELETING",
  "DELETED",
  "FAILED",
] as const satisfies readonly InstanceStatus[];

/** Every legal move. A migration that fails rolls back: the instance returns to DEPLOYED on its source. */
export const INSTANCE_TRANSITIONS: Readonly<Record<InstanceStatus, readonly InstanceStatus[]>> = {
  CREATED: ["RENDERED", "FAILED", "DELETING"],
  RENDERED: ["DEPLOYING", "DEPLOYED", "FAILED", "DELETING"],
  DEPLOYING: ["DEPLOYED", "FAILED"],
  DEPLOYED: ["MIGRATING", "DELETING", "FAILED"],
  MIGRATING: ["DEPLOYED", "FAILED"],
  DELETING: ["DELETED", "FAILED"],
  DELETED: [],
  FAILED: ["DELETING"],
};

export function canInstanceTransition(from: InstanceStatus, to: InstanceStatus): boolean {
  return INSTANCE_TRANSITIONS[from].includes(to);
}

/** A user may delete the instance now: nothing is moving it, and it is not gone. */
export function isDeletable(status: InstanceStatus): boolean {
  return canInstanceTransition(status, "DELETING");
}

/** The orchestrator is still working on it: views showing it poll. */
export const TRANSITIONAL_STATUSES = [
  "CREATED",
  "RENDERED",
  "DEPLOYING",
  "MIGRATING",
  "DELETING",
] as const satisfies readonly InstanceStatus[];

export function isTransitional(status: InstanceStatus): boolean {
  return (TRANSITIONAL_STATUSES as readonly InstanceStatus[]).includes(status);
}

/** Statuses in which an instance holds resources on its cluster (placement counts them; deregistration waits for them). */
export const ON_CLUSTER_STATUSES = [
  "DEPLOYING",
  "DEPLOYED",
  "MIGRATING",
] as const satisfies readonly InstanceStatus[];
