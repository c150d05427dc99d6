/**
 * What a list says when it has no rows. "No instances yet" is only true of
 * an unfiltered list: with a search or a filter the rows may well exist, so
 * the list says nothing matches and offers to clear what narrows it.
 */
export interface EmptyStateInput {
  /** Plural noun, lower case ("instances"). */
  noun: string;
  /** The search term in effect, if any. */
  search: string | undefined;
  /** Whether a filter other than the search is in effect (status, state, cluster, …). */
  filtered: boolean;
  /** The table's own empty state, for the unfiltered list. */
  empty: { title: string; description: string };
}

export interface EmptyStateText {
  title: string;
  description: string;
  /** The button that widens the list again, if anything narrows it. */
  clear: { label: "Clear filters" | "Clear search" } | null;
}

export function emptyStateText({ noun, search, filtered, empty }: EmptyStateInput): EmptyStateText {
  if (filtered) {
    return {
      title: `No ${noun} match these filters`,
      description: search
        ? `Nothing matches the filters and the search “${search}”. Clear them to see every ${noun.replace(/s$/, "")} you may see.`
        : `Nothing matches the filters. Clear them to see every ${noun.replace(/s$/, "")} you may see.`,
      clear: { label: "Clear filters" },
    };
  }
  if (search) {
    return {
      title: `No ${noun} match “${search}”`,
      description: "Try another name, version or ID, or clear the search.",
      clear: { label: "Clear search" },
    };
  }
  return { title: empty.title, description: empty.description, clear: null };
}
