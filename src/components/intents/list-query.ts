import { firstListState, type ListState } from "@/components/list-input";
import type { RouterInputs } from "@/trpc/types";

export type IntentSort = NonNullable<RouterInputs["intent"]["list"]["sort"]>;

/** By id. The intents page prefetches this page; IntentsTable starts from it. */
export const INTENT_LIST: ListState<IntentSort> = firstListState<IntentSort>("id");

/** The table's query input: its list state and the page's `?instanceId=`. */
export function intentListInput(list: ListState<IntentSort>, instanceId: string | undefined) {
  return { ...list, ...(instanceId ? { instanceId } : {}) };
}
