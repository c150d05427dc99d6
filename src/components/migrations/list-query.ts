import { firstListState, type ListState } from "@/components/list-input";
import type { RouterInputs } from "@/trpc/types";
import type { MigrationState } from "./steps";

export type MigrationSort = NonNullable<RouterInputs["migration"]["list"]["sort"]>;

/** Newest first. The orchestration page prefetches this page; MigrationsTable starts from it. */
export const MIGRATION_LIST: ListState<MigrationSort> = firstListState<MigrationSort>("createdAt", "desc");

/** The table's query input: its list state and the state and cluster filters. */
export function migrationListInput(
  list: ListState<MigrationSort>,
  filters: { state?: MigrationState | ""; cluster?: string },
) {
  return {
    ...list,
    ...(filters.state ? { state: filters.state } : {}),
    ...(filters.cluster ? { cluster: filters.cluster } : {}),
  };
}
