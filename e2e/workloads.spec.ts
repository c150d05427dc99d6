import type { Page } from "@playwright/test";
import { packChartDirectory, packTarGz } from "@/server/workloads/tar-writer";
import { expect, MYCHART, sameOrigin, signIn, test } from "./fixtures";

const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

async function packMychart(): Promise<Buffer> {
  return packChartDirectory(MYCHART);
}

async function createWorkload(page: Page, name: string, version: string): Promise<void> {
  await page.getByRole("button", { name: "Create Workload" }).click();
  const dialog = page.getByRole("dialog", { name: "Create Workload" });
  await expect(dialog).toBeVisible();
  await dialog.getByRole("textbox", { name: "Name" }).fill(name);
  await dialog.getByRole("textbox", { name: "Version" }).fill(version);
  await dialog.getByRole("button", { name: "Create" }).click();
}

const row = (page: Page, name: string) => page.getByRole("row").filter({ hasText: name });

test("a service provider registers a workload, uploads mychart, sees it ACCEPTED and views its manifests", async ({
  page,
}) => {
  // Several steps with a real chart render each: give it room on a busy CI machine.
  test.slow();
  const name = unique("e2e-web");
  await signIn(page, "provider");
  await page.goto("/workloads");
  await expect(page.getByRole("columnheader", { name: /^Actions$/ })).toBeVisible();

  // The form from the keyboard: supported intents from the catalogue, ingress left at False.
  await page.getByRole("button", { name: "Create Workload" }).click();
  const dialog = page.getByRole("dialog", { name: "Create Workload" });
  await expect(dialog.getByRole("textbox", { name: "Name" })).toBeFocused();
  await page.keyboard.type(name);
  await page.keyboard.press("Tab");
  await page.keyboard.type("1.0.0");
  await dialog.getByRole("combobox", { name: "Supported Intents" }).click();
  await page.getByRole("option", { name: /^Availability/ }).click();
  await page.getByRole("option", { name: /^Green energy/ }).click();
  await page.keyboard.press("Escape");
  await expect(dialog.getByRole("combobox", { name: "Ingress Support" })).toHaveText("False");
  await page.screenshot({ path: "/tmp/nemo-workload-create.png" });
  await dialog.getByRole("button", { name: "Create" }).click();
  await expect(dialog).toBeHidden({ timeout: 15_000 });

  await expect(row(page, name)).toContainText("PENDING", { timeout: 15_000 });
  await expect(row(page, name)).toContainText("provider");
  await expect(page.getByRole("button", { name: `Create instance of ${name} 1.0.0` })).toBeDisabled();
  await page.screenshot({ path: "/tmp/nemo-workloads-provider.png", fullPage: true });

  await page.getByRole("button", { name: `Upload Helm chart for ${name} 1.0.0` }).click();
  const upload = page.getByRole("dialog", { name: "Upload Helm chart" });
  await upload.getByTestId("chart-file-input").setInputFiles({
    name: "mychart-0.1.0.tgz",
    mimeType: "application/gzip",
    buffer: await packMychart(),
  });
  await expect(upload.getByTestId("chosen-file")).toContainText("mychart-0.1.0.tgz");
  await upload.getByRole("button", { name: "Upload" }).click();
  await expect(upload.getByTestId("upload-result")).toContainText("Chart accepted", { timeout: 20_000 });
  await expect(upload.getByTestId("upload-result")).toContainText(`${name} 1.0.0 is now ACCEPTED`);
  await page.screenshot({ path: "/tmp/nemo-workload-upload-accepted.png" });
  await upload.getByRole("button", { name: "Done" }).click();

  await expect(row(page, name)).toContainText("ACCEPTED");
  // Accepted means immutable: no new chart, no delete — once unused it is archived instead.
  await expect(page.getByRole("button", { name: `Upload Helm chart for ${name} 1.0.0` })).toBeDisabled();
  await expect(page.getByRole("button", { name: `Delete ${name} 1.0.0` })).toHaveCount(0);
  await expect(page.getByRole("button", { name: `Archive ${name} 1.0.0` })).toBeEnabled();
  await expect(page.getByRole("link", { name: `Create instance of ${name} 1.0.0` })).toHaveAttribute(
    "href",
    /^\/instances\/new\?workload=\d+$/,
  );

  await page.getByRole("link", { name: `View manifests of ${name} 1.0.0` }).click();
  await expect(page).toHaveURL(/\/workloads\/\d+\/manifests$/);
  await expect(page.getByTestId("manifest-workload")).toContainText(name);
  const documents = page.getByTestId("manifest-list").getByRole("button");
  await expect(documents).toHaveCount(4);
  await expect(documents.nth(2)).toContainText("Deployment");
  await expect(documents.nth(2)).toContainText("mychart/templates/deployment.yaml");
  await documents.nth(2).click();
  await expect(page.getByTestId("manifest-title")).toHaveText("Deployment/release-name-mychart");
  await expect(page.getByTestId("manifest-yaml")).toContainText("kind: Deployment");
  await expect(page.getByTestId("manifest-yaml")).toContainText('image: "nginx:1.16.0"');
  await page.screenshot({ path: "/tmp/nemo-workload-manifests.png", fullPage: true });
});

