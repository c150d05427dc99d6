import type { JWT } from "next-auth/jwt";
import { describe, expect, it } from "vitest";
import {
  MAX_CACHED_SESSION_TOKENS,
  SESSION_TOKEN_CACHE_TTL_MS,
  SessionUserResolver,
  tokenExpired,
} from "./session-users";

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);

/** A resolver on a clock the test moves, and a decoder that counts its calls. */
function setUp(options: { tokenTtlMs?: number } = {}) {
  let now = T0;
  const users = new SessionUserResolver({
    db: () => {
      throw new Error("the token cache reads no database");
    },
    maxAgeMs: 12 * 3600 * 1000,
    now: () => now,
    ...options,
  });
  const decoded: string[] = [];
  const claims = (value: string): JWT => ({ sub: value, exp: Math.floor((T0 + 3600_000) / 1000) });
  const decode = (value: string) => {
    decoded.push(value);
    return Promise.resolve(value.startsWith("bad") ? null : claims(value));
  };
  return { users, decode, decoded, advance: (ms: number) => (now += ms) };
}

describe("decrypted session cookies", () => {
  it("are decrypted once per window, then again", async () => {
    const { users, decode, decoded, advance } = setUp();
    expect(await users.sessionToken("a", "s", decode)).toMatchObject({ sub: "a" });
    advance(SESSION_TOKEN_CACHE_TTL_MS - 1);
    expect(await users.sessionToken("a", "s", decode)).toMatchObject({ sub: "a" });
    expect(decoded).toEqual(["a"]);
    advance(1);
    expect(await users.sessionToken("a", "s", decode)).toMatchObject({ sub: "a" });
    expect(decoded).toEqual(["a", "a"]);
  });

  it("never keep a cookie longer than 60 s, whatever the option says", async () => {
    const { users, decode, decoded, advance } = setUp({ tokenTtlMs: 10 * 60_000 });
    await users.sessionToken("a", "s", decode);
    advance(60_000);
    await users.sessionToken("a", "s", decode);
    expect(decoded).toEqual(["a", "a"]);
  });

  it("share one decryption between requests that arrive together", async () => {
    const { users, decode, decoded } = setUp();
    const tokens = await Promise.all([1, 2, 3].map(() => users.sessionToken("a", "s", decode)));
    expect(tokens.map((t) => t?.sub)).toEqual(["a", "a", "a"]);
    expect(decoded).toEqual(["a"]);
  });

  it("stop counting at the cookie's exp (with next-auth's 15 s tolerance), cached or not", async () => {
    const { users, decode, decoded, advance } = setUp();
    const token = await users.sessionToken("a", "s", decode);
    if (typeof token?.exp !== "number") throw new Error("expected claims with exp");
    const limit = token.exp * 1000 + 15_000;
    // Decrypted again 30 s before the limit; the cached claims then run out inside the window.
    advance(limit - T0 - 30_000);
    expect(await users.sessionToken("a", "s", decode)).not.toBeNull();
    advance(29_999);
    expect(await users.sessionToken("a", "s", decode)).not.toBeNull();
    advance(1);
    expect(await users.sessionToken("a", "s", decode)).toBeNull();
    expect(decoded).toEqual(["a", "a"]);
  });

  it("keep no cookie that does not decrypt", async () => {
    const { users, decode, decoded } = setUp();
    expect(await users.sessionToken("bad-1", "s", decode)).toBeNull();
    expect(await users.sessionToken("bad-1", "s", decode)).toBeNull();
    expect(decoded).toEqual(["bad-1", "bad-1"]);
    expect(users.cachedTokenCount).toBe(0);
  });

  it("keep no cookie whose decryption threw", async () => {
    const { users } = setUp();
    const failing = () => Promise.reject(new Error("JWEDecryptionFailed"));
    expect(await users.sessionToken("x", "s", failing)).toBeNull();
    expect(users.cachedTokenCount).toBe(0);
  });

  it("decrypt again under another secret", async () => {
    const { users, decode, decoded } = setUp();
    await users.sessionToken("a", "s1", decode);
    await users.sessionToken("a", "s2", decode);
    expect(decoded).toEqual(["a", "a"]);
  });

  it("are bounded: a flood of distinct cookies drops the oldest", async () => {
    const { users, decode, advance } = setUp();
    for (let i = 0; i < MAX_CACHED_SESSION_TOKENS + 50; i++) {
      await users.sessionToken(`c${i}`, "s", decode);
      advance(1);
    }
    expect(users.cachedTokenCount).toBeLessThanOrEqual(MAX_CACHED_SESSION_TOKENS);
    // The newest survive.
    const before = users.cachedTokenCount;
    await users.sessionToken(`c${MAX_CACHED_SESSION_TOKENS + 49}`, "s", decode);
    expect(users.cachedTokenCount).toBe(before);
  });

  it("leave once past the window, cap or not (a rolling session's old cookies do not pile up)", async () => {
    const { users, decode, advance } = setUp();
    await users.sessionToken("a", "s", decode);
    advance(30_000);
    await users.sessionToken("b", "s", decode);
    expect(users.cachedTokenCount).toBe(2);
    advance(30_000);
    await users.sessionToken("c", "s", decode);
    expect(users.cachedTokenCount).toBe(2); // "a" is gone, "b" and "c" stay
    advance(60_000);
    await users.sessionToken("c", "s", decode);
    expect(users.cachedTokenCount).toBe(1);
  });

  it("drop entries past the window before live ones when full", async () => {
    const { users, decode, advance } = setUp();
    for (let i = 0; i < MAX_CACHED_SESSION_TOKENS; i++) await users.sessionToken(`old${i}`, "s", decode);
    advance(SESSION_TOKEN_CACHE_TTL_MS);
    await users.sessionToken("new", "s", decode);
    expect(users.cachedTokenCount).toBe(1);
  });
});

describe("tokenExpired", () => {
  it("counts exp in seconds with 15 s of tolerance; no exp never expires", () => {
    expect(tokenExpired({ exp: 100 }, 100_000 + 14_999)).toBe(false);
    expect(tokenExpired({ exp: 100 }, 100_000 + 15_000)).toBe(true);
    expect(tokenExpired({}, Number.MAX_SAFE_INTEGER)).toBe(false);
  });
});
