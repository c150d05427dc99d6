import { expect, signInThroughIdentityProvider, submitCredentials, test, USERS } from "./fixtures";

type TileState = "active" | "read-only" | "disabled";

const EXPECTED_TILES: Record<"admin" | "provider" | "infra", Record<string, TileState>> = {
  admin: {
    workloads: "active",
    instances: "active",
    intents: "active",
    clusters: "active",
    orchestration: "active",
  },
  provider: {
    workloads: "active",
    instances: "active",
    intents: "active",
    clusters: "read-only",
    orchestration: "read-only",
  },
  infra: {
    workloads: "disabled",
    instances: "disabled",
    intents: "disabled",
    clusters: "active",
    orchestration: "read-only",
  },
};

for (const user of Object.keys(EXPECTED_TILES) as (keyof typeof EXPECTED_TILES)[]) {
  test(`${user} signs in through the Keycloak page and sees the tiles of their role`, async ({ page }) => {
    await signInThroughIdentityProvider(page, user);
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByTestId("user-display-name")).toHaveText(USERS[user].displayName);
    await expect(page.getByTestId("role-chip")).toHaveText([...USERS[user].chips]);
    await expect(page.getByRole("button", { name: "Logout" })).toBeVisible();
    for (const [area, state] of Object.entries(EXPECTED_TILES[user])) {
      await expect(page.getByTestId(`tile-${area}`)).toHaveAttribute("data-state", state);
    }
    if (user === "infra") {
      await expect(page.getByTestId("tile-workloads")).toContainText(
        "Needs the nemo-admin or service-provider role",
      );
      await expect(page.getByRole("link", { name: /Workload Monitoring/ })).toHaveCount(0);
    }
    await page.screenshot({ path: `/tmp/nemo-home-${user}.png`, fullPage: true });
  });
}

test("a wrong password shows Keycloak's error and no session starts", async ({ page }) => {
  await page.goto("/signin");
  await page.getByRole("button", { name: "Sign in with Keycloak" }).click();
  await submitCredentials(page, "admin", "not-the-password");
  await expect(page.locator("#input-error")).toHaveText("Invalid username or password.");
  await expect(page.locator("#username")).toHaveValue("admin");
  await page.screenshot({ path: "/tmp/nemo-keycloak-login-error.png" });
  await submitCredentials(page, "admin", "admin");
  await expect(page.getByTestId("user-display-name")).toHaveText("Ada Admin");
});

test("a user without a NEMO role lands on No access, which explains the roles", async ({ page }) => {
  await signInThroughIdentityProvider(page, "nobody");
  await expect(page).toHaveURL(/\/no-access$/);
  await expect(page.getByRole("heading", { name: "No access" })).toBeVisible();
  for (const role of ["nemo-admin", "infrastructure-provider", "service-provider"]) {
    await expect(page.getByText(role, { exact: true })).toBeVisible();
  }
  await page.screenshot({ path: "/tmp/nemo-no-access.png", fullPage: true });
  // Console pages send them back here rather than showing anything.
  await page.goto("/workloads");
  await expect(page).toHaveURL(/\/no-access$/);
  await page.getByRole("button", { name: "Logout" }).click();
  await expect(page).toHaveURL(/\/signin\?state=signed-out/);
});

test("logout ends the console session and the identity provider's", async ({ page }) => {
  await signInThroughIdentityProvider(page, "provider");
  await expect(page.getByTestId("user-display-name")).toBeVisible();
  await page.getByRole("button", { name: "Logout" }).click();
  await expect(page).toHaveURL(/\/signin\?state=signed-out/);
  await expect(page.getByTestId("signed-out")).toHaveText("You have signed out.");
  await page.screenshot({ path: "/tmp/nemo-signed-out.png" });

  await page.goto("/");
  await expect(page).toHaveURL(/\/signin/);
  await page.getByRole("button", { name: "Sign in with Keycloak" }).click();
  // The issuer asks for credentials again instead of signing back in silently.
  await expect(page.locator("#username")).toBeVisible();
  await expect(page.locator("#kc-page-title")).toHaveText("Sign in to your account");
});

test("a deep link survives the sign-in", async ({ page }) => {
  await page.goto("/intents");
  await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Fintents/);
  await page.getByRole("button", { name: "Sign in with Keycloak" }).click();
  await submitCredentials(page, "provider", "provider");
  await expect(page).toHaveURL(/\/intents$/);
  await expect(page.getByRole("heading", { name: "Intent Management" })).toBeVisible();
});

test("an unknown route shows the 404 page", async ({ page }) => {
  const response = await page.goto("/no/such/page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Go to the console home" })).toHaveAttribute("href", "/");
  await page.screenshot({ path: "/tmp/nemo-404.png" });
});

test("the sign-in page is the only thing a signed-out visitor sees", async ({ page }) => {
  for (const path of ["/", "/workloads", "/clusters"]) {
    await page.goto(path);
    await expect(page).toHaveURL(/\/signin/);
  }
  await expect(page.getByRole("button", { name: "Sign in with Keycloak" })).toBeVisible();
  await page.screenshot({ path: "/tmp/nemo-signin.png" });
});
