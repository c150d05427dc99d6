import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type Provider from "oidc-provider";
import type { Logger } from "@/server/logger";
import { authenticateDemoUser } from "@/server/auth/demo-users";
import { rateBudgets, socketClientIp, type RateBudget } from "@/server/edge";
import { serverEnv } from "@/server/env";
import {
  createLocalIssuerProvider,
  LOGIN_ACTIONS_PATH,
  type LocalIssuerClient,
  type LocalIssuerConfig,
} from "./provider";
import { assertLocalIssuerAllowed, LocalIssuerRefused } from "./config";
import type { ServiceAccount } from "./service-accounts";
import { errorPage, loginPage } from "./views";

/**
 * The local issuer as a plain node:http server. Requests under the realm path
 * go to oidc-provider with the prefix stripped and `originalUrl` kept, so the
 * provider builds its URLs with the mount path (so the issuer is reachable at a Keycloak-style /realms/nemo path); the login
 * page is ours.
 */

export interface LocalIssuerOptions {
  /** Issuer URL; its port 0 means "pick a free port" (the real URL is returned). */
  issuer: string;
  /** Interface to bind; defaults to the issuer URL's host name. */
  host?: string;
  clients: LocalIssuerClient[];
  /** Confidential clients for scripts (client-credentials grant); see service-accounts.ts. */
  serviceAccounts?: readonly ServiceAccount[];
  realmDisplayName?: string;
  applicationUrl?: string;
  cookieKeys?: string[];
  accessTokenTtlSeconds?: number;
  /** List the demo accounts under the login form. */
  showDemoUsers?: boolean;
  /** Sign-in attempts per username and per client address (default: NEMO_RATE_LIMIT_LOGIN_*). */
  loginBudget?: RateBudget;
  /** Proxies in front of the issuer whose X-Forwarded-For entries count (default NEMO_TRUSTED_PROXY_HOPS). */
  trustedProxyHops?: number;
  logger?: Logger;
}

export interface RunningLocalIssuer {
  /** The issuer identifier actually served (with the bound port). */
  issuer: string;
  provider: Provider;
  close(): Promise<void>;
}

const INVALID_CREDENTIALS = "Invalid username or password.";
const LOGIN_TIMED_OUT = "Your login attempt timed out. Login will start from the beginning.";
const MAX_FORM_BYTES = 16 * 1024;

class FormTooLarge extends Error {}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_FORM_BYTES) throw new FormTooLarge();
    chunks.push(buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.statusCode = status;
  res.setHeader("Content-Type", contentType);
  res.setHeader("Cache-Control", "no-store");
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, "application/json", JSON.stringify(body));
}

