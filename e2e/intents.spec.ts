import { readFileSync } from "node:fs";
import type { Locator, Page } from "@playwright/test";
import { energyIntentYaml } from "@/server/testing/intent-examples";
import { acceptedWorkload, choose, expect, sameOrigin, signIn, test } from "./fixtures";

/**
 * Flow 4 end to end against the real evaluator worker: a service provider
 * attaches a DeliverComputingWorkload intent to a deployed instance from the
 * form, watches the evaluator report it FULFILLED, raises the target out of
 * reach and sees it NOT_FULFILLED (INFEASIBLE, FULFILMENTFAILED) with the
 * reason, suspends, exports and restarts it, imports a YAML intent (after a
 * malformed one is refused with its line and field) and deletes with
 * confirmation. Another tenant sees none of it.
 */

const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e3)}`;

const lineOf = (text: string, needle: string) => text.split("\n").findIndex((l) => l.includes(needle)) + 1;

/** A deployed instance of an accepted workload, created through the REST API (instances.spec.ts covers the form). */
async function deployedInstance(page: Page, release: string): Promise<{ id: string; shortId: string }> {
  const workloadId = await acceptedWorkload(page, `e2e-intents-${run}`, [
    "DeliverComputingWorkload",
    "EnergyCarbonEfficiency",
  ]);
  const created = await page.request.post("/api/v1/instance/", {
    headers: sameOrigin(),
    // The smallest demo cluster: away from the clusters instances.spec.ts and clusters.spec.ts watch.
    data: { workloadId, releaseName: release, clusterName: "nemo-smart-farming", pinProposedCluster: true },
  });
  expect(created.status()).toBe(201);
  const instance = (await created.json()) as { id: string; shortId: string };
  await expect
    .poll(
      async () => {
        const response = await page.request.get(`/api/v1/instance/${instance.id}/`);
        return ((await response.json()) as { status: string }).status;
      },
      { timeout: 45_000, intervals: [500] },
    )
    .toBe("DEPLOYED");
  return instance;
}

/** The chip text of one detail of the open report ("FULFILLED", "NOT FULFILLED", …). */
function detail(report: Locator, testId: string): Locator {
  return report.getByTestId(testId);
}

test("a service provider attaches an intent, watches it, changes, suspends, imports and deletes intents", async ({
  page,
  browser,
}) => {
  test.setTimeout(240_000);
  const release = `intent-${run}`;
  await signIn(page, "provider");
  const instance = await deployedInstance(page, release);

  // From the instance page to its intents: none yet.
  await page.goto(`/instances/${instance.id}`);
  await expect(page.getByTestId("instance-details").getByText("DEPLOYED", { exact: true })).toBeVisible();
  await page.getByRole("link", { name: "Intents", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/intents\\?instanceId=${instance.id}$`));
  await expect(page.getByTestId("instance-filter")).toContainText(`${release} (${instance.shortId})`);
  await expect(page.getByTestId("empty-state")).toContainText("No intents on this instance");

  // Create intent: the instance is prefilled; the form checks the value against the catalogue.
  await page.getByRole("link", { name: "Create intent" }).click();
  await expect(page).toHaveURL(new RegExp(`/intents/new\\?instanceId=${instance.id}$`));
  await expect(page.getByRole("combobox", { name: "Workload Instance ID" })).toHaveValue(
    `${release} (${instance.shortId})`,
  );
  await page.getByRole("button", { name: "Create", exact: true }).click();
  await expect(page.getByText("Choose an intent type.")).toBeVisible();
  // Only the types the instance's workload supports are offered.
  await page.getByRole("combobox", { name: "Intent Type" }).click();
  await expect(page.getByRole("option")).toHaveText([
    /^Deliver computing workload/,
    /^Energy and carbon efficiency/,
  ]);
  await page.keyboard.press("Escape");
  await choose(page, "Intent Type", /^Deliver computing workload/);
  const row = page.getByTestId("target-row");
  await expect(row).toHaveCount(1);
  await expect(row.getByRole("combobox", { name: "Target Name" })).toHaveText("cpuUsage");
  await choose(page, "Target Condition", "IS_GREATER_THAN");
  const value = page.getByRole("textbox", { name: "Target Value" });
  await value.fill("-5");
  await page.getByRole("button", { name: "Create", exact: true }).click();
  await expect(page.getByText("CPU usage must be ≥ 0 millicores.")).toBeVisible();
  await expect(value).toHaveAttribute("aria-invalid", "true");
  await value.fill("2");
  await expect(value).toHaveAttribute("aria-invalid", "false");
  await page.screenshot({ path: "/tmp/nemo-intent-create.png", fullPage: true });
  await page.getByRole("button", { name: "Create", exact: true }).click();

  // The list, filtered to the instance, with the new intent's report open: the evaluator fulfils it.
  await expect(page).toHaveURL(new RegExp(`/intents\\?instanceId=${instance.id}&report=[0-9a-f-]{36}$`));
  const intentId = new URL(page.url()).searchParams.get("report") ?? "";
  const short = intentId.slice(0, 7);
  const report = page.getByRole("dialog", { name: /intent report/i });
  await expect(report).toContainText(intentId);
  await expect(detail(report, "report-fulfilment").getByText("FULFILLED", { exact: true })).toBeVisible({
    timeout: 60_000,
  });
  await expect(detail(report, "report-feasibility")).toContainText("FEASIBLE");
  const cpuRow = report.getByTestId("target-row-cpuUsage");
  await expect(cpuRow).toContainText("IS_GREATER_THAN");
  await expect(cpuRow.getByTestId("required-value")).toHaveText("2 millicores");
  await expect(cpuRow.getByTestId("achieved-value")).toContainText("millicores");
  await expect(cpuRow.getByText("FULFILLED", { exact: true })).toBeVisible();
  await expect(report.getByTestId("history-chart-cpuUsage")).toBeVisible();
  await page.screenshot({ path: "/tmp/nemo-intent-report-fulfilled.png", fullPage: true });
  await report.getByRole("button", { name: "Close" }).click();
  await expect(report).toBeHidden();
  await expect(page).toHaveURL(new RegExp(`/intents\\?instanceId=${instance.id}$`));

  const intentRow = page.getByRole("row").filter({ hasText: short });
  await expect(intentRow).toContainText("DeliverComputingWorkload");
  await expect(intentRow).toContainText(release);
  await expect(intentRow.getByTestId("intent-status").getByText("FULFILLED", { exact: true })).toBeVisible();
  await page.screenshot({ path: "/tmp/nemo-intents.png", fullPage: true });

  // Out of reach: 100,000,000 millicores. The next report says NOT_FULFILLED and why.
  await page.getByRole("button", { name: `Edit target value of intent ${short}` }).click();
  const edit = page.getByRole("dialog", { name: "Edit target value" });
  await expect(edit.getByRole("combobox", { name: "Target Condition" })).toHaveText("IS_GREATER_THAN");
  const newValue = edit.getByRole("textbox", { name: "New Target Value" });
  await expect(newValue).toHaveValue("2");
  await newValue.fill("100000000");
  await edit.getByRole("button", { name: "Save" }).click();
  await expect(edit).toBeHidden();
  await expect(intentRow.getByTestId("intent-status")).toContainText("NOT FULFILLED", { timeout: 30_000 });
  await page.getByRole("button", { name: `Intent report of intent ${short}` }).click();
  await expect(report.getByTestId("target-row-cpuUsage").getByTestId("required-value")).toHaveText(
    "100,000,000 millicores",
  );
  await expect(detail(report, "report-fulfilment")).toContainText("NOT FULFILLED");
  await expect(report.getByTestId("target-row-cpuUsage")).toContainText("NOT FULFILLED");
  await expect(report.getByTestId("not-fulfilled-reasons")).not.toBeEmpty();
  await expect(detail(report, "report-feasibility")).toContainText("INFEASIBLE");
  await expect(report.getByTestId("infeasibility-reason")).toBeVisible();
  await expect(detail(report, "report-not-fulfilled-state")).toContainText("FULFILMENTFAILED");
  await page.screenshot({ path: "/tmp/nemo-intent-report-not-fulfilled.png", fullPage: true });
  await report.getByRole("button", { name: "Close" }).click();

  // Suspend: the evaluator stops; Start is offered instead.
  await page.getByRole("button", { name: `Suspend intent ${short}` }).click();
  await expect(intentRow.getByTestId("intent-status")).toContainText("SUSPENDED");
  await expect(intentRow.getByTestId("intent-status")).toContainText("DEACTIVATED");
  await expect(page.getByRole("button", { name: `Suspend intent ${short}` })).toBeDisabled();
  await expect(page.getByRole("button", { name: `Start intent ${short}` })).toBeEnabled();

  // Export YAML: the normal form with the changed value.
  const downloading = page.waitForEvent("download");
  await page.getByRole("button", { name: `Export YAML of intent ${short}` }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe(`intent-${short}.yaml`);
  const exported = readFileSync(await download.path(), "utf8");
  expect(exported).toContain("userLabel: DeliverComputingWorkload");
  expect(exported).toContain("100000000");
  expect(exported).toContain(instance.id);

  // Start again: the evaluator takes it up; Suspend is offered again.
  await page.getByRole("button", { name: `Start intent ${short}` }).click();
  await expect(intentRow.getByTestId("intent-status")).not.toContainText("DEACTIVATED");
  await expect(page.getByRole("button", { name: `Suspend intent ${short}` })).toBeEnabled();

  // Import YAML: a malformed one is refused with its line and field, the annex example is taken.
  const externalId = `energy-${run}`;
  const yaml = energyIntentYaml({ id: externalId, instanceId: instance.id });
  const broken = yaml.replace("targetCondition: IS_LESS_THAN", "targetCondition: IS_SMALLER_THAN");
  await page.getByRole("link", { name: "Create intent" }).click();
  await expect(page).toHaveURL(/\/intents\/new\?instanceId=/);
  await page.getByRole("switch", { name: "Use YAML file" }).check();
  await page.getByLabel("YAML file", { exact: true }).setInputFiles({
    name: "energy.yaml",
    mimeType: "application/yaml",
    buffer: Buffer.from(broken),
  });
  await expect(page.getByText("Loaded energy.yaml")).toBeVisible();
  await expect(page.getByLabel("Intent YAML")).toHaveValue(broken);
  await page.getByRole("button", { name: "Create", exact: true }).click();
  const problems = page.getByTestId("yaml-problems");
  // A sentence for people with the line, never the validation library's text (issue 13).
  await expect(problems).toContainText(
    `line ${lineOf(broken, "IS_SMALLER_THAN")}: targetCondition IS_SMALLER_THAN is not a condition; use one of IS_EQUAL_TO,`,
  );
  await expect(problems).not.toContainText("Invalid option");
  await expect(page.getByLabel("Intent YAML")).toHaveAttribute("aria-invalid", "true");
  await page.screenshot({ path: "/tmp/nemo-intent-yaml-error.png", fullPage: true });
  await page.getByLabel("Intent YAML").fill(yaml);
  await expect(problems).toBeHidden();
  await page.getByRole("button", { name: "Create", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/intents\\?instanceId=${instance.id}&report=`));
  await expect(report).toContainText("EnergyCarbonEfficiency");
  await expect(report.getByTestId("target-row-CompEnergyEfficiency")).toContainText("40,000");
  await report.getByRole("button", { name: "Close" }).click();
  const imported = page.getByRole("row").filter({ hasText: externalId });
  await expect(imported).toContainText("EnergyCarbonEfficiency");
  // The type shown one way: the catalogue's display name, the 3GPP name beside it.
  await expect(imported).toContainText("Energy and carbon efficiency");
  await expect(page.getByRole("row")).toHaveCount(3); // header + two intents

  // A minimal intent as a person writes it (issue 13): under an Intent: wrapper, singular
  // spellings, no admin state, priority or observation period. A wrong condition first.
  const minimal = `Intent:
  id: minimal-${run}
  userLabel: EnergyCarbonEfficiency
  intentExpectation:
    expectationId: 1
    expectationVerb: ENSURE
    expectationObject: { objectType: NEMO_WORKLOAD, objectInstance: ${instance.id} }
    expectationTarget:
      targetName: GreenEnergyConsumptionRate
      targetCondition: IS_GREATER_THAN
      targetValueRange: 50
`;
  await page.getByRole("link", { name: "Create intent" }).click();
  await page.getByRole("switch", { name: "Use YAML file" }).check();
  await page.getByLabel("Intent YAML").fill(minimal.replace("IS_GREATER_THAN", "IS_BIGGER_THAN"));
  await page.getByRole("button", { name: "Create", exact: true }).click();
  await expect(problems).toContainText(
    "line 10: targetCondition IS_BIGGER_THAN is not a condition; use one of IS_EQUAL_TO,",
  );
  await page.getByLabel("Intent YAML").fill(minimal);
  await page.getByRole("button", { name: "Create", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/intents\\?instanceId=${instance.id}&report=`));
  await expect(report.getByTestId("target-row-GreenEnergyConsumptionRate")).toBeVisible();
  await report.getByRole("button", { name: "Close" }).click();
  await expect(page.getByRole("row").filter({ hasText: `minimal-${run}` })).toBeVisible();
  await expect(page.getByRole("row")).toHaveCount(4); // header + three intents

  // The exported file imported back is no copy: 409 on its id, then "Replace the existing intent"
  // updates that intent in place (the export was taken while it was suspended).
  await page.getByRole("link", { name: "Create intent" }).click();
  await page.getByRole("switch", { name: "Use YAML file" }).check();
  await page.getByLabel("Intent YAML").fill(exported);
  await page.getByRole("button", { name: "Create", exact: true }).click();
  const conflict = page.getByTestId("create-intent-error");
  await expect(conflict).toContainText(`An intent with id "${intentId}" already exists`);
  await conflict.getByRole("button", { name: "Replace the existing intent" }).click();
  await expect(page).toHaveURL(new RegExp(`/intents\\?instanceId=${instance.id}&report=${intentId}$`));
  await report.getByRole("button", { name: "Close" }).click();
  await expect(page.getByRole("row")).toHaveCount(4);
  await expect(intentRow.getByTestId("intent-status")).toContainText("DEACTIVATED");

  // Another tenant: nothing of it, not even through a link.
  const other = await browser.newPage();
  await signIn(other, "provider2");
  await other.goto(`/intents?instanceId=${instance.id}&report=${intentId}`);
  // A first page in a fresh context: hydration can take a while on a loaded machine.
  await expect(other.getByRole("dialog", { name: /intent report/i })).toContainText(
    "Couldn't load the report",
    { timeout: 20_000 },
  );
  await expect(other.getByTestId("empty-state")).toContainText("No intents on this instance");
  await other.close();

  // Delete, after confirming: the row goes.
  await page.getByRole("button", { name: `Delete intent ${short}` }).click();
  const confirm = page.getByRole("dialog", { name: "Delete intent?" });
  await expect(confirm).toContainText(
    `Deliver computing workload (DeliverComputingWorkload) intent ${short}`,
  );
  await confirm.getByRole("button", { name: "Delete" }).click();
  await expect(confirm).toBeHidden();
  await expect(intentRow).toHaveCount(0);
  await expect(imported).toBeVisible();

  // The instance page lists what is left and links to it.
  await page.goto(`/instances/${instance.id}`);
  await expect(page.getByTestId("instance-intents")).toContainText("EnergyCarbonEfficiency");
  await expect(page.getByTestId("instance-intents")).not.toContainText("DeliverComputingWorkload");
  await page.getByTestId("instance-intents-link").click();
  await expect(page).toHaveURL(new RegExp(`/intents\\?instanceId=${instance.id}$`));
});
