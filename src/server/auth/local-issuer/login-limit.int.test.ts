/**
 * The local issuer's sign-in form has a budget per username and per client
 * address: password guessing gets 429 with Retry-After, not endless tries.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RateBudget } from "@/server/edge";
import { resetServerEnvCache } from "@/server/env";
import { CookieJar } from "@/server/testing/oidc-flow";
import { startLocalIssuer, type RunningLocalIssuer } from "./server";

const client = {
  clientId: "nemo-console",
  clientSecret: "login-limit-secret",
  name: "NEMO Console",
  redirectUris: ["http://localhost:3999/api/auth/callback/keycloak"],
  postLogoutRedirectUris: [],
};

let issuer: RunningLocalIssuer;
let now = 9_000_000;
const budget = new RateBudget("sign-in", { perUser: 3, perIp: 5 }, () => now);

/** Opens the login form of a fresh authorization request; returns a function that submits it. */
async function loginForm(): Promise<
  (username: string, password: string, headers?: Record<string, string>) => Promise<Response>
> {
  const jar = new CookieJar();
  const auth = new URL(`${issuer.issuer}/protocol/openid-connect/auth`);
  auth.search = new URLSearchParams({
    client_id: client.clientId,
    redirect_uri: client.redirectUris[0] ?? "",
    response_type: "code",
    scope: "openid",
    state: "s",
  }).toString();
  const start = await fetch(auth, { redirect: "manual" });
  jar.store(start);
  const formUrl = new URL(start.headers.get("location") ?? "", auth).toString();
  return async (username, password, headers = {}) => {
    const response = await fetch(formUrl, {
      method: "POST",
      redirect: "manual",
      headers: { cookie: jar.header(), "content-type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams({ username, password }).toString(),
    });
    jar.store(response);
    return response;
  };
}

beforeAll(async () => {
  process.env.NEMO_LOCAL_ISSUER = "1";
  resetServerEnvCache();
  issuer = await startLocalIssuer({
    issuer: "http://127.0.0.1:0/realms/nemo",
    clients: [client],
    loginBudget: budget,
    trustedProxyHops: 0,
  });
});

afterAll(async () => {
  await issuer.close();
});

describe("sign-in form", () => {
  it("answers 413 for a form past 16 KiB instead of failing", async () => {
    now += 60 * 60_000;
    const submit = await loginForm();
    const response = await submit("admin", "x".repeat(20 * 1024));
    expect(response.status).toBe(413);
    expect(await response.text()).toContain("The form is larger than 16 KiB.");
  });
});

describe("sign-in rate limit", () => {
  it("refuses a username's attempts past its budget with 429 and Retry-After, then lets it try again", async () => {
    const submit = await loginForm();
    for (let i = 0; i < 3; i++) expect((await submit("Admin", "wrong")).status).toBe(200);
    // The same account however it is spelled, even with the right password now.
    const refused = await submit("admin", "admin");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("20");
    expect(await refused.text()).toContain("Too many sign-in attempts. Try again in 20 seconds.");
    now += 20_000;
    expect((await submit("admin", "admin")).status).toBe(303);
  });

  it("counts every username from one address against the address's budget", async () => {
    now += 60 * 60_000;
    const submit = await loginForm();
    // Five guesses at five accounts: each username is within its own budget, the address is not.
    for (let i = 0; i < 5; i++) expect((await submit(`guess-${i}`, "x")).status).toBe(200);
    expect((await submit("guess-5", "x")).status).toBe(429);
  });

  it("ignores a client's own X-Forwarded-For when no proxy is trusted", async () => {
    now += 60 * 60_000;
    const submit = await loginForm();
    for (let i = 0; i < 5; i++) expect((await submit(`spoof-${i}`, "x")).status).toBe(200);
    // A made-up X-Forwarded-For does not buy a fresh address: the socket's is the one counted.
    const spoofed = await submit("spoof-5", "x", { "x-forwarded-for": "203.0.113.9" });
    expect(spoofed.status).toBe(429);
  });
});