/** Starts the issuer; refuses unless NEMO_LOCAL_ISSUER=1 (and, under NODE_ENV=production, forced). */
export async function startLocalIssuer(options: LocalIssuerOptions): Promise<RunningLocalIssuer> {
  assertLocalIssuerAllowed();
  if (
    options.clients.some((client) => client.clientSecret === "") ||
    options.serviceAccounts?.some((account) => account.clientSecret === "")
  ) {
    throw new LocalIssuerRefused("Every client of the local issuer needs a client secret.");
  }
  const requested = new URL(options.issuer);
  const realmPath = requested.pathname.replace(/\/$/, "");
  const realmName = realmPath.split("/").pop() ?? "nemo";
  const realmDisplayName = options.realmDisplayName ?? realmName.toUpperCase();
  const loginPrefix = `${realmPath}${LOGIN_ACTIONS_PATH}/`;
  const log = options.logger;
  const loginBudget = options.loginBudget ?? rateBudgets().login;
  const trustedProxyHops = options.trustedProxyHops ?? serverEnv().NEMO_TRUSTED_PROXY_HOPS;

  // Filled in once the server listens: the issuer URL needs the bound port.
  const state: {
    provider?: Provider;
    callback?: (req: IncomingMessage, res: ServerResponse) => void;
    issuer: string;
  } = { issuer: options.issuer };

  async function loginAction(req: IncomingMessage, res: ServerResponse, uid: string): Promise<void> {
    const { provider } = state;
    if (!provider) throw new Error("issuer not ready");
    let details;
    try {
      details = await provider.interactionDetails(req, res);
    } catch {
      send(res, 400, "text/html", errorPage(realmDisplayName, LOGIN_TIMED_OUT, options.applicationUrl));
      return;
    }
    if (details.uid !== uid) {
      send(res, 400, "text/html", errorPage(realmDisplayName, LOGIN_TIMED_OUT, options.applicationUrl));
      return;
    }
    const action = `${realmPath}${LOGIN_ACTIONS_PATH}/${uid}`;
    const showDemoUsers = options.showDemoUsers ?? false;

    if (details.prompt.name === "login") {
      if (req.method !== "POST") {
        send(res, 200, "text/html", loginPage({ action, realmDisplayName, showDemoUsers }));
        return;
      }
      let form: URLSearchParams;
      try {
        form = await readForm(req);
      } catch (error) {
        if (!(error instanceof FormTooLarge)) throw error;
        send(
          res,
          413,
          "text/html",
          errorPage(realmDisplayName, `The form is larger than ${MAX_FORM_BYTES / 1024} KiB.`),
        );
        return;
      }
      const username = form.get("username") ?? "";
      // Password guessing: a budget per username (case-folded, as sign-in matches it) and per address.
      const ip = socketClientIp(req.socket.remoteAddress, req.headers["x-forwarded-for"], trustedProxyHops);
      const decision = loginBudget.take({ ip, user: username.trim().toLowerCase() || null });
      if (!decision.allowed) {
        log?.warn({ username, ip }, "local issuer: sign-in rate limit reached");
        res.setHeader("Retry-After", String(decision.retryAfterSeconds));
        const error = `Too many sign-in attempts. Try again in ${decision.retryAfterSeconds} seconds.`;
        send(res, 429, "text/html", loginPage({ action, realmDisplayName, username, error, showDemoUsers }));
        return;
      }
      const user = authenticateDemoUser(username, form.get("password") ?? "");
      if (!user) {
        log?.info({ username }, "local issuer: invalid credentials");
        send(
          res,
          200,
          "text/html",
          loginPage({ action, realmDisplayName, username, error: INVALID_CREDENTIALS, showDemoUsers }),
        );
        return;
      }
      log?.info({ username: user.username }, "local issuer: signed in");
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: user.subject, amr: ["pwd"] } },
        { mergeWithLastSubmission: false },
      );
      return;
    }

    if (details.prompt.name === "consent") {
      // Only first-party clients are registered here: consent is implied.
      const accountId = details.session?.accountId;
      const clientId = details.params.client_id;
      if (!accountId || !clientId) throw new Error("consent without session or client");
      const grant = details.grantId
        ? ((await provider.Grant.find(details.grantId)) ?? new provider.Grant({ accountId, clientId }))
        : new provider.Grant({ accountId, clientId });
      const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = details.prompt.details;
      if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(" "));
      if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(missingResourceScopes ?? {})) {
        grant.addResourceScope(indicator, scopes.join(" "));
      }
      const grantId = await grant.save();
      await provider.interactionFinished(
        req,
        res,
        { consent: { grantId } },
        { mergeWithLastSubmission: true },
      );
      return;
    }

    send(res, 400, "text/html", errorPage(realmDisplayName, `Unsupported prompt "${details.prompt.name}".`));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://issuer.invalid");
    const path = url.pathname;
    const { provider, callback, issuer } = state;
    if (path === "/health" || path === "/health/ready" || path === "/health/live") {
      sendJson(res, provider ? 200 : 503, { status: provider ? "UP" : "DOWN" });
      return;
    }
    if (!provider || !callback) {
      sendJson(res, 503, { error: "starting" });
      return;
    }
    if (path === realmPath || path === `${realmPath}/`) {
      // Keycloak answers the realm URL with public realm information.
      sendJson(res, 200, {
        realm: realmName,
        "token-service": `${issuer}/protocol/openid-connect`,
        "account-service": `${issuer}/account`,
        "tokens-not-before": 0,
      });
      return;
    }
    if (path.startsWith(loginPrefix)) {
      await loginAction(req, res, decodeURIComponent(path.slice(loginPrefix.length)));
      return;
    }
    if (path.startsWith(`${realmPath}/`)) {
      const mounted = req as IncomingMessage & { originalUrl?: string };
      mounted.originalUrl = req.url;
      req.url = (req.url ?? "/").slice(realmPath.length);
      callback(req, res);
      return;
    }
    sendJson(res, 404, { error: "Resource not found" });
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log?.error({ err: error }, "local issuer: request failed");
      if (!res.headersSent) send(res, 500, "text/html", errorPage(realmDisplayName, "Unexpected error."));
      else res.end();
    });
  });

  const host = options.host ?? requested.hostname.replace(/^\[|\]$/g, "");
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(Number(requested.port || 80), host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const actual = new URL(options.issuer);
  actual.port = String(port);
  const issuer = actual.toString().replace(/\/$/, "");

  const config: LocalIssuerConfig = {
    issuer,
    clients: options.clients,
    serviceAccounts: options.serviceAccounts,
    realmDisplayName,
    applicationUrl: options.applicationUrl,
    cookieKeys: options.cookieKeys,
    accessTokenTtlSeconds: options.accessTokenTtlSeconds,
  };
  const provider = createLocalIssuerProvider(config);
  // Behind a reverse proxy (the Helm chart), trust X-Forwarded-* for URLs.
  provider.proxy = true;
  provider.on("server_error", (_ctx: unknown, error: unknown) =>
    log?.error({ err: error }, "local issuer: server error"),
  );
  state.issuer = issuer;
  state.provider = provider;
  state.callback = provider.callback();

  return {
    issuer,
    provider,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
