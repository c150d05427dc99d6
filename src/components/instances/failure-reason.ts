/**
 * Where a FAILED instance's reason is told, so its page says it once: the
 * instance details show the status reason; the "Why this cluster?" panel shows
 * the per-cluster verdicts and repeats the placement's reason only when it
 * differs from the status reason (e.g. an instance that failed later, after a
 * retry, for another reason); the timeline keeps its Failed event.
 */

/** The text under "No cluster can take this instance" in the placement panel. */
export function noClusterDetail(reasonIfNone: string | null, statusReason: string | null): string {
  if (reasonIfNone === null) return "Every cluster was ruled out.";
  if (reasonIfNone === statusReason) return "Each cluster's verdict is listed below.";
  return reasonIfNone;
}

/** Whether the status chip in the instance details should carry the reason too (not when the alert below shows it). */
export function chipCarriesReason(status: string, statusReason: string | null): boolean {
  return statusReason !== null && status !== "FAILED";
}
