import { test as base, expect, type Page } from "@playwright/test";
import { e2eEnv } from "./env";

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

/** Fills the Keycloak-style form (element ids as on a real Keycloak). */
export async function submitCredentials(page: Page, username: string, password: string): Promise<void> {
  await expect(page.locator("#kc-form-login")).toBeVisible();
  await page.locator("#username").fill(username);
  await page.locator("#password").fill(password);
  await page.locator("#kc-login").click();
}

/** Signs in from the console's sign-in page through the identity provider. */
export async function signIn(page: Page, user: DemoUserName, startAt = "/"): Promise<void> {
  await page.goto(startAt);
  await expect(page).toHaveURL(/\/signin/);
  await page.getByRole("button", { name: "Sign in with Keycloak" }).click();
  await submitCredentials(page, USERS[user].username, USERS[user].password);
}
