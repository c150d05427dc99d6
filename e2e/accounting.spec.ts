import type { Page } from "@playwright/test";
import { packChartDirectory } from "../src/server/workloads/tar-writer";
import {
  createInstanceByApi,
  expect,
  MYCHART,
  ON_DEMO_CLUSTER,
  sameOrigin,
  signIn,
  test,
  type DemoUserName,
} from "./fixtures";

/*
 * The Accounting console end to end: registration rewards on a service
 * provider's workloads (5 tokens, 5 more with ingress), a deployed instance
 * accruing compute charges on its Costs tab, an infrastructure provider's
 * earnings, and an admin editing a region, uploading a dataset (10 tokens)
 * and verifying the ledger.
 */

const suffix = () => Math.random().toString(16).slice(2, 8);

async function acceptedWorkloadWith(page: Page, name: string, ingressSupport: boolean) {
  const created = await page.request.post("/api/v1/workload/", {
    headers: sameOrigin(),
    data: { name, version: "1.0.0", supportedIntents: ["Availability"], ingressSupport },
  });
  expect(created.status(), await created.text()).toBe(201);
  const { id } = (await created.json()) as { id: number };
  const uploaded = await page.request.post("/api/v1/workload/upload/", {
    headers: sameOrigin(),
    multipart: {
      workload_id: String(id),
      file: { name: "mychart.tgz", mimeType: "application/gzip", buffer: await packChartDirectory(MYCHART) },
    },
  });
  expect(uploaded.status(), await uploaded.text()).toBe(200);
  return id;
}

async function openAccounting(page: Page, user: DemoUserName) {
  await signIn(page, user);
  await page.getByTestId("tile-accounting").click();
  await expect(page).toHaveURL(/\/accounting$/);
  await expect(page.getByRole("heading", { name: "Accounting", level: 1 })).toBeVisible();
}

test("a service provider sees 5 (+5 with ingress) registration tokens per workload", async ({ page }) => {
  await signIn(page, "provider");
  const plain = await acceptedWorkloadWith(page, `acct-plain-${suffix()}`, false);
  const ingressName = `acct-ingress-${suffix()}`;
  const ingress = await acceptedWorkloadWith(page, ingressName, true);
  await page.goto("/accounting");
  await expect(page.getByTestId(`account-workload:${plain}`).getByTestId("account-balance")).toHaveText(
    "5 tokens",
  );
  await expect(page.getByTestId(`account-workload:${ingress}`).getByTestId("account-balance")).toHaveText(
    "10 tokens",
  );
  // Idle capacity is the infrastructure side's: not on a service provider's page.
  await expect(page.getByTestId("idle-capacity")).toHaveCount(0);
  // The same balance in the workloads table, on this test's own row (other specs add workloads meanwhile).
  await page.goto("/workloads");
  await page.getByRole("searchbox", { name: "Search workloads" }).fill(ingressName);
  const row = page.getByRole("row").filter({ hasText: ingressName });
  await expect(row).toHaveCount(1);
  await expect(row.getByTestId("workload-balance")).toHaveText("10 tokens");
});

test("a deployed instance accrues compute charges period by period on its page", async ({ page }) => {
  test.setTimeout(300_000);
  await signIn(page, "provider");
  const workload = await acceptedWorkloadWith(page, `acct-run-${suffix()}`, false);
  const instance = await createInstanceByApi(page, {
    workloadId: workload,
    releaseName: `acct-${suffix()}`,
    ...ON_DEMO_CLUSTER,
  });
  await page.goto(`/instances/${instance.id}?tab=costs`);
  const items = page.getByTestId("instance-cost-item").filter({ hasText: "Compute" });
  // One compute charge per billing period (BILLING_PERIOD_MS): the first, then the next.
  await expect(items.first()).toBeVisible({ timeout: 150_000 });
  const first = await items.count();
  await expect.poll(() => items.count(), { timeout: 150_000 }).toBeGreaterThan(first);
});

