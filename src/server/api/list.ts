import { z } from "zod";

/**
 * Shared shape of the list procedures: server-side pagination, one sort
 * column and a free-text search. Page sizes are the three the tables offer.
 */
export const PAGE_SIZES = [10, 25, 50] as const;
export type PageSize = (typeof PAGE_SIZES)[number];

export const sortDirectionSchema = z.enum(["asc", "desc"]);
export type SortDirection = z.infer<typeof sortDirectionSchema>;

export function listInputSchema<const Fields extends readonly [string, ...string[]]>(
  sortFields: Fields,
  defaultSort: Fields[number],
  defaultDirection: SortDirection = "asc",
) {
  return z.object({
    page: z.number().int().min(1).max(1_000_000).default(1),
    pageSize: z.literal(PAGE_SIZES).default(10),
    sort: z.enum(sortFields).default(defaultSort),
    direction: sortDirectionSchema.default(defaultDirection),
    search: z
      .string()
      .trim()
      .max(100)
      .optional()
      .transform((s) => (s ? s : undefined)),
  });
}

export interface ListPage<Item> {
  items: Item[];
  total: number;
  page: number;
  pageSize: PageSize;
}

export function pageWindow(input: { page: number; pageSize: number }): { skip: number; take: number } {
  return { skip: (input.page - 1) * input.pageSize, take: input.pageSize };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A search term that is a whole UUID can match id columns exactly (uuid columns cannot `contains`). */
export function asUuid(search: string | undefined): string | undefined {
  return search && UUID.test(search) ? search.toLowerCase() : undefined;
}

export function asInteger(search: string | undefined): number | undefined {
  if (!search || !/^\d{1,9}$/.test(search)) return undefined;
  return Number(search);
}
