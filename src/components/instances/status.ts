import type { RouterOutputs } from "@/trpc/types";

/** The instance statuses, in lifecycle order (the server's enum; the type keeps them in step). */
export type InstanceStatus = RouterOutputs["instance"]["list"]["items"][number]["status"];

export const INSTANCE_STATUSES: readonly InstanceStatus[] = [
  "CREATED",
  "RENDERED",
  "DEPLOYING",
  "DEPLOYED",
  "MIGRATING",
  "DELETING",
  "DELETED",
  "FAILED",
];

const TRANSITIONAL: ReadonlySet<InstanceStatus> = new Set([
  "CREATED",
  "RENDERED",
  "DEPLOYING",
  "MIGRATING",
  "DELETING",
]);

/** The orchestrator is still working on it: views showing it poll. */
export function isTransitional(status: InstanceStatus): boolean {
  return TRANSITIONAL.has(status);
}

/** How often lists, the instance page and its timeline poll while something is in flight. */
export const LIVE_REFRESH_MS = 2_000;

/** How often the timeline polls once the instance has settled (scaling and migration still add events). */
export const SETTLED_REFRESH_MS = 10_000;

/** How often the deployment tree is re-read from the cluster (pods, restarts and traffic change). */
export const TREE_REFRESH_MS = 4_000;
