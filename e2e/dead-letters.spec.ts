import { randomUUID } from "node:crypto";
import type { Locator, Page } from "@playwright/test";
import { withDatabase } from "./db";
import { choose, expect, sameOrigin, signIn, test } from "./fixtures";
import { SECRET_CANARY } from "./secret-watch";

/**
 * Dead letters & failed messages, end to end. A dead letter is written as
 * the orchestrator's cluster-join consumer writes one for a malformed
 * message (its body carries a canary token, which no answer may show); an
 * admin finds it on the page, sees the body redacted, replays it, and the
 * real consumer dead-letters it again under the same message id (it is still
 * malformed); the admin discards that one. An outbox row the relay gave up
 * on is discarded too. Other roles get the 403 view and a 403 answer, and no
 * tile.
 */

const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e3)}`;
/** The origin routing key: only this spec's rows carry it, so its filter isolates them. */
const ROUTING_KEY = `e2e-dl-${run}`;
const TOKEN = `${SECRET_CANARY}-dl-${run}`;

async function seed(): Promise<{ messageId: string; outboxId: string }> {
  const messageId = randomUUID();
  const outboxId = randomUUID();
  await withDatabase(async (client) => {
    await client.query(
      `INSERT INTO dead_letters (queue, message_id, routing_key, payload, error, attempts, exchange, message_type)
       VALUES ('mo.join', $1, $2, $3, 'invalid payload: cluster: Invalid input', 1, '', 'cluster.join')`,
      [messageId, ROUTING_KEY, JSON.stringify({ cluster: 42, token: TOKEN })],
    );
    await client.query(
      `INSERT INTO outbox_messages (id, exchange, routing_key, payload, headers, status, attempts, last_error)
       VALUES ($1, 'nemo.api.workload', $2, '{"n": 1}', '{"type": "workload.update"}', 'FAILED', 10, 'unroutable')`,
      [outboxId, ROUTING_KEY],
    );
  });
  return { messageId, outboxId };
}

/** Shows only this spec's rows, in the given state. */
async function filterMine(page: Page, state: "Open" | "Replayed or discarded" | "All"): Promise<void> {
  const routingKey = page.getByTestId("filter-routing-key");
  if ((await routingKey.inputValue()) !== ROUTING_KEY) {
    await routingKey.fill(ROUTING_KEY);
    await routingKey.press("Enter");
  }
  await choose(page, "State", new RegExp(`^${state}$`));
}

/** This spec's rows whose status chip reads `status`. */
function withStatus(page: Page, rows: Locator, status: string): Locator {
  return rows.filter({ has: page.getByTestId("failed-message-status").getByText(status, { exact: true }) });
}

async function confirm(page: Page, title: string, action: "Replay" | "Discard"): Promise<void> {
  const dialog = page.getByRole("dialog", { name: title });
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: action }).click();
  await expect(dialog).toBeHidden();
}

test("an admin replays a dead letter the consumer still refuses, then discards it and a failed outbox row", async ({
  page,
}) => {
  // The orchestrator dead-letters the replayed message on two shared cores.
  test.slow();
  const { messageId, outboxId } = await seed();
  await signIn(page, "admin");
  await page
    .getByRole("main")
    .getByRole("link", { name: /Dead letters & failed messages/ })
    .click();
  await expect(page).toHaveURL(/\/failed-messages$/);
  await expect(page.getByRole("heading", { name: "Dead letters & failed messages" })).toBeVisible();

  await filterMine(page, "Open");
  const rows = page.getByRole("row").filter({ hasText: ROUTING_KEY });
  await expect(rows).toHaveCount(2);

  // The dead letter: the body without its token.
  const deadLetter = rows.filter({ hasText: "Dead letter" });
  await deadLetter.getByRole("button", { name: "Details" }).click();
  const drawer = page.getByTestId("failed-message-drawer");
  await expect(drawer.getByText(messageId)).toBeVisible();
  await expect(drawer.getByTestId("failed-message-payload")).toContainText("<redacted>");
  await expect(drawer.getByTestId("failed-message-payload")).not.toContainText(SECRET_CANARY);
  await drawer.getByRole("button", { name: "Replay" }).click();
  await confirm(page, "Replay this message?", "Replay");
  await expect(drawer).toBeHidden();

  // The orchestrator's consumer gets it again, same id, and dead-letters it again: a new open row.
  await filterMine(page, "All");
  await expect(withStatus(page, rows, "REPLAYED")).toHaveCount(1);
  await filterMine(page, "Open");
  // The list re-reads every 15 s; the consumer's second dead letter may take a few of those.
  await expect(withStatus(page, rows, "DEAD")).toHaveCount(1, { timeout: 60_000 });
  await rows.filter({ hasText: "Dead letter" }).getByRole("button", { name: "Details" }).click();
  await expect(drawer.getByText(messageId)).toBeVisible();
  await drawer.getByRole("button", { name: "Discard" }).click();
  await confirm(page, "Discard this message?", "Discard");

  // The outbox row the relay gave up on.
  await rows.filter({ hasText: "Outbox" }).getByRole("button", { name: "Details" }).click();
  await expect(drawer.getByText(`outbox-${outboxId}`)).toBeVisible();
  await expect(drawer.getByTestId("failed-message-error")).toContainText("unroutable");
  await drawer.getByRole("button", { name: "Discard" }).click();
  await confirm(page, "Discard this message?", "Discard");

  // Nothing of this spec's is open any more; the resolved ones name who acted.
  await expect(page.getByText("No failed messages match these filters")).toBeVisible();
  await filterMine(page, "Replayed or discarded");
  await expect(rows).toHaveCount(3);
  await expect(withStatus(page, rows, "DISCARDED")).toHaveCount(2);
  const api = await page.request.get(`/api/v1/failed-message/?routingKey=${ROUTING_KEY}&state=all`);
  expect(api.status()).toBe(200);
  expect(((await api.json()) as { total: number }).total).toBe(3);
});

test("other roles get no tile, the 403 view and 403 answers", async ({ page }) => {
  await signIn(page, "provider");
  await expect(page.getByTestId("tile-workloads")).toBeVisible();
  await expect(page.getByTestId("tile-failed-messages")).toHaveCount(0);
  await page.goto("/failed-messages");
  await expect(
    page.getByRole("heading", { name: "You don't have access to Dead letters & failed messages" }),
  ).toBeVisible();
  expect((await page.request.get("/api/v1/failed-message/")).status()).toBe(403);
  const replay = await page.request.post(`/api/v1/failed-message/dead-letter-1/replay/`, {
    headers: sameOrigin(),
  });
  expect(replay.status()).toBe(403);
});
