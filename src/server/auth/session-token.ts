import { hkdfSync } from "node:crypto";
import { jwtDecrypt } from "jose";
import type { JWT, JWTDecodeParams } from "next-auth/jwt";

/**
 * The session cookie's key as next-auth derives it (HKDF-SHA256 of
 * NEXTAUTH_SECRET, its info string, 32 bytes for A256GCM).
 */
export function deriveSessionKey(secret: string | Buffer, salt: string): Uint8Array {
  const info = `NextAuth.js Generated Encryption Key${salt ? ` (${salt})` : ""}`;
  return new Uint8Array(hkdfSync("sha256", secret, salt, info, 32));
}

/** Secrets whose key is kept; more only in tests, which make one per file. */
const MAX_KEYS = 8;

/**
 * A `decode` for next-auth's getToken that opens the cookie exactly as
 * next-auth's own does (JWE `dir` + A256GCM, 15 s clock tolerance: expiry and
 * tampering are refused alike) but derives the key once per secret instead of
 * on every request — that HKDF was the largest CPU cost of a cookie-signed
 * REST request (bench/api-load.bench.ts).
 */
export function createSessionTokenDecoder(
  derive: (secret: string | Buffer, salt: string) => Uint8Array = deriveSessionKey,
): (params: JWTDecodeParams) => Promise<JWT | null> {
  const keys = new Map<string, Uint8Array>();
  return async ({ token, secret, salt = "" }) => {
    if (!token) return null;
    const id = `${salt}\u0000${typeof secret === "string" ? secret : secret.toString("base64")}`;
    let key = keys.get(id);
    if (!key) {
      if (keys.size >= MAX_KEYS) keys.clear();
      key = derive(secret, salt);
      keys.set(id, key);
    }
    const { payload } = await jwtDecrypt(token, key, { clockTolerance: 15 });
    return payload;
  };
}