test("the infrastructure provider sees their clusters' earnings", async ({ page }) => {
  await openAccounting(page, "infra");
  await expect(page.getByRole("heading", { name: "Earnings per cluster" })).toBeVisible();
  await expect(page.getByTestId("accounts-panel").getByRole("row").nth(1)).toBeVisible();
  await expect(page.getByRole("heading", { name: "Balance and earnings over time" })).toBeVisible();
  // The figures (recharts) load once the section is scrolled to: then a chart, or no transactions yet.
  const charts = page.getByTestId("accounting-charts");
  await charts.scrollIntoViewIfNeeded();
  await expect(
    charts
      .getByRole("figure", { name: "Balance in tokens over time" })
      .or(charts.getByText("No transactions in this range yet.")),
  ).toBeVisible();
  // Idle capacity of their clusters (paid by nobody), once a period is billed (every 15 s here).
  await expect(page.getByRole("heading", { name: "Idle capacity (paid by nobody)" })).toBeVisible();
  const idle = page.getByRole("table", { name: "Idle capacity by cluster" });
  await expect(idle.getByRole("row").nth(1)).toBeVisible({ timeout: 60_000 });
  await expect(idle.getByRole("row").nth(1)).toContainText(/\d+\.\d{2} of \d+\.\d{2} \(/);
});

test("an admin edits a region, uploads a dataset and verifies the ledger", async ({ page }) => {
  await openAccounting(page, "admin");
  // A region of this test's own (the demo's regions price the other specs' charges), then edited:
  // its CPU costs change from 1000 to 2500 units, and the table and the API both answer the new value.
  const region = `e2e-${suffix()}`;
  const created = await page.request.post("/api/v1/accounting/regions/", {
    headers: sameOrigin(),
    data: { name: region, regionalCpuCosts: "1000", regionalMemoryCosts: "0", regionalGpuCosts: "0" },
  });
  expect(created.status(), await created.text()).toBe(201);
  await page.reload();
  const row = page.getByTestId(`region-${region}`);
  await expect(row).toContainText("1000");
  await page.getByRole("button", { name: `Edit region ${region}` }).click();
  const dialog = page.getByRole("dialog", { name: `Edit ${region}` });
  await expect(dialog.getByLabel("Regional CPU costs")).toHaveValue("1000");
  await dialog.getByLabel("Regional CPU costs").fill("2500");
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog).toHaveCount(0);
  await expect(row).toContainText("2500");
  const saved = await page.request.get(`/api/v1/accounting/regions/${region}/`);
  expect(((await saved.json()) as { regionalCpuCosts: string }).regionalCpuCosts).toBe("2500");
  await page.reload();
  await expect(page.getByTestId(`region-${region}`)).toContainText("2500");

  // A dataset: 10 tokens for a new file.
  await page.getByRole("link", { name: "Datasets" }).click();
  await expect(page).toHaveURL(/\/accounting\/datasets$/);
  const name = `readings-${suffix()}.csv`;
  await page.getByLabel("Type").fill("csv");
  await page.getByLabel("Description").fill("e2e readings");
  await page.getByLabel("Dataset file").setInputFiles({
    name,
    mimeType: "text/csv",
    buffer: Buffer.from(`t,v\n${name},1\n`),
  });
  await page.getByRole("button", { name: "Upload", exact: true }).click();
  await expect(page.getByTestId("dataset-upload-outcome")).toContainText(
    `Uploaded ${name} (rewarded 10 tokens)`,
  );
  await expect(page.getByRole("row", { name: new RegExp(name) }).getByTestId("dataset-reward")).toHaveText(
    "10 tokens",
  );

  // The ledger verifies.
  await page.goto("/accounting");
  await page.getByRole("button", { name: "Verify ledger" }).click();
  await expect(page.getByTestId("ledger-verification")).toContainText("The ledger is intact");
});
