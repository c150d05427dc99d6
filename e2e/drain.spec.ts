import {
  acceptedWorkload,
  createInstanceByApi,
  expect,
  kubeconfig,
  sameOrigin,
  signIn,
  test,
} from "./fixtures";

/**
 * Cluster drain end to end: an infrastructure provider registers a simulated
 * cluster of their own (the demo clusters carry other specs' instances, and
 * a cordoned demo cluster would change their placements), a service provider
 * pins an instance to it, the provider drains the cluster from its page and
 * watches the instance move through the migration protocol, then uncordons
 * it. And the clusters table at 1024 px: no sideways scrolling of the page.
 */
test.describe.configure({ mode: "serial", timeout: 180_000 });

const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e3)}`;
const CLUSTER = `e2e-drain-${run}`;

test("an infrastructure provider drains a cluster with an instance and sees it move", async ({ browser }) => {
  const infraContext = await browser.newContext();
  const providerContext = await browser.newContext();
  const infra = await infraContext.newPage();
  const provider = await providerContext.newPage();
  try {
    await signIn(infra, "infra");
    const registered = await infra.request.post("/api/v1/cluster/", {
      headers: sameOrigin(),
      data: {
        name: CLUSTER,
        managedApi: `sim://${CLUSTER}`,
        kubeconfig: kubeconfig(`sim://${CLUSTER}`),
        cpus: 16,
        memoryGb: 64,
        storageGb: 500,
        vramGb: 0,
        // 90 %: never a target of the migration specs' "availability > 95" intents.
        availabilityPct: 90,
        greenEnergyPct: 60,
        cost: "low_cost",
        cpuBaseRate: 10,
        memoryBaseRate: 5,
        region: "e2e-lab",
      },
    });
    expect(registered.status()).toBe(201);
    const cluster = (await registered.json()) as { id: string; region: string | null };
    expect(cluster.region).toBe("e2e-lab");
    await expect
      .poll(
        async () =>
          ((await (await infra.request.get(`/api/v1/cluster/${cluster.id}/`)).json()) as { status: string })
            .status,
        { timeout: 60_000 },
      )
      .toBe("OK");

    await signIn(provider, "provider");
    const workloadId = await acceptedWorkload(provider, `e2e-drain-${run}`);
    const { id, shortId } = await createInstanceByApi(provider, {
      workloadId,
      releaseName: `drain-${run}`,
      clusterName: CLUSTER,
      pinProposedCluster: true,
    });
    const whereIs = async () =>
      (await (await provider.request.get(`/api/v1/instance/${id}/`)).json()) as {
        status: string;
        cluster: { name: string } | null;
      };
    await expect
      .poll(
        async () => {
          const instance = await whereIs();
          return `${instance.status} ${instance.cluster?.name ?? "-"}`;
        },
        { timeout: 90_000 },
      )
      .toBe(`DEPLOYED ${CLUSTER}`);

    await infra.goto(`/clusters/${cluster.id}/metrics`);
    const panel = infra.getByTestId("drain-panel");
    await expect(panel.getByTestId("drain-summary")).toContainText("1 instance(s) run on it");
    await panel.getByRole("button", { name: "Drain cluster" }).click();
    const confirm = infra.getByRole("dialog", { name: `Drain ${CLUSTER}?` });
    await expect(confirm).toContainText("migrates to another cluster");
    await confirm.getByRole("button", { name: "Drain", exact: true }).click();
    await expect(confirm).toBeHidden();

    // Live progress, without a reload: cordoned at once, then 1 of 1 moved.
    await expect(panel.getByTestId("drain-summary")).toContainText("Cordoned by infra");
    await expect(panel.getByTestId("drain-summary")).toContainText("Nothing runs on it any more", {
      timeout: 120_000,
    });
    const row = panel.getByTestId(`drain-row-${shortId}`);
    await expect(row).toContainText("Moved");
    await expect(row).toContainText("Now on");
    await infra.screenshot({ path: "/tmp/nemo-cluster-drained.png", fullPage: true });
    // It ends DEPLOYED elsewhere. Polled: the cluster it moved to may be another
    // spec's, which that spec drains in turn (clusters.spec deregisters its own),
    // so the instance can be MIGRATING again for a while, never back on CLUSTER.
    await expect
      .poll(
        async () => {
          const moved = await whereIs();
          return moved.cluster?.name === CLUSTER ? `back on ${CLUSTER}` : moved.status;
        },
        { timeout: 120_000 },
      )
      .toBe("DEPLOYED");

    // The migration says why it started.
    await provider.goto(`/instances/${id}?tab=migrations`);
    await expect(provider.getByText(`Cluster ${CLUSTER} drained by infra`).first()).toBeVisible({
      timeout: 30_000,
    });

    // The clusters table shows the cordon; Uncordon lifts it.
    await infra.goto("/clusters");
    await infra.getByRole("searchbox", { name: "Search clusters" }).fill(CLUSTER);
    const tableRow = infra.getByRole("row").filter({ hasText: CLUSTER });
    await expect(tableRow.getByTestId("cordoned-chip")).toBeVisible();
    await expect(tableRow).toContainText("e2e-lab");
    await infra.goto(`/clusters/${cluster.id}/metrics`);
    await panel.getByRole("button", { name: "Uncordon" }).click();
    await expect(panel.getByTestId("drain-summary")).toContainText("Not cordoned");
  } finally {
    await infraContext.close();
    await providerContext.close();
  }
});

test("the clusters table fits a 1024 px window without scrolling the page sideways", async ({ page }) => {
  await page.setViewportSize({ width: 1024, height: 768 });
  await signIn(page, "admin");
  await page.goto("/clusters");
  const table = page.getByRole("table", { name: "clusters" });
  await expect(table.getByRole("row").filter({ hasText: "dev-onelab" })).toBeVisible();
  // What intents depend on is there; less important columns made way.
  for (const header of ["Name", "Status", "Availability", "Green energy", "Cost class"])
    await expect(table.getByRole("columnheader", { name: header })).toBeVisible();
  await expect(table.getByRole("columnheader", { name: "Endpoint" })).toBeHidden();
  // The region goes under the name below 1200 px.
  await expect(table.getByRole("columnheader", { name: "Region" })).toBeHidden();
  await expect(
    table.getByRole("row").filter({ hasText: "dev-onelab" }).getByTestId("region-caption"),
  ).toHaveText("eu-west");
  const overflow = await page.evaluate(() => ({
    page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    table: (() => {
      const container = document.querySelector("table[aria-label='clusters']")?.parentElement;
      return container ? container.scrollWidth - container.clientWidth : -1;
    })(),
  }));
  expect(overflow.page).toBeLessThanOrEqual(0);
  expect(overflow.table).toBeLessThanOrEqual(0);
  // Sorting by availability is the server's: the highest first after two clicks.
  await table.getByRole("button", { name: "Availability" }).click();
  await table.getByRole("button", { name: /Availability/ }).click();
  await expect(table.getByRole("row").nth(1)).toContainText("99.9 %");
  await page.screenshot({ path: "/tmp/nemo-clusters-1024.png", fullPage: true });
});
