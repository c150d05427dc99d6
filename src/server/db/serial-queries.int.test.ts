import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { uniq } from "@/server/testing/factories";
import { createDb, type Db } from "./client";
import { serializeQueries } from "./serial-queries";

/*
 * Issue 13, bug 12: the web server printed pg's DeprecationWarning about
 * overlapping client.query() calls (Prisma sends a transaction's independent
 * reads side by side on its one connection); pg 9 will refuse them.
 */
const OVERLAP = /already executing a query/;
const warnings: string[] = [];
const onWarning = (warning: Error) => warnings.push(warning.message);
let db: Db;

beforeAll(() => {
  process.on("warning", onWarning);
  db = createDb(process.env.DATABASE_URL);
});

afterEach(() => {
  warnings.length = 0;
});

afterAll(async () => {
  process.off("warning", onWarning);
  await db.$disconnect();
});

/** Warnings are emitted on the next tick. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("one statement at a time per connection", () => {
  it("runs a transaction's query plan (relations read side by side) without pg's overlapping-query warning", async () => {
    const subject = uniq("serial");
    const user = await db.$transaction(async (tx) => {
      const created = await tx.user.create({ data: { subject, username: subject } });
      // Prisma loads these relations with separate statements, issued together on the transaction's connection.
      return tx.user.findUniqueOrThrow({
        where: { id: created.id },
        include: { clusters: true, workloads: true, instances: true, intents: true },
      });
    });
    expect(user).toMatchObject({ subject, clusters: [], workloads: [], instances: [], intents: [] });
    await db.user.delete({ where: { id: user.id } });
    await settle();
    expect(warnings.filter((w) => OVERLAP.test(w))).toEqual([]);
  });

  it("keeps the order of a client's queries, and a failing one does not stop the next", async () => {
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    try {
      serializeQueries(client);
      const order: number[] = [];
      const first = client.query("SELECT pg_sleep(0.05)").then(() => order.push(1));
      const failing = client.query("SELECT no_such_column FROM pg_class").catch(() => order.push(2));
      const third = client.query<{ n: number }>("SELECT 3::int AS n").then((r) => order.push(r.rows[0]!.n));
      await Promise.all([first, failing, third]);
      expect(order).toEqual([1, 2, 3]);
      await settle();
      expect(warnings.filter((w) => OVERLAP.test(w))).toEqual([]);
    } finally {
      await client.end();
    }
  });
});
