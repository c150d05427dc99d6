import { serverEnv, type ServerEnv } from "@/server/env";
import type { LocalIssuerOptions } from "./server";
import { readServiceAccounts } from "./service-accounts";

/** The local issuer may not run here (not asked for, production, no client secret). */
export class LocalIssuerRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LocalIssuerRefused";
  }
}

/**
 * The issuer signs anyone in as a demo admin, so it runs only when asked for
 * and never by accident in production (NODE_ENV=production needs
 * NEMO_LOCAL_ISSUER_FORCE=1, which only the single-machine quick start sets).
 */
export function assertLocalIssuerAllowed(env: ServerEnv = serverEnv()): void {
  if (!env.NEMO_LOCAL_ISSUER) {
    throw new LocalIssuerRefused(
      "The local OIDC issuer starts only when asked: set NEMO_LOCAL_ISSUER=1 (development, tests, quick start).",
    );
  }
  if (env.NODE_ENV === "production" && !env.NEMO_LOCAL_ISSUER_FORCE) {
    throw new LocalIssuerRefused(
      "The local OIDC issuer is a development stand-in for Keycloak and refuses to run with NODE_ENV=production; " +
        "use a real Keycloak, or set NEMO_LOCAL_ISSUER_FORCE=1 for a single-machine demo.",
    );
  }
}

/**
 * The local issuer reads the same variables as the console, so one set of
 * KEYCLOAK_* / NEXTAUTH_URL values configures both ends of the login.
 */
export function localIssuerOptionsFromEnv(env: ServerEnv = serverEnv()): LocalIssuerOptions {
  assertLocalIssuerAllowed(env);
  if (!env.KEYCLOAK_CLIENT_SECRET) {
    throw new LocalIssuerRefused(
      "KEYCLOAK_CLIENT_SECRET is not set: the local issuer has no default client secret " +
        "(`npm run quickstart` generates one into .nemo/keycloak-client-secret).",
    );
  }
  const consoleUrl = env.NEXTAUTH_URL.replace(/\/$/, "");
  return {
    issuer: env.KEYCLOAK_ISSUER.replace(/\/$/, ""),
    host: env.LOCAL_ISSUER_HOST,
    applicationUrl: `${consoleUrl}/`,
    showDemoUsers: env.NEMO_DEMO_USERS,
    clients: [
      {
        clientId: env.KEYCLOAK_CLIENT_ID,
        clientSecret: env.KEYCLOAK_CLIENT_SECRET,
        name: "NEMO Console",
        redirectUris: [`${consoleUrl}/api/auth/callback/keycloak`],
        postLogoutRedirectUris: [`${consoleUrl}/signin`, `${consoleUrl}/`],
      },
    ],
    serviceAccounts: readServiceAccounts(env.NEMO_SERVICE_ACCOUNTS_FILE),
  };
}
