import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "@/server/db";
import { livenessResponse, readinessResponse } from "./health";

let db: Db;
let unreachable: Db;

beforeAll(async () => {
  // A port nothing listens on: bound, then released.
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  db = createDb(process.env.DATABASE_URL);
  unreachable = createDb(`postgresql://postgres@127.0.0.1:${address.port}/nemo`);
});

afterAll(async () => {
  await db.$disconnect();
  await unreachable.$disconnect();
});

describe("probes", () => {
  it("liveness says up without touching the database, even when it is unreachable", async () => {
    const global = globalThis as unknown as { nemoDb?: Db };
    const previous = global.nemoDb;
    global.nemoDb = unreachable;
    try {
      const response = livenessResponse();
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: "up" });
    } finally {
      global.nemoDb = previous;
    }
  });

  it("readiness says up when the database answers", async () => {
    const response = await readinessResponse(db);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "up" });
  });

  it("readiness says only down, 503 with Retry-After, when it does not", async () => {
    const response = await readinessResponse(unreachable);
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
    expect(await response.text()).toBe('{"status":"down"}');
  });
});
