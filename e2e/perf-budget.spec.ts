import { gzipSync } from "node:zlib";
import type { Browser, BrowserContext, Page, Request } from "@playwright/test";
import { e2eEnv } from "./env";
import { acceptedWorkload, expect, sameOrigin, signIn, test } from "./fixtures";

/**
 * Performance budget (docs/architecture.md), measured against the
 * built app (`next start`) in Chromium and printed as `perf-budget:` lines:
 *
 * - First-load JavaScript per console route: the script files the browser
 *   downloads for a cold load of the route (a fresh browser context, so an
 *   empty cache, signed in as the demo admin) until the page shows its content
 *   and is idle after hydration. Each file counts with its gzip size: the body
 *   bytes on the wire when `next start` sent it gzip-encoded (it gzips
 *   responses of 1 KB or more, level 6), otherwise the file gzipped here at the
 *   same level. Inline scripts of the HTML (the RSC payload) are not counted,
 *   as in Next's own "First Load JS". Budget: 350 KB per route (1 KB = 1000 bytes).
 * - LCP (largest-contentful-paint, from navigation start) of the home page, a
 *   list page (/instances) and an instance page: the median of 3 cold loads,
 *   each read once the page shows its data. Budget: 1 s on localhost.
 *
 * Every figure is printed against its budget; a figure over budget is flagged
 * (and annotated on the test). The spec fails on:
 * - first-load JS above the budget itself (350 KB gz), on any route. The
 *   bytes of one build are the same on every run, so this line does not
 *   flake; every route is within it (the heaviest, the instance page, about
 *   332 KB: its other tabs load when opened, it draws its charts without a
 *   charting library, and zod stays on the server);
 * - a median LCP above 4 × the budget (4 s): only a big regression. LCP is
 *   wall-clock time on a 2-core machine shared with the rest of the suite
 *   (and at times with other jobs): the instance page measured 1.0–1.6 s on
 *   a quiet machine and 1.4–3.0 s with other tests running beside it, so a
 *   tighter line would fail on load, not on a regression.
 */

const JS_BUDGET_BYTES = 350_000;
const JS_FAIL_FACTOR = 1;
const LCP_BUDGET_MS = 1_000;
const LCP_FAIL_FACTOR = 4;
const LCP_LOADS = 3;

const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e3)}`;
/** A demo cluster no other spec places on or watches. */
const CLUSTER = "k3s-onelab";

interface Route {
  path: string;
  /** The route pattern, for the report. */
  label: string;
  /** The page's h1: proves the route itself was measured, not a sign-in or error page. */
  heading: string | RegExp;
  /** Pages whose LCP is measured: their name in the report, and when their data is on screen. */
  lcp?: { label: string; ready(page: Page): Promise<void> };
}

interface ScriptFile {
  url: string;
  gzipBytes: number;
  rawBytes: number;
  /** True when the figure is the gzip-encoded transfer size; false when gzipped here. */
  onTheWire: boolean;
}

interface LcpSample {
  ms: number;
  /** The LCP element, for the log: `p "Instance of …"`. */
  element: string;
}

type StorageState = Awaited<ReturnType<BrowserContext["storageState"]>>;

const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} KB`;

function log(line: string): void {
  console.log(`perf-budget: ${line}`);
}

/** What one script request cost: its gzip size (as transferred, or computed) and its raw size. */
async function scriptFile(request: Request): Promise<ScriptFile> {
  const response = await request.response();
  if (!response) throw new Error(`script ${request.url()} failed: ${request.failure()?.errorText ?? "?"}`);
  expect(response.status(), `status of ${request.url()}`).toBe(200);
  const body = await response.body();
  const encoding = (await response.headerValue("content-encoding")) ?? "";
  const { responseBodySize } = await request.sizes();
  const onTheWire = encoding === "gzip" && responseBodySize > 0;
  return {
    url: request.url(),
    gzipBytes: onTheWire ? responseBodySize : gzipSync(body).length,
    rawBytes: body.length,
    onTheWire,
  };
}

