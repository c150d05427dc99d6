import { withDatabase, ensureUser } from "./db";
import { expect, signIn, test } from "./fixtures";

/** Subject of provider2 in the local issuer (demo-users.ts). */
const PROVIDER2_SUBJECT = "0b6f3a52-5c1e-4d0a-9a51-000000000004";

/** A column header by its label; the sorted column also announces its direction. */
const columnHeader = (label: string) => new RegExp(`^${label}( sorted (a|de)scending)?$`);

test("a service provider sees clusters read-only", async ({ page }) => {
  await signIn(page, "provider");
  await page
    .getByRole("main")
    .getByRole("link", { name: /Resource Provisioning/ })
    .click();
  await expect(page).toHaveURL(/\/clusters$/);
  await expect(page.getByRole("heading", { name: "Resource Provisioning" })).toBeVisible();
  await expect(page.getByTestId("read-only-badge")).toHaveText("Read-only");
  await expect(
    page.getByText("registering and managing clusters is for infrastructure providers"),
  ).toBeVisible();
  // At 1440 px beside the side navigation, the identity and capacity details give way (below xl).
  const wide = ["ID", "Endpoint", "Storage", "VRAM"];
  for (const column of [
    "Name",
    "Status",
    "Region",
    "Availability",
    "Green energy",
    "Cost class",
    "CPUs",
    "Memory",
    "Owner",
  ]) {
    await expect(page.getByRole("columnheader", { name: columnHeader(column) })).toBeVisible();
  }
  for (const column of wide) {
    await expect(page.getByRole("columnheader", { name: columnHeader(column) })).toHaveCount(0);
  }
  await page.setViewportSize({ width: 1800, height: 900 });
  for (const column of wide) {
    await expect(page.getByRole("columnheader", { name: columnHeader(column) })).toBeVisible();
  }
  // clusters.spec.ts registers clusters concurrently: what stays true is that nothing here changes them.
  await expect(page.getByRole("button", { name: "Register Cluster" })).toHaveCount(0);
});

test("an infrastructure provider opening /workloads gets the 403 message", async ({ page }) => {
  await signIn(page, "infra");
  await page.goto("/workloads");
  await expect(
    page.getByRole("heading", { name: "You don't have access to Workload Monitoring" }),
  ).toBeVisible();
  await expect(page.getByText("This area needs the nemo-admin or service-provider role.")).toBeVisible();
  await expect(page.getByText("403 · Forbidden")).toBeVisible();
  await page.getByRole("link", { name: "Back to home" }).click();
  await expect(page).toHaveURL(/\/$/);
  // Their own area works.
  await page
    .getByRole("main")
    .getByRole("link", { name: /Resource Provisioning/ })
    .click();
  await expect(page.getByTestId("read-only-badge")).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Register Cluster" })).toBeVisible();
});

test("each list page renders its columns and its empty state", async ({ page }) => {
  // Four pages and four searches, while other specs deploy instances on the same two cores.
  test.slow();
  await signIn(page, "admin");
  const pages = [
    {
      path: "/workloads",
      heading: "Workload Monitoring",
      // workloads.spec.ts registers workloads concurrently (an admin sees them all): search for none.
      search: { box: "Search workloads", term: "no-such-workload" },
      empty: "No workloads match",
      columns: ["ID", "Workload Name", "Version", "Status", "Ingress Support", "User", "Balance"],
    },
    {
      path: "/instances",
      heading: "Workload Instances",
      // instances.spec.ts creates instances concurrently (an admin sees them all): search for none.
      search: { box: "Search instances", term: "no-such-instance" },
      empty: "No instances match",
      columns: ["ID", "Release Name", "Workload", "Status", "Cluster", "Owner", "Created"],
    },
    {
      path: "/intents",
      heading: "Intent Management",
      // instances.spec.ts attaches an intent to its instance concurrently: search for none.
      search: { box: "Search intents", term: "no-such-intent" },
      empty: "No intents match",
      columns: ["ID", "Status", "Intent Type", "Workload Instance ID"],
    },
    {
      path: "/clusters",
      heading: "Resource Provisioning",
      // clusters.spec.ts registers clusters concurrently: an unmatched search shows the empty state.
      search: { box: "Search clusters", term: "no-such-cluster" },
      empty: "No clusters match",
      columns: ["Name", "Availability", "Green energy", "Cost class"],
    },
  ];
  for (const p of pages) {
    await page.goto(p.path);
    await expect(page.getByRole("heading", { name: p.heading })).toBeVisible();
    for (const column of p.columns) {
      await expect(page.getByRole("columnheader", { name: columnHeader(column) })).toBeVisible();
    }
    if (p.search) await page.getByRole("searchbox", { name: p.search.box }).fill(p.search.term);
    await expect(page.getByTestId("empty-state")).toContainText(p.empty);
    await expect(page.getByText("0 of 0")).toBeVisible();
  }
  await page.goto("/intents");
  await page.getByRole("searchbox", { name: "Search intents" }).fill("no-such-intent");
  await expect(page.getByTestId("empty-state")).toBeVisible();
  await page.screenshot({ path: "/tmp/nemo-intents-empty.png", fullPage: true });
});

