import type { Page } from "@playwright/test";
import { withDatabase } from "./db";
import { acceptedWorkload, createInstanceByApi, ON_DEMO_CLUSTER, expect, signIn, test } from "./fixtures";

/**
 * Changing instances after creation, against the real orchestrator worker:
 * a FAILED instance is retried from its page and ends DEPLOYED; a DEPLOYED
 * one is upgraded with a new values override (the manifest diff is read
 * before confirming) and scaled by hand; the simulated cluster runs the new
 * pod count and the timeline records each change.
 */

const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e3)}`;

async function createDeployed(page: Page, workloadId: number, releaseName: string): Promise<string> {
  const { id } = await createInstanceByApi(page, { workloadId, releaseName, ...ON_DEMO_CLUSTER });
  await expect
    .poll(
      async () =>
        ((await (await page.request.get(`/api/v1/instance/${id}/`)).json()) as { status: string }).status,
      {
        timeout: 60_000,
        intervals: [500],
      },
    )
    .toBe("DEPLOYED");
  return id;
}

async function podCount(page: Page, id: string): Promise<number> {
  const response = await page.request.get(`/api/v1/instance/${id}/tree/`);
  if (response.status() !== 200) return -1;
  const tree = (await response.json()) as { nodes: { kind: string }[] };
  return tree.nodes.filter((n) => n.kind === "Pod").length;
}

test("a FAILED instance is retried from its page and deployed again", async ({ page }) => {
  test.setTimeout(150_000);
  await signIn(page, "provider");
  const workloadId = await acceptedWorkload(page, `e2e-retry-${run}`);
  const id = await createDeployed(page, workloadId, `retry-${run}`);
  // A deployment that failed on its cluster (a transient cluster error the simulated continuum does not
  // produce on demand): the row as the orchestrator leaves it, FAILED with the reason, cluster kept.
  const reason = "Deployment on its cluster failed: UNAVAILABLE: e2e: the API server did not answer";
  await withDatabase((client) =>
    client.query(`UPDATE workload_instances SET status = 'FAILED', status_reason = $2 WHERE id = $1`, [
      id,
      reason,
    ]),
  );

  await page.goto(`/instances/${id}`);
  await expect(page.getByTestId("instance-status")).toContainText("FAILED");
  await expect(page.getByRole("button", { name: "Upgrade" })).toHaveCount(0);
  await page.getByRole("button", { name: "Retry", exact: true }).click();
  const confirm = page.getByRole("dialog", { name: "Retry instance?" });
  await expect(confirm).toContainText(reason);
  // Cancel changes nothing.
  await confirm.getByRole("button", { name: "Cancel" }).click();
  await expect(confirm).toBeHidden();
  await expect(page.getByTestId("instance-status")).toContainText("FAILED");

  await page.getByRole("button", { name: "Retry", exact: true }).click();
  await confirm.getByRole("button", { name: "Retry" }).click();
  await expect(confirm).toBeHidden();
  // Progress without a reload: placed again and deployed by the orchestrator.
  await expect(page.getByTestId("instance-status")).toContainText("DEPLOYED", { timeout: 60_000 });
  await expect(page.getByRole("button", { name: "Retry", exact: true })).toHaveCount(0);

  await page.getByRole("tab", { name: "Timeline" }).click();
  const events = page.getByTestId("timeline-event");
  await expect(events.nth(0)).toHaveAttribute("data-type", "Deployment");
  await expect(events.nth(1)).toHaveAttribute("data-type", "Placement");
  await expect(events.nth(2)).toHaveAttribute("data-type", "Retry");
  await expect(events.nth(2)).toContainText("Retry requested by provider");
});

test("a DEPLOYED instance is upgraded after reading the manifest diff, then scaled by hand", async ({
  page,
}) => {
  test.setTimeout(180_000);
  await signIn(page, "provider");
  const workloadId = await acceptedWorkload(page, `e2e-change-${run}`);
  const id = await createDeployed(page, workloadId, `change-${run}`);
  await expect.poll(() => podCount(page, id), { timeout: 30_000 }).toBe(1);

  await page.goto(`/instances/${id}`);
  await expect(page.getByTestId("instance-status")).toContainText("DEPLOYED");

  // Upgrade: a new values override, reviewed as a diff before it is applied.
  await page.getByRole("button", { name: "Upgrade" }).click();
  const upgrade = page.getByRole("dialog", { name: `Upgrade change-${run}` });
  await expect(upgrade.getByRole("combobox", { name: "Workload version" })).toContainText("1.0.0 (current)");
  await expect(upgrade.getByRole("button", { name: "Review changes" })).toBeDisabled();
  await upgrade.getByRole("checkbox", { name: "Change the values override" }).check();
  await upgrade.getByRole("textbox", { name: "Values Override" }).fill("replicaCount: 2\n");
  await upgrade.getByRole("button", { name: "Review changes" }).click();
  const review = page.getByRole("dialog", { name: /review the changes/ });
  const object = review.getByTestId("manifest-diff-object");
  await expect(object).toHaveCount(1);
  await expect(object).toContainText("changed");
  await expect(object).toContainText(/Deployment\//);
  await expect(object.locator('[data-op="removed"]')).toHaveText(["-   replicas: 1"]);
  await expect(object.locator('[data-op="added"]')).toHaveText(["+   replicas: 2"]);
  await page.screenshot({ path: "/tmp/nemo-instance-upgrade-diff.png", fullPage: true });
  await review.getByRole("button", { name: "Apply upgrade" }).click();
  await expect(review).toBeHidden();
  await expect.poll(() => podCount(page, id), { timeout: 60_000, intervals: [1_000] }).toBe(2);
  await expect(page.getByTestId("instance-status")).toContainText("DEPLOYED", { timeout: 30_000 });
  await expect(page.getByTestId("instance-details")).toContainText("Is Upgrade");

  // Scale: the Deployment to 3 replicas by hand.
  await page.getByRole("button", { name: "Scale" }).click();
  const scale = page.getByRole("dialog", { name: `Scale change-${run}` });
  const replicas = scale.getByRole("spinbutton", { name: /^Deployment / });
  await expect(replicas).toHaveValue("2");
  await replicas.fill("3");
  await scale.getByRole("button", { name: "Review changes" }).click();
  const scaleReview = page.getByRole("dialog", { name: /review the changes/ });
  await expect(scaleReview.getByTestId("manifest-diff-object").locator('[data-op="added"]')).toHaveText([
    "+   replicas: 3",
  ]);
  await scaleReview.getByRole("button", { name: "Apply scaling" }).click();
  await expect(scaleReview).toBeHidden();
  await expect.poll(() => podCount(page, id), { timeout: 60_000, intervals: [1_000] }).toBe(3);

  // The timeline records both, newest first, each followed by its deployment on the cluster.
  await page.getByRole("tab", { name: "Timeline" }).click();
  const events = page.getByTestId("timeline-event");
  await expect(events.filter({ hasText: /Deployment \S+ to 3 replica\(s\) by provider/ })).toHaveAttribute(
    "data-type",
    "Scaling",
  );
  await expect(events.filter({ hasText: "new values override by provider" })).toHaveAttribute(
    "data-type",
    "Upgrade",
  );

  // REST sees the same instance: desired replicas 3, an upgrade.
  const read = (await (await page.request.get(`/api/v1/instance/${id}/`)).json()) as {
    replicas: number;
    isUpgrade: boolean;
  };
  expect(read).toMatchObject({ replicas: 3, isUpgrade: true });
});
