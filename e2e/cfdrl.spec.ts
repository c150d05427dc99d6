import {
  acceptedWorkload,
  createInstanceByApi,
  expect,
  ON_DEMO_CLUSTER,
  sameOrigin,
  signIn,
  test,
} from "./fixtures";

/**
 * CFDRL end to end against the real cfdrl worker and orchestrator (CFDRL_PERIOD_MS
 * is 2 s in the run, e2e/global-setup.ts): a provider opens the CFDRL tab of a
 * deployed instance (off, no decisions), is told when the bounds are wrong,
 * switches scaling on with the keyboard and saves; decisions and the reward
 * chart appear, and the Orchestration page lists them; switched off, no new
 * decision is made. An infrastructure provider and another service provider
 * cannot change the switch.
 */

const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e3)}`;

interface DecisionPage {
  total: number;
  items: Array<{ decidedAt: string; action: string; outcome: string }>;
}

test("a provider switches CFDRL scaling on, sees decisions and the reward chart, and switches it off", async ({
  page,
  browser,
}) => {
  test.setTimeout(180_000);
  const release = `cfdrl-${run}`;
  await signIn(page, "provider");
  const workloadId = await acceptedWorkload(page, `e2e-cfdrl-${run}`);
  const { id } = await createInstanceByApi(page, { workloadId, releaseName: release, ...ON_DEMO_CLUSTER });
  await page.goto(`/instances/${id}`);
  await expect(page.getByTestId("instance-status")).toContainText("DEPLOYED", { timeout: 60_000 });

  await page.getByRole("tab", { name: "CFDRL" }).click();
  await expect(page).toHaveURL(/tab=cfdrl/);
  await expect(page.getByTestId("cfdrl-off")).toContainText("CFDRL is off for this instance");
  await expect(page.getByTestId("cfdrl-no-decisions")).toContainText("No decisions yet");
  await expect(page.getByText("No decisions yet.").first()).toBeVisible();

  const form = page.getByTestId("cfdrl-settings");
  const scaling = form.getByRole("switch", { name: "Scaling agent" });
  const min = form.getByLabel("Minimum replicas");
  const max = form.getByLabel("Maximum replicas");
  await expect(scaling).not.toBeChecked();
  await expect(min).toHaveValue("1");
  await expect(max).toHaveValue("10");

  // Bounds the wrong way round are refused beside the field, before anything is sent.
  await min.fill("5");
  await max.fill("3");
  await form.getByRole("button", { name: "Save" }).click();
  await expect(form).toContainText("Maximum replicas (3) must be at least the minimum (5).");

  // Keyboard only: the switch toggles with Space, the form saves with Enter.
  await min.fill("1");
  await max.fill("4");
  await scaling.focus();
  await page.keyboard.press("Space");
  await expect(scaling).toBeChecked();
  await max.focus();
  await page.keyboard.press("Enter");
  await expect(
    page.getByText(/CFDRL settings saved: scaling on, migration off, 1–4 replicas\./),
  ).toBeVisible();
  await expect(page.getByTestId("cfdrl-off")).toHaveCount(0);

  // The worker decides every period: rows and the chart appear by themselves.
  const rows = page.getByTestId("cfdrl-decision");
  await expect(rows.first()).toBeVisible({ timeout: 60_000 });
  await expect(rows.first()).toContainText(/Scale up|Scale down|Keep/);
  await expect(rows.first()).toContainText(/replicas?/);
  await expect(page.getByTestId("cfdrl-reward-chart")).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId("cfdrl-reward-chart").locator(".recharts-line").first()).toBeVisible();
  await page.screenshot({ path: "/tmp/nemo-instance-cfdrl.png", fullPage: true });

  // The same decisions over REST, newest first, within the bounds.
  const listed = (await (
    await page.request.get(`/api/v1/cfdrl/decisions/?instanceId=${id}&pageSize=50`)
  ).json()) as DecisionPage;
  expect(listed.total).toBeGreaterThan(0);
  const times = listed.items.map((d) => Date.parse(d.decidedAt));
  expect(times).toEqual([...times].sort((a, b) => b - a));

  // The Orchestration page lists them across the provider's instances.
  await page.goto("/orchestration");
  const recent = page.getByTestId("cfdrl-overview");
  await expect(recent.getByRole("heading", { name: "CFDRL agents" })).toBeVisible({ timeout: 30_000 });
  await expect(recent.getByTestId("cfdrl-decision").filter({ hasText: release }).first()).toBeVisible({
    timeout: 30_000,
  });
  await expect(recent.getByTestId("cfdrl-agent-scaling")).toContainText("Replay buffer");
  await page.screenshot({ path: "/tmp/nemo-orchestration-cfdrl.png", fullPage: true });

  // Switched off: no new decision after the one that may have been under way.
  await page.goto(`/instances/${id}?tab=cfdrl`);
  const again = page.getByTestId("cfdrl-settings").getByRole("switch", { name: "Scaling agent" });
  await expect(again).toBeChecked();
  await again.click();
  await page.getByTestId("cfdrl-settings").getByRole("button", { name: "Save" }).click();
  await expect(page.getByText(/CFDRL settings saved: scaling off/)).toBeVisible();
  await expect(page.getByTestId("cfdrl-off")).toBeVisible();
  const total = async () =>
    ((await (await page.request.get(`/api/v1/cfdrl/decisions/?instanceId=${id}`)).json()) as DecisionPage)
      .total;
  // A tick that read the settings before the save may still record one: let two periods pass.
  await page.waitForTimeout(4_500);
  const settled = await total();
  await page.waitForTimeout(8_000);
  expect(await total()).toBe(settled);

  // Neither an infrastructure provider (403) nor another service provider (404) may switch it back on.
  for (const [user, status] of [
    ["infra", 403],
    ["provider2", 404],
  ] as const) {
    const context = await browser.newContext();
    const other = await context.newPage();
    await signIn(other, user);
    const answer = await other.request.put(`/api/v1/instance/${id}/cfdrl/`, {
      headers: sameOrigin(),
      data: { scalingEnabled: true },
    });
    expect(answer.status(), `${user}: ${await answer.text()}`).toBe(status);
    await context.close();
  }
  const after = (await (await page.request.get(`/api/v1/instance/${id}/cfdrl/`)).json()) as {
    scalingEnabled: boolean;
  };
  expect(after.scalingEnabled).toBe(false);
});
