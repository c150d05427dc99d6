import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth/session";
import { createDb, poolOf, type Db } from "@/server/db";
import { listIntents } from "@/server/intents";
import { makeInstance, makeIntent, makeUser, makeWorkload } from "@/server/testing/factories";
import { listInstances } from "./index";

/**
 * The list pages read in index order: the statement the list really issues
 * (hand-written, src/server/db/rows.ts: the total and the page in one) for
 * the default page of a service provider's instances (newest first) and
 * intents (by id) is planned as an index scan of the owner's rows with no
 * Sort — without the (owner_id, …) indexes PostgreSQL fetched and sorted all
 * of the owner's rows for every page (bench/api-load.bench.ts).
 */

interface Statement {
  text: string;
  values: unknown[];
}

let db: Db;
let spied: Db;
let provider: SessionUser;
const statements: Statement[] = [];

beforeAll(async () => {
  db = createDb();
  spied = createDb();
  poolOf(spied).on("connect", (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const first = args[0];
      if (typeof first === "string") statements.push({ text: first, values: (args[1] as unknown[]) ?? [] });
      else if (first && typeof first === "object" && "text" in first) {
        const config = first as Statement;
        statements.push({ text: config.text, values: config.values ?? [] });
      }
      return query(...args);
    };
  });
  provider = await makeUser(db, [Role.SERVICE_PROVIDER]);
  const workload = await makeWorkload(db, provider);
  for (let i = 0; i < 3; i++) {
    const instance = await makeInstance(db, provider, workload.id);
    await makeIntent(db, provider, instance.id);
  }
});

afterAll(async () => {
  await spied.$disconnect();
  await db.$disconnect();
});

/** The plan of the page statement the call issued, with sequential scans, bitmap scans and sorts priced out (the tables are tiny here). */
async function pagePlan(call: () => Promise<unknown>, table: string): Promise<string> {
  statements.length = 0;
  await call();
  // Prisma's quoted names or the hand-written lists' plain ones (src/server/db/rows.ts).
  const reads = new RegExp(`FROM ("public"\\.)?"?${table}"?\\s`);
  const page = statements.find((s) => reads.test(s.text) && /ORDER BY/.test(s.text));
  if (!page)
    throw new Error(`no ordered read of ${table} among: ${statements.map((s) => s.text).join("\n")}`);
  const client = await poolOf(db).connect();
  try {
    await client.query("BEGIN");
    await client.query("SET LOCAL enable_seqscan = off");
    // On a few rows a bitmap scan plus a sort can cost less than the ordered index scan; pricing both
    // out asks only "does an index give this order?" — a Sort left in the plan means none does.
    await client.query("SET LOCAL enable_bitmapscan = off");
    await client.query("SET LOCAL enable_sort = off");
    const rows = await client.query<{ "QUERY PLAN": string }>({
      text: `EXPLAIN ${page.text}`,
      values: page.values,
    });
    await client.query("ROLLBACK");
    return rows.rows.map((r) => r["QUERY PLAN"]).join("\n");
  } finally {
    client.release();
  }
}

/**
 * The plan of the page itself: the subtree under the page's WindowAgg (its
 * row positions), without the count beside it or per-row probes after the
 * window (an intent's newest report).
 */
function pageSubtree(plan: string): string {
  const lines = plan.split("\n");
  const at = lines.findIndex((line) => /WindowAgg/.test(line));
  if (at < 0) throw new Error(`no page window in the plan:\n${plan}`);
  const indent = (line: string) => line.search(/\S/);
  const depth = indent(lines[at] ?? "");
  const end = lines.findIndex((line, i) => i > at && indent(line) <= depth);
  return lines.slice(at, end < 0 ? undefined : end).join("\n");
}

describe("list pages", () => {
  it("reads a provider's instance page from the (owner, created, id) index, unsorted", async () => {
    const plan = pageSubtree(
      await pagePlan(() => listInstances({ db: spied, user: provider }, {}), "workload_instances"),
    );
    expect(plan).toContain("workload_instances_owner_id_created_at_id_idx");
    expect(plan).not.toMatch(/Sort/);
  });

  it("reads a provider's intent page from the (owner, id) index, unsorted", async () => {
    const plan = pageSubtree(await pagePlan(() => listIntents({ db: spied, user: provider }, {}), "intents"));
    expect(plan).toContain("intents_owner_id_id_idx");
    expect(plan).not.toMatch(/Sort/);
  });
});
