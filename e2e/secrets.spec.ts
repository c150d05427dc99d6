import { randomUUID } from "node:crypto";
import type { Page } from "@playwright/test";
import { networkIntentYaml } from "@/server/testing/intent-examples";
import { e2eEnv } from "./env";
import { acceptedWorkload, expect, kubeconfig, sameOrigin, signIn, test } from "./fixtures";
import { readFindings, SECRET_CANARY, secretScanner, WATCH_HEADER } from "./secret-watch";

/**
 * Secrets never leave. A cluster is registered with a kubeconfig whose token
 * carries the canary, and a network intent with a canary bearer token; then
 * every screen and API answer that shows them is opened as each role that
 * may see them, while the secret watch in front of the app (secret-watch.ts)
 * reads every answer of the whole run. Global teardown fails the run on a
 * finding from any spec; this spec fails on one from its own flow.
 */
test.describe.configure({ mode: "serial", timeout: 120_000 });

const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e3)}`;
const CLUSTER = `e2e-secret-${run}`;
const KUBE_TOKEN = `${SECRET_CANARY}-kube-${run}`;
const BEARER = `${SECRET_CANARY}-bearer-${run}`;

/** Findings the watch recorded for answers whose URL mentions one of `marks`. */
function findingsAbout(...marks: string[]) {
  return readFindings(e2eEnv("secretFindings")).filter((f) => marks.some((m) => f.url.includes(m)));
}

async function openAndSettle(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForLoadState("networkidle");
}

let clusterId = "";
let intentId = "";
let instanceId = "";

test("an infrastructure provider's kubeconfig is never sent back: pages, REST and tRPC", async ({ page }) => {
  await signIn(page, "infra");
  const registered = await page.request.post("/api/v1/cluster/", {
    headers: sameOrigin(),
    data: {
      name: CLUSTER,
      managedApi: `sim://${CLUSTER}`,
      kubeconfig: kubeconfig(`sim://${CLUSTER}`, KUBE_TOKEN),
      cpus: 4,
      memoryGb: 8,
      storageGb: 50,
      vramGb: 0,
      availabilityPct: 99,
      greenEnergyPct: 20,
      cost: "low_cost",
      cpuBaseRate: 1,
      memoryBaseRate: 1,
    },
  });
  expect(registered.status(), await registered.text()).toBe(201);
  clusterId = ((await registered.json()) as { id: string }).id;
  await expect
    .poll(
      async () => {
        const r = await page.request.get(`/api/v1/cluster/${clusterId}/`);
        return ((await r.json()) as { status: string }).status;
      },
      { timeout: 45_000, intervals: [500] },
    )
    .toBe("OK");

  const clusters = await page.goto("/clusters");
  // Every answer of the run passes the watch: this one did.
  expect(clusters?.headers()[WATCH_HEADER]).toBe("1");
  await page.waitForLoadState("networkidle");
  await expect(page.getByRole("cell", { name: CLUSTER, exact: true }).first()).toBeVisible();
  await openAndSettle(page, `/clusters/${clusterId}/metrics`);
  await page.request.get(`/api/v1/cluster/?search=${CLUSTER}`);

  // A service provider and an admin look at the same cluster.
  for (const role of ["provider", "admin"] as const) {
    const context = await page
      .context()
      .browser()!
      .newContext({ baseURL: e2eEnv("baseUrl") });
    const other = await context.newPage();
    await signIn(other, role);
    await openAndSettle(other, "/clusters");
    await other.request.get(`/api/v1/cluster/${clusterId}/`);
    await context.close();
  }
  expect(findingsAbout("/cluster", "/api/trpc/cluster", "/clusters")).toEqual([]);
});

test("an intent's bearer token is redacted everywhere: list, report, YAML export, REST and tRPC", async ({
  page,
}) => {
  await signIn(page, "provider");
  const workloadId = await acceptedWorkload(page, `e2e-secrets-${run}`, ["Availability", "cloud_continuum"]);
  const created = await page.request.post("/api/v1/instance/", {
    headers: sameOrigin(),
    data: {
      workloadId,
      releaseName: `secret-${run}`.slice(0, 30),
      clusterName: "nemo-smart-farming",
      pinProposedCluster: true,
    },
  });
  expect(created.status(), await created.text()).toBe(201);
  instanceId = ((await created.json()) as { id: string }).id;

  const yaml = networkIntentYaml({ id: randomUUID(), instanceId, bearerToken: BEARER });
  const intent = await page.request.post("/api/v1/intent/", {
    headers: { ...sameOrigin(), "content-type": "application/yaml" },
    data: yaml,
  });
  expect(intent.status(), await intent.text()).toBe(201);
  intentId = ((await intent.json()) as { id: string }).id;

  for (const path of [`/api/v1/intent/${intentId}/`, `/api/v1/intent/${intentId}/yaml/`]) {
    const answer = await page.request.get(path);
    expect(answer.status()).toBe(200);
    // The value is redacted, but the answer still says a bearer token is there.
    expect(await answer.text()).toContain("<redacted>");
  }
  expect((await page.request.get("/api/v1/intent/")).status()).toBe(200);
  await openAndSettle(page, `/intents?instanceId=${instanceId}`);
  await openAndSettle(page, `/intents?report=${intentId}`);
  await openAndSettle(page, `/instances/${instanceId}`);

  const context = await page
    .context()
    .browser()!
    .newContext({ baseURL: e2eEnv("baseUrl") });
  const admin = await context.newPage();
  await signIn(admin, "admin");
  await openAndSettle(admin, `/intents?report=${intentId}`);
  await admin.request.get(`/api/v1/intent/${intentId}/yaml/`);
  await context.close();

  expect(findingsAbout("/intent", "/api/trpc", "/instances")).toEqual([]);
});

test("the watch finds a secret split across two chunks, once per answer", () => {
  const scanner = secretScanner([{ name: "canary", value: SECRET_CANARY }]);
  scanner.scan("…NEMO");
  scanner.scan(`CANARY… and again ${SECRET_CANARY}`);
  expect(scanner.found()).toEqual(["canary"]);
  const clean = secretScanner([{ name: "canary", value: SECRET_CANARY }]);
  clean.scan("NEMO CANARY");
  expect(clean.found()).toEqual([]);
});
