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
export function bearerTokenFrom(headers: Headers): string | undefined {
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

/**
 * Verifies the token and returns the user it stands for (the `users` row is kept in step).
 * A person's token and a service account's (client-credentials grant: Keycloak's service
 * accounts, the local issuer's `NEMO_SERVICE_ACCOUNTS_FILE`) are read the same way: `sub`,
 * `preferred_username` (`service-account-<client id>`) and `realm_access.roles` make the
 * user, so a service account is a tenant of its own with exactly its realm roles.
 */
export async function userFromAccessToken(token: string, db: Db = defaultDb()): Promise<SessionUser> {
  const payload = await verifyAccessToken(token);
  return syncUser(db, identityFromClaims(payload, rolesFromClaims(payload) ?? []));
}
