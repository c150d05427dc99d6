import { expect, signIn, test } from "./fixtures";

const trpcInput = (input: unknown) => encodeURIComponent(JSON.stringify({ json: input }));

test("tRPC without a session answers 401", async ({ request }) => {
  const me = await request.get("/api/trpc/session.me");
  expect(me.status()).toBe(401);
  const body = (await me.json()) as { error: { json: { data: { code: string } } } };
  expect(body.error.json.data.code).toBe("UNAUTHORIZED");

  const list = await request.get(`/api/trpc/workload.list?input=${trpcInput({ page: 1 })}`);
  expect(list.status()).toBe(401);
});

test("GET /api/v1/me/ without a session answers 401 JSON", async ({ request }) => {
  const response = await request.get("/api/v1/me/");
  expect(response.status()).toBe(401);
  expect(await response.json()).toMatchObject({ error: "unauthorized" });
  const invalidBearer = await request.get("/api/v1/me/", {
    headers: { authorization: "Bearer not-a-token" },
  });
  expect(invalidBearer.status()).toBe(401);
});

test("signed in, /api/v1/me/ and tRPC know the user; the wrong role gets 403", async ({ page }) => {
  await signIn(page, "infra");
  await expect(page.getByTestId("user-display-name")).toBeVisible();

  const me = await page.request.get("/api/v1/me/");
  expect(me.status()).toBe(200);
  expect(await me.json()).toMatchObject({
    username: "infra",
    displayName: "Ingrid Infra",
    roles: ["INFRASTRUCTURE_PROVIDER"],
    realmRoles: ["infrastructure-provider"],
  });

  const forbidden = await page.request.get(`/api/trpc/workload.list?input=${trpcInput({})}`);
  expect(forbidden.status()).toBe(403);
  const body = (await forbidden.json()) as { error: { json: { message: string } } };
  expect(body.error.json.message).toBe("This needs the nemo-admin or service-provider role.");

  const allowed = await page.request.get(`/api/trpc/cluster.list?input=${trpcInput({})}`);
  expect(allowed.status()).toBe(200);

  const badInput = await page.request.get(`/api/trpc/cluster.list?input=${trpcInput({ pageSize: 7 })}`);
  expect(badInput.status()).toBe(400);
  const bad = (await badInput.json()) as {
    error: { json: { data: { zodError: { fieldErrors: Record<string, string[]> } } } };
  };
  expect(Object.keys(bad.error.json.data.zodError.fieldErrors)).toEqual(["pageSize"]);
});

test("pages, REST routes and the docs page carry the security headers; pages render under the CSP", async ({
  page,
  request,
}) => {
  const policies: Record<string, RegExp | null> = {
    "/signin": /script-src 'self' 'nonce-[^']+'/,
    "/api/v1/me/": /^default-src 'none'/,
    "/api/v1/docs": /script-src 'self';/,
    "/_next/static/does-not-exist.js": null,
  };
  for (const [path, policy] of Object.entries(policies)) {
    const response = await request.get(path, { maxRedirects: 0 });
    const headers = response.headers();
    if (policy) {
      expect(headers["content-security-policy"], path).toMatch(policy);
      expect(headers["content-security-policy"], path).toContain("frame-ancestors 'none'");
    }
    expect(headers["x-content-type-options"], path).toBe("nosniff");
    expect(headers["referrer-policy"], path).toBe("strict-origin-when-cross-origin");
    expect(headers["x-frame-options"], path).toBe("DENY");
  }
  // Nothing the console or the docs page needs is blocked.
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  await signIn(page, "admin");
  await expect(page.getByTestId("user-display-name")).toBeVisible();
  await page.goto("/api/v1/docs");
  await expect(page.locator(".swagger-ui .info")).toBeVisible();
  expect(violations).toEqual([]);
});
