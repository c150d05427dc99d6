import { writeFileSync } from "node:fs";
import type { Locator, Page, TestInfo } from "@playwright/test";
import { e2eEnv } from "./env";
import { expect, kubeconfig, sameOrigin, signIn, test } from "./fixtures";

/**
 * Resource Provisioning end to end, against the real orchestrator, evaluator
 * and moca workers global setup starts: register (PENDING → OK over the
 * broker), the 409 and field messages, the metrics charts filling from the
 * collector, the read-only view of a service provider, deregistration.
 * One story, so the tests run in order and share the cluster they create.
 */
// Journeys through the whole flow take longer than one page's check on a loaded two-core machine.
test.describe.configure({ mode: "serial", timeout: 90_000 });

const run = Date.now().toString(36);
const NAME = `e2e-edge-${run}`;
const REFUSED = `e2e-refused-${run}`;

function writeKubeconfig(testInfo: TestInfo, file: string, server: string): string {
  const path = testInfo.outputPath(file);
  writeFileSync(path, kubeconfig(server));
  return path;
}

/**
 * Pauses the Meta-Orchestrator worker (SIGSTOP) until the returned function
 * resumes it (SIGCONT): a new cluster's join waits meanwhile, as behind a slow
 * MO, so the console's PENDING state lasts long enough to be seen. Nothing is
 * lost; the outbox and the queue keep the request.
 */
function pauseOrchestrator(): () => void {
  const pid = Number(e2eEnv("orchestratorPid"));
  process.kill(pid, "SIGSTOP");
  return () => process.kill(pid, "SIGCONT");
}

async function openRegisterDialog(page: Page): Promise<Locator> {
  await page.getByRole("button", { name: "Register Cluster" }).click();
  const dialog = page.getByRole("dialog", { name: "Register Cluster" });
  await expect(dialog).toBeVisible();
  return dialog;
}

async function choose(page: Page, dialog: Locator, field: string, option: string): Promise<void> {
  await dialog.getByRole("combobox", { name: field }).click();
  await page.getByRole("option", { name: option, exact: true }).click();
}

/** Fills every field of the form (the kubeconfig from `file`). */
async function fillForm(page: Page, dialog: Locator, name: string, file: string, managedApi?: string) {
  await dialog.getByTestId("kubeconfig-input").setInputFiles(file);
  await dialog.getByLabel("Cluster Name").fill(name);
  if (managedApi !== undefined) await dialog.getByLabel("Managed API").fill(managedApi);
  await dialog.getByLabel("CPUs").fill("16");
  await dialog.getByLabel("Memory (GB)").fill("64");
  await dialog.getByLabel("Storage (GB)").fill("500");
  await dialog.getByLabel("V-RAM (GB)").fill("8");
  // 90 %: the e2e cluster must never qualify for the migration specs' "availability > 95" intents.
  await choose(page, dialog, "Availability %", "90 %");
  await choose(page, dialog, "Green Energy %", "60 %");
  await choose(page, dialog, "Cost", "Low cost (low_cost)");
  await dialog.getByLabel("CPU Base Rate").fill("10");
  await dialog.getByLabel("Memory Base Rate").fill("5");
}

const rowOf = (page: Page, name: string) => page.getByRole("row").filter({ hasText: name });

