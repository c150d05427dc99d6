import { acceptedWorkload, choose, expect, sameOrigin, signIn, test } from "./fixtures";

/**
 * Flow 3 end to end against the real orchestrator worker: a service provider
 * creates an instance of an accepted workload with an availability intent,
 * sees it placed and DEPLOYED, inspects why that cluster, the timeline, the
 * manifests and the deployment tree, and deletes it.
 */

const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e3)}`;

/**
 * Two replicas of 9 CPUs each: only clusters with 18 free CPUs can take it.
 * Besides exercising the values override, this keeps the placement
 * deterministic while clusters.spec.ts registers (and later deregisters) its
 * 16-CPU edge cluster, which would otherwise win on cost.
 */
/** A value under a secret-looking key of the override (mychart ignores it): shown only when revealed. */
const VALUES_TOKEN = `tok-${run}`;
const VALUES = [
  "replicaCount: 2",
  "resources:",
  "  requests:",
  '    cpu: "9"',
  "    memory: 256Mi",
  `apiToken: ${VALUES_TOKEN}`,
  "",
].join("\n");

test("a service provider deploys an instance with an availability intent, inspects it and deletes it", async ({
  page,
  browser,
}) => {
  test.setTimeout(120_000);
  const workloadName = `e2e-inst-${run}`;
  const release = `web-${run}`;
  await signIn(page, "provider");
  const workloadId = await acceptedWorkload(page, workloadName);

  // From Workload Monitoring to the form.
  await page.goto("/workloads");
  await page.getByRole("searchbox", { name: "Search workloads" }).fill(workloadName);
  await page.getByRole("link", { name: `Create instance of ${workloadName} 1.0.0` }).click();
  await expect(page).toHaveURL(new RegExp(`/instances/new\\?workload=${workloadId}$`));
  await expect(page.getByTestId("instance-workload")).toContainText(`${workloadName} 1.0.0`);
  await expect(page.getByTestId("instance-workload")).toContainText("ACCEPTED");

  // Keyboard first: Release Name has the focus; the server refuses a non-DNS name on the field.
  await expect(page.getByRole("textbox", { name: "Release Name" })).toBeFocused();
  await page.keyboard.type("Web_1");
  await page.getByRole("button", { name: "Create", exact: true }).click();
  const releaseField = page.getByRole("textbox", { name: "Release Name" });
  await expect(releaseField).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByText("Release Name must be a DNS-1123 label")).toBeVisible();

  await releaseField.fill(release);
  await expect(releaseField).toHaveAttribute("aria-invalid", "false");
  await expect(page.getByRole("combobox", { name: "Cluster Name" })).toContainText(
    "Let the orchestrator choose",
  );
  await page.getByLabel("Values Override").fill(VALUES);
  // The template offers "No intent" and the workload's one Supported Intent, nothing else.
  await page.getByRole("combobox", { name: "Intent Type" }).click();
  await expect(page.getByRole("option")).toHaveText(["No intent", /^Availability/]);
  await page.keyboard.press("Escape");
  await choose(page, "Intent Type", /^Availability/);
  const targets = page.getByTestId("target-row");
  await expect(targets).toHaveCount(1);
  await expect(targets.first().getByRole("combobox", { name: "Target Name" })).toHaveText("availability");
  await choose(page, "Target Condition", "IS_GREATER_THAN");
  await page.getByRole("textbox", { name: "Target Value" }).fill("95");
  // Rows can be added and removed.
  await page.getByRole("button", { name: "Add target" }).click();
  await expect(targets).toHaveCount(2);
  await page.getByRole("button", { name: "Remove target 2" }).click();
  await expect(targets).toHaveCount(1);
  await page.screenshot({ path: "/tmp/nemo-instance-create.png", fullPage: true });
  await page.getByRole("button", { name: "Create", exact: true }).click();

  // The instance page: RENDERED, then placed and DEPLOYED by the orchestrator, without a reload.
  await expect(page).toHaveURL(/\/instances\/[0-9a-f-]{36}$/);
  const instanceUrl = page.url();
  const instanceId = instanceUrl.split("/").at(-1) ?? "";
  await expect(page.getByRole("heading", { name: release })).toBeVisible();
  const details = page.getByTestId("instance-details");
  await expect(details.getByText("DEPLOYED", { exact: true })).toBeVisible({ timeout: 30_000 });
  await expect(details).toContainText("staging-onelab");
  await expect(page.getByTestId("instance-intents")).toContainText("availability greater than 95");

  // Why this cluster: the winner's scores, dev-onelab rejected for its availability.
  await expect(page.getByTestId("placement-winner")).toContainText("Placed on staging-onelab");
  await expect(page.getByTestId("score-chart").getByTestId("score-bar").first()).toBeVisible();
  const dev = page.locator('[data-testid="rejected-cluster"][data-cluster="dev-onelab"]');
  await expect(dev).toContainText("Availability");
  await expect(dev).toContainText("availability");
  await expect(
    page.locator('[data-testid="rejected-cluster"][data-cluster="nemo-smart-farming"]'),
  ).toContainText("Resources");
  await page.screenshot({ path: "/tmp/nemo-instance-overview.png", fullPage: true });
  await page.getByRole("button", { name: "Where would it go now?" }).click();
  await expect(page.getByTestId("dry-run-result")).toContainText("staging-onelab");

  // Timeline, newest first.
  await page.getByRole("tab", { name: "Timeline" }).click();
  await expect(page).toHaveURL(/\?tab=timeline$/);
  const events = page.getByTestId("timeline-event");
  await expect(events).toHaveCount(3);
  await expect(events.nth(0)).toHaveAttribute("data-type", "Deployment");
  await expect(events.nth(0)).toContainText("Deployment on cluster staging-onelab");
  await expect(events.nth(1)).toHaveAttribute("data-type", "Placement");
  await expect(events.nth(1)).toContainText("Placed on staging-onelab");
  await expect(events.nth(2)).toHaveAttribute("data-type", "Rendered");
  await page.screenshot({ path: "/tmp/nemo-instance-timeline.png", fullPage: true });

  // Manifests rendered for this release.
  await page.getByRole("tab", { name: "Manifests" }).click();
  const documents = page.getByTestId("manifest-list").getByRole("button");
  await expect(documents.filter({ hasText: "Deployment" })).toHaveCount(1);
  await documents.filter({ hasText: "Deployment" }).click();
  await expect(page.getByTestId("manifest-title")).toHaveText(`Deployment/${release}-mychart`);
  await expect(page.getByTestId("manifest-yaml")).toContainText(
    "# Source: mychart/templates/deployment.yaml",
  );
  await expect(page.getByTestId("manifest-yaml")).toContainText("replicas: 2");
  await page.screenshot({ path: "/tmp/nemo-instance-manifests.png", fullPage: true });
  // The override's secret reads <redacted> until its owner reveals it, from the keyboard.
  const values = page.getByTestId("values-override");
  await expect(values).toContainText("apiToken: <redacted>");
  await expect(values).not.toContainText(VALUES_TOKEN);
  await page.getByRole("button", { name: "Reveal secrets" }).focus();
  await page.keyboard.press("Enter");
  await expect(values).toContainText(`apiToken: ${VALUES_TOKEN}`);
  await expect(page.getByRole("button", { name: "Hide secrets" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(values).toContainText("apiToken: <redacted>");

  // The deployment tree: Deployment → ReplicaSet → two pods, with traffic; a pod opens its panel.
  await page.getByRole("tab", { name: "Deployment tree" }).click();
  const tree = page.getByTestId("deployment-tree");
  await expect(tree.locator('[data-kind="Deployment"]')).toHaveCount(1);
  await expect(tree.locator('[data-kind="ReplicaSet"]')).toHaveCount(1);
  const pods = tree.locator('[data-kind="Pod"]');
  await expect(pods).toHaveCount(2);
  await expect(pods.first()).toContainText("staging-onelab");
  await expect(pods.first()).toContainText("restarts");
  await expect(tree.getByTestId("node-traffic").first()).toContainText("req/s");
  await page.screenshot({ path: "/tmp/nemo-instance-tree.png", fullPage: true });
  await pods.first().focus();
  await page.keyboard.press("Enter");
  const drawer = page.getByTestId("node-drawer");
  await expect(drawer).toContainText("Pod");
  await expect(drawer).toContainText("Restarts");
  await expect(drawer).toContainText("nginx:1.16.0");
  await page.screenshot({ path: "/tmp/nemo-instance-pod-drawer.png" });
  await drawer.getByRole("button", { name: "Close" }).click();
  await expect(drawer).toBeHidden();

  // Another tenant sees nothing of it; an admin does.
  const other = await browser.newPage();
  await signIn(other, "provider2");
  await other.goto(instanceUrl);
  await expect(other.getByRole("alert").filter({ hasText: "Instance not found" })).toBeVisible();
  expect((await other.request.get(`/api/v1/instance/${instanceId}/`)).status()).toBe(404);
  expect(
    (await other.request.delete(`/api/v1/instance/${instanceId}/`, { headers: sameOrigin() })).status(),
  ).toBe(404);
  await other.close();
  const admin = await browser.newPage();
  await signIn(admin, "admin");
  await admin.goto("/instances");
  await admin.getByRole("searchbox", { name: "Search instances" }).fill(release);
  await expect(admin.getByRole("row").filter({ hasText: release })).toContainText("DEPLOYED");
  await admin.close();

  // The workload's instances; delete after confirming, and watch it go.
  await page.goto(`/instances?workload=${workloadId}`);
  await expect(page.getByTestId("workload-filter")).toContainText(`Workload ${workloadId}`);
  const row = page.getByRole("row").filter({ hasText: release });
  await expect(row).toContainText("DEPLOYED");
  await expect(row).toContainText("staging-onelab");
  await page.screenshot({ path: "/tmp/nemo-instances.png", fullPage: true });
  await page.getByRole("button", { name: new RegExp(`^Delete ${release}`) }).click();
  const confirm = page.getByRole("dialog", { name: "Delete instance?" });
  await expect(confirm).toContainText("staging-onelab");
  await confirm.getByRole("button", { name: "Delete" }).click();
  await expect(confirm).toBeHidden();
  // A DELETED instance is inactive: it leaves the list, and "Show inactive" brings it back.
  await expect(row).toHaveCount(0, { timeout: 30_000 });
  await page.getByRole("switch", { name: "Show inactive" }).check();
  await expect(row.getByText("DELETED", { exact: true })).toBeVisible({ timeout: 30_000 });
  await page.screenshot({ path: "/tmp/nemo-instances-deleted.png", fullPage: true });

  await page.getByRole("link", { name: new RegExp(`^Deployment tree of ${release}`) }).click();
  await expect(page.getByTestId("tree-empty")).toContainText("No deployment tree");
  await page.getByRole("tab", { name: "Timeline" }).click();
  await expect(events.nth(0)).toHaveAttribute("data-type", "Deletion");
  await expect(events.nth(0)).toContainText("Deleted from cluster staging-onelab");
  await expect(events.nth(1)).toHaveAttribute("data-type", "Deletion requested");
});

test("the form shows a chart that does not render with its file and line", async ({ page }) => {
  const workloadName = `e2e-inst-broken-${run}`;
  await signIn(page, "provider");
  const workloadId = await acceptedWorkload(page, workloadName);
  await page.goto(`/instances/new?workload=${workloadId}`);
  await page.getByRole("textbox", { name: "Release Name" }).fill(`broken-${run}`);
  // mychart's ingress template ranges over hosts expecting mappings.
  await page.getByLabel("Values Override").fill("ingress:\n  enabled: true\n  hosts: [1]\n");
  await page.getByRole("button", { name: "Create", exact: true }).click();
  const error = page.getByTestId("create-error");
  await expect(error).toContainText("The chart does not render with these options");
  await expect(error).toContainText(/mychart\/templates\/ingress\.yaml:\d+/);
  await expect(page).toHaveURL(/\/instances\/new\?workload=/);
  await page.screenshot({ path: "/tmp/nemo-instance-render-error.png", fullPage: true });
  // Reset clears the form and the messages.
  await page.getByRole("button", { name: "Reset" }).click();
  await expect(error).toBeHidden();
  await expect(page.getByRole("textbox", { name: "Release Name" })).toHaveValue("");
});

test("a FAILED instance says once why no cluster can take it, naming the target and the best value offered", async ({
  page,
}) => {
  test.setTimeout(90_000);
  await signIn(page, "provider");
  const workloadId = await acceptedWorkload(page, `e2e-inst-green-${run}`, ["GreenEnergy"]);
  // No cluster of the e2e run offers 80 % green energy (the demo's best is staging-onelab's 60 %).
  const created = await page.request.post("/api/v1/instance/", {
    headers: sameOrigin(),
    data: {
      workloadId,
      releaseName: `green-${run}`,
      intent: {
        intentType: "GreenEnergy",
        targets: [
          { targetName: "greenEnergy", targetCondition: "IS_EQUAL_TO_OR_GREATER_THAN", targetValue: 80 },
        ],
      },
    },
  });
  expect(created.status()).toBe(201);
  const { id } = (await created.json()) as { id: string };
  const reason = "No cluster offers green energy of at least 80 % (highest green energy offered: 60 %)";

  // Opened once FAILED, so the page loads the stored placement with it.
  await expect
    .poll(
      async () => {
        const response = await page.request.get(`/api/v1/instance/${id}/`);
        return ((await response.json()) as { status: string }).status;
      },
      { timeout: 45_000, intervals: [500] },
    )
    .toBe("FAILED");
  await page.goto(`/instances/${id}`);
  await expect(page.getByTestId("instance-status")).toContainText("FAILED");
  // The details tell the reason; the placement panel gives each cluster's verdict instead of repeating it.
  await expect(page.getByTestId("instance-failure-reason")).toHaveText(reason);
  await expect(page.getByText(reason)).toHaveCount(1);
  await expect(page.getByTestId("placement-none")).toContainText("No cluster can take this instance");
  await expect(page.getByTestId("placement-none")).toContainText("Each cluster's verdict is listed below.");
  await expect(page.locator('[data-testid="rejected-cluster"][data-cluster="staging-onelab"]')).toContainText(
    "offers 60 %, needs at least 80 %",
  );
  await expect(page.getByText("No cluster can take this instance: ")).toHaveCount(0);
  // A dry run tells the same sentence, without a "no cluster" of its own in front.
  await page.getByRole("button", { name: "Where would it go now?" }).click();
  await expect(page.getByTestId("dry-run-result")).toContainText(
    `Placing it now would fail: ${reason}. Nothing was moved.`,
  );

  // The timeline tells it once too: on the Failed event, after a Placement event that found no cluster.
  await page.getByRole("tab", { name: "Timeline" }).click();
  const events = page.getByTestId("timeline-event");
  await expect(events.nth(0)).toHaveAttribute("data-type", "Failed");
  await expect(events.nth(0)).toContainText(reason);
  await expect(events.nth(1)).toHaveAttribute("data-type", "Placement");
  await expect(events.nth(1)).toContainText("No cluster can take this instance");
  await expect(events.filter({ hasText: reason })).toHaveCount(1);
});

test("a filtered instance list with no match says nothing matches and clears its filters", async ({
  page,
}) => {
  await signIn(page, "provider");
  await page.goto("/instances");
  const search = page.getByRole("searchbox", { name: "Search instances" });
  await search.fill(`no-such-instance-${run}`);
  await page.getByRole("combobox", { name: "Status" }).click();
  await page.getByRole("option", { name: "FAILED", exact: true }).click();
  const empty = page.getByTestId("empty-state");
  await expect(empty).toContainText("No instances match these filters");
  await expect(empty).not.toContainText("yet");
  await empty.getByRole("button", { name: "Clear filters" }).click();
  await expect(search).toHaveValue("");
  await expect(page.getByRole("combobox", { name: "Status" })).toHaveText("All statuses");
});
