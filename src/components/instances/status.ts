/** How the instance views poll; the status vocabulary itself is `@/common/instance-status`. */
export { INSTANCE_STATUSES, isTransitional, type InstanceStatus } from "@/common/instance-status";

/** How often lists, the instance page and its timeline poll while something is in flight. */
export const LIVE_REFRESH_MS = 2_000;

/** How often the timeline polls once the instance has settled (scaling and migration still add events). */
export const SETTLED_REFRESH_MS = 10_000;

/** How often the deployment tree is re-read from the cluster (pods, restarts and traffic change). */
export const TREE_REFRESH_MS = 4_000;
