/**
 * Guard: no test may depend on today's date. The way tests have broken here
 * is a fixed timestamp ("2026-11-27 10:00") next to code that reads the wall
 * clock: the test passes while the literal is recent and fails once it is
 * not. So a test file that reads the wall clock (`Date.now()`, `new Date()`)
 * may hold a fixed date only with a `fixed-date:` comment, on its line or the
 * line above, saying why its distance from today does not matter. Files that
 * inject a clock use fixed dates freely.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const WALL_CLOCK = /\bDate\.now\(\)|\bnew Date\(\s*\)/;
const DATE_LITERAL = /["'`]\d{4}-[01]\d-[0-3]\d|\bDate\.UTC\(\s*\d{4}/;
const JUSTIFIED = /fixed-date:/;

/** Lines (1-based) holding a fixed date that nothing says is safe from today's date. */
export function unjustifiedFixedDates(source: string): number[] {
  if (!WALL_CLOCK.test(source)) return [];
  const lines = source.split("\n");
  return lines.flatMap((line, index) =>
    DATE_LITERAL.test(line) && !JUSTIFIED.test(line) && !JUSTIFIED.test(lines[index - 1] ?? "")
      ? [index + 1]
      : [],
  );
}

function testFiles(): string[] {
  const listed = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], {
    encoding: "utf8",
  });
  return listed
    .split("\n")
    .filter((file) => /\.(test|spec)\.tsx?$/.test(file) || /^e2e\/.*\.ts$/.test(file))
    .filter((file) => file !== "src/server/testing/fixed-dates.test.ts"); // its own examples
}

describe("fixed dates in tests", () => {
  it("flags a fixed date in a file that also reads the wall clock", () => {
    const stale = [
      'const sample = { timestamp: "2026-11-27 10:00:00+00:00" };',
      "const old = new Date(Date.now() - 3 * 86_400_000);",
    ].join("\n");
    expect(unjustifiedFixedDates(stale)).toEqual([1]);
    expect(unjustifiedFixedDates("const start = Date.UTC(2025, 4, 29);\nconst t = new Date();")).toEqual([1]);
  });

  it("accepts fixed dates with an injected clock, or with a reason", () => {
    expect(unjustifiedFixedDates('const now = () => Date.parse("2026-11-27T12:00:00Z");')).toEqual([]);
    const reasoned = [
      "// fixed-date: a validity window far from today; only stored and read back",
      'const start = "2030-01-01T00:00:00Z";',
      "const before = Date.now();",
    ].join("\n");
    expect(unjustifiedFixedDates(reasoned)).toEqual([]);
  });

  it("finds none in the project's tests", () => {
    const files = testFiles();
    expect(files.length).toBeGreaterThan(50);
    const offenders = files.flatMap((file) =>
      unjustifiedFixedDates(readFileSync(file, "utf8")).map((line) => `${file}:${line}`),
    );
    expect(offenders).toEqual([]);
  });
});
