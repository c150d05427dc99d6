import type { Page } from "@playwright/test";
import { expect, signIn, test, type DemoUserName } from "./fixtures";

/*
 * Global navigation and accessibility (issue 13): the side navigation per
 * role, the current area highlighted, collapse remembered, the narrow-screen
 * drawer, the skip link, dark mode (toggle and prefers-color-scheme), the
 * 1024 px layout, and the "Use the API" page.
 */

const sideNav = (page: Page) => page.getByRole("navigation", { name: "Console navigation" });

/** Link names of the side navigation, in order. */
async function navLinks(page: Page): Promise<string[]> {
  const links = sideNav(page).getByRole("link");
  await expect(links.first()).toBeVisible();
  return (await links.allInnerTexts()).map((text) => text.trim());
}

const bodyBackground = (page: Page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor);

const LIGHT_BACKGROUND = "rgb(243, 245, 249)";
const DARK_BACKGROUND = "rgb(15, 22, 32)";

const EXPECTED_NAV: Record<Exclude<DemoUserName, "nobody" | "provider2">, string[]> = {
  admin: [
    "Home",
    "Workload Monitoring",
    "Workload Instances",
    "Intent Management",
    "Resource Provisioning",
    "Orchestration",
    "Accounting",
    "Dead letters & failed messages",
    "Use the API",
  ],
  provider: [
    "Home",
    "Workload Monitoring",
    "Workload Instances",
    "Intent Management",
    "Resource Provisioning",
    "Orchestration",
    "Accounting",
    "Use the API",
  ],
  infra: ["Home", "Resource Provisioning", "Orchestration", "Accounting", "Use the API"],
};

for (const [user, expected] of Object.entries(EXPECTED_NAV) as [keyof typeof EXPECTED_NAV, string[]][]) {
  test(`${user} gets a side navigation with the areas of their role`, async ({ page }) => {
    await signIn(page, user);
    await expect(page).toHaveURL(/\/$/);
    expect(await navLinks(page)).toEqual(expected);
    await expect(sideNav(page).getByRole("link", { name: "Home" })).toHaveAttribute("aria-current", "page");
  });
}

test("the current area is highlighted, breadcrumbs stay, and areas are one click apart", async ({ page }) => {
  await signIn(page, "provider");
  await sideNav(page).getByRole("link", { name: "Workload Instances" }).click();
  await expect(page).toHaveURL(/\/instances$/);
  await expect(page.getByRole("heading", { name: "Workload Instances", level: 1 })).toBeVisible();
  const instances = sideNav(page).getByRole("link", { name: "Workload Instances" });
  await expect(instances).toHaveAttribute("aria-current", "page");
  await expect(sideNav(page).locator('[aria-current="page"]')).toHaveCount(1);
  await expect(page.getByRole("navigation", { name: "Breadcrumb" })).toContainText("Home");

  // Straight to another area, without going back through Home.
  await sideNav(page).getByRole("link", { name: "Intent Management" }).click();
  await expect(page).toHaveURL(/\/intents$/);
  await expect(sideNav(page).getByRole("link", { name: "Intent Management" })).toHaveAttribute(
    "aria-current",
    "page",
  );
  await expect(instances).not.toHaveAttribute("aria-current", "page");
});

test("the side navigation collapses to icons and stays collapsed after a reload", async ({ page }) => {
  await signIn(page, "admin");
  const drawer = page.getByTestId("side-nav");
  await expect(drawer).toHaveAttribute("data-state", "expanded");
  const wide = (await sideNav(page).boundingBox())?.width ?? 0;
  expect(wide).toBeGreaterThan(200);

  await page.getByRole("button", { name: "Collapse navigation" }).click();
  await expect(drawer).toHaveAttribute("data-state", "collapsed");
  await expect(page.getByRole("button", { name: "Expand navigation" })).toHaveAttribute(
    "aria-expanded",
    "false",
  );
  await expect.poll(async () => (await sideNav(page).boundingBox())?.width ?? 0).toBeLessThan(80);
  // Icons only, the names stay for assistive technology.
  await expect(sideNav(page).getByRole("link", { name: "Orchestration" })).toBeVisible();

  await page.reload();
  await expect(page.getByTestId("side-nav")).toHaveAttribute("data-state", "collapsed");
  await page.getByRole("button", { name: "Expand navigation" }).click();
  await expect(page.getByTestId("side-nav")).toHaveAttribute("data-state", "expanded");
  await page.reload();
  await expect(page.getByTestId("side-nav")).toHaveAttribute("data-state", "expanded");
});

test("on a narrow screen the navigation is a drawer behind the menu button", async ({ page }) => {
  await page.setViewportSize({ width: 600, height: 800 });
  await signIn(page, "provider");
  await expect(sideNav(page)).toHaveCount(0);
  const menu = page.getByRole("button", { name: "Open navigation" });
  await expect(menu).toHaveAttribute("aria-expanded", "false");
  await menu.click();
  // A modal drawer: the rest of the page (the menu button too) is hidden from assistive technology meanwhile.
  await expect(sideNav(page)).toBeVisible();
  await expect(sideNav(page).getByRole("link", { name: "Home" })).toHaveAttribute("aria-current", "page");
  await sideNav(page).getByRole("link", { name: "Workload Monitoring" }).click();
  await expect(page).toHaveURL(/\/workloads$/);
  await expect(sideNav(page)).toHaveCount(0);
  await expect(menu).toHaveAttribute("aria-expanded", "false");
});

