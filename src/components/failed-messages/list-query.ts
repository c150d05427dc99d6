import { firstListState, type ListState } from "@/components/list-input";
import type { RouterInputs } from "@/trpc/types";

type ListInput = RouterInputs["failedMessage"]["list"];
export type FailedMessageSort = NonNullable<ListInput["sort"]>;
export type FailedMessageKindFilter = NonNullable<ListInput["kind"]> | "";
export type FailedMessageStateFilter = NonNullable<ListInput["state"]>;

export interface FailedMessageFilters {
  kind: FailedMessageKindFilter;
  state: FailedMessageStateFilter;
  exchange: string;
  queue: string;
  routingKey: string;
  messageType: string;
}

/** Newest first. The page prefetches this page; FailedMessagesTable starts from it. */
export const FAILED_MESSAGE_LIST: ListState<FailedMessageSort> = firstListState<FailedMessageSort>(
  "createdAt",
  "desc",
);

/** Open items of every kind: what an admin has to look at. */
export const NO_FILTERS: FailedMessageFilters = {
  kind: "",
  state: "open",
  exchange: "",
  queue: "",
  routingKey: "",
  messageType: "",
};

/** The table's query input: its list state and the filters that are set. */
export function failedMessageListInput(list: ListState<FailedMessageSort>, filters: FailedMessageFilters) {
  return {
    ...list,
    state: filters.state,
    ...(filters.kind ? { kind: filters.kind } : {}),
    ...(filters.exchange ? { exchange: filters.exchange } : {}),
    ...(filters.queue ? { queue: filters.queue } : {}),
    ...(filters.routingKey ? { routingKey: filters.routingKey } : {}),
    ...(filters.messageType ? { messageType: filters.messageType } : {}),
  };
}
