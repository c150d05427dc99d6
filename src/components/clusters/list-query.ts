import { firstListState, type ListState } from "@/components/list-input";
import type { RouterInputs } from "@/trpc/types";

export type ClusterSort = NonNullable<RouterInputs["cluster"]["list"]["sort"]>;

/** By name. The clusters page prefetches this page; ClustersTable starts from it. */
export const CLUSTER_LIST: ListState<ClusterSort> = firstListState<ClusterSort>("name");
