import { getToken } from "next-auth/jwt";
import type { NextRequest } from "next/server";
import { endSessionUrl, issuerMetadata } from "@/server/auth/issuer-metadata";
import { requireNextAuthSecret } from "@/server/auth/session-users";
import { serverEnv } from "@/server/env";
import { logger } from "@/server/logger";

/**
 * GET /api/auth/federated-logout — where the browser goes after signing out
 * of the console: the identity provider's end_session endpoint with our
 * id_token_hint, so its session ends too. Read before next-auth clears the cookie.
 */
export async function GET(request: NextRequest): Promise<Response> {
  const env = serverEnv();
  const consoleUrl = env.NEXTAUTH_URL.replace(/\/$/, "");
  const fallback = `${consoleUrl}/signin?state=signed-out`;
  try {
    const token = await getToken({ req: request, secret: requireNextAuthSecret(env) });
    const url = endSessionUrl(await issuerMetadata(), {
      idToken: token?.idToken,
      clientId: env.KEYCLOAK_CLIENT_ID,
      postLogoutRedirectUri: `${consoleUrl}/signin`,
      state: "signed-out",
    });
    return Response.json({ url: url ?? fallback }, { headers: { "cache-control": "no-store" } });
  } catch (error) {
    logger.warn({ err: error }, "federated logout: identity provider unreachable");
    return Response.json({ url: fallback }, { headers: { "cache-control": "no-store" } });
  }
}
