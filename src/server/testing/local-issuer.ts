import { startLocalIssuer, type RunningLocalIssuer, type ServiceAccount } from "@/server/auth/local-issuer";
import { resetServerEnvCache } from "@/server/env";
import { runCodeFlow, type TokenSet } from "./oidc-flow";

/** Where the local issuer sends the console's browser back after a login. */
export const CONSOLE_REDIRECT = "http://localhost:3999/api/auth/callback/keycloak";
export const CONSOLE_CLIENT_ID = "nemo-console";

export interface ConsoleIssuer extends RunningLocalIssuer {
  /** The tokens the console gets when the demo user `username` signs in (password = username). */
  login(username: string): Promise<TokenSet>;
}

/**
 * The local issuer standing in for the console's Keycloak realm in a test
 * file: on a free port, with the console's client (a secret of the file's
 * own) and any service accounts, and the server's environment (KEYCLOAK_*)
 * pointing at it, so bearer tokens and session cookies are checked against
 * it. The caller closes it.
 */
export async function startConsoleIssuer(options: {
  clientSecret: string;
  serviceAccounts?: readonly ServiceAccount[];
}): Promise<ConsoleIssuer> {
  process.env.NEMO_LOCAL_ISSUER = "1";
  resetServerEnvCache();
  const issuer = await startLocalIssuer({
    issuer: "http://127.0.0.1:0/realms/nemo",
    clients: [
      {
        clientId: CONSOLE_CLIENT_ID,
        clientSecret: options.clientSecret,
        name: "NEMO Console",
        redirectUris: [CONSOLE_REDIRECT],
        postLogoutRedirectUris: [],
      },
    ],
    ...(options.serviceAccounts && { serviceAccounts: options.serviceAccounts }),
  });
  process.env.KEYCLOAK_ISSUER = issuer.issuer;
  process.env.KEYCLOAK_CLIENT_ID = CONSOLE_CLIENT_ID;
  resetServerEnvCache();
  return {
    ...issuer,
    async login(username) {
      const { tokens } = await runCodeFlow({
        issuer: issuer.issuer,
        clientId: CONSOLE_CLIENT_ID,
        clientSecret: options.clientSecret,
        redirectUri: CONSOLE_REDIRECT,
        username,
        password: username,
      });
      if (!tokens) throw new Error(`login of ${username} failed`);
      return tokens;
    },
  };
}