test("the workloads table pages, sorts and searches on the server, scoped to its owner", async ({
  page,
  browser,
}) => {
  await withDatabase(async (client) => {
    const owner = await ensureUser(client, PROVIDER2_SUBJECT, "provider2", "SERVICE_PROVIDER");
    for (let i = 1; i <= 12; i++) {
      await client.query(
        `INSERT INTO workloads (name, version, owner_id, status, supported_intents, ingress_support, updated_at)
         VALUES ($1, '1.0.0', $2, $3, ARRAY['Availability'], $4, now()) ON CONFLICT DO NOTHING`,
        [`e2e-shop-${String(i).padStart(2, "0")}`, owner, i % 3 === 0 ? "PENDING" : "ACCEPTED", i % 2 === 0],
      );
    }
  });

  await signIn(page, "provider2");
  await page.goto("/workloads");
  await expect(page.getByText("1 – 10 of 12")).toBeVisible();
  await expect(page.locator("tbody tr")).toHaveCount(10);
  await page.screenshot({ path: "/tmp/nemo-workloads.png", fullPage: true });

  await page.getByRole("button", { name: "Go to next page" }).click();
  await expect(page.getByText("11 – 12 of 12")).toBeVisible();
  await expect(page.locator("tbody tr")).toHaveCount(2);

  await page.getByRole("button", { name: "Workload Name" }).click(); // ascending
  await page.getByRole("button", { name: "Workload Name" }).click(); // descending
  await expect(page.getByText("1 – 10 of 12")).toBeVisible();
  await expect(page.locator("tbody tr").first()).toContainText("e2e-shop-12");

  await page.getByRole("searchbox", { name: "Search workloads" }).fill("shop-07");
  await expect(page.getByText("1 – 1 of 1")).toBeVisible();
  await expect(page.locator("tbody tr")).toHaveCount(1);
  await page.getByRole("searchbox", { name: "Search workloads" }).fill("no-such-workload");
  await expect(page.getByTestId("empty-state")).toContainText("No workloads match");

  await page.getByRole("combobox").click();
  await page.getByRole("option", { name: "25" }).click();

  // The other tenant sees none of them (workloads.spec.ts may give them workloads of their own meanwhile).
  const other = await browser.newPage();
  await signIn(other, "provider");
  await other.goto("/workloads");
  await other.getByRole("searchbox", { name: "Search workloads" }).fill("e2e-shop");
  await expect(other.getByTestId("empty-state")).toContainText("No workloads match");
  await other.close();
});

test("the home tiles work from the keyboard", async ({ page }) => {
  await signIn(page, "provider");
  await page
    .getByRole("main")
    .getByRole("link", { name: /Workload Instances/ })
    .focus();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/instances$/);
  await expect(page.getByRole("searchbox", { name: "Search instances" })).toBeVisible();
});
