import { describe, expect, it } from "vitest";
import { createDb, poolConfig, webDbTimeouts, workerDbTimeouts } from "./client";
import { serverEnv } from "@/server/env";

describe("database timeouts", () => {
  it("configures the pool with connect, statement and idle-in-transaction limits and TCP keepalive", () => {
    const config = poolConfig("postgresql://x@127.0.0.1/db", {
      connectTimeoutMs: 1234,
      statementTimeoutMs: 5678,
      idleInTransactionTimeoutMs: 9012,
    });
    expect(config).toMatchObject({
      connectionTimeoutMillis: 1234,
      statement_timeout: 5678,
      idle_in_transaction_session_timeout: 9012,
      keepAlive: true,
    });
  });

  it("gives workers a longer statement limit than web requests by default", () => {
    const env = serverEnv();
    expect(webDbTimeouts(env).statementTimeoutMs).toBe(30_000);
    expect(workerDbTimeouts(env).statementTimeoutMs).toBe(600_000);
  });

  it("has PostgreSQL end a statement that outlives the limit", async () => {
    const db = createDb(process.env.DATABASE_URL, {
      connectTimeoutMs: 5_000,
      statementTimeoutMs: 200,
      idleInTransactionTimeoutMs: 0,
    });
    try {
      const settings = await db.$queryRaw<{ statement_timeout: string }[]>`SHOW statement_timeout`;
      expect(settings[0]?.statement_timeout).toBe("200ms");
      await expect(db.$queryRaw`SELECT pg_sleep(2)`).rejects.toThrow(/statement timeout/);
    } finally {
      await db.$disconnect();
    }
  });
});
