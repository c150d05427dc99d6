import { e2eEnv } from "./env";
import { acceptedWorkload, createInstanceByApi, expect, signIn, test } from "./fixtures";

/**
 * The notification centre end to end: a service provider's instance FAILS
 * (the real orchestrator finds no cluster for it) and its intent turns NOT
 * FULFILLED (the real evaluator), the app bar's bell counts both, the centre
 * lists them with their links, a click opens the instance and marks it
 * read, and the count drops by one. Runs as provider2, whom the other specs do
 * not make fail instances; counts are still read relative to what was there.
 */

const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e3)}`;

test("a FAILED instance shows on the bell; opening it goes to the instance and marks it read", async ({
  page,
  browser,
}) => {
  test.setTimeout(200_000);
  await signIn(page, "provider2");
  const bell = page.getByTestId("notification-bell");
  const badge = page.getByTestId("notification-count");
  const count = async () => Number(await badge.getAttribute("data-count"));
  await expect(bell).toBeVisible();

  // Start from nothing unread (earlier runs of this user), through the centre's own button.
  await bell.click();
  const centre = page.getByRole("dialog", { name: "Notifications" });
  await expect(centre).toBeVisible();
  const markAll = centre.getByTestId("notification-mark-all");
  if (await markAll.isEnabled()) await markAll.click();
  await expect.poll(count, { timeout: 15_000 }).toBe(0);
  await page.keyboard.press("Escape");
  await expect(centre).toBeHidden();

  // An instance no cluster can take: 80 % green energy (the demo's best offers 60 %).
  const workloadId = await acceptedWorkload(page, `e2e-notify-${run}`, ["GreenEnergy"]);
  const { id, namespace } = await createInstanceByApi(page, {
    workloadId,
    releaseName: `notify-${run}`,
    intent: {
      intentType: "GreenEnergy",
      targets: [
        { targetName: "greenEnergy", targetCondition: "IS_EQUAL_TO_OR_GREATER_THAN", targetValue: 80 },
      ],
    },
  });

  // The bell polls: the failure shows without a reload.
  await expect.poll(count, { timeout: 60_000, intervals: [1_000] }).toBeGreaterThanOrEqual(1);
  await expect(bell).toHaveAccessibleName(/Notifications, \d+ unread/);

  // Its intent turns NOT FULFILLED with it (the evaluator's own notification): wait for both, so the
  // count settles before it is compared.
  type Listed = { kind: string; title: string; link: string; readAt: string | null };
  const mine = async (): Promise<Listed[]> => {
    const response = await page.request.get("/api/v1/notification/?limit=50");
    const { items } = (await response.json()) as { items: Listed[] };
    return items.filter((n) => n.title.includes(namespace));
  };
  await expect
    .poll(async () => (await mine()).map((n) => n.kind).sort(), { timeout: 90_000, intervals: [1_000] })
    .toEqual(["INSTANCE_FAILED", "INTENT_NOT_FULFILLED"]);
  const unreadNow = async () =>
    ((await (await page.request.get("/api/v1/notification/")).json()) as { unread: number }).unread;
  const settled = await unreadNow();
  await expect.poll(count, { timeout: 20_000 }).toBe(settled);
  const before = await count();

  await bell.click();
  await expect(centre).toBeVisible();
  const item = centre.locator('[data-testid="notification-item"][data-kind="INSTANCE_FAILED"]').filter({
    hasText: `Instance ${namespace} failed`,
  });
  await expect(item).toHaveCount(1);
  await expect(item).toHaveAttribute("data-unread", "true");
  await expect(item).toContainText("No cluster offers green energy of at least 80 %");
  // The intent's notification links to its report.
  const intentItem = centre
    .locator('[data-testid="notification-item"][data-kind="INTENT_NOT_FULFILLED"]')
    .filter({ hasText: namespace });
  await expect(intentItem.getByRole("link")).toHaveAttribute(
    "href",
    new RegExp(`^/intents\\?instanceId=${id}&report=`),
  );

  // Click through: the instance's page, and the notification is read.
  await item.getByRole("link").click();
  await expect(page).toHaveURL(new RegExp(`/instances/${id}$`));
  await expect(page.getByTestId("instance-status")).toContainText("FAILED");
  await expect.poll(count, { timeout: 15_000 }).toBe(before - 1);

  // Opened again, it reads as read; the intent's is still unread.
  await bell.click();
  await expect(item).toHaveAttribute("data-unread", "false");
  await expect(intentItem).toHaveAttribute("data-unread", "true");

  // The REST view agrees: the same notification, read, linked to the instance.
  const listed = await page.request.get("/api/v1/notification/?limit=50");
  expect(listed.status()).toBe(200);
  const { items } = (await listed.json()) as {
    items: { title: string; link: string; readAt: string | null }[];
  };
  expect(items.find((n) => n.title === `Instance ${namespace} failed`)).toMatchObject({
    link: `/instances/${id}`,
    readAt: expect.any(String),
  });

  // Another tenant's centre has none of it.
  const other = await browser.newContext({ baseURL: e2eEnv("baseUrl") });
  try {
    const infra = await other.newPage();
    await signIn(infra, "infra");
    await expect(infra.getByTestId("notification-bell")).toBeVisible();
    const theirs = await infra.request.get("/api/v1/notification/?limit=50");
    expect(theirs.status()).toBe(200);
    const { items: infraItems } = (await theirs.json()) as { items: { title: string }[] };
    expect(infraItems.filter((n) => n.title.includes(namespace))).toEqual([]);
  } finally {
    await other.close();
  }
});