test("an infrastructure provider registers a cluster and follows it from PENDING to OK without reloading", async ({
  page,
}, testInfo) => {
  await signIn(page, "infra");
  await page.goto("/clusters");
  const dialog = await openRegisterDialog(page);
  const file = writeKubeconfig(testInfo, "edge-kubeconfig.yaml", `sim://${NAME}`);
  await fillForm(page, dialog, NAME, file);
  // Its grid's carbon intensity, with the unit said beside it (the metrics page shows it back).
  await expect(dialog.getByText(/gCO₂e per kWh of the grid it draws from/)).toBeVisible();
  await dialog.getByLabel("Grid Intensity (gCO₂e/kWh)").fill("250");
  // The file is read in the browser: its name shows, and its server fills Managed API.
  await expect(dialog.getByTestId("kubeconfig-file-name")).toContainText("edge-kubeconfig.yaml");
  await expect(dialog.getByLabel("Managed API")).toHaveValue(`sim://${NAME}`);
  await page.screenshot({ path: "/tmp/nemo-clusters-register-form.png" });

  // A marker that a reload would wipe out.
  await page.evaluate(() => Object.assign(window, { nemoNoReload: true }));
  const resume = pauseOrchestrator();
  try {
    await dialog.getByRole("button", { name: "Register", exact: true }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByText(`Cluster ${NAME} registered.`)).toBeVisible();
    await expect(rowOf(page, NAME).getByText("PENDING")).toBeVisible();
    await expect(rowOf(page, NAME)).toContainText("infra");
    await page.screenshot({ path: "/tmp/nemo-clusters-pending.png" });
  } finally {
    resume();
  }
  await expect(rowOf(page, NAME).getByText("OK", { exact: true })).toBeVisible({ timeout: 15_000 });
  expect(await page.evaluate(() => (window as unknown as { nemoNoReload?: boolean }).nemoNoReload)).toBe(
    true,
  );
  await page.screenshot({ path: "/tmp/nemo-clusters-ok.png" });
});

test("registering the same name again shows the 409 on Cluster Name; bad fields show their messages", async ({
  page,
}, testInfo) => {
  await signIn(page, "infra");
  await page.goto("/clusters");
  let dialog = await openRegisterDialog(page);

  // Nothing filled: every field says what it needs, and nothing is sent.
  await dialog.getByRole("button", { name: "Register", exact: true }).click();
  await expect(dialog.getByText("Cluster Config File is required.")).toBeVisible();
  await expect(dialog.getByText("Cluster Name is required.")).toBeVisible();
  await expect(dialog.getByText("Availability % is required.")).toBeVisible();
  await expect(dialog.getByText("Cost is required.")).toBeVisible();
  await page.screenshot({ path: "/tmp/nemo-clusters-validation.png" });

  const file = writeKubeconfig(testInfo, "dup-kubeconfig.yaml", `sim://${NAME}-twin`);
  await fillForm(page, dialog, "Bad_Name", file);
  await dialog.getByLabel("CPUs").fill("0");
  await dialog.getByLabel("Grid Intensity (gCO₂e/kWh)").fill("9000");
  await dialog.getByLabel("Hourly Grid Intensity (optional)").fill("100, 200, 300");
  await dialog.getByRole("button", { name: "Register", exact: true }).click();
  await expect(dialog.getByText("CPUs must be at least 1.")).toBeVisible();
  await expect(dialog.getByText("Grid intensity (gCO2e/kWh) must be at most 5000.")).toBeVisible();
  await expect(dialog.getByText("Hourly grid intensity needs 24 values (UTC hours 0-23).")).toBeVisible();
  await dialog.getByLabel("Grid Intensity (gCO₂e/kWh)").fill("");
  await dialog.getByLabel("Hourly Grid Intensity (optional)").fill("");
  await expect(dialog.getByText(/Cluster Name must be lowercase letters/)).toBeVisible();
  await expect(dialog.getByLabel("CPUs")).toHaveAttribute("aria-invalid", "true");
  // Changing a field clears its message.
  await dialog.getByLabel("CPUs").fill("16");
  await expect(dialog.getByText("CPUs must be at least 1.")).toBeHidden();

  // The server's answer lands on the field too: the name is taken (409).
  await dialog.getByLabel("Cluster Name").fill(NAME);
  await dialog.getByRole("button", { name: "Register", exact: true }).click();
  await expect(dialog.getByText(`A cluster named "${NAME}" is already registered (409).`)).toBeVisible();
  await expect(dialog.getByLabel("Cluster Name")).toHaveAttribute("aria-invalid", "true");
  await page.screenshot({ path: "/tmp/nemo-clusters-409.png" });

  // Reset empties the form; Escape closes it.
  await dialog.getByRole("button", { name: "Reset" }).click();
  await expect(dialog.getByLabel("Cluster Name")).toHaveValue("");
  await expect(dialog.getByTestId("kubeconfig-file-name")).toHaveText("No file chosen");
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();

  // Keyboard only: the button opens the dialog, which takes focus.
  await page.getByRole("button", { name: "Register Cluster" }).focus();
  await page.keyboard.press("Enter");
  dialog = page.getByRole("dialog", { name: "Register Cluster" });
  await expect(dialog.getByRole("button", { name: /Cluster Config File/ })).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(dialog.getByLabel("Cluster Name")).toBeFocused();
  await page.keyboard.press("Escape");
});

