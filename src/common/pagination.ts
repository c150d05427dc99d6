import { z } from "zod";
import { PAGE_SIZES, SORT_DIRECTIONS, type SortDirection } from "./list-page";

export { PAGE_SIZES, SORT_DIRECTIONS, type ListPage, type PageSize, type SortDirection } from "./list-page";

/**
 * The shape every list shares, in the browser and on the server: server-side
 * pagination with the three page sizes the tables offer, one sort column and
 * a free-text search.
 */
export const sortDirectionSchema = z.enum(SORT_DIRECTIONS);

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

/** `page` and `pageSize` as REST query parameters (strings), with the same bounds and message. */
export const queryPageFields = {
  page: z.coerce.number().int().min(1).max(1_000_000).default(1),
  pageSize: z.coerce
    .number()
    .pipe(z.literal(PAGE_SIZES, { error: `Use a page size of ${PAGE_SIZES.join(", ")}.` }))
    .default(10),
};

/**
 * A list's "Show inactive" switch (deleted instances, archived workloads,
 * deregistered clusters are left out unless it is on): tRPC sends a boolean.
 */
export const showInactiveField = z
  .boolean({ error: "showInactive is true or false." })
  .default(false)
  .describe("Also list inactive items (deleted, archived or deregistered); left out by default.");

/** The same switch as a REST query parameter: "true" or "false". */
export const queryShowInactiveField = z
  .enum(["true", "false"], { error: "showInactive is true or false." })
  .default("false")
  .transform((value) => value === "true")
  .describe("Also list inactive items (deleted, archived or deregistered); left out by default.");