test("a duplicate name + version is refused on the Version field", async ({ page }) => {
  test.slow();
  const name = unique("e2e-dup");
  await signIn(page, "provider");
  await page.goto("/workloads");
  await createWorkload(page, name, "2.0.0");
  await expect(row(page, name)).toContainText("PENDING", { timeout: 15_000 });

  await createWorkload(page, name, "2.0.0");
  const dialog = page.getByRole("dialog", { name: "Create Workload" });
  const version = dialog.getByRole("textbox", { name: "Version" });
  await expect(version).toHaveAttribute("aria-invalid", "true");
  await expect(dialog.getByText(`A workload named ${name} with version 2.0.0 already exists.`)).toBeVisible();
  await page.screenshot({ path: "/tmp/nemo-workload-duplicate.png" });

  // Another version of the same name is fine; a non-SemVer one is refused on the field.
  await version.fill("2.0");
  await dialog.getByRole("button", { name: "Create" }).click();
  await expect(dialog.getByText("Use a SemVer version such as 1.0.0 or 2.1.0-rc.1.")).toBeVisible();
  await version.fill("2.0.1");
  await dialog.getByRole("button", { name: "Create" }).click();
  await expect(dialog).toBeHidden({ timeout: 15_000 });
  await expect(page.getByRole("row").filter({ hasText: "2.0.1" }).filter({ hasText: name })).toBeVisible();
});

test("a chart archive with ../ entries or a broken template is refused and the workload stays PENDING", async ({
  page,
}) => {
  test.slow();
  const name = unique("e2e-evil");
  await signIn(page, "provider");
  await page.goto("/workloads");
  await createWorkload(page, name, "1.0.0");
  await expect(row(page, name)).toContainText("PENDING", { timeout: 15_000 });

  await page.getByRole("button", { name: `Upload Helm chart for ${name} 1.0.0` }).click();
  const upload = page.getByRole("dialog", { name: "Upload Helm chart" });
  const evil = packTarGz([
    { path: "evil/Chart.yaml", content: "apiVersion: v2\nname: evil\nversion: 1.0.0\n" },
    { path: "evil/../../etc/cron.d/evil", content: "* * * * * root true\n" },
  ]);
  await upload
    .getByTestId("chart-file-input")
    .setInputFiles({ name: "evil.tgz", mimeType: "application/gzip", buffer: evil });
  await upload.getByRole("button", { name: "Upload" }).click();
  const result = upload.getByTestId("upload-result");
  await expect(result).toContainText("Chart not accepted");
  await expect(result).toContainText('Entry "evil/../../etc/cron.d/evil" contains ".."');
  await page.screenshot({ path: "/tmp/nemo-workload-upload-refused.png" });
  // A chart whose template does not render: the first error with its file and line.
  const broken = packTarGz([
    { path: "shop/Chart.yaml", content: "apiVersion: v2\nname: shop\nversion: 0.1.0\n" },
    {
      path: "shop/templates/cm.yaml",
      content: "kind: ConfigMap\nmetadata:\n  name: {{ .Values.name | nope }}\n",
    },
  ]);
  await upload.getByTestId("chart-file-input").setInputFiles({
    name: "shop-0.1.0.tgz",
    mimeType: "application/gzip",
    buffer: broken,
  });
  await upload.getByRole("button", { name: "Upload" }).click();
  await expect(result).toContainText('function "nope" not defined');
  await expect(upload.getByTestId("problem-location")).toHaveText("shop/templates/cm.yaml:3");
  await upload.getByRole("button", { name: "Close" }).click();
  await expect(row(page, name)).toContainText("PENDING", { timeout: 15_000 });

  // The manifest viewer shows the same problem in its error panel.
  await page.getByRole("link", { name: `View manifests of ${name} 1.0.0` }).click();
  await expect(page.getByTestId("render-error")).toContainText("The chart failed to render");
  await expect(page.getByTestId("render-error")).toContainText("shop/templates/cm.yaml:3");
  await page.screenshot({ path: "/tmp/nemo-workload-manifests-error.png", fullPage: true });
  await page.goto("/workloads");

  // A PENDING workload can be deleted, after confirming.
  await page.getByRole("button", { name: `Delete ${name} 1.0.0` }).click();
  const confirm = page.getByRole("dialog", { name: "Delete workload?" });
  await confirm.getByRole("button", { name: "Delete" }).click();
  await expect(confirm).toBeHidden();
  await expect(row(page, name)).toHaveCount(0);
});

