import { InstanceStatus } from "@/generated/prisma/enums";

export { InstanceStatus };

/**
 * The instance lifecycle, one vocabulary for the server and the console:
 * the statuses in lifecycle order, which moves are legal, and the groupings
 * the rules use (what holds cluster resources, what may be deleted, what
 * views keep polling).
 *
 *   CREATED → RENDERED → (DEPLOYING →) DEPLOYED ⇄ MIGRATING
 *   DEPLOYED → DEPLOYING → DEPLOYED: a change (upgrade, hand scale) applied
 *   any live status → DELETING → DELETED; a failed step ends FAILED
 *   FAILED → RENDERED: a retry, placed again with the clusters of now
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

/**
 * Every legal move. A migration that fails rolls back: the instance returns to
 * DEPLOYED on its source. A change of a running instance stores its new
 * manifests and goes back to DEPLOYING on its cluster; a retry of a FAILED one
 * starts over from RENDERED.
 */
export const INSTANCE_TRANSITIONS: Readonly<Record<InstanceStatus, readonly InstanceStatus[]>> = {
  CREATED: ["RENDERED", "FAILED", "DELETING"],
  RENDERED: ["DEPLOYING", "DEPLOYED", "FAILED", "DELETING"],
  DEPLOYING: ["DEPLOYED", "FAILED"],
  DEPLOYED: ["MIGRATING", "DEPLOYING", "DELETING", "FAILED"],
  MIGRATING: ["DEPLOYED", "FAILED"],
  DELETING: ["DELETED", "FAILED"],
  DELETED: [],
  FAILED: ["RENDERED", "DELETING"],
};

export function canInstanceTransition(from: InstanceStatus, to: InstanceStatus): boolean {
  return INSTANCE_TRANSITIONS[from].includes(to);
}

/** A user may delete the instance now: nothing is moving it, and it is not gone. */
export function isDeletable(status: InstanceStatus): boolean {
  return canInstanceTransition(status, "DELETING");
}

/** A retry places a FAILED instance again (FAILED → RENDERED). */
export function isRetryable(status: InstanceStatus): boolean {
  return status === "FAILED";
}

/** Its values, version or replicas may be changed: it runs and nothing else is moving it. */
export function isChangeable(status: InstanceStatus): boolean {
  return status === "DEPLOYED";
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