test("the first Tab reaches 'Skip to content', which moves focus to the page", async ({ page }) => {
  await signIn(page, "provider");
  await expect(page.getByRole("heading", { name: /Welcome/ })).toBeVisible();
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to content" });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("main")).toBeFocused();
  // The next Tab goes on inside the page, past the app bar and the navigation.
  await page.keyboard.press("Tab");
  expect(await page.evaluate(() => document.querySelector("main")?.contains(document.activeElement))).toBe(
    true,
  );
});

test("icon buttons show a visible focus ring from the keyboard", async ({ page }) => {
  await signIn(page, "provider");
  const toggle = page.getByRole("button", { name: /^Colour theme/ });
  await expect(toggle).toBeEnabled();
  await toggle.focus();
  await page.keyboard.press("Shift+Tab");
  await page.keyboard.press("Tab");
  await expect(toggle).toBeFocused();
  const outline = await toggle.evaluate((el) => getComputedStyle(el).outlineStyle);
  expect(outline).toBe("solid");
});

test("the colour theme toggle switches to dark and back, and is remembered", async ({ page }) => {
  await page.emulateMedia({ colorScheme: "light" });
  await signIn(page, "admin");
  await expect.poll(() => bodyBackground(page)).toBe(LIGHT_BACKGROUND);

  await page.getByRole("button", { name: "Colour theme: System" }).click();
  await page.getByRole("menuitemradio", { name: "Dark" }).click();
  await expect.poll(() => bodyBackground(page)).toBe(DARK_BACKGROUND);
  await expect(page.getByRole("button", { name: "Colour theme: Dark" })).toBeVisible();

  await page.reload();
  await expect.poll(() => bodyBackground(page)).toBe(DARK_BACKGROUND);
  // No flash: the server's HTML is already dark when the first script has run.
  expect(await page.evaluate(() => document.documentElement.classList.contains("dark"))).toBe(true);

  await page.getByRole("button", { name: "Colour theme: Dark" }).click();
  await page.getByRole("menuitemradio", { name: "Light" }).click();
  await expect.poll(() => bodyBackground(page)).toBe(LIGHT_BACKGROUND);
  await page.getByRole("button", { name: "Colour theme: Light" }).click();
  await page.getByRole("menuitemradio", { name: "System" }).click();
  await expect(page.getByRole("button", { name: "Colour theme: System" })).toBeVisible();
});

test.describe("with prefers-color-scheme: dark", () => {
  test.use({ colorScheme: "dark" });

  test("the console follows the system's dark scheme", async ({ page }) => {
    await signIn(page, "provider");
    await expect.poll(() => bodyBackground(page)).toBe(DARK_BACKGROUND);
    await expect(page.getByRole("button", { name: "Colour theme: System" })).toBeVisible();
    await page.goto("/instances");
    await expect.poll(() => bodyBackground(page)).toBe(DARK_BACKGROUND);
    await expect(page.getByRole("searchbox", { name: "Search instances" })).toBeVisible();
    await page.screenshot({ path: "/tmp/nemo-dark-instances.png" });
  });
});

test.describe("at 1024 px", () => {
  test.use({ viewport: { width: 1024, height: 768 } });

  test("home and the instances page fit without horizontal scrolling", async ({ page }) => {
    await signIn(page, "admin");
    await expect(sideNav(page)).toBeVisible();
    const overflow = () =>
      page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    await expect(page.getByRole("heading", { name: /Welcome/ })).toBeVisible();
    expect(await overflow()).toBeLessThanOrEqual(0);
    await sideNav(page).getByRole("link", { name: "Workload Instances" }).click();
    await expect(page.getByRole("searchbox", { name: "Search instances" })).toBeVisible();
    expect(await overflow()).toBeLessThanOrEqual(0);
  });
});

test("'Use the API' shows the base URL, the token recipe with copy buttons and the docs link", async ({
  page,
  context,
  baseURL,
}) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await signIn(page, "infra");
  await sideNav(page).getByRole("link", { name: "Use the API" }).click();
  await expect(page).toHaveURL(/\/api-access$/);
  await expect(page.getByRole("heading", { name: "Use the API", level: 1 })).toBeVisible();
  await expect(sideNav(page).getByRole("link", { name: "Use the API" })).toHaveAttribute(
    "aria-current",
    "page",
  );
  await expect(page.getByTestId("api-base-url")).toHaveText(/\/api\/v1$/);
  const recipe = page.getByTestId("api-token-recipe");
  await expect(recipe).toContainText("grant_type=client_credentials");
  await expect(recipe).toContainText("/protocol/openid-connect/token");
  await expect(page.getByTestId("api-call-recipe")).toContainText("Authorization: Bearer $TOKEN");

  await page.getByRole("button", { name: "Copy token recipe" }).click();
  await expect(page.getByRole("status").filter({ hasText: "token recipe copied" })).toHaveCount(1);
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toBe(await recipe.innerText());

  const docs = page.getByTestId("api-docs-link");
  await expect(docs).toHaveAttribute("href", "/api/v1/docs");
  const answer = await page.request.get(`${baseURL ?? ""}/api/v1/docs`);
  expect(answer.status()).toBe(200);
});
