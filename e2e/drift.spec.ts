import { createDb } from "@/server/db/client";
import { simulateOperatorDelete, simulateOperatorEdit } from "@/server/clusters";
import { e2eEnv } from "./env";
import { acceptedWorkload, createInstanceByApi, ON_DEMO_CLUSTER, expect, signIn, test } from "./fixtures";

/**
 * Drift end to end against the real evaluator (its drift loop runs every
 * metrics period, 1 s in the run): an instance is In sync once deployed; an
 * "operator" changes its Deployment's image and deletes its Service behind
 * the console's back (the simulated cluster's operator edit, as `kubectl
 * edit` / `kubectl delete` would); the instance page shows Drifted with the
 * changed field and the missing object; Re-sync (confirmed) puts it back In
 * sync, and the timeline tells Drifted, Re-sync and In sync; the list shows
 * the chip.
 */

const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e3)}`;

test("a drifted instance is shown with its diff and re-synced by its owner", async ({ page }) => {
  test.setTimeout(150_000);
  const release = `drift-${run}`;
  await signIn(page, "provider");
  const workloadId = await acceptedWorkload(page, `e2e-drift-${run}`);
  const { id } = await createInstanceByApi(page, { workloadId, releaseName: release, ...ON_DEMO_CLUSTER });

  await page.goto(`/instances/${id}`);
  await expect(page.getByTestId("instance-status")).toContainText("DEPLOYED", { timeout: 60_000 });
  const section = page.getByTestId("instance-drift");
  // The first check comes within a period; the page looks again every 15 s.
  await expect(section.getByTestId("drift-chip")).toHaveAttribute("data-drift", "in_sync", {
    timeout: 40_000,
  });

  const instance = (await (await page.request.get(`/api/v1/instance/${id}/`)).json()) as {
    namespace: string;
    cluster: { name: string };
  };
  const db = createDb(e2eEnv("databaseUrl"));
  try {
    const target = (kind: string) => ({ namespace: instance.namespace, kind, name: `${release}-mychart` });
    await simulateOperatorEdit(db, instance.cluster.name, target("Deployment"), {
      spec: { template: { spec: { containers: [{ name: "mychart", image: "nginx:hotfix" }] } } },
    });
    await simulateOperatorDelete(db, instance.cluster.name, target("Service"));
  } finally {
    await db.$disconnect();
  }

  await expect(section.getByTestId("drift-chip")).toHaveAttribute("data-drift", "drifted", {
    timeout: 40_000,
  });
  // The header shows it too.
  await expect(page.getByTestId("drift-chip")).toHaveCount(2);
  const objects = section.getByTestId("drifted-object");
  await expect(objects.filter({ hasText: `Deployment/${release}-mychart` })).toContainText(
    "spec.template.spec.containers[name=mychart].image",
  );
  await expect(objects.filter({ hasText: `Deployment/${release}-mychart` })).toContainText(
    '+ live: "nginx:hotfix"',
  );
  await expect(objects.filter({ hasText: `Service/${release}-mychart` })).toContainText("missing");
  await page.screenshot({ path: "/tmp/nemo-instance-drift.png", fullPage: true });

  // Re-sync asks first; Cancel changes nothing.
  await section.getByRole("button", { name: "Re-sync" }).click();
  const dialog = page.getByRole("dialog", { name: "Re-sync instance?" });
  await expect(dialog).toContainText(release);
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
  await section.getByRole("button", { name: "Re-sync" }).click();
  await dialog.getByRole("button", { name: "Re-sync" }).click();
  await expect(dialog).toBeHidden({ timeout: 30_000 });
  await expect(section.getByTestId("drift-chip")).toHaveAttribute("data-drift", "in_sync", {
    timeout: 30_000,
  });

  await page.getByRole("tab", { name: "Timeline" }).click();
  const events = page.getByTestId("timeline-event");
  await expect(events.first()).toHaveAttribute("data-type", "In sync", { timeout: 30_000 });
  await expect(events.nth(1)).toHaveAttribute("data-type", "Re-sync");
  await expect(events.nth(1)).toContainText("Re-synced by");
  await expect(page.locator('[data-testid="timeline-event"][data-type="Drifted"]')).toHaveCount(1);

  // The Workload Instances list shows the verdict as a chip too.
  await page.goto("/instances");
  await page.getByRole("searchbox", { name: "Search instances" }).fill(release);
  const row = page.getByRole("row").filter({ hasText: release });
  await expect(row.getByTestId("drift-chip")).toHaveAttribute("data-drift", "in_sync");
});
