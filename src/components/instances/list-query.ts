import { firstListState, type ListState } from "@/components/list-input";
import type { RouterInputs } from "@/trpc/types";
import { showInactiveInput } from "@/components/show-inactive-param";
import type { InstanceStatus } from "./status";

export type InstanceSort = NonNullable<RouterInputs["instance"]["list"]["sort"]>;

/** Newest first. The instances page prefetches this page; InstancesTable starts from it. */
export const INSTANCE_LIST: ListState<InstanceSort> = firstListState<InstanceSort>("createdAt", "desc");

/** The table's query input: its list state, the status filter, the page's `?workload=` and `?inactive=1`. */
export function instanceListInput(
  list: ListState<InstanceSort>,
  filters: { status?: InstanceStatus | ""; workloadId?: number | undefined; showInactive?: boolean },
) {
  return {
    ...list,
    ...(filters.status ? { status: filters.status } : {}),
    ...(filters.workloadId !== undefined ? { workloadId: filters.workloadId } : {}),
    ...showInactiveInput(filters.showInactive ?? false),
  };
}
