import { describe, expect, it } from "vitest";
import { ChartRenderError, loadChartFromFiles, renderChart } from "./index";

const enc = new TextEncoder();

function chart(template: string, extra: Record<string, string> = {}) {
  const files = new Map<string, Uint8Array>([
    ["Chart.yaml", enc.encode("apiVersion: v2\nname: hostile\nversion: 1.0.0\n")],
    ["values.yaml", enc.encode("count: 3\ns: x\n")],
    ["templates/cm.yaml", enc.encode(template)],
  ]);
  for (const [k, v] of Object.entries(extra)) files.set(k, enc.encode(v));
  return loadChartFromFiles(files);
}

/** Renders, expecting a refusal naming `limit`, at `line` of cm.yaml (or `file`), in well under the test timeout. */
function refused(
  template: string,
  limit: string,
  line: number,
  opts: { values?: string; extra?: Record<string, string>; file?: string } = {},
): ChartRenderError {
  const c = chart(template, opts.extra);
  const t0 = Date.now();
  let error: unknown;
  try {
    renderChart(c, opts.values === undefined ? {} : { values: opts.values });
  } catch (e) {
    error = e;
  }
  const ms = Date.now() - t0;
  expect(error).toBeInstanceOf(ChartRenderError);
  const e = error as ChartRenderError;
  expect(e.message).toContain(`(${limit})`);
  expect(e.file).toBe(opts.file ?? "hostile/templates/cm.yaml");
  expect(e.line).toBe(line);
  expect(ms).toBeLessThan(5000);
  return e;
}

describe("render limits", () => {
  it("refuses seq 1 100000000 (maxSequenceLength)", () => {
    refused("a: 1\nb: {{ seq 1 100000000 }}\n", "maxSequenceLength", 2);
  });

  it("refuses until and untilStep over the sequence limit", () => {
    refused("{{ range until 100000000 }}x{{ end }}\n", "maxSequenceLength", 1);
    refused("{{ range untilStep 0 1000000000 3 }}x{{ end }}\n", "maxSequenceLength", 1);
  });

  it("refuses a nested range bomb (maxRangeIterations)", () => {
    refused(
      "a:\n{{- range until 1000 }}{{ range until 1000 }}{{ range until 1000 }}{{ end }}{{ end }}{{ end }}\n",
      "maxRangeIterations",
      2,
    );
  });

  it("refuses include recursion with Helm's message", () => {
    const e = refused(
      '{{ define "r" }}{{ include "r" . }}{{ end }}a: {{ include "r" . }}\n',
      "maxTemplateDepth",
      1,
    );
    expect(e.message).toContain("nested reference name: r");
  });

  it("refuses template recursion (maxTemplateDepth)", () => {
    refused(
      '{{ define "t" }}{{ template "t" . }}{{ end }}\na: {{ template "t" . }}\n',
      "maxTemplateDepth",
      1,
    );
  });

  it("refuses an exponential include (maxTemplateCalls)", () => {
    let defs = '{{ define "a30" }}{{ end }}';
    for (let i = 29; i >= 0; i--)
      defs += `{{ define "a${i}" }}{{ include "a${i + 1}" . }}{{ include "a${i + 1}" . }}{{ end }}`;
    refused(`${defs}\na: {{ include "a0" . }}\n`, "maxTemplateCalls", 1);
  });

  it("refuses output over maxOutputBytes", () => {
    refused('{{ $s := repeat 1000 "x" }}a: {{ range until 100000 }}{{ $s }}{{ end }}\n', "maxOutputBytes", 1);
  });

  it("refuses a 1 GB repeat before building it (maxStringBytes)", () => {
    refused('a: 1\nb: {{ repeat 1000000000 "x" }}\n', "maxStringBytes", 2);
  });

  it("refuses huge indent and printf widths (maxStringBytes)", () => {
    refused('a: {{ indent 1000000000 "x" }}\n', "maxStringBytes", 1);
    refused('a: {{ printf "%1000000000d" 1 }}\n', "maxStringBytes", 1);
  });

  it("refuses a catastrophic regular expression", () => {
    const c = chart(`a: {{ regexMatch "(a+)+$" "${"a".repeat(40)}!" }}\n`);
    const t0 = Date.now();
    expect(() => renderChart(c, {})).toThrow(/refused: the repeated group \(a\+\)\+/);
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it("refuses regular-expression input over maxRegexInputBytes", () => {
    refused('a: {{ regexMatch "b" (repeat 100000 "a") }}\n', "maxRegexInputBytes", 1);
  });

  it("refuses a values override that turns a small chart into a bomb", () => {
    const template =
      "a: 1\nb: {{ repeat (int .Values.count) .Values.s }}\nc: {{ len (until (int .Values.count)) }}\n";
    expect(renderChart(chart(template), {}).manifests[0]?.content).toContain("b: xxx");
    refused(template, "maxStringBytes", 2, { values: "count: 1000000000\n" });
    refused(template, "maxSequenceLength", 3, { values: "count: 1000000000\ns: ''\n" });
  });

  it("keeps ordinary loops, includes and regular expressions working", () => {
    const c = chart(
      '{{ define "n" }}{{ . }}{{ end }}a: {{ range until 3 }}{{ include "n" . }}{{ end }}\n' +
        'b: {{ regexMatch "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$" "web.example.com" }}\n',
    );
    expect(renderChart(c, {}).manifests[0]?.content).toBe("a: 012\nb: true");
  });
});
