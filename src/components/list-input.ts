import type { PageSize, SortDirection } from "@/common/list-page";

/**
 * A table's list input (page, size, sort, search). Plain data, no React:
 * the page prefetches a table's first query on the server with the very
 * input the table asks for on its first render, or hydration finds nothing.
 */
export interface ListState<Sort extends string> {
  page: number;
  pageSize: PageSize;
  sort: Sort;
  direction: SortDirection;
  search: string | undefined;
}

/** Page 1 of 10 rows in the table's default order, no search. */
export function firstListState<Sort extends string>(
  sort: Sort,
  direction: SortDirection = "asc",
): ListState<Sort> {
  return { page: 1, pageSize: 10, sort, direction, search: undefined };
}
