import { generateKeyPairSync, randomBytes, randomUUID } from "node:crypto";
import Provider, {
  errors,
  type Configuration,
  type Grant,
  type JWK,
  type KoaContextWithOIDC,
} from "oidc-provider";
import { demoUserBySubject, demoUserClaims } from "@/server/auth/demo-users";
import { serviceAccountSubject, serviceAccountUsername, type ServiceAccount } from "./service-accounts";
import { loggedOutPage, logoutPage, errorPage } from "./views";

/**
 * oidc-provider configured to look like a Keycloak realm from the outside:
 * Keycloak's endpoint paths, JWT access tokens carrying `realm_access.roles`
 * and ID tokens carrying the profile claims. Everything a client needs comes
 * from discovery, so the console cannot tell it from Keycloak.
 */

export interface LocalIssuerClient {
  clientId: string;
  clientSecret: string;
  name: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
}

export interface LocalIssuerConfig {
  /** Full issuer URL, e.g. http://127.0.0.1:8180/realms/nemo. */
  issuer: string;
  clients: LocalIssuerClient[];
  /** Confidential clients for scripts: client-credentials grant, tokens for the console API. */
  serviceAccounts?: readonly ServiceAccount[];
  /** Shown in the page header, like a realm's display name. */
  realmDisplayName: string;
  /** Where "Back to Application" links go. */
  applicationUrl?: string;
  cookieKeys?: string[];
  accessTokenTtlSeconds?: number;
}

/** Resource indicator of the console API; access tokens for it are JWTs. */
export const CONSOLE_RESOURCE = "urn:nemo:console";

/** Keycloak's endpoint layout under /realms/<realm>. */
export const KEYCLOAK_ROUTES = {
  authorization: "/protocol/openid-connect/auth",
  token: "/protocol/openid-connect/token",
  userinfo: "/protocol/openid-connect/userinfo",
  jwks: "/protocol/openid-connect/certs",
  end_session: "/protocol/openid-connect/logout",
  revocation: "/protocol/openid-connect/revoke",
  introspection: "/protocol/openid-connect/token/introspect",
  pushed_authorization_request: "/protocol/openid-connect/ext/par/request",
} as const;

/** Path of the login page under the realm (Keycloak's own is login-actions/authenticate). */
export const LOGIN_ACTIONS_PATH = "/login-actions/authenticate";

/** Fresh RS256 signing key per process: tokens of a previous issuer run stop verifying, which is fine in development. */
function signingKey(): JWK {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = privateKey.export({ format: "jwk" });
  return { ...jwk, kty: "RSA", kid: randomUUID(), use: "sig", alg: "RS256" };
}

/** The console is first-party: consent is implied, so the grant covers whatever was requested. */
async function loadOrAutoGrant(ctx: KoaContextWithOIDC): Promise<Grant | undefined> {
  const { oidc } = ctx;
  const client = oidc.client;
  const account = oidc.account;
  if (!client || !account) return undefined;
  const grantId = oidc.result?.consent?.grantId ?? oidc.session?.grantIdFor(client.clientId);
  const existing = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
  const grant =
    existing ?? new oidc.provider.Grant({ accountId: account.accountId, clientId: client.clientId });
  const oidcScopes = [...oidc.requestParamOIDCScopes];
  if (oidcScopes.length > 0) grant.addOIDCScope(oidcScopes.join(" "));
  if (oidc.requestParamClaims.size > 0) grant.addOIDCClaims([...oidc.requestParamClaims]);
  for (const [indicator, resourceServer] of Object.entries(oidc.resourceServers)) {
    const scopes = [...oidc.requestParamScopes].filter((scope) => resourceServer.scopes.has(scope));
    if (scopes.length > 0) grant.addResourceScope(indicator, scopes.join(" "));
  }
  await grant.save();
  return grant;
}

/**
 * The claims Keycloak puts into a service account's access token (client
 * credentials grant): the service-account user's subject and name, the
 * client as `azp`, and the realm roles granted to the service account.
 */
export function serviceAccountClaims(account: ServiceAccount): Record<string, unknown> & { sub: string } {
  return {
    sub: serviceAccountSubject(account.clientId),
    typ: "Bearer",
    azp: account.clientId,
    preferred_username: serviceAccountUsername(account.clientId),
    realm_access: { roles: [...account.realmRoles, "default-roles-nemo"] },
  };
}

