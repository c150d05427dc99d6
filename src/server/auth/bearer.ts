import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from "jose";
import { db as defaultDb, type Db } from "@/server/db";
import { serverEnv } from "@/server/env";
import { issuerMetadata } from "./issuer-metadata";
import { rolesFromClaims } from "@/common/roles";
import type { SessionUser } from "./session";
import { identityFromClaims, syncUser } from "./users";

/**
 * Bearer access tokens for the REST API (/api/v1): JWTs signed by the
 * identity provider, checked against its JWKS, issuer and audience.
 */
export class BearerTokenError extends Error {
  override readonly name = "BearerTokenError";
}

const jwksByUri = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

function jwksFor(uri: string): ReturnType<typeof createRemoteJWKSet> {
  let jwks = jwksByUri.get(uri);
  if (!jwks) {
    jwks = createRemoteJWKSet(new URL(uri));
    jwksByUri.set(uri, jwks);
  }
  return jwks;
}

/** The token of an `Authorization: Bearer <token>` header, if any. */
export function bearerTokenFrom(headers: Pick<Headers, "get">): string | undefined {
  const header = headers.get("authorization");
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1];
}

export interface VerifyOptions {
  issuer?: string;
  audience?: string;
}

export async function verifyAccessToken(token: string, options: VerifyOptions = {}): Promise<JWTPayload> {
  const env = serverEnv();
  const metadata = await issuerMetadata(options.issuer ?? env.KEYCLOAK_ISSUER);
  const audience = options.audience ?? env.KEYCLOAK_AUDIENCE ?? env.KEYCLOAK_CLIENT_ID;
  try {
    const { payload, protectedHeader } = await jwtVerify(token, jwksFor(metadata.jwks_uri), {
      issuer: metadata.issuer,
      audience,
      algorithms: ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"],
    });
    // An ID token has the same issuer and audience; only access tokens may call the API
    // (RFC 9068 `at+jwt` header, or Keycloak's `typ: "Bearer"` claim).
    const isAccessToken = protectedHeader.typ?.toLowerCase() === "at+jwt" || payload.typ === "Bearer";
    if (!isAccessToken) throw new BearerTokenError("the bearer token is not an access token");
    return payload;
  } catch (error) {
    if (error instanceof BearerTokenError) throw error;
    if (error instanceof joseErrors.JWTExpired) throw new BearerTokenError("the bearer token has expired");
    if (error instanceof joseErrors.JOSEError)
      throw new BearerTokenError(`invalid bearer token (${error.code})`);
    throw error;
  }
}

/** A verified token's user and the token's `exp` (epoch seconds; undefined: none). */
export interface VerifiedBearer {
  user: SessionUser;
  exp: number | undefined;
}

interface BearerEntry {
  verified: Promise<VerifiedBearer>;
  cachedAt: number;
}

/** How long a verified bearer token's user is kept (a token's claims never change; the users row is synced again after). */
export const BEARER_CACHE_TTL_MS = 60_000;

/** Tokens kept at most (about 1–2 KB each): the oldest go first. */
export const MAX_CACHED_BEARER_TOKENS = 2_000;

/**
 * Verified bearer tokens by value, ≤ 60 s and never past their `exp`: a
 * script calling the API verified its token's signature and read (or wrote)
 * its users row on every request. A token that fails verification is not
 * kept. Entries leave in insertion order once past the window, so the map
 * holds at most the tokens of the last minute (and never more than the cap).
 */
export class BearerTokenCache {
  private readonly entries = new Map<string, BearerEntry>();
  private readonly ttlMs: number;

  constructor(
    private readonly verify: (token: string) => Promise<VerifiedBearer>,
    private readonly now: () => number = Date.now,
    ttlMs: number = BEARER_CACHE_TTL_MS,
  ) {
    this.ttlMs = Math.min(ttlMs, BEARER_CACHE_TTL_MS);
  }

  async user(token: string): Promise<SessionUser> {
    const now = this.now();
    this.prune(now);
    let entry = this.entries.get(token);
    if (!entry || now - entry.cachedAt >= this.ttlMs || now < entry.cachedAt) {
      this.entries.delete(token);
      while (this.entries.size >= MAX_CACHED_BEARER_TOKENS) {
        const oldest = this.entries.keys().next().value;
        if (oldest === undefined) break;
        this.entries.delete(oldest);
      }
      const verified = this.verify(token);
      const fresh: BearerEntry = { verified, cachedAt: now };
      entry = fresh;
      this.entries.set(token, fresh);
      verified.catch(() => {
        if (this.entries.get(token) === fresh) this.entries.delete(token);
      });
    }
    const { user, exp } = await entry.verified;
    if (exp !== undefined && now >= exp * 1000) throw new BearerTokenError("the bearer token has expired");
    return user;
  }

  /** Tokens held now (tests, leak checks). */
  get size(): number {
    return this.entries.size;
  }

  /** Drops entries past the window from the front (insertion order is age order). */
  private prune(now: number): void {
    for (const [token, entry] of this.entries) {
      if (now - entry.cachedAt < this.ttlMs && now >= entry.cachedAt) break;
      this.entries.delete(token);
    }
  }
}

/**
 * Verifies the token and returns the user it stands for (the `users` row is kept in step).
 * A person's token and a service account's (client-credentials grant: Keycloak's service
 * accounts, the local issuer's `NEMO_SERVICE_ACCOUNTS_FILE`) are read the same way: `sub`,
 * `preferred_username` (`service-account-<client id>`) and `realm_access.roles` make the
 * user, so a service account is a tenant of its own with exactly its realm roles.
 */
export async function verifyBearer(token: string, db: Db = defaultDb()): Promise<VerifiedBearer> {
  const payload = await verifyAccessToken(token);
  const user = await syncUser(db, identityFromClaims(payload, rolesFromClaims(payload) ?? []));
  return { user, exp: payload.exp };
}

let bearerCache: BearerTokenCache | undefined;

/**
 * The user a bearer token stands for, verified at most once a minute per
 * token (BearerTokenCache) on the process's database; with another database
 * (tests) verified every time.
 */
export async function userFromAccessToken(token: string, db?: Db): Promise<SessionUser> {
  if (db && db !== defaultDb()) return (await verifyBearer(token, db)).user;
  bearerCache ??= new BearerTokenCache((value) => verifyBearer(value));
  return bearerCache.user(token);
}
