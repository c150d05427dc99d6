import { type ActiveFailure, crashLoopRestarts } from "./failures";
import { type PodStatus, type SimPod } from "./state";

/**
 * A pod's status is derived, not stored: from when it was bound, its seeded
 * start-up time, the active failures and the clock. So advancing the clock is
 * all it takes for pods to start, and for crash loops to count restarts.
 */

export function startedAt(pod: SimPod): number | null {
  return pod.scheduledAt === null ? null : pod.scheduledAt + pod.startupMs;
}

function crashMatches(pod: SimPod, active: ActiveFailure): boolean {
  const { failure } = active;
  if (failure.type !== "crash-loop" || failure.namespace !== pod.namespace) return false;
  return failure.workload === undefined || pod.workloadKey.endsWith(`/${failure.workload}`);
}

/** Restarts one crash loop has caused so far (0 for pods it does not affect). */
export function crashRestarts(pod: SimPod, active: ActiveFailure, now: number): number {
  const started = startedAt(pod);
  if (started === null || !crashMatches(pod, active)) return 0;
  return crashLoopRestarts(now - Math.max(active.since, started));
}

export function podStatus(
  pod: SimPod,
  failures: Iterable<ActiveFailure>,
  reachable: boolean,
  now: number,
): PodStatus {
  let restarts = pod.restartsBase;
  let crashing = false;
  const started = startedAt(pod);
  for (const active of failures) {
    if (!crashMatches(pod, active)) continue;
    restarts += crashRestarts(pod, active, now);
    if (started !== null && now >= started) crashing = true;
  }
  if (!reachable)
    return {
      phase: "Unknown",
      ready: false,
      restarts,
      health: { status: "Unknown", message: "cluster unreachable" },
    };
  if (started === null)
    return {
      phase: "Pending",
      ready: false,
      restarts,
      health: { status: "Progressing", message: pod.pendingReason ?? "waiting to be scheduled" },
    };
  if (now < started)
    return { phase: "ContainerCreating", ready: false, restarts, health: { status: "Progressing" } };
  if (crashing)
    return {
      phase: "CrashLoopBackOff",
      ready: false,
      restarts,
      health: { status: "Degraded", message: "back-off restarting failed container" },
    };
  return { phase: "Running", ready: true, restarts, health: { status: "Healthy" } };
}