test("a cluster the Meta-Orchestrator refuses shows ERROR with its reason, and a metrics page without samples", async ({
  page,
}, testInfo) => {
  await signIn(page, "infra");
  await page.goto("/clusters");
  const dialog = await openRegisterDialog(page);
  // The kubeconfig and the managed API name different clusters: the MO refuses the join.
  const file = writeKubeconfig(testInfo, "refused-kubeconfig.yaml", `sim://${REFUSED}`);
  await fillForm(page, dialog, REFUSED, file, `sim://${REFUSED}-elsewhere`);
  await dialog.getByRole("button", { name: "Register", exact: true }).click();
  const chip = rowOf(page, REFUSED).getByText("ERROR", { exact: true });
  await expect(chip).toBeVisible({ timeout: 15_000 });
  await chip.hover();
  await expect(page.getByRole("tooltip")).toContainText("kubeconfig names");
  await page.screenshot({ path: "/tmp/nemo-clusters-error-tooltip.png" });

  await page.getByRole("link", { name: `Metrics of ${REFUSED}` }).click();
  await expect(page.getByRole("heading", { name: `${REFUSED} metrics` })).toBeVisible();
  await expect(page.getByTestId("metrics-empty")).toContainText(
    "No samples yet — the collector runs every 1 s",
  );
  await page.screenshot({ path: "/tmp/nemo-cluster-metrics-empty.png", fullPage: true });
});

test("the cluster's metrics charts fill from the collector within seconds", async ({ page }) => {
  await signIn(page, "infra");
  await page.goto("/clusters");
  await page.getByRole("link", { name: `Metrics of ${NAME}` }).click();
  await expect(page).toHaveURL(/\/clusters\/[0-9a-f-]{36}\/metrics$/);
  await expect(page.getByRole("heading", { name: `${NAME} metrics` })).toBeVisible();
  await expect(page.getByTestId("cluster-properties")).toContainText("90%");
  await expect(page.getByTestId("cluster-properties")).toContainText("250 gCO₂e/kWh");
  await expect(page.getByTestId("live-cpu")).toContainText("of 16 cores");
  // Samples every second: a few points within a few seconds, without a reload.
  const cpu = page.getByTestId("chart-cpu");
  await expect
    .poll(async () => Number(await cpu.getAttribute("data-points")), { timeout: 10_000 })
    .toBeGreaterThanOrEqual(3);
  // Each chart draws its series (a low, flat disk line has no height, so "attached" rather than "visible").
  for (const chart of ["chart-cpu", "chart-memory", "chart-disk"]) {
    await expect(page.getByTestId(chart).locator("path.usage-line")).toBeAttached();
  }
  await page.screenshot({ path: "/tmp/nemo-cluster-metrics.png", fullPage: true });

  await page.getByRole("button", { name: "Last hour" }).click();
  await expect(page.getByRole("button", { name: "Last hour" })).toHaveAttribute("aria-pressed", "true");
  await expect.poll(async () => Number(await cpu.getAttribute("data-points"))).toBeGreaterThan(0);
});

