import { isUuid } from "@/common/ids";

/** Server-side helpers of the list shape in `@/common/pagination`: the row window and search-term readings. */

export function pageWindow(input: { page: number; pageSize: number }): { skip: number; take: number } {
  return { skip: (input.page - 1) * input.pageSize, take: input.pageSize };
}

/** A search term that is a whole UUID can match id columns exactly (uuid columns cannot `contains`). */
export function asUuid(search: string | undefined): string | undefined {
  return search && isUuid(search) ? search.toLowerCase() : undefined;
}

export function asInteger(search: string | undefined): number | undefined {
  if (!search || !/^\d{1,9}$/.test(search)) return undefined;
  return Number(search);
}
