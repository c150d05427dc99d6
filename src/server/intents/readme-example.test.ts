import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { checkImportedIntent, instanceNamedBy } from "./form";
import { describeIntentIssue, parseIntentYaml, placeInYaml } from "./yaml";

/*
 * The README's hand-written intent works as printed: the fenced YAML block
 * after the `readme-minimal-intent` marker parses into the normal form with
 * the catalogue's defaults and passes the catalogue's checks, and the error
 * sentences the README shows are the ones the import gives.
 */

const README = readFileSync(path.join(process.cwd(), "README.md"), "utf8");
const INSTANCE = "0b9c1f5e-2d4a-4c1b-9a7e-3f6d8e2a1c40";

function readmeExample(): string {
  const marker = README.indexOf("<!-- readme-minimal-intent");
  expect(marker, "the README marks its minimal intent example").toBeGreaterThan(0);
  const block = /```yaml\n([\s\S]*?)```/.exec(README.slice(marker));
  if (!block?.[1]) throw new Error("no ```yaml block after the readme-minimal-intent marker");
  return block[1];
}

/** The README's example error lines (the ```text block after the example). */
function readmeErrors(): string[] {
  const marker = README.indexOf("<!-- readme-minimal-intent");
  const block = /```text\n([\s\S]*?)```/.exec(README.slice(marker));
  if (!block?.[1]) throw new Error("no ```text block after the readme-minimal-intent marker");
  return block[1].trim().split("\n");
}

/** The README example with the instance filled in, as the README's `sed` does. */
const example = () => readmeExample().replaceAll("INSTANCE_ID", INSTANCE);

/** The problems of an import as the console and REST list them (parser, then catalogue), one per line. */
function errorOf(text: string): string {
  const result = parseIntentYaml(text);
  if (!result.ok) return result.error;
  return checkImportedIntent(result.intent)
    .map((p) => describeIntentIssue(placeInYaml(text, p.path, p.message)))
    .join("\n");
}

describe("the README's minimal intent", () => {
  it("parses as printed into the normal form with the defaults, for the instance it names", () => {
    const result = parseIntentYaml(example());
    if (!result.ok) throw new Error(result.error);
    expect(result.intent).toMatchObject({
      id: "web-availability",
      userLabel: "Availability",
      intentAdminState: "ACTIVATED",
      intentPriority: 1,
      observationPeriod: 60,
    });
    expect(result.intent.intentExpectations[0]?.expectationTargets).toEqual([
      {
        targetName: "availability",
        targetCondition: "IS_EQUAL_TO_OR_GREATER_THAN",
        targetValueRange: 95,
        targetContexts: [],
      },
    ]);
    expect(checkImportedIntent(result.intent)).toEqual([]);
    expect(instanceNamedBy(result.intent)).toBe(INSTANCE);
  });

  it("is answered with the README's error sentences when it goes wrong", () => {
    const text = example();
    const errors = [
      errorOf(text.replace("IS_EQUAL_TO_OR_GREATER_THAN", "IS_SMALLER_THAN")),
      errorOf(`${text}intentAdminState:\n`),
      errorOf(text.replace("userLabel: Availability", "userLabel: Availability\nintentPriorty: 2")),
      errorOf(`${text}intentPriority: high\n`),
      errorOf(text.replace("targetName: availability", "targetAttribute: uptime")),
    ];
    // The README shortens the list of conditions.
    const shown = errors.map((e) => e.replace(/(use one of IS_EQUAL_TO, IS_LESS_THAN, ).*$/, "$1…"));
    expect(shown).toEqual(readmeErrors());
  });
});
