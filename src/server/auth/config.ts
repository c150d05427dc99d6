import { decodeJwt } from "jose";
import { getServerSession, type NextAuthOptions } from "next-auth";
import { decode, getToken } from "next-auth/jwt";
import KeycloakProvider from "next-auth/providers/keycloak";
import { db } from "@/server/db";
import { serverEnv } from "@/server/env";
import { logger } from "@/server/logger";
import { issuerMetadata } from "./issuer-metadata";
import { rolesFromClaims, type Role } from "@/common/roles";
import type { AuthSession, SessionUser } from "./session";
import { identityFromClaims, syncUser } from "./users";
import {
  requireKeycloakClientSecret,
  requireNextAuthSecret,
  sessionMaxAgeSeconds,
  SessionUserResolver,
} from "./session-users";

const log = logger.child({ module: "auth" });

function decodeClaims(token: string | undefined): Record<string, unknown> | undefined {
  if (!token) return undefined;
  try {
    return decodeJwt(token);
  } catch {
    return undefined; // an opaque access token: fall back to other sources
  }
}

async function userinfoClaims(accessToken: string | undefined): Promise<Record<string, unknown> | undefined> {
  if (!accessToken) return undefined;
  try {
    const { userinfo_endpoint: endpoint } = await issuerMetadata();
    if (!endpoint) return undefined;
    const response = await fetch(endpoint, {
      headers: { authorization: `Bearer ${accessToken}` },
      signal: AbortSignal.timeout(5_000),
    });
    return response.ok ? ((await response.json()) as Record<string, unknown>) : undefined;
  } catch (error) {
    log.warn({ err: error }, "userinfo lookup failed");
    return undefined;
  }
}

/**
 * Realm roles as Keycloak issues them: in the access token (a JWT), else in
 * the ID token, else from userinfo, whichever first carries `realm_access`.
 */
export async function rolesAtSignIn(
  accessToken: string | undefined,
  idTokenClaims: Record<string, unknown> | undefined,
): Promise<Role[]> {
  const fromTokens = rolesFromClaims(decodeClaims(accessToken)) ?? rolesFromClaims(idTokenClaims);
  if (fromTokens) return fromTokens;
  return rolesFromClaims(await userinfoClaims(accessToken)) ?? [];
}

let resolver: SessionUserResolver | undefined;

/** The process's session-user resolver (roles re-read from `users`, cached ≤ 60 s). */
export function sessionUsers(): SessionUserResolver {
  resolver ??= new SessionUserResolver({ db, maxAgeMs: sessionMaxAgeSeconds() * 1000 });
  return resolver;
}

let cached: NextAuthOptions | undefined;

/** next-auth v4 with the Keycloak provider, configured by KEYCLOAK_* only; JWT sessions. */
export function authOptions(): NextAuthOptions {
  if (cached) return cached;
  const env = serverEnv();
  cached = {
    secret: requireNextAuthSecret(env),
    // next-auth's maxAge rolls with activity; the absolute limit is `signedInAt` (session-users.ts).
    session: { strategy: "jwt", maxAge: sessionMaxAgeSeconds(env) },
    pages: { signIn: "/signin", error: "/signin" },
    providers: [
      KeycloakProvider({
        clientId: env.KEYCLOAK_CLIENT_ID,
        clientSecret: requireKeycloakClientSecret(env),
        issuer: env.KEYCLOAK_ISSUER.replace(/\/$/, ""),
      }),
    ],
    callbacks: {
      async jwt({ token, account, profile }) {
        // `account` is only present at sign-in: the one moment we see the provider's tokens.
        if (account) {
          const idClaims = (profile ?? decodeClaims(account.id_token)) as Record<string, unknown> | undefined;
          const roles = await rolesAtSignIn(account.access_token, idClaims);
          const user = await syncUser(
            db(),
            identityFromClaims({ ...idClaims, sub: account.providerAccountId }, roles),
          );
          log.info({ user: user.username, roles }, "signed in");
          token.user = user;
          token.idToken = account.id_token;
          token.signedInAt = sessionUsers().now();
          sessionUsers().invalidate(user.id);
        }
        return token;
      },
      async session({ session, token }) {
        // Only what the UI needs, as the database has it now; the ID token stays in the encrypted cookie.
        // No user (expired, deleted): next-auth's placeholder has no id, which reads as signed out.
        const user = await sessionUsers().resolve(token);
        return user ? { ...session, user } : { expires: session.expires };
      },
    },
    logger: {
      error: (code, metadata) => log.error({ code, metadata }, "next-auth error"),
      warn: (code) => log.warn({ code }, "next-auth warning"),
      debug: () => undefined,
    },
  };
  return cached;
}

/** The session of the current request (server components, route handlers), or null. */
export async function getServerAuthSession(): Promise<AuthSession | null> {
  const session = await getServerSession(authOptions());
  // A cookie from before the user was attached (or a foreign one) is no session.
  if (!session?.user?.id) return null;
  return { user: session.user, expires: session.expires };
}

function parseCookies(header: string | null): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of header?.split(";") ?? []) {
    const eq = part.indexOf("=");
    if (eq > 0) cookies.set(part.slice(0, eq).trim(), decodeURIComponent(part.slice(eq + 1).trim()));
  }
  return cookies;
}

/**
 * The session user from a request's next-auth cookie, for handlers that get
 * a plain Request (REST). Reads the same encrypted JWT getServerSession does;
 * roles come from the database (`users`), not from the cookie.
 */
export async function sessionUserFromRequest(
  request: { readonly headers: Pick<Headers, "get"> },
  users: SessionUserResolver = sessionUsers(),
): Promise<SessionUser | null> {
  const req = { cookies: parseCookies(request.headers.get("cookie")), headers: {} };
  const secret = requireNextAuthSecret();
  // getToken only reads `cookies` (a Map is accepted) and `headers`; an empty header
  // object keeps it from mistaking an OIDC bearer token for its own. `raw`: the
  // cookie's value (chunks joined), decrypted below at most once a minute.
  const value = await getToken({
    req: req as unknown as Parameters<typeof getToken>[0]["req"],
    secret,
    raw: true,
  });
  if (!value) return null;
  const token = await users.sessionToken(value, secret, (cookie) => decode({ token: cookie, secret }));
  return users.resolve(token);
}
