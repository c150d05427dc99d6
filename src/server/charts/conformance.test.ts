/**
 * Upstream conformance vectors (see conformance-data/README.md): Go text/template,
 * Sprig, Helm functions/engine and the golden `helm template` outputs.
 *
 * Sprig cases marked `notInHelm` (env/expandenv) count as passing when they fail the
 * way Helm fails them: the function is not defined.
 */
import { describe, expect, it } from "vitest";
import {
  runGoExec,
  runGoParse,
  runGolden,
  runHelmEngine,
  runHelmFunctions,
  runSprig,
  type FileResult,
} from "./conformance/harness";

/** Cases deliberately not expected to pass, with the reason. Keep minimal. */
export const DOCUMENTED_EXCLUSIONS: Readonly<Record<string, string>> = {};

/** Every case of every file passes (or is a documented exclusion): a single regression fails. */
function check(r: FileResult): void {
  const excluded = r.results.filter(
    (c) => !c.pass && DOCUMENTED_EXCLUSIONS[`${r.file}#${c.id}`] !== undefined,
  ).length;
  // The per-file pass counts are part of the suite's report.
  // eslint-disable-next-line no-console
  console.log(
    `conformance ${r.file}: ${r.passed}/${r.total}${excluded ? ` (${excluded} documented exclusions)` : ""}`,
  );
  const failures = r.results.filter(
    (c) => !c.pass && DOCUMENTED_EXCLUSIONS[`${r.file}#${c.id}`] === undefined,
  );
  for (const f of failures.slice(0, 20)) console.warn(`  FAIL ${f.id}: ${f.detail ?? ""}`);
  expect(r.total).toBeGreaterThan(0);
  expect(failures.map((f) => f.id)).toEqual([]);
}

describe("conformance", () => {
  it("gotemplate/exec.json", () => check(runGoExec()));
  it("gotemplate/parse.json", () => check(runGoParse()));
  it("sprig/functions.json", () => check(runSprig()), 60_000);
  it("helm/functions.json", () => check(runHelmFunctions()));
  it("helm/engine.json", () => check(runHelmEngine()));
  it("helm/cases (Helm 4.2 golden output)", () => check(runGolden("helm/cases")), 60_000);
  it("helm/cases-v3 (Helm 3 golden output)", () => check(runGolden("helm/cases-v3")), 60_000);
});