test("a service provider sees the clusters read-only: no Register Cluster, no Deregister", async ({
  page,
}) => {
  await signIn(page, "provider");
  await page.goto("/clusters");
  await expect(page.getByTestId("read-only-badge")).toBeVisible();
  await expect(rowOf(page, NAME).getByText("OK", { exact: true })).toBeVisible();
  await expect(page.getByRole("button", { name: "Register Cluster" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: /^Deregister/ })).toHaveCount(0);
  await expect(page.getByRole("link", { name: `Metrics of ${NAME}` })).toBeVisible();
  await page.screenshot({ path: "/tmp/nemo-clusters-provider.png", fullPage: true });
  // The metrics are theirs to read too.
  await page.getByRole("link", { name: `Metrics of ${NAME}` }).click();
  await expect(page.getByTestId("chart-cpu")).toBeVisible();
});

/**
 * Drains the cluster through the REST API and waits until nothing runs on it. The cluster is a
 * valid placement for every other spec running in parallel (an unpinned instance or a migration
 * may land on it), and a cluster that still runs instances refuses deregistration — so, as an
 * operator would, the test empties it first.
 */
async function drainByApi(page: Page, name: string): Promise<void> {
  const listed = await page.request.get(`/api/v1/cluster/?search=${name}`);
  expect(listed.status()).toBe(200);
  const cluster = ((await listed.json()) as { items: { id: string; name: string }[] }).items.find(
    (c) => c.name === name,
  );
  expect(cluster, `cluster ${name} listed`).toBeDefined();
  const drain = `/api/v1/cluster/${cluster?.id ?? ""}/drain/`;
  const started = await page.request.post(drain, { headers: sameOrigin() });
  expect(started.status(), await started.text()).toBe(200);
  await expect
    .poll(async () => ((await (await page.request.get(drain)).json()) as { remaining: number }).remaining, {
      timeout: 60_000,
    })
    .toBe(0);
}

test("an infrastructure provider deregisters a cluster after confirming", async ({ page }) => {
  await signIn(page, "infra");
  await drainByApi(page, NAME);
  await page.goto("/clusters");
  await page.getByRole("button", { name: `Deregister ${NAME}` }).click();
  const confirm = page.getByRole("dialog", { name: `Deregister ${NAME}?` });
  await expect(confirm).toBeVisible();
  await page.screenshot({ path: "/tmp/nemo-clusters-deregister-confirm.png" });
  await confirm.getByRole("button", { name: "Cancel" }).click();
  await expect(confirm).toBeHidden();
  await expect(rowOf(page, NAME).getByText("OK", { exact: true })).toBeVisible();

  await page.getByRole("button", { name: `Deregister ${NAME}` }).click();
  await confirm.getByRole("button", { name: "Deregister", exact: true }).click();
  await expect(confirm).toBeHidden();
  await expect(page.getByText(`Cluster ${NAME} deregistered.`)).toBeVisible();
  // Deregistered clusters are inactive: listed only when asked for (the switch is kept in the URL).
  await expect(rowOf(page, NAME)).toHaveCount(0);
  await page.getByRole("switch", { name: "Show inactive" }).check();
  await expect(page).toHaveURL(/[?&]inactive=1/);
  await expect(rowOf(page, NAME).getByText("DEREGISTERED")).toBeVisible();
  await expect(page.getByRole("button", { name: `Deregister ${NAME}` })).toBeDisabled();
});

test("a seeded simulated cluster says it has no kubeconfig, not that it was deleted", async ({ page }) => {
  await signIn(page, "admin");
  await page.goto("/clusters");
  await page.getByRole("searchbox", { name: "Search clusters" }).fill("dev-onelab");
  await page.getByRole("link", { name: "Metrics of dev-onelab" }).click();
  await expect(page.getByRole("heading", { name: "dev-onelab metrics" })).toBeVisible();
  await expect(page.getByTestId("kubeconfig-note")).toHaveText("Simulated cluster — no kubeconfig");
  await expect(page.getByTestId("cluster-properties")).not.toContainText("deleted");
});
