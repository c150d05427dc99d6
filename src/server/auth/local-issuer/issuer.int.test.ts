import { decodeJwt, decodeProtectedHeader } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CookieJar, runCodeFlow, type CodeFlowOptions } from "@/server/testing/oidc-flow";
import { resetServerEnvCache } from "@/server/env";
import { startLocalIssuer, type RunningLocalIssuer } from "./server";

const client = {
  clientId: "nemo-console",
  clientSecret: "test-secret",
  name: "NEMO Console",
  redirectUris: ["http://localhost:3999/api/auth/callback/keycloak"],
  postLogoutRedirectUris: ["http://localhost:3999/signin"],
};

let issuer: RunningLocalIssuer;
const login = (username: string, password: string): CodeFlowOptions => ({
  issuer: issuer.issuer,
  clientId: client.clientId,
  clientSecret: client.clientSecret,
  redirectUri: client.redirectUris[0] ?? "",
  username,
  password,
});

beforeAll(async () => {
  process.env.NEMO_LOCAL_ISSUER = "1";
  resetServerEnvCache();
  issuer = await startLocalIssuer({ issuer: "http://127.0.0.1:0/realms/nemo", clients: [client] });
});

afterAll(async () => {
  await issuer.close();
});

describe("local issuer standing in for Keycloak", () => {
  it("serves discovery at the realm URL with Keycloak's endpoint paths", async () => {
    expect(issuer.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/realms\/nemo$/);
    const discovery = (await (
      await fetch(`${issuer.issuer}/.well-known/openid-configuration`)
    ).json()) as Record<string, unknown>;
    expect(discovery).toMatchObject({
      issuer: issuer.issuer,
      authorization_endpoint: `${issuer.issuer}/protocol/openid-connect/auth`,
      token_endpoint: `${issuer.issuer}/protocol/openid-connect/token`,
      jwks_uri: `${issuer.issuer}/protocol/openid-connect/certs`,
      end_session_endpoint: `${issuer.issuer}/protocol/openid-connect/logout`,
    });
    const jwks = (await (await fetch(`${issuer.issuer}/protocol/openid-connect/certs`)).json()) as {
      keys: unknown[];
    };
    expect(jwks.keys).toHaveLength(1);
  });

  it("issues a JWT access token with realm_access.roles and an ID token with the profile claims", async () => {
    const { tokens } = await runCodeFlow(login("infra", "infra"));
    if (!tokens) throw new Error("no tokens");
    expect(decodeProtectedHeader(tokens.access_token).typ).toBe("at+jwt");
    expect(decodeJwt(tokens.access_token)).toMatchObject({
      iss: issuer.issuer,
      aud: "nemo-console",
      azp: "nemo-console",
      preferred_username: "infra",
      realm_access: { roles: expect.arrayContaining(["infrastructure-provider"]) as unknown },
    });
    expect(decodeJwt(tokens.id_token)).toMatchObject({
      preferred_username: "infra",
      name: "Ingrid Infra",
      email: "infra@nemo.example",
      realm_access: { roles: expect.arrayContaining(["infrastructure-provider"]) as unknown },
    });
  });

  it("accepts usernames case-insensitively, as Keycloak does", async () => {
    const { tokens } = await runCodeFlow(login("Provider2", "provider2"));
    expect(tokens && decodeJwt(tokens.id_token).preferred_username).toBe("provider2");
  });

  it("shows Keycloak's error on a wrong password and keeps the username", async () => {
    const { tokens, loginPage } = await runCodeFlow(login("admin", "wrong"));
    expect(tokens).toBeUndefined();
    expect(loginPage).toContain(
      '<span id="input-error" aria-live="polite">Invalid username or password.</span>',
    );
    expect(loginPage).toContain('id="username" class="pf-c-form-control" name="username" value="admin"');
  });

  it("ends its session on RP-initiated logout without asking, then asks for credentials again", async () => {
    const { tokens, jar } = await runCodeFlow(login("admin", "admin"));
    if (!tokens) throw new Error("no tokens");
    const withCookies = (init: RequestInit = {}) => ({
      ...init,
      redirect: "manual" as const,
      headers: { ...(init.headers as Record<string, string>), cookie: jar.header() },
    });

    const logout = new URL(`${issuer.issuer}/protocol/openid-connect/logout`);
    logout.searchParams.set("id_token_hint", tokens.id_token);
    logout.searchParams.set("post_logout_redirect_uri", "http://localhost:3999/signin");
    logout.searchParams.set("state", "signed-out");
    const page = await fetch(logout, withCookies());
    jar.store(page);
    const html = await page.text();
    // The page submits itself: no confirmation button to click.
    expect(html).toContain("form.submit()");
    const action = html.match(/action="([^"]+)"/)?.[1];
    const xsrf = html.match(/name="xsrf" value="([^"]+)"/)?.[1];
    if (!action || !xsrf) throw new Error("no logout form");

    const confirm = await fetch(
      new URL(action, issuer.issuer),
      withCookies({
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ xsrf, logout: "yes" }).toString(),
      }),
    );
    jar.store(confirm);
    expect(confirm.status).toBe(303);
    expect(confirm.headers.get("location")).toBe("http://localhost:3999/signin?state=signed-out");

    // A new authorization request with the same browser lands on the login form again.
    const auth = new URL(`${issuer.issuer}/protocol/openid-connect/auth`);
    auth.search = new URLSearchParams({
      client_id: client.clientId,
      redirect_uri: client.redirectUris[0] ?? "",
      response_type: "code",
      scope: "openid",
    }).toString();
    const again = await fetch(auth, withCookies());
    expect(again.headers.get("location")).toContain("/realms/nemo/login-actions/authenticate/");
  });

  it("answers readiness probes", async () => {
    const health = await fetch(new URL("/health/ready", issuer.issuer));
    expect(await health.json()).toEqual({ status: "UP" });
  });

  it("keeps an unused cookie jar empty", () => {
    expect(new CookieJar().header()).toBe("");
  });
});
