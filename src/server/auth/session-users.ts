import type { JWT } from "next-auth/jwt";
import type { Db } from "@/server/db";
import { serverEnv, type ServerEnv } from "@/server/env";
import type { SessionUser } from "./session";
import { sessionUserFromRow } from "./users";

/**
 * The session cookie says who signed in and when; what they may do comes from
 * the `users` row (roles as last synced from the identity provider), re-read
 * at most every `ttlMs`, so a revoked role or a deleted user takes effect
 * within that window instead of at the end of the session.
 */

/**
 * The cookie's signing/encryption key. There is no default: with a known key
 * anyone could mint a session; the web app refuses to start without one
 * (src/instrumentation.ts) and every cookie read goes through here.
 */
export function requireNextAuthSecret(env: ServerEnv = serverEnv()): string {
  if (!env.NEXTAUTH_SECRET) {
    throw new Error(
      "NEXTAUTH_SECRET is not set: the console needs a random secret of at least 32 characters to sign " +
        "sessions (e.g. `openssl rand -hex 32`); `npm run quickstart` generates one into .nemo/nextauth-secret.",
    );
  }
  return env.NEXTAUTH_SECRET;
}

/** The console's OIDC client secret; no default either (a known one lets anyone act as the client). */
export function requireKeycloakClientSecret(env: ServerEnv = serverEnv()): string {
  if (!env.KEYCLOAK_CLIENT_SECRET) {
    throw new Error(
      "KEYCLOAK_CLIENT_SECRET is not set: the console needs its OIDC client's secret " +
        "(Keycloak's client credentials; `npm run quickstart` generates one for the local issuer).",
    );
  }
  return env.KEYCLOAK_CLIENT_SECRET;
}

/**
 * The web server's start (src/instrumentation.ts): without its secrets it
 * exits, since Next.js would otherwise keep listening and answer every
 * request with a 500.
 */
export function refuseToStartWithoutSecrets(
  exit: (code: number) => void = (code) => process.exit(code),
  env: ServerEnv = serverEnv(),
): void {
  try {
    requireNextAuthSecret(env);
    requireKeycloakClientSecret(env);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    exit(1);
  }
}

/** Absolute session lifetime in seconds (NEMO_SESSION_MAX_AGE_HOURS). */
export function sessionMaxAgeSeconds(env: ServerEnv = serverEnv()): number {
  return Math.round(env.NEMO_SESSION_MAX_AGE_HOURS * 3600);
}

/** Upper bound for how long a role change may go unnoticed. */
export const ROLE_CACHE_TTL_MS = 60_000;

export type Clock = () => number;

