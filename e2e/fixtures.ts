import path from "node:path";
import { test as base, expect, type Cookie, type Page } from "@playwright/test";
import { packChartDirectory } from "@/server/workloads/tar-writer";
import { e2eEnv } from "./env";
import { SECRET_CANARY } from "./secret-watch";

/** The demo users of the local issuer (src/server/auth/local-issuer/demo-users.ts). */
export const USERS = {
  admin: { username: "admin", password: "admin", displayName: "Ada Admin", chips: ["NEMO admin"] },
  infra: {
    username: "infra",
    password: "infra",
    displayName: "Ingrid Infra",
    chips: ["Infrastructure provider"],
  },
  provider: {
    username: "provider",
    password: "provider",
    displayName: "Sam Provider",
    chips: ["Service provider"],
  },
  provider2: {
    username: "provider2",
    password: "provider2",
    displayName: "Sasha Second",
    chips: ["Service provider"],
  },
  nobody: { username: "nobody", password: "nobody", displayName: "Noah Nobody", chips: [] },
} as const;

export type DemoUserName = keyof typeof USERS;

export const test = base.extend({
  // The app's port is chosen by global setup, after this config was loaded.
  baseURL: async ({}, provide) => {
    await provide(e2eEnv("baseUrl"));
  },
});

export { expect };

/**
 * The Origin a browser adds to the console's own requests: a session cookie's REST
 * mutations need it (CSRF check), and Playwright's API requests do not send one.
 */
export function sameOrigin(): { origin: string } {
  return { origin: e2eEnv("baseUrl") };
}

/** Fills the Keycloak-style form (element ids as on a real Keycloak). */
export async function submitCredentials(page: Page, username: string, password: string): Promise<void> {
  await expect(page.locator("#kc-form-login")).toBeVisible();
  await page.locator("#username").fill(username);
  await page.locator("#password").fill(password);
  await page.locator("#kc-login").click();
}

/** Signs in from the console's sign-in page through the identity provider. */
export async function signInThroughIdentityProvider(
  page: Page,
  user: DemoUserName,
  startAt = "/",
): Promise<void> {
  await page.goto(startAt);
  await expect(page).toHaveURL(/\/signin/);
  await page.getByRole("button", { name: "Sign in with Keycloak" }).click();
  await submitCredentials(page, USERS[user].username, USERS[user].password);
}

/** Each demo user's console session cookies, from their first sign-in in this worker process. */
const sessions = new Map<DemoUserName, Cookie[]>();

/**
 * Signs `user` in: through the identity provider the first time in this
 * worker process, then with that session's cookies, as a browser with the
 * console open in another tab is (a UI sign-in took 5-7 s of a spec; about
 * sixty specs sign in). auth.spec.ts, whose subject the sign-in is, uses
 * signInThroughIdentityProvider every time.
 */
export async function signIn(page: Page, user: DemoUserName, startAt = "/"): Promise<void> {
  const cookies = sessions.get(user);
  if (cookies) {
    await page.context().addCookies(cookies);
    await page.goto(startAt);
    await expect(page).not.toHaveURL(/\/signin/);
    return;
  }
  await signInThroughIdentityProvider(page, user, startAt);
  // Back on the console (not its sign-in or auth routes): the session cookie is set.
  const consoleOrigin = new URL(e2eEnv("baseUrl")).origin;
  await page.waitForURL((url) => url.origin === consoleOrigin && !/^\/(signin|api\/auth)/.test(url.pathname));
  const session = (await page.context().cookies(consoleOrigin)).filter((c) =>
    c.name.startsWith("next-auth.session-token"),
  );
  if (session.length > 0) sessions.set(user, session);
}

/** Helm's `helm create` chart (nginx), from the renderer's conformance data. */
export const MYCHART = path.resolve(
  import.meta.dirname,
  "../src/server/charts/conformance-data/helm/create/mychart",
);

/** Registers a workload through the REST API and uploads mychart: it is ACCEPTED, ready for instances. */
export async function acceptedWorkload(
  page: Page,
  name: string,
  supportedIntents: string[] = ["Availability"],
): Promise<number> {
  const created = await page.request.post("/api/v1/workload/", {
    headers: sameOrigin(),
    data: { name, version: "1.0.0", supportedIntents },
  });
  expect(created.status()).toBe(201);
  const { id } = (await created.json()) as { id: number };
  const uploaded = await page.request.post("/api/v1/workload/upload/", {
    headers: sameOrigin(),
    multipart: {
      workload_id: String(id),
      file: { name: "mychart.tgz", mimeType: "application/gzip", buffer: await packChartDirectory(MYCHART) },
    },
  });
  expect(uploaded.status()).toBe(200);
  return id;
}

/**
 * Pins a spec's instance to a demo cluster: an unpinned one may land on a
 * cluster another spec registered and then cannot deregister.
 */
export const ON_DEMO_CLUSTER = { clusterName: "pro-onelab", pinProposedCluster: true } as const;

/** Creates an instance through the REST API as the page's user (201 expected, the answer's text shown otherwise). */
export async function createInstanceByApi(
  page: Page,
  data: Record<string, unknown>,
): Promise<{ id: string; shortId: string; namespace: string }> {
  const created = await page.request.post("/api/v1/instance/", { headers: sameOrigin(), data });
  expect(created.status(), await created.text()).toBe(201);
  return (await created.json()) as { id: string; shortId: string; namespace: string };
}

/** Picks an option of a MUI select (or autocomplete) by its label. */
export async function choose(page: Page, field: string, option: string | RegExp): Promise<void> {
  await page.getByRole("combobox", { name: field }).click();
  await page.getByRole("option", { name: option }).click();
}

/** A kubeconfig for `server` with an inline token; the token carries the secret watch's canary (secret-watch.ts). */
export function kubeconfig(server: string, token = `${SECRET_CANARY}-e2e-token`): string {
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: target",
    "  cluster:",
    `    server: ${server}`,
    "users:",
    "- name: operator",
    "  user:",
    `    token: ${token}`,
    "contexts:",
    "- name: target",
    "  context:",
    "    cluster: target",
    "    user: operator",
    "current-context: target",
    "",
  ].join("\n");
}
