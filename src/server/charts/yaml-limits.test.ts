import { describe, expect, it } from "vitest";
import { ChartError, loadChartFromFiles, renderChart } from "./index";

const enc = new TextEncoder();

/** Nine levels of ten aliases: 10^9 strings once expanded, 1 KiB of text. */
function billionLaughs(key = "lol9"): string {
  let s = 'lol0: &lol0 "lol"\n';
  for (let i = 1; i <= 9; i++) {
    const refs = Array.from({ length: 10 }, () => `*lol${i - 1}`).join(", ");
    s += `lol${i}: &lol${i} [${refs}]\n`;
  }
  return key === "lol9" ? s : s + `${key}: *lol9\n`;
}

function chartWith(files: Record<string, string>): Map<string, Uint8Array> {
  const m = new Map<string, Uint8Array>();
  m.set("Chart.yaml", enc.encode("apiVersion: v2\nname: bomb\nversion: 1.0.0\n"));
  m.set("values.yaml", enc.encode("a: 1\n"));
  for (const [k, v] of Object.entries(files)) m.set(k, enc.encode(v));
  return m;
}

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected an error");
}

describe("YAML limits", () => {
  it("refuses a billion-laughs values override, naming the limit", () => {
    const chart = loadChartFromFiles(chartWith({ "templates/cm.yaml": "a: {{ .Values.a }}\n" }));
    const t0 = Date.now();
    const e = thrown(() => renderChart(chart, { values: billionLaughs() }));
    expect(e.message).toContain("maxAliasNodes");
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it("refuses a billion-laughs values.yaml", () => {
    const e = thrown(() => loadChartFromFiles(chartWith({ "values.yaml": billionLaughs() })));
    expect(e).toBeInstanceOf(ChartError);
    expect(e.message).toContain("maxAliasNodes");
  });

  it("refuses a billion-laughs Chart.yaml", () => {
    const files = chartWith({});
    files.set("Chart.yaml", enc.encode("apiVersion: v2\nname: bomb\nversion: 1.0.0\n" + billionLaughs("x")));
    expect(thrown(() => loadChartFromFiles(files)).message).toContain("maxAliasNodes");
  });

  it("refuses a billion-laughs fromYaml in a template", () => {
    const bomb = JSON.stringify(billionLaughs());
    const chart = loadChartFromFiles(
      chartWith({ "templates/cm.yaml": `{{- $x := fromYaml ${bomb} }}a: {{ $x.Error | quote }}\n` }),
    );
    // fromYaml reports errors in .Error, as Helm does; the text names the limit.
    const out = renderChart(chart, {});
    expect(out.manifests[0]?.content).toContain("maxAliasNodes");
  });

  it("refuses a rendered document that is a billion-laughs bomb", () => {
    const chart = loadChartFromFiles(chartWith({ "templates/cm.yaml": billionLaughs() }));
    expect(thrown(() => renderChart(chart, {})).message).toContain("maxAliasNodes");
  });

  it("refuses oversized YAML text, naming the limit", () => {
    const chart = loadChartFromFiles(chartWith({ "templates/cm.yaml": "a: 1\n" }));
    const huge = "a: " + "x".repeat(17 * 1024 * 1024) + "\n";
    expect(thrown(() => renderChart(chart, { values: huge })).message).toContain("maxDocumentBytes");
  });

  it("keeps ordinary anchors, aliases and merge keys working", () => {
    const chart = loadChartFromFiles(
      chartWith({
        "values.yaml": "base: &b {p: 1, q: 2}\nderived:\n  <<: *b\n  q: 3\nlist: [*b, *b]\n",
        "templates/cm.yaml":
          "p: {{ .Values.derived.p }}\nq: {{ .Values.derived.q }}\nn: {{ len .Values.list }}\n",
      }),
    );
    expect(renderChart(chart, {}).manifests[0]?.content).toContain("p: 1\nq: 3\nn: 2");
  });
});