/** When the session began (epoch ms), fixed at sign-in; next-auth's `iat` moves on every refresh. */
export function signedInAtOf(token: JWT | null | undefined): number | undefined {
  const value = token?.signedInAt;
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/**
 * Whether the session is past its absolute lifetime. A cookie without a
 * sign-in time predates the rule (or was not made by us) and counts as expired.
 */
export function sessionExpired(token: JWT | null | undefined, maxAgeMs: number, now: number): boolean {
  const signedInAt = signedInAtOf(token);
  return signedInAt === undefined || now - signedInAt >= maxAgeMs;
}

export interface SessionUserResolverOptions {
  db: () => Db;
  /** Absolute session lifetime. */
  maxAgeMs: number;
  /** How long a user's roles are trusted (≤ ROLE_CACHE_TTL_MS). */
  ttlMs?: number;
  /** How long a decrypted cookie is kept (≤ SESSION_TOKEN_CACHE_TTL_MS). */
  tokenTtlMs?: number;
  now?: Clock;
}

interface CacheEntry {
  /** The users row's read, under way or done (shared by requests that arrive together). */
  user: Promise<SessionUser | null>;
  fetchedAt: number;
}

interface TokenEntry {
  /** The decryption under way or done; a failed one is not kept. */
  token: Promise<JWT | null>;
  /** The key it was decrypted with: another key (a rotated secret) decrypts again. */
  secret: string;
  decodedAt: number;
}

/** Bounded so a flood of distinct (valid) cookies cannot grow the cache without limit. */
const MAX_ENTRIES = 10_000;

/**
 * Decrypted session cookies kept at most this long (and never past their
 * `exp`). A cookie's value decrypts to the same claims every time, so the
 * window only bounds how long one is held in memory.
 */
export const SESSION_TOKEN_CACHE_TTL_MS = 60_000;

/** Decrypted cookies held at most (oldest dropped first): a cookie value is about 1 KB. */
export const MAX_CACHED_SESSION_TOKENS = 2_000;

/** next-auth's tolerance when it checks `exp` on decryption. */
const EXP_TOLERANCE_MS = 15_000;

/** Whether a decoded cookie's `exp` (seconds) has passed, with next-auth's tolerance; no `exp` never expires. */
export function tokenExpired(token: JWT, now: number): boolean {
  return typeof token.exp === "number" && now >= token.exp * 1000 + EXP_TOLERANCE_MS;
}

export class SessionUserResolver {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly tokens = new Map<string, TokenEntry>();
  private readonly ttlMs: number;
  private readonly tokenTtlMs: number;
  readonly now: Clock;

  constructor(private readonly options: SessionUserResolverOptions) {
    this.ttlMs = Math.min(options.ttlMs ?? ROLE_CACHE_TTL_MS, ROLE_CACHE_TTL_MS);
    this.tokenTtlMs = Math.min(options.tokenTtlMs ?? SESSION_TOKEN_CACHE_TTL_MS, SESSION_TOKEN_CACHE_TTL_MS);
    this.now = options.now ?? Date.now;
  }

  /**
   * The claims of a session cookie's value, decrypted by `decode` at most once
   * per `tokenTtlMs` (the key derivation and AES-GCM decryption were a sixth of
   * a REST request's CPU time). What the cookie grants is still decided on every
   * request: `exp` here, the absolute lifetime and the user's current roles in
   * `resolve`.
   */
  async sessionToken(
    value: string,
    secret: string,
    decode: (value: string) => Promise<JWT | null>,
  ): Promise<JWT | null> {
    const now = this.now();
    this.pruneTokens(now);
    const cached = this.tokens.get(value);
    let entry: TokenEntry;
    if (
      cached &&
      cached.secret === secret &&
      now - cached.decodedAt < this.tokenTtlMs &&
      now >= cached.decodedAt
    ) {
      entry = cached;
    } else {
      this.tokens.delete(value);
      while (this.tokens.size >= MAX_CACHED_SESSION_TOKENS) {
        const oldest = this.tokens.keys().next().value;
        if (oldest === undefined) break;
        this.tokens.delete(oldest);
      }
      const token = decode(value).catch(() => null);
      entry = { token, secret, decodedAt: now };
      this.tokens.set(value, entry);
      // A cookie that does not decrypt is not kept: garbage must not push out real sessions.
      void token.then((decoded) => {
        if (!decoded && this.tokens.get(value) === entry) this.tokens.delete(value);
      });
    }
    const token = await entry.token;
    return token && !tokenExpired(token, now) ? token : null;
  }

  /** Cached decrypted cookies (for tests and the soak's leak check). */
  get cachedTokenCount(): number {
    return this.tokens.size;
  }

  /**
   * Drops cookies past the window from the front (Map order is insertion
   * order, and an entry is re-inserted when decrypted again): the map holds the
   * cookies of the last minute only — next-auth re-issues the cookie as the
   * session rolls, so old values would otherwise stay until the cap.
   */
  private pruneTokens(now: number): void {
    for (const [value, entry] of this.tokens) {
      if (now - entry.decodedAt < this.tokenTtlMs && now >= entry.decodedAt) break;
      this.tokens.delete(value);
    }
  }

  get maxAgeMs(): number {
    return this.options.maxAgeMs;
  }

  /** The signed-in user as the database has them now, or null (expired session, deleted user). */
  async resolve(token: JWT | null | undefined): Promise<SessionUser | null> {
    const id = token?.user?.id;
    if (!id) return null;
    const now = this.now();
    if (sessionExpired(token, this.options.maxAgeMs, now)) return null;
    const cached = this.cache.get(id);
    if (cached && now - cached.fetchedAt < this.ttlMs && now >= cached.fetchedAt) return cached.user;
    // One read per user and window: under load a whole burst of requests found the entry
    // expired at once and each read the row (a p99 spike every minute).
    const user = this.load(id);
    if (this.cache.size >= MAX_ENTRIES) this.cache.clear();
    const entry: CacheEntry = { user, fetchedAt: now };
    this.cache.set(id, entry);
    // A failed read (the database away) is not kept: the next request tries again.
    user.catch(() => {
      if (this.cache.get(id) === entry) this.cache.delete(id);
    });
    return user;
  }

  /** Forget a user (e.g. right after their roles were synced at sign-in). */
  invalidate(id: string): void {
    this.cache.delete(id);
  }

  private async load(id: string): Promise<SessionUser | null> {
    const row = await this.options.db().user.findUnique({ where: { id } });
    return row ? sessionUserFromRow(row) : null;
  }
}

/** Whether a decoded session cookie is still within the absolute lifetime (the proxy's check, no database). */
export function sessionCookieCurrent(token: JWT | null, now: number = Date.now()): boolean {
  return Boolean(token?.user?.id) && !sessionExpired(token, sessionMaxAgeSeconds() * 1000, now);
}
