import { poolOf, type Db } from "./client";

/**
 * Hand-written reads for the hottest pages (the instance and intent lists, an
 * instance's timeline): the statement goes straight to the client's pg pool —
 * the same connections and session limits as Prisma's — without the ORM's
 * per-request planning and row stitching, which cost more CPU than the rest of
 * a REST read together (bench/api-load.bench.ts). Values are always bound
 * parameters; identifiers come from constants in the caller, never from input.
 * Rows arrive as pg parses them: timestamptz as Date, json/jsonb parsed, int8
 * as a string.
 */
export async function readRows<Row extends object>(
  db: Db,
  text: string,
  values: readonly unknown[],
): Promise<Row[]> {
  const result = await poolOf(db).query<Row>(text, [...values]);
  return result.rows;
}

/** The values of a statement built in pieces: `params.add(value)` is the `$n` that stands for it. */
export class SqlParams {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/**
 * An ILIKE pattern matching `search` literally anywhere (its `%`, `_` and `\`
 * escaped); null when the search holds a NUL character, which no stored text
 * can contain and PostgreSQL refuses in a parameter (the caller matches no text).
 */
export function containsPattern(search: string): string | null {
  if (search.includes("\u0000")) return null;
  return `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export interface PageQuery {
  /** The page's columns (`alias.column AS "name"`, …). */
  select: string;
  /** Tables and joins shared by the count and the page. */
  from: string;
  /** The filter, shared by the count and the page (`TRUE` for none). */
  where: string;
  /** The page's order; must end in a unique column so pages do not overlap. */
  orderBy: string;
  /** `$n` placeholders of the window. */
  limit: string;
  offset: string;
  /**
   * Reads joined to the page's rows only (`p.` names a page column), after the
   * window: e.g. a LATERAL probe per row that must not run for every match.
   */
  after?: { select: string; joins: string };
}

/** A row of a `pageStatement`: the total on every row, a page row's position (null on an empty page's one row). */
export interface PageStatementRow {
  total: number;
  pagePosition: string | null;
}

/**
 * The total and one page in one statement (one snapshot, one round trip):
 * `SELECT total, page.* FROM (count) LEFT JOIN LATERAL (page)`. A list with no
 * rows on this page still answers one row, with the total and null columns.
 * `pagePosition` numbers the page's rows in `orderBy` (`pageItems` reads them
 * back in that order).
 */
export function pageStatement(query: PageQuery): string {
  return `SELECT t.total, p.*${query.after ? `, ${query.after.select}` : ""}
FROM (SELECT count(*)::int AS total FROM ${query.from} WHERE ${query.where}) t
LEFT JOIN LATERAL (
  SELECT ${query.select}, row_number() OVER (ORDER BY ${query.orderBy}) AS "pagePosition"
  FROM ${query.from}
  WHERE ${query.where}
  ORDER BY ${query.orderBy}
  LIMIT ${query.limit} OFFSET ${query.offset}
) p ON true${query.after ? `\n${query.after.joins}` : ""}`;
}

/** The total and the page's rows of a `pageStatement`, in the page's order. */
export function pageItems<Row extends PageStatementRow>(
  rows: readonly Row[],
): { total: number; rows: Row[] } {
  const total = rows[0]?.total ?? 0;
  const items = rows.filter((row) => row.pagePosition !== null);
  // The LATERAL join keeps the page's order in practice; the position makes it a guarantee.
  items.sort((a, b) => Number(a.pagePosition) - Number(b.pagePosition));
  return { total, rows: items };
}
