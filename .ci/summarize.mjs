// Adds up the JSON reports of vitest (unit + integration, reliability suite)
// and Playwright into one closing line that CI reads: "N passed, N failed"
// (", N skipped" when any). A failed static check or a missing report counts
// as a failure.
//   node .ci/summarize.mjs <stageFailed 0|1> <report.json>...
// Each report is recognised by its shape: vitest's has numPassedTests,
// Playwright's has stats. Each report's slowest files (vitest) or tests
// (Playwright) are listed too, so the CI log says where the time goes.
import { basename } from "node:path";
import { existsSync, readFileSync } from "node:fs";

const [stageFailed, ...reportPaths] = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;
/** How many of the slowest files / tests each report names (where CI time goes). */
const SLOWEST = 8;

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const slowest = (rows) =>
  rows
    .filter((row) => Number.isFinite(row.ms))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, SLOWEST)
    .map((row) => `  ${seconds(row.ms).padStart(8)}  ${row.name}`)
    .join("\n");

/** Playwright's tests with their run time (retries added up). */
function playwrightTests(suites = [], into = []) {
  for (const suite of suites) {
    for (const spec of suite.specs ?? [])
      for (const t of spec.tests ?? [])
        into.push({
          name: `${spec.file}:${spec.line} ${spec.title}${t.projectName ? ` [${t.projectName}]` : ""}`,
          ms: (t.results ?? []).reduce((sum, r) => sum + (r.duration ?? 0), 0),
        });
    playwrightTests(suite.suites, into);
  }
  return into;
}

for (const path of reportPaths) {
  const name = basename(path, ".json");
  if (!existsSync(path)) {
    console.log(`${name}: no report`);
    failed += 1;
    continue;
  }
  const report = JSON.parse(readFileSync(path, "utf8"));
  if (report.stats) {
    const stats = report.stats;
    const pwFailed = (stats.unexpected ?? 0) + (stats.flaky ?? 0);
    passed += stats.expected ?? 0;
    failed += pwFailed;
    skipped += stats.skipped ?? 0;
    console.log(`${name}: ${stats.expected ?? 0} passed, ${pwFailed} failed`);
    console.log(`${name} slowest tests:\n${slowest(playwrightTests(report.suites))}`);
  } else {
    passed += report.numPassedTests ?? 0;
    // A file that fails to load has no failed test but a failed suite.
    const fileFailures = (report.numFailedTestSuites ?? 0) > 0 && (report.numFailedTests ?? 0) === 0 ? 1 : 0;
    failed += (report.numFailedTests ?? 0) + fileFailures;
    skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
    console.log(`${name}: ${report.numPassedTests} passed, ${report.numFailedTests} failed`);
    const files = (report.testResults ?? []).map((file) => ({
      name: file.name.replace(`${process.cwd()}/`, ""),
      ms: file.endTime - file.startTime,
    }));
    console.log(`${name} slowest files (tests and hooks; import not counted):\n${slowest(files)}`);
  }
}

if (stageFailed === "1" && failed === 0) {
  console.log("a static check or a test stage failed");
  failed += 1;
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 ? 1 : 0);
