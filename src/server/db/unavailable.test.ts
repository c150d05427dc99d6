import { describe, expect, it } from "vitest";
import { isDatabaseUnavailable, isUnavailableSqlState } from "./unavailable";

/** Prisma's error as the pg driver adapter reports it (meta.driverAdapterError.cause). */
function adapterError(code: string, cause: Record<string, unknown>): Error {
  return Object.assign(new Error("Invalid `prisma.$queryRaw()` invocation: ..."), {
    code,
    meta: { driverAdapterError: { name: "DriverAdapterError", cause } },
  });
}

describe("isDatabaseUnavailable", () => {
  it("recognises Prisma's connection error codes and the adapter's kinds", () => {
    expect(isDatabaseUnavailable(Object.assign(new Error("x"), { code: "P1001" }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error("x"), { code: "P1017" }))).toBe(true);
    expect(isDatabaseUnavailable(adapterError("P2010", { kind: "DatabaseNotReachable" }))).toBe(true);
    expect(isDatabaseUnavailable(adapterError("P2010", { kind: "ConnectionClosed" }))).toBe(true);
  });

  it("recognises a server shutting down or restarting (57P01..57P03) and connection exceptions (08xxx)", () => {
    for (const code of ["57P01", "57P02", "57P03", "08006", "08001"]) {
      expect(
        isDatabaseUnavailable(adapterError("P2010", { kind: "postgres", code, originalCode: code })),
      ).toBe(true);
    }
  });

  it("finds the driver's error down the cause chain (tRPC and Prisma wrap it)", () => {
    const socket = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
    expect(
      isDatabaseUnavailable(new Error("wrapped", { cause: new Error("again", { cause: socket }) })),
    ).toBe(true);
    expect(isDatabaseUnavailable(new Error("timeout exceeded when trying to connect"))).toBe(true);
  });

  it("does not take bugs, bad SQL or a statement timeout for an outage", () => {
    expect(isDatabaseUnavailable(adapterError("P2010", { kind: "postgres", code: "42P01" }))).toBe(false);
    expect(isDatabaseUnavailable(adapterError("P2010", { kind: "postgres", code: "57014" }))).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new Error("unique"), { code: "P2002" }))).toBe(false);
    expect(isDatabaseUnavailable(new TypeError("x is undefined"))).toBe(false);
    expect(isDatabaseUnavailable(null)).toBe(false);
    expect(isUnavailableSqlState("57014")).toBe(false);
  });
});
