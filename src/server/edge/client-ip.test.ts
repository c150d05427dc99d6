import { describe, expect, it } from "vitest";
import { clientIp, socketClientIp } from "./client-ip";

const xff = (value: string) => new Headers({ "x-forwarded-for": value });

describe("clientIp (behind Next.js)", () => {
  it("takes the entry Next.js filled from the socket when there is no proxy", () => {
    expect(clientIp(xff("192.0.2.7"), 0)).toBe("192.0.2.7");
  });

  it("behind one trusted proxy takes the address it appended, not the client's claims", () => {
    expect(clientIp(xff("6.6.6.6, 192.0.2.7"), 1)).toBe("192.0.2.7");
  });

  it("behind two proxies skips the inner proxy's address", () => {
    expect(clientIp(xff("6.6.6.6, 192.0.2.7, 10.0.0.2"), 2)).toBe("192.0.2.7");
  });

  it("never reads left of the first entry", () => {
    expect(clientIp(xff("192.0.2.7"), 3)).toBe("192.0.2.7");
    expect(clientIp(new Headers(), 1)).toBe("unknown");
  });
});

describe("socketClientIp (the local issuer)", () => {
  it("ignores X-Forwarded-For unless a proxy is trusted", () => {
    expect(socketClientIp("192.0.2.7", "6.6.6.6", 0)).toBe("192.0.2.7");
  });

  it("takes the address the trusted proxy appended", () => {
    expect(socketClientIp("10.0.0.1", "6.6.6.6, 192.0.2.7", 1)).toBe("192.0.2.7");
  });
});
