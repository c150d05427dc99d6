/**
 * Drives an authorization-code login against the local issuer without a
 * browser (tests only): follows redirects by hand, keeps cookies, fills the
 * Keycloak-style form.
 */
export interface CodeFlowOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  username: string;
  password: string;
  scope?: string;
}

export interface TokenSet {
  access_token: string;
  id_token: string;
  token_type: string;
  expires_in: number;
  scope?: string;
}

export class CookieJar {
  private readonly cookies = new Map<string, string>();

  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const eq = pair.indexOf("=");
      if (eq < 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === "" || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }
}

async function step(jar: CookieJar, url: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const cookie = jar.header();
  if (cookie) headers.set("cookie", cookie);
  const response = await fetch(url, { ...init, headers, redirect: "manual" });
  jar.store(response);
  return response;
}

function location(response: Response, base: string): string {
  const target = response.headers.get("location");
  if (!target) throw new Error(`expected a redirect, got ${response.status}`);
  return new URL(target, base).toString();
}

/** Returns the login page HTML after a failed attempt, or the tokens after a successful one. */
export async function runCodeFlow(
  options: CodeFlowOptions,
): Promise<{ tokens?: TokenSet; loginPage?: string; jar: CookieJar }> {
  const jar = new CookieJar();
  const discovery = (await (await fetch(`${options.issuer}/.well-known/openid-configuration`)).json()) as {
    authorization_endpoint: string;
    token_endpoint: string;
  };
  const auth = new URL(discovery.authorization_endpoint);
  auth.search = new URLSearchParams({
    client_id: options.clientId,
    redirect_uri: options.redirectUri,
    response_type: "code",
    scope: options.scope ?? "openid email profile",
    state: "test-state",
  }).toString();

  let response = await step(jar, auth.toString());
  const loginUrl = location(response, auth.toString());
  response = await step(jar, loginUrl);
  if (response.status !== 200) throw new Error(`login page answered ${response.status}`);
  response = await step(jar, loginUrl, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ username: options.username, password: options.password }).toString(),
  });
  if (response.status === 200) return { loginPage: await response.text(), jar };

  // Resume the authorization request until the issuer redirects back to the client.
  let next = location(response, loginUrl);
  while (!next.startsWith(options.redirectUri)) {
    response = await step(jar, next);
    next = location(response, next);
  }
  const code = new URL(next).searchParams.get("code");
  if (!code) throw new Error(`no code in ${next}`);

  const tokenResponse = await fetch(discovery.token_endpoint, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization: `Basic ${Buffer.from(`${options.clientId}:${options.clientSecret}`).toString("base64")}`,
    },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code,
      redirect_uri: options.redirectUri,
    }).toString(),
  });
  if (!tokenResponse.ok)
    throw new Error(`token endpoint answered ${tokenResponse.status}: ${await tokenResponse.text()}`);
  return { tokens: (await tokenResponse.json()) as TokenSet, jar };
}