/** Resolves once the main thread is idle (hydration done, its lazy imports requested). */
async function idle(page: Page): Promise<void> {
  await page.evaluate(
    () => new Promise<void>((resolve) => requestIdleCallback(() => resolve(), { timeout: 5_000 })),
  );
}

/** The LCP so far, read two frames after the caller saw the page's data painted. */
async function readLcp(page: Page): Promise<LcpSample> {
  return page.evaluate(
    () =>
      new Promise<LcpSample>((resolve) => {
        requestAnimationFrame(() =>
          requestAnimationFrame(() => {
            new PerformanceObserver((list) => {
              const entry = list.getEntries().at(-1) as LargestContentfulPaint | undefined;
              const element = entry?.element;
              const text = element?.textContent?.replace(/\s+/g, " ").trim().slice(0, 40) ?? "";
              resolve({
                ms: entry?.startTime ?? Number.NaN,
                element: element ? `${element.tagName.toLowerCase()} "${text}"` : "?",
              });
            }).observe({ type: "largest-contentful-paint", buffered: true });
            // No LCP entry at all: reported as NaN, which fails the spec.
            setTimeout(() => resolve({ ms: Number.NaN, element: "none" }), 5_000);
          }),
        );
      }),
  );
}

/**
 * One cold load of a route: a fresh browser context (empty cache) with the
 * signed-in session. Optionally reads its LCP, and collects the script files
 * it downloaded until a round of idleness requests no further chunk
 * (next/dynamic, lazy imports).
 */
async function coldLoad(
  browser: Browser,
  storageState: StorageState,
  route: Route,
  measure: { lcp: boolean; scripts: boolean },
): Promise<{ files: ScriptFile[]; lcp: LcpSample | null }> {
  const context = await browser.newContext({ baseURL: e2eEnv("baseUrl"), storageState });
  try {
    const page = await context.newPage();
    const requests: Request[] = [];
    if (measure.scripts) {
      page.on("request", (request) => {
        if (request.resourceType() === "script") requests.push(request);
      });
    }
    await page.goto(route.path, { waitUntil: "load" });
    await expect(page).toHaveURL(new URL(route.path, e2eEnv("baseUrl")).href);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(route.heading);
    await route.lcp?.ready(page);
    const lcp = measure.lcp ? await readLcp(page) : null;
    let seen = -1;
    while (measure.scripts && seen !== requests.length) {
      seen = requests.length;
      await Promise.all(requests.map(async (request) => (await request.response())?.finished()));
      await idle(page);
    }
    const unique = [...new Map(requests.map((request) => [request.url(), request])).values()];
    return { files: await Promise.all(unique.map(scriptFile)), lcp };
  } finally {
    await context.close();
  }
}

/** Runs `task` over `items`, at most `size` at a time. */
async function inPool<T>(items: readonly T[], size: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < items.length; i = next++) await task(items[i] as T);
  };
  await Promise.all(Array.from({ length: size }, lane));
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

