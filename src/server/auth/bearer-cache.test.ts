import { describe, expect, it } from "vitest";
import { Role } from "@/common/roles";
import type { SessionUser } from "./session";
import {
  BEARER_CACHE_TTL_MS,
  BearerTokenCache,
  BearerTokenError,
  MAX_CACHED_BEARER_TOKENS,
  type VerifiedBearer,
} from "./bearer";

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);

function userFor(token: string, roles: Role[] = [Role.SERVICE_PROVIDER]): SessionUser {
  return { id: `id-${token}`, subject: token, username: token, displayName: token, email: null, roles };
}

/** A cache on a clock the test moves; the verifier counts its calls and refuses tokens starting with "bad". */
function setUp(exp: number | undefined = Math.floor((T0 + 3_600_000) / 1000)) {
  let now = T0;
  const verified: string[] = [];
  const verify = (token: string): Promise<VerifiedBearer> => {
    verified.push(token);
    if (token.startsWith("bad")) return Promise.reject(new BearerTokenError("invalid bearer token"));
    return Promise.resolve({ user: userFor(token), exp });
  };
  const cache = new BearerTokenCache(verify, () => now);
  return { cache, verified, advance: (ms: number) => (now += ms) };
}

describe("verified bearer tokens", () => {
  it("are verified (and their users row synced) once per minute, then again", async () => {
    const { cache, verified, advance } = setUp();
    expect(await cache.user("t1")).toMatchObject({ username: "t1" });
    advance(BEARER_CACHE_TTL_MS - 1);
    await cache.user("t1");
    expect(verified).toEqual(["t1"]);
    advance(1);
    await cache.user("t1");
    expect(verified).toEqual(["t1", "t1"]);
  });

  it("share one verification between requests that arrive together", async () => {
    const { cache, verified } = setUp();
    await Promise.all([cache.user("t1"), cache.user("t1"), cache.user("t1")]);
    expect(verified).toEqual(["t1"]);
  });

  it("are refused from the cache once the token's exp has passed", async () => {
    const exp = Math.floor((T0 + 30_000) / 1000);
    const { cache, verified, advance } = setUp(exp);
    await cache.user("t1");
    advance(29_999);
    await expect(cache.user("t1")).resolves.toMatchObject({ username: "t1" });
    advance(1);
    await expect(cache.user("t1")).rejects.toThrow("the bearer token has expired");
    expect(verified).toEqual(["t1"]);
  });

  it("keep no token that fails verification", async () => {
    const { cache, verified } = setUp();
    await expect(cache.user("bad-1")).rejects.toThrow(BearerTokenError);
    await expect(cache.user("bad-1")).rejects.toThrow(BearerTokenError);
    expect(verified).toEqual(["bad-1", "bad-1"]);
    expect(cache.size).toBe(0);
  });

  it("hold only the last minute's tokens, and never more than the cap", async () => {
    const { cache, advance } = setUp();
    await cache.user("a");
    advance(BEARER_CACHE_TTL_MS);
    await cache.user("b");
    expect(cache.size).toBe(1);
    for (let i = 0; i < MAX_CACHED_BEARER_TOKENS + 10; i++) await cache.user(`flood-${i}`);
    expect(cache.size).toBe(MAX_CACHED_BEARER_TOKENS);
  });
});
