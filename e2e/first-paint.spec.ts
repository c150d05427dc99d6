import type { Page } from "@playwright/test";
import { acceptedWorkload, expect, sameOrigin, signIn, test } from "./fixtures";

/**
 * Pages prefetch their first query on the server and hydrate it: the HTML the server sends — what the first
 * paint shows, before any script runs — already holds the rows, not a
 * loading skeleton. Read here as plain HTTP with the signed-in session's
 * cookies, so no JavaScript runs at all.
 */

const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e3)}`;
/** A demo cluster no other spec places on or watches. */
const CLUSTER = "k3s-onelab";

async function serverHtml(page: Page, path: string): Promise<string> {
  const response = await page.request.get(path, { maxRedirects: 0 });
  expect(response.status(), `status of ${path}`).toBe(200);
  const html = await response.text();
  expect(html, `${path} has a loading skeleton`).not.toContain("MuiSkeleton");
  return html;
}

test("list pages and the instance page arrive with their data: no skeleton on first paint", async ({
  page,
}) => {
  await signIn(page, "admin");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(/^Welcome, /);

  const name = `e2e-paint-${run}`;
  const release = `paint-${run}`;
  const workloadId = await acceptedWorkload(page, name);
  const created = await page.request.post("/api/v1/instance/", {
    headers: sameOrigin(),
    data: { workloadId, releaseName: release, clusterName: CLUSTER, pinProposedCluster: true },
  });
  expect(created.status()).toBe(201);
  const instance = (await created.json()) as { id: string; shortId: string };

  expect(await serverHtml(page, "/workloads")).toContain(name);
  expect(await serverHtml(page, "/clusters")).toContain(CLUSTER);
  // The URL's filter is part of the first query: the filtered rows are in the HTML.
  expect(await serverHtml(page, `/instances?workload=${workloadId}`)).toContain(release);
  const intents = await serverHtml(page, `/intents?instanceId=${instance.id}`);
  expect(intents).toContain("No intents on this instance");
  expect(intents).toContain(`Instance ${release} (${instance.shortId})`);
  expect(await serverHtml(page, "/orchestration")).toMatch(/>\d+ migrations?</);

  const detail = await serverHtml(page, `/instances/${instance.id}`);
  expect(detail).toContain(release);
  expect(detail).toContain('data-testid="instance-details"');
  expect(detail).toContain("Why this cluster?");

  // In the browser the prefetched data hydrates as it is: no mismatch, no error, no skeleton.
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  await page.goto(`/instances/${instance.id}`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(release);
  await expect(page.getByTestId("instance-details")).toBeVisible();
  await page.goto(`/instances?workload=${workloadId}`);
  await expect(page.getByRole("row").filter({ hasText: release })).toBeVisible();
  expect(errors.filter((e) => /hydrat/i.test(e))).toEqual([]);
});