test("performance budget: first-load JS per route within budget, LCP printed (fails only on a big regression)", async ({
  page,
  browser,
}) => {
  // Twelve cold loads, each waiting for the browser to go idle (lazy tabs and charts): minutes on a busy two-core machine.
  test.setTimeout(300_000);
  const started = Date.now();

  // Signed in once as the admin (every area is theirs); each load below starts from this session.
  await signIn(page, "admin");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(/^Welcome, /);
  const storageState = await page.context().storageState();

  // Something to show on the detail pages: an accepted workload and an instance of it.
  const workloadId = await acceptedWorkload(page, `e2e-perf-${run}`);
  const release = `perf-${run}`;
  const created = await page.request.post("/api/v1/instance/", {
    headers: sameOrigin(),
    data: { workloadId, releaseName: release, clusterName: CLUSTER, pinProposedCluster: true },
  });
  expect(created.status()).toBe(201);
  const { id: instanceId } = (await created.json()) as { id: string };
  const clusters = await page.request.get(`/api/v1/cluster/?search=${CLUSTER}`);
  expect(clusters.status()).toBe(200);
  const cluster = ((await clusters.json()) as { items: { id: string; name: string }[] }).items.find(
    (c) => c.name === CLUSTER,
  );
  if (!cluster) throw new Error(`demo cluster ${CLUSTER} not found`);

  const routes: Route[] = [
    {
      path: "/",
      label: "/",
      heading: /^Welcome, /,
      lcp: {
        label: "/ (home)",
        ready: async (p) => {
          await expect(p.getByRole("navigation", { name: "Console areas" })).toBeVisible();
        },
      },
    },
    { path: "/workloads", label: "/workloads", heading: "Workload Monitoring" },
    { path: `/workloads/${workloadId}/manifests`, label: "/workloads/[id]/manifests", heading: "Manifests" },
    {
      path: "/instances",
      label: "/instances",
      heading: "Workload Instances",
      lcp: {
        label: "/instances (list)",
        ready: async (p) => {
          const table = p.getByRole("table", { name: "instances" });
          await expect(table.getByRole("row").nth(1)).toBeVisible();
          await expect(table).toHaveAttribute("aria-busy", "false");
        },
      },
    },
    { path: "/instances/new", label: "/instances/new", heading: "New instance" },
    {
      path: `/instances/${instanceId}`,
      label: "/instances/[id]",
      heading: release,
      lcp: {
        label: "/instances/[id]",
        ready: async (p) => {
          await expect(p.getByTestId("instance-details")).toBeVisible();
        },
      },
    },
    { path: "/intents", label: "/intents", heading: "Intent Management" },
    { path: "/intents/new", label: "/intents/new", heading: "New intent" },
    { path: "/clusters", label: "/clusters", heading: "Resource Provisioning" },
    {
      path: `/clusters/${cluster.id}/metrics`,
      label: "/clusters/[id]/metrics",
      heading: `${CLUSTER} metrics`,
    },
    { path: "/orchestration", label: "/orchestration", heading: "Orchestration" },
    // The admin's Accounting page: its charts (recharts) load when scrolled to, the region dialog
    // (and zod) when opened (532.9 KB gz before, 7 Dec).
    { path: "/accounting", label: "/accounting", heading: "Accounting" },
    { path: "/accounting/datasets", label: "/accounting/datasets", heading: "Accounting" },
  ];

  // Byte counts do not depend on timing: the routes without an LCP figure load three at a time.
  const scripts = new Map<Route, ScriptFile[]>();
  const jsStarted = Date.now();
  await inPool(
    routes.filter((route) => !route.lcp),
    3,
    async (route) => {
      scripts.set(route, (await coldLoad(browser, storageState, route, { lcp: false, scripts: true })).files);
    },
  );
  const jsSeconds = (Date.now() - jsStarted) / 1000;
  // One load at a time, so that each LCP has the browser to itself; the first load of each
  // page also gives its first-load JS.
  const lcps = new Map<Route, LcpSample[]>();
  const lcpStarted = Date.now();
  for (const route of routes.filter((r) => r.lcp)) {
    const samples: LcpSample[] = [];
    for (let i = 0; i < LCP_LOADS; i++) {
      const load = await coldLoad(browser, storageState, route, { lcp: true, scripts: i === 0 });
      if (i === 0) scripts.set(route, load.files);
      if (load.lcp) samples.push(load.lcp);
    }
    lcps.set(route, samples);
  }
  const lcpSeconds = (Date.now() - lcpStarted) / 1000;

  const over: string[] = [];
  log(
    `first-load JS = script files a cold, signed-in load downloads until it shows its content and is idle; ` +
      `gzip size (gzip-encoded bytes on the wire from next start; files it sends unencoded are gzipped here, level 6); ` +
      `1 KB = 1000 bytes; fails above ${JS_FAIL_FACTOR} × budget = ${kb(JS_BUDGET_BYTES * JS_FAIL_FACTOR)}`,
  );
  const width = Math.max(...routes.map((r) => r.label.length));
  for (const route of routes) {
    const files = scripts.get(route) ?? [];
    const gzip = files.reduce((sum, f) => sum + f.gzipBytes, 0);
    const raw = files.reduce((sum, f) => sum + f.rawBytes, 0);
    const wire = files.filter((f) => f.onTheWire).length;
    const flag = gzip > JS_BUDGET_BYTES ? `  OVER BUDGET (${(gzip / JS_BUDGET_BYTES).toFixed(2)} ×)` : "";
    if (flag) over.push(`${route.label} JS`);
    log(
      `${route.label.padEnd(width)} first-load JS ${kb(gzip).padStart(9)} gz (budget ${JS_BUDGET_BYTES / 1000} KB) ` +
        `[${files.length} files, ${wire} gzip-encoded on the wire, ${kb(raw)} uncompressed]${flag}`,
    );
    expect(files.length, `${route.label}: script files seen`).toBeGreaterThan(0);
    expect
      .soft(gzip, `${route.label}: first-load JS (gz bytes) within ${JS_FAIL_FACTOR} × the budget`)
      .toBeLessThanOrEqual(JS_BUDGET_BYTES * JS_FAIL_FACTOR);
  }

  log(
    `LCP = largest-contentful-paint from navigation start, median of ${LCP_LOADS} cold signed-in loads, ` +
      `read once the page shows its data; localhost, machine shared with the rest of the suite; ` +
      `fails only above ${LCP_FAIL_FACTOR} × budget = ${LCP_BUDGET_MS * LCP_FAIL_FACTOR} ms`,
  );
  const lcpWidth = Math.max(...[...lcps.keys()].map((r) => r.lcp?.label.length ?? 0));
  for (const [route, samples] of lcps) {
    const label = route.lcp?.label ?? route.label;
    const lcp = median(samples.map((sample) => sample.ms));
    const element = samples.find((sample) => sample.ms === lcp)?.element ?? "?";
    const flag = lcp > LCP_BUDGET_MS ? `  OVER BUDGET (${(lcp / LCP_BUDGET_MS).toFixed(2)} ×)` : "";
    if (flag) over.push(`${label} LCP`);
    log(
      `${label.padEnd(lcpWidth)} LCP ${`${Math.round(lcp)} ms`.padStart(7)} (budget ${LCP_BUDGET_MS} ms) ` +
        `[loads: ${samples.map((sample) => `${Math.round(sample.ms)} ms`).join(", ")}; element: ${element}]${flag}`,
    );
    expect(
      samples.length === LCP_LOADS && samples.every((sample) => Number.isFinite(sample.ms)),
      `${label}: every load reports an LCP entry`,
    ).toBe(true);
    expect
      .soft(lcp, `${label}: median LCP (ms) within ${LCP_FAIL_FACTOR} × the budget`)
      .toBeLessThanOrEqual(LCP_BUDGET_MS * LCP_FAIL_FACTOR);
  }

  log(
    `${over.length === 0 ? "all figures within budget" : `over budget (JS fails; LCP is flagged): ${over.join(", ")}`}; ` +
      `measured in ${((Date.now() - started) / 1000).toFixed(1)} s ` +
      `(setup ${((jsStarted - started) / 1000).toFixed(1)} s, first-load JS ${jsSeconds.toFixed(1)} s, ` +
      `LCP loads ${lcpSeconds.toFixed(1)} s)`,
  );
  if (over.length > 0) test.info().annotations.push({ type: "perf-budget", description: over.join(", ") });
});
