import { type Page } from "@playwright/test";
import { createDb } from "@/server/db/client";
import { simulateOperatorEdit } from "@/server/clusters";
import { e2eEnv } from "./env";
import {
  acceptedWorkload,
  createInstanceByApi,
  ON_DEMO_CLUSTER,
  choose,
  expect,
  signIn,
  test,
} from "./fixtures";

/**
 * The deployment tree's drawer end to end, at 1024 px: the tree fits its
 * own viewport (zoom, fit; no sideways page scroll); a pod's Logs tab shows
 * the simulated container's log, switches container (the Deployment is given
 * a sidecar first, as an operator's edit would), and Follow brings new lines
 * as the simulated clock (the wall clock here) moves; the Events tab lists
 * the pod's lifecycle and the YAML tab the pod as the cluster holds it.
 */

const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e3)}`;

const pageScrollsSideways = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

test("a pod's logs, events and live YAML in the deployment tree's drawer", async ({ page }) => {
  test.setTimeout(180_000);
  await page.setViewportSize({ width: 1024, height: 768 });
  const release = `logs-${run}`;
  await signIn(page, "provider");
  const workloadId = await acceptedWorkload(page, `e2e-logs-${run}`);
  const { id } = await createInstanceByApi(page, { workloadId, releaseName: release, ...ON_DEMO_CLUSTER });
  await page.goto(`/instances/${id}`);
  await expect(page.getByTestId("instance-status")).toContainText("DEPLOYED", { timeout: 60_000 });

  // A sidecar in the pod template, added on the cluster (the chart has one container): the pods roll.
  const instance = (await (await page.request.get(`/api/v1/instance/${id}/`)).json()) as {
    namespace: string;
    cluster: { name: string };
  };
  const db = createDb(e2eEnv("databaseUrl"));
  try {
    await simulateOperatorEdit(
      db,
      instance.cluster.name,
      { namespace: instance.namespace, kind: "Deployment", name: `${release}-mychart` },
      {
        spec: {
          template: {
            spec: {
              containers: [
                { name: "mychart", image: "nginx:1.16.0" },
                { name: "log-shipper", image: "fluent/fluent-bit:3.1" },
              ],
            },
          },
        },
      },
    );
  } finally {
    await db.$disconnect();
  }

  await page.getByRole("tab", { name: "Deployment tree" }).click();
  const tree = page.getByTestId("deployment-tree");
  await expect(tree.locator('[data-kind="ReplicaSet"]')).toHaveCount(2, { timeout: 30_000 });
  const pod = tree.locator('[data-kind="Pod"]');
  await expect(pod).toHaveCount(1);
  await expect(pod).toHaveAttribute("data-health", "Healthy", { timeout: 30_000 });

  // Zoom and fit inside the tree's own viewport; the page never scrolls sideways.
  expect(await pageScrollsSideways(page)).toBeLessThanOrEqual(0);
  const zoom = tree.getByTestId("tree-zoom");
  await expect(zoom).toHaveText("100 %");
  await tree.getByRole("button", { name: "Zoom out" }).click();
  await expect(zoom).toHaveText("90 %");
  await tree.getByRole("button", { name: "Fit the whole tree" }).click();
  const fitted = await tree.getByTestId("tree-viewport").evaluate((el) => el.scrollWidth - el.clientWidth);
  expect(fitted).toBeLessThanOrEqual(0);
  // Keyboard: the viewport takes + and 0.
  await tree.getByTestId("tree-viewport").focus();
  await page.keyboard.press("0");
  await expect(zoom).toHaveText("100 %");
  expect(await pageScrollsSideways(page)).toBeLessThanOrEqual(0);
  await page.screenshot({ path: "/tmp/nemo-tree-1024.png", fullPage: true });

  await pod.click();
  const drawer = page.getByTestId("node-drawer");
  await drawer.getByRole("tab", { name: "Logs" }).click();
  const lines = drawer.getByTestId("log-line");
  await expect(lines.first()).toContainText("Starting mychart (nginx:1.16.0)", { timeout: 30_000 });
  await expect(drawer.getByTestId("pod-log")).toContainText("Ready to serve requests");

  await choose(page, "Container", "log-shipper");
  await expect(lines.first()).toContainText("Starting log-shipper (fluent/fluent-bit:3.1)", {
    timeout: 30_000,
  });

  // Follow: one event stream held open (no polling); the simulated container writes a few lines every
  // 5 s and they arrive as they are written, the view kept at the newest line.
  const before = await lines.count();
  const logQueries: string[] = [];
  page.on("request", (request) => {
    if (request.url().includes("instanceInspection.podLogs")) logQueries.push(request.url());
  });
  const stream = page.waitForResponse(
    (response) => response.url().includes(`/pods/`) && response.url().includes("/logs/stream/"),
  );
  await drawer.getByRole("switch", { name: "Follow" }).check();
  const streamed = await stream;
  expect(streamed.status()).toBe(200);
  expect(streamed.headers()["content-type"]).toContain("text/event-stream");
  expect(new URL(streamed.url()).searchParams.get("container")).toBe("log-shipper");
  await expect(drawer.getByTestId("follow-status")).toHaveText("Live", { timeout: 15_000 });
  await expect.poll(() => lines.count(), { timeout: 45_000 }).toBeGreaterThan(before);
  await expect(drawer).toContainText("following live");
  const log = drawer.getByTestId("pod-log");
  const atBottom = () => log.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight < 24);
  expect(await atBottom()).toBe(true);
  // Scrolling up pauses the auto-scroll; "Jump to latest" resumes it. (The box is made short first, so
  // the few lines the young container has written overflow it.)
  await log.evaluate((el) => {
    el.style.height = "60px";
    el.scrollTop = 0;
    el.dispatchEvent(new Event("scroll"));
  });
  const jump = drawer.getByTestId("log-jump-latest");
  await expect(jump).toBeVisible();
  await expect(drawer).toContainText("scrolling paused");
  await jump.click();
  await expect(jump).toBeHidden();
  await expect.poll(atBottom).toBe(true);
  // The tail was read once; following never polled it.
  expect(logQueries).toEqual([]);
  await page.screenshot({ path: "/tmp/nemo-pod-logs.png" });
  // Switching follow off closes the stream; on again goes on from the last line.
  await drawer.getByRole("switch", { name: "Follow" }).uncheck();
  await expect(drawer.getByTestId("follow-status")).toBeHidden();
  const again = page.waitForResponse((response) => response.url().includes("/logs/stream/"));
  await drawer.getByRole("switch", { name: "Follow" }).check();
  expect(new URL((await again).url()).searchParams.get("sinceCursor")).not.toBeNull();
  await expect(drawer.getByTestId("follow-status")).toHaveText("Live", { timeout: 15_000 });

  await drawer.getByRole("tab", { name: "Events" }).click();
  const events = drawer.getByTestId("event-row");
  await expect(events.filter({ hasText: "Scheduled" })).toHaveCount(1, { timeout: 30_000 });
  await expect(events.filter({ hasText: "Started container log-shipper" })).toHaveCount(1);

  await drawer.getByRole("tab", { name: "YAML" }).click();
  const yaml = drawer.getByTestId("live-yaml");
  await expect(yaml).toContainText("kind: Pod", { timeout: 30_000 });
  await expect(yaml).toContainText("containerStatuses:");
  await expect(yaml).toContainText("name: log-shipper");
  await page.screenshot({ path: "/tmp/nemo-pod-yaml.png" });
  await drawer.getByRole("button", { name: "Close" }).click();
  await expect(drawer).toBeHidden();
});