export function createLocalIssuerProvider(config: LocalIssuerConfig): Provider {
  const realmPath = new URL(config.issuer).pathname.replace(/\/$/, "");
  const accessTokenTTL = config.accessTokenTtlSeconds ?? 15 * 60;
  const serviceAccounts = new Map((config.serviceAccounts ?? []).map((a) => [a.clientId, a]));
  for (const client of config.clients) {
    if (serviceAccounts.has(client.clientId)) {
      throw new Error(`Client id "${client.clientId}" is both the console's client and a service account.`);
    }
  }
  // Service-account tokens are for the console API: their audience is the console's client, as a
  // Keycloak audience mapper ("Included Client Audience: nemo-console") on the automation client sets.
  const apiAudience = config.clients[0]?.clientId;

  const configuration: Configuration = {
    clients: [
      ...config.clients.map((c) => ({
        client_id: c.clientId,
        client_secret: c.clientSecret,
        client_name: c.name,
        redirect_uris: c.redirectUris,
        post_logout_redirect_uris: c.postLogoutRedirectUris,
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_basic",
      })),
      ...[...serviceAccounts.values()].map((a) => ({
        client_id: a.clientId,
        client_secret: a.clientSecret,
        client_name: serviceAccountUsername(a.clientId),
        redirect_uris: [],
        grant_types: ["client_credentials"],
        response_types: [],
        // Keycloak accepts the secret in the Authorization header or in the form.
        token_endpoint_auth_method: "client_secret_basic",
      })),
    ],
    jwks: { keys: [signingKey()] },
    cookies: { keys: config.cookieKeys ?? [randomBytes(32).toString("base64url")] },
    routes: { ...KEYCLOAK_ROUTES },
    scopes: ["openid", "profile", "email", "offline_access"],
    // Authorization code flow only, as the console client uses.
    responseTypes: ["code"],
    claims: {
      // realm_access rides on `openid` so the ID token and userinfo carry roles as Keycloak can be configured to.
      openid: ["sub", "realm_access"],
      profile: ["name", "given_name", "family_name", "preferred_username"],
      email: ["email", "email_verified"],
    },
    // Put scope claims into the ID token even though an access token is issued (Keycloak does).
    conformIdTokenClaims: false,
    ttl: {
      AccessToken: accessTokenTTL,
      ClientCredentials: accessTokenTTL,
      IdToken: 60 * 60,
      Interaction: 30 * 60,
      Session: 10 * 60 * 60,
      Grant: 10 * 60 * 60,
    },
    interactions: { url: (_ctx, interaction) => `${realmPath}${LOGIN_ACTIONS_PATH}/${interaction.uid}` },
    findAccount: async (_ctx, sub) => {
      const user = demoUserBySubject(sub);
      if (!user) return undefined;
      return { accountId: sub, claims: () => demoUserClaims(user) };
    },
    formats: {
      customizers: {
        // A service account's token is its own user's (Keycloak): fixed subject, name, realm roles.
        jwt: async (_ctx, token, jwt) => {
          if (token.kind !== "ClientCredentials") return;
          const account = token.clientId ? serviceAccounts.get(token.clientId) : undefined;
          if (!account) return;
          Object.assign(jwt.payload, serviceAccountClaims(account));
        },
      },
    },
    extraTokenClaims: async (_ctx, token) => {
      if (token.kind !== "AccessToken" || !token.accountId) return undefined;
      const user = demoUserBySubject(token.accountId);
      if (!user) return undefined;
      const { sub: _sub, ...claims } = demoUserClaims(user);
      return { ...claims, azp: token.clientId };
    },
    loadExistingGrant: loadOrAutoGrant,
    renderError: async (ctx, out) => {
      ctx.type = "html";
      const message = out.error_description ?? out.error ?? "Unexpected error when handling the request.";
      ctx.body = errorPage(config.realmDisplayName, message, config.applicationUrl);
    },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.type = "html";
          ctx.body = logoutPage(config.realmDisplayName, form);
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.type = "html";
          ctx.body = loggedOutPage(config.realmDisplayName);
        },
      },
      resourceIndicators: {
        enabled: true,
        // Clients that do not name a resource (next-auth does not) get the console API.
        defaultResource: async (_ctx, _client, oneOf) => oneOf ?? CONSOLE_RESOURCE,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, resourceIndicator, client) => {
          if (resourceIndicator !== CONSOLE_RESOURCE) throw new errors.InvalidTarget();
          const serviceAccount = serviceAccounts.has(client.clientId);
          return {
            scope: "profile email",
            // Keycloak puts the client in `aud` through an audience mapper; the API checks it.
            audience: serviceAccount && apiAudience ? apiAudience : client.clientId,
            accessTokenFormat: "jwt",
            accessTokenTTL,
            jwt: { sign: { alg: "RS256" } },
          };
        },
      },
      clientCredentials: { enabled: true },
      revocation: { enabled: true },
      introspection: { enabled: true },
      userinfo: { enabled: true },
    },
  };

  return new Provider(config.issuer, configuration);
}