test("another service provider cannot see a workload; an admin can", async ({ page, browser }) => {
  test.slow();
  const name = unique("e2e-private");
  await signIn(page, "provider");
  const created = await page.request.post("/api/v1/workload/", {
    headers: sameOrigin(),
    data: { name, version: "1.0.0" },
  });
  expect(created.status()).toBe(201);
  const { id } = (await created.json()) as { id: number };
  const uploaded = await page.request.post("/api/v1/workload/upload/", {
    headers: sameOrigin(),
    multipart: {
      workload_id: String(id),
      file: { name: "mychart.tgz", mimeType: "application/gzip", buffer: await packMychart() },
    },
  });
  expect(uploaded.status()).toBe(200);

  const other = await browser.newPage();
  await signIn(other, "provider2");
  await other.goto("/workloads");
  await other.getByRole("searchbox", { name: "Search workloads" }).fill(name);
  await expect(other.getByTestId("empty-state")).toContainText("No workloads match");
  expect((await other.request.get(`/api/v1/workload/${id}/`)).status()).toBe(404);
  await other.goto(`/workloads/${id}/manifests`);
  await expect(other.getByRole("alert").filter({ hasText: "Workload not found" })).toContainText(
    `Workload ${id} was not found.`,
  );
  await other.close();

  const admin = await browser.newPage();
  await signIn(admin, "admin");
  await admin.goto("/workloads");
  await admin.getByRole("searchbox", { name: "Search workloads" }).fill(name);
  await expect(row(admin, name)).toContainText("ACCEPTED");
  await expect(row(admin, name)).toContainText("provider");
  await admin.screenshot({ path: "/tmp/nemo-workloads-admin.png", fullPage: true });
  await admin.goto(`/workloads/${id}/manifests`);
  await expect(admin.getByTestId("manifest-list").getByRole("button")).toHaveCount(4);
  await admin.close();
});

test("the REST upload refuses an archive over 10 MiB with 413 and reads one just under it whole", async ({
  page,
}) => {
  test.slow();
  await signIn(page, "provider");
  const created = await page.request.post("/api/v1/workload/", {
    headers: sameOrigin(),
    data: { name: unique("e2e-big"), version: "1.0.0" },
  });
  const { id } = (await created.json()) as { id: number };
  const upload = (size: number) =>
    page.request.post("/api/v1/workload/upload/", {
      headers: sameOrigin(),
      multipart: {
        workload_id: String(id),
        file: { name: "big.tgz", mimeType: "application/gzip", buffer: Buffer.alloc(size, 1) },
      },
    });
  const tooLarge = await upload(10 * 1024 * 1024 + 1);
  expect(tooLarge.status()).toBe(413);
  expect(await tooLarge.json()).toMatchObject({ error: "payload_too_large", field: "file" });
  // Just under the limit the whole body arrives (no proxy truncation): it is refused for what it is, not gzip.
  const junk = await upload(10 * 1024 * 1024 - 1);
  expect(junk.status()).toBe(422);
  expect(((await junk.json()) as { message: string }).message).toContain(
    "not a gzip-compressed chart archive",
  );
});

test("the REST API documents itself: OpenAPI 3.1 and the offline docs page", async ({ page, baseURL }) => {
  const doc = await page.request.get("/api/v1/openapi.json");
  expect(doc.status()).toBe(200);
  const body = (await doc.json()) as { openapi: string; paths: Record<string, unknown> };
  expect(body.openapi).toBe("3.1.0");
  expect(Object.keys(body.paths)).toContain("/api/v1/workload/{id}/template/");

  // Works offline: nothing may come from outside the app.
  const origin = new URL(baseURL ?? "http://localhost").origin;
  const external: string[] = [];
  page.on("request", (request) => {
    const url = request.url();
    if (!url.startsWith("data:") && !url.startsWith("blob:") && new URL(url).origin !== origin)
      external.push(url);
  });
  await page.goto("/api/v1/docs");
  await expect(page.getByRole("heading", { name: /NEMO Intent-Based API/ })).toBeVisible();
  await expect(page.locator('[data-path="/api/v1/workload/upload/"]')).toBeVisible();
  await page.screenshot({ path: "/tmp/nemo-api-docs.png", fullPage: false });
  expect(external).toEqual([]);
});

test("an infrastructure provider gets the 403 message on a workload's manifests", async ({ page }) => {
  await signIn(page, "infra");
  await page.goto("/workloads/1/manifests");
  await expect(
    page.getByRole("heading", { name: "You don't have access to Workload Monitoring" }),
  ).toBeVisible();
});
