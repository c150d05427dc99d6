/**
 * A list's "Show inactive" switch (deleted instances, archived workloads,
 * deregistered clusters) lives in the URL as `?inactive=1`, so a reload or a
 * shared link shows the same list. Plain data, no React: pages read it on the
 * server to prefetch the very query the table asks for.
 */
export const SHOW_INACTIVE_PARAM = "inactive";

/** The list input's part for the switch: nothing when off, so the default query keeps its key. */
export function showInactiveInput(showInactive: boolean): { showInactive?: true } {
  return showInactive ? { showInactive: true } : {};
}

/** The page's `?inactive=1` (server side), as the table reads it in the browser. */
export function showInactiveParam(searchParams: Record<string, string | string[] | undefined>): boolean {
  return searchParams[SHOW_INACTIVE_PARAM] === "1";
}
