import { serverEnv, type ServerEnv } from "@/server/env";
import type { LocalIssuerOptions } from "./server";

/**
 * The local issuer reads the same variables as the console, so one set of
 * KEYCLOAK_* / NEXTAUTH_URL values configures both ends of the login.
 */
export function localIssuerOptionsFromEnv(env: ServerEnv = serverEnv()): LocalIssuerOptions {
  const consoleUrl = env.NEXTAUTH_URL.replace(/\/$/, "");
  return {
    issuer: env.KEYCLOAK_ISSUER.replace(/\/$/, ""),
    host: env.LOCAL_ISSUER_HOST,
    applicationUrl: `${consoleUrl}/`,
    showDemoUsers: env.LOCAL_ISSUER_SHOW_DEMO_USERS,
    clients: [
      {
        clientId: env.KEYCLOAK_CLIENT_ID,
        clientSecret: env.KEYCLOAK_CLIENT_SECRET,
        name: "NEMO Console",
        redirectUris: [`${consoleUrl}/api/auth/callback/keycloak`],
        postLogoutRedirectUris: [`${consoleUrl}/signin`, `${consoleUrl}/`],
      },
    ],
  };
}
