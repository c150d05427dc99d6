/**
 * What the console's tables need of the list shape (pagination.ts): the page
 * sizes, the sort direction and a page of items. Plain data, no zod, so the
 * tables do not bundle the validation library; pagination.ts re-exports it.
 */
export const PAGE_SIZES = [10, 25, 50] as const;
export type PageSize = (typeof PAGE_SIZES)[number];

export const SORT_DIRECTIONS = ["asc", "desc"] as const;
export type SortDirection = (typeof SORT_DIRECTIONS)[number];

export interface ListPage<Item> {
  items: Item[];
  total: number;
  page: number;
  pageSize: PageSize;
}
