import { firstListState, type ListState } from "@/components/list-input";
import type { RouterInputs } from "@/trpc/types";

export type WorkloadSort = NonNullable<RouterInputs["workload"]["list"]["sort"]>;

/** Newest first. The workloads page prefetches this page; WorkloadsTable starts from it. */
export const WORKLOAD_LIST: ListState<WorkloadSort> = firstListState<WorkloadSort>("id", "desc");
