// Adds up vitest's and Playwright's JSON reports into one closing line that CI
// reads: "N passed, N failed" (", N skipped" when any). A failed static check
// or a missing report counts as a failure.
import { existsSync, readFileSync } from "node:fs";

const [vitestPath, playwrightPath, stageFailed] = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;

if (vitestPath && existsSync(vitestPath)) {
  const report = JSON.parse(readFileSync(vitestPath, "utf8"));
  passed += report.numPassedTests ?? 0;
  failed += report.numFailedTests ?? 0;
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  console.log(`vitest: ${report.numPassedTests} passed, ${report.numFailedTests} failed`);
} else {
  console.log("vitest: no report");
  failed += 1;
}

if (playwrightPath && existsSync(playwrightPath)) {
  const stats = JSON.parse(readFileSync(playwrightPath, "utf8")).stats ?? {};
  const pwFailed = (stats.unexpected ?? 0) + (stats.flaky ?? 0);
  passed += stats.expected ?? 0;
  failed += pwFailed;
  skipped += stats.skipped ?? 0;
  console.log(`playwright: ${stats.expected ?? 0} passed, ${pwFailed} failed`);
} else {
  console.log("playwright: no report");
  failed += 1;
}

if (stageFailed === "1" && failed === 0) {
  console.log("a static check (typecheck, lint or format) failed");
  failed += 1;
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 ? 1 : 0);
