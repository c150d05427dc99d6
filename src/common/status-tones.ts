/**
 * How a status reads at a glance, as a tone the UI maps to a colour. Plain
 * data, so a page, a chip or a server-side summary agree.
 */
export type StatusTone = "default" | "primary" | "secondary" | "error" | "info" | "success" | "warning";

/** Status → tone, for every noun's status (cluster, workload, instance, intent, migration) in one place. */
export const STATUS_TONES: Readonly<Record<string, StatusTone>> = {
  OK: "success",
  ACCEPTED: "success",
  DEPLOYED: "success",
  ACTIVATED: "success",
  FULFILLED: "success",
  FEASIBLE: "success",
  COMPLIANT: "info",
  ACKNOWLEDGED: "info",
  DEGRADED: "warning",
  SUSPENDED: "warning",
  PENDING: "warning",
  CREATED: "info",
  RENDERED: "info",
  DEPLOYING: "info",
  // Teal (secondary) sets an instance being moved apart from one being deployed.
  MIGRATING: "secondary",
  DELETING: "warning",
  ERROR: "error",
  FAILED: "error",
  NOT_FULFILLED: "error",
  INFEASIBLE: "error",
  FULFILMENTFAILED: "error",
  TERMINATED: "default",
  DELETED: "default",
  DEREGISTERED: "default",
  // Migration states: in flight, done, and the two ways it can end badly.
  REQUESTED: "info",
  BACKING_UP: "info",
  BACKED_UP: "info",
  RESTORING: "info",
  VERIFYING: "info",
  COMPLETED: "success",
  ROLLED_BACK: "warning",
  DEACTIVATED: "default",
  // Failed messages: waiting for an admin (FAILED above, DEAD), or resolved.
  DEAD: "error",
  REPLAYED: "info",
  DISCARDED: "default",
};
