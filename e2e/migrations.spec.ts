import type { Locator, Page } from "@playwright/test";
import { e2eEnv } from "./env";
import { acceptedWorkload, choose, expect, sameOrigin, signIn, test } from "./fixtures";

/**
 * Flow 5 end to end against the real workers (evaluator, IBMC controller,
 * IBMC agent, orchestrator): a service provider's instance runs on
 * dev-onelab (90 % availability); an Availability > 95 intent attached from
 * the console makes the controller move it — backup on dev-onelab, restore
 * on staging-onelab — and the instance page follows it live, without a
 * reload: MIGRATING, the steps one by one, DEPLOYED on the new cluster, the
 * Migration event in the timeline. An admin finds it on Orchestration;
 * another tenant does not; its Reason names the intent target that moved it.
 * Then an admin moves an instance by hand with "Migrate now".
 */

const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e3)}`;

/**
 * One pod of 6.5 CPUs: too big for nemo-smart-farming (6 CPUs, 99 %
 * availability, cheaper), so staging-onelab (99.9 %) is the only cluster
 * above 95 % that can take it; small enough to sit beside instances.spec.ts's
 * 2 × 9 CPUs there. (clusters.spec.ts registers its cluster with 90 %
 * availability, so it never competes, whatever order the specs run in.)
 */
const VALUES = [
  "replicaCount: 1",
  "resources:",
  "  requests:",
  "    cpu: 6500m",
  "    memory: 256Mi",
  "",
].join("\n");

/** Demo clusters a hand-made migration may go to (other specs' clusters come and go). */
const DEMO_TARGETS = ["pro-onelab", "staging-onelab", "nemo-smart-farming"];

/**
 * Pauses the IBMC agent worker (SIGSTOP) until the returned function resumes
 * it (SIGCONT): a migration the controller starts meanwhile waits at its
 * first step, so MIGRATING lasts long enough to be watched. Nothing is lost:
 * the backup command waits in the agent's queue.
 */
function pauseAgent(): () => void {
  const pid = Number(e2eEnv("ibmcAgentPid"));
  process.kill(pid, "SIGSTOP");
  let resumed = false;
  return () => {
    if (resumed) return;
    resumed = true;
    process.kill(pid, "SIGCONT");
  };
}

async function statusOf(page: Page, instanceId: string): Promise<{ status: string; cluster: string | null }> {
  const response = await page.request.get(`/api/v1/instance/${instanceId}/`);
  expect(response.status()).toBe(200);
  const body = (await response.json()) as { status: string; cluster?: string | { name: string } | null };
  const cluster = typeof body.cluster === "string" ? body.cluster : (body.cluster?.name ?? null);
  return { status: body.status, cluster };
}

/** The header's status chip of the instance page. */
const headerStatus = (page: Page): Locator => page.getByTestId("instance-status");

/** Each step of a migration card, in order, as "STATE:status". */
async function stepStates(migration: Locator): Promise<string[]> {
  const steps = migration.getByTestId("migration-step");
  return steps.evaluateAll((nodes) =>
    nodes.map((n) => `${n.getAttribute("data-state")}:${n.getAttribute("data-status")}`),
  );
}

test("a violated availability intent moves a provider's instance to a compliant cluster, followed live", async ({
  page,
  browser,
}) => {
  test.setTimeout(240_000);
  const workloadName = `e2e-mig-${run}`;
  const release = `mig-${run}`;
  await signIn(page, "provider");
  const workloadId = await acceptedWorkload(page, workloadName, ["Availability"]);

  // Create the instance in the console, proposed for dev-onelab: it is DEPLOYED there.
  await page.goto(`/instances/new?workload=${workloadId}`);
  await page.getByRole("textbox", { name: "Release Name" }).fill(release);
  await choose(page, "Cluster Name", /^dev-onelab/);
  await page.getByLabel("Values Override").fill(VALUES);
  await page.getByRole("button", { name: "Create", exact: true }).click();
  await expect(page).toHaveURL(/\/instances\/[0-9a-f-]{36}$/);
  const instanceId = page.url().split("/").at(-1) ?? "";
  const details = page.getByTestId("instance-details");
  await expect(details.getByText("DEPLOYED", { exact: true })).toBeVisible({ timeout: 45_000 });
  await expect(details).toContainText("dev-onelab");
  // A provider moves nothing by hand.
  await expect(page.getByRole("button", { name: "Migrate now" })).toHaveCount(0);

  // The Migrations tab: nothing yet.
  await page.getByRole("tab", { name: "Migrations" }).click();
  await expect(page).toHaveURL(/\?tab=migrations$/);
  await expect(page.getByTestId("migrations-empty")).toContainText("No migrations yet");

  // A marker that a reload would wipe out.
  await page.evaluate(() => Object.assign(window, { nemoNoReload: true }));
  const migration = page.getByTestId("migration").first();
  const resume = pauseAgent();
  try {
    // In another tab of the same session: attach Availability > 95 from the intent form.
    const form = await page.context().newPage();
    await form.goto(`/intents/new?instanceId=${instanceId}`);
    await expect(form.getByRole("combobox", { name: "Workload Instance ID" })).toHaveValue(
      new RegExp(`^${release} `),
    );
    await choose(form, "Intent Type", /^Availability/);
    await expect(form.getByTestId("target-row").getByRole("combobox", { name: "Target Name" })).toHaveText(
      "availability",
    );
    await choose(form, "Target Condition", "IS_GREATER_THAN");
    await form.getByRole("textbox", { name: "Target Value" }).fill("95");
    await form.getByRole("button", { name: "Create", exact: true }).click();
    await expect(form).toHaveURL(new RegExp(`/intents\\?instanceId=${instanceId}&report=`));
    await form.close();

    // The controller judged dev-onelab (90 %) out and picked staging-onelab: the page shows it
    // MIGRATING, with the migration waiting at its first step for the (paused) agent.
    await expect(headerStatus(page)).toContainText("MIGRATING", { timeout: 30_000 });
    await expect(migration).toBeVisible({ timeout: 15_000 });
    await expect(migration.getByTestId("migration-route")).toHaveText("dev-onelab → staging-onelab");
    await expect(migration.locator('[data-testid="migration-step"][data-status="active"]')).toHaveCount(1);
    await expect(migration.locator('[data-testid="migration-step"][data-status="pending"]')).not.toHaveCount(
      0,
    );
    // Which intent, which target and what dev-onelab offered (issue 13, bug 11).
    await expect(migration).toContainText("availability needs more than 95 %, observed 90 %");
    await page.screenshot({ path: "/tmp/nemo-migration-in-flight.png", fullPage: true });
  } finally {
    resume();
  }

  // The agents back up and restore; the orchestrator applies the completion. Still no reload.
  await expect(migration).toHaveAttribute("data-state", "COMPLETED", { timeout: 90_000 });
  expect(await stepStates(migration)).toEqual([
    "REQUESTED:done",
    "BACKING_UP:done",
    "BACKED_UP:done",
    "RESTORING:done",
    "VERIFYING:done",
    "COMPLETED:done",
  ]);
  await expect(migration.getByTestId("step-duration")).toHaveCount(5);
  await expect(migration.getByTestId("migration-duration")).toContainText("took ");
  await expect(headerStatus(page)).toContainText("DEPLOYED", { timeout: 30_000 });
  await expect(page.getByText(`on staging-onelab, namespace`)).toBeVisible();
  await page.screenshot({ path: "/tmp/nemo-migration-completed.png", fullPage: true });
  expect(await page.evaluate(() => (window as unknown as { nemoNoReload?: boolean }).nemoNoReload)).toBe(
    true,
  );

  // The timeline tells the story too.
  await page.getByRole("tab", { name: "Timeline" }).click();
  const migrationEvents = page.locator('[data-testid="timeline-event"][data-type="Migration"]');
  await expect(migrationEvents.first()).toBeVisible();
  await expect(
    migrationEvents.filter({ hasText: "Migration dev-onelab → staging-onelab" }).first(),
  ).toBeVisible();
  await page.getByRole("tab", { name: "Overview" }).click();
  await expect(details).toContainText("staging-onelab");
  expect(await statusOf(page, instanceId)).toEqual({ status: "DEPLOYED", cluster: "staging-onelab" });
  // "Why this cluster?" says the instance has moved since it was placed, and leads to the migration.
  const moved = page.getByTestId("placement-moved");
  await expect(moved).toContainText("migrated to staging-onelab");
  await expect(moved).toContainText("first placed on dev-onelab");
  await moved.getByRole("button", { name: "See migrations" }).click();
  await expect(page).toHaveURL(/\?tab=migrations$/);
  await page.getByRole("tab", { name: "Overview" }).click();

  // An admin finds it on Orchestration among the COMPLETED ones.
  const adminPage = await browser.newPage();
  await signIn(adminPage, "admin");
  await adminPage
    .getByRole("main")
    .getByRole("link", { name: /Orchestration/ })
    .click();
  await expect(adminPage).toHaveURL(/\/orchestration$/);
  await expect(adminPage.getByRole("heading", { name: "Orchestration" })).toBeVisible();
  await choose(adminPage, "State", "COMPLETED");
  await adminPage.getByRole("searchbox", { name: "Search migrations" }).fill(release);
  const row = adminPage.getByRole("row").filter({ hasText: release });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText("dev-onelab → staging-onelab");
  await expect(row.getByTestId("migration-state")).toHaveText("COMPLETED");
  // The Reason column says which intent target dev-onelab failed, and opens that intent's report.
  const trigger = row.getByTestId("migration-trigger");
  await expect(trigger).toContainText(
    /^Availability intent [0-9a-f]{8}…: availability needs more than 95 %, observed 90 %$/,
  );
  await expect(trigger.getByRole("link")).toHaveAttribute(
    "href",
    new RegExp(`^/intents\\?instanceId=${instanceId}&report=[0-9a-f-]{36}$`),
  );
  await adminPage.screenshot({ path: "/tmp/nemo-orchestration.png", fullPage: true });
  // A state it never had: the row goes.
  await choose(adminPage, "State", "ROLLED_BACK");
  await expect(adminPage.getByTestId("empty-state")).toBeVisible();
  await adminPage.close();

  // Another tenant sees none of it: not on Orchestration, not through the instance's link.
  const other = await browser.newPage();
  await signIn(other, "provider2");
  await other.goto("/orchestration");
  await expect(other.getByTestId("read-only-badge")).toHaveText("Read-only");
  await other.getByRole("searchbox", { name: "Search migrations" }).fill(release);
  await expect(other.getByTestId("empty-state")).toContainText("No migrations match", { timeout: 20_000 });
  await other.goto(`/instances/${instanceId}?tab=migrations`);
  await expect(other.getByText("Instance not found")).toBeVisible({ timeout: 20_000 });
  await other.close();
});

test("an admin moves a deployed instance with Migrate now and watches it complete", async ({ page }) => {
  test.setTimeout(180_000);
  const release = `mignow-${run}`;
  await signIn(page, "admin");
  const workloadId = await acceptedWorkload(page, `e2e-mignow-${run}`, ["Availability"]);
  // Availability within 85–99.5 %: met where it runs (dev-onelab, 90 %), so nothing moves it on its
  // own, and staging-onelab (99.9 %) shows as rejected, with why.
  const created = await page.request.post("/api/v1/instance/", {
    headers: sameOrigin(),
    data: {
      workloadId,
      releaseName: release,
      clusterName: "dev-onelab",
      intent: {
        intentType: "Availability",
        targets: [
          { targetName: "availability", targetCondition: "IS_WITHIN_RANGE", targetValue: [85, 99.5] },
        ],
      },
    },
  });
  expect(created.status()).toBe(201);
  const { id: instanceId } = (await created.json()) as { id: string };
  await expect
    .poll(async () => (await statusOf(page, instanceId)).status, { timeout: 45_000, intervals: [500] })
    .toBe("DEPLOYED");

  await page.goto(`/instances/${instanceId}`);
  await expect(headerStatus(page)).toContainText("DEPLOYED");
  await page.getByRole("button", { name: "Migrate now" }).click();
  const dialog = page.getByRole("dialog", { name: `Migrate ${release} now` });
  await expect(dialog).toBeVisible();
  const option = (cluster: string) =>
    dialog.locator(`[data-testid="migration-option"][data-cluster="${cluster}"]`);

  // Every cluster with its verdict: where it runs, the one its intent rules out (and why), the eligible ones.
  await expect(option("dev-onelab")).toHaveAttribute("data-verdict", "current");
  await expect(option("dev-onelab")).toContainText("Current");
  await expect(option("dev-onelab").getByRole("radio")).toBeDisabled();
  await expect(option("staging-onelab")).toHaveAttribute("data-verdict", "rejected");
  await expect(option("staging-onelab")).toContainText("Rejected");
  await expect(option("staging-onelab")).toContainText("availability");
  await expect(option("staging-onelab").getByRole("radio")).toBeDisabled();
  await expect(dialog.getByTestId("current-meets-targets")).toBeVisible();
  // The controller's choice comes preselected.
  const recommended = dialog.locator('[data-testid="migration-option"][data-verdict="chosen"]');
  await expect(recommended).toHaveCount(1);
  await expect(recommended).toContainText("Recommended");
  await expect(recommended.getByRole("radio")).toBeChecked();
  await page.screenshot({ path: "/tmp/nemo-migrate-now.png", fullPage: true });

  // The admin picks another eligible demo cluster than the recommended one.
  const eligible = await dialog
    .locator('[data-testid="migration-option"][data-verdict="eligible"]')
    .evaluateAll((nodes) => nodes.map((n) => n.getAttribute("data-cluster") ?? ""));
  const target = eligible.find((name) => DEMO_TARGETS.includes(name));
  if (!target) throw new Error(`no eligible demo cluster among ${eligible.join(", ")}`);
  await option(target).getByRole("radio").check();
  await expect(recommended.getByRole("radio")).not.toBeChecked();
  await dialog.getByRole("button", { name: `Confirm migration to ${target}` }).click();
  await expect(dialog).toBeHidden();

  // Straight to the Migrations tab, where it runs to the end.
  await expect(page).toHaveURL(/\?tab=migrations$/);
  const migration = page.getByTestId("migration").first();
  await expect(migration.getByTestId("migration-route")).toHaveText(`dev-onelab → ${target}`);
  await expect(migration).toContainText("Requested by admin");
  await expect(migration).toHaveAttribute("data-state", "COMPLETED", { timeout: 90_000 });
  await expect(migration.locator('[data-testid="migration-step"][data-status="done"]')).toHaveCount(6);
  await expect(headerStatus(page)).toContainText("DEPLOYED", { timeout: 30_000 });
  await expect(page.getByText(`on ${target}, namespace`)).toBeVisible();
  // Settled again, it can be moved again.
  await expect(page.getByRole("button", { name: "Migrate now" })).toBeVisible();
  expect(await statusOf(page, instanceId)).toEqual({ status: "DEPLOYED", cluster: target });
});
