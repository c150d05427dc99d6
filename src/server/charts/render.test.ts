import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ChartRenderError, helmTemplateOutput, loadChartFromFiles, renderChart } from "./index";

function readDir(dir: string): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  const walk = (rel: string): void => {
    for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else out.set(r, new Uint8Array(readFileSync(path.join(dir, r))));
    }
  };
  walk("");
  return out;
}

const mychart = () =>
  loadChartFromFiles(readDir(path.join(import.meta.dirname, "conformance-data/helm/create/mychart")));

describe("renderChart", () => {
  it("renders the helm create chart with manifests, hooks and notes", () => {
    const r = renderChart(mychart(), { releaseName: "web", namespace: "apps", values: "replicaCount: 3\n" });
    expect(r.manifests.map((m) => `${m.kind}/${m.name}`)).toEqual([
      "ServiceAccount/web-mychart",
      "Service/web-mychart",
      "Deployment/web-mychart",
    ]);
    expect(r.manifests[2]?.content).toContain("replicas: 3");
    expect(r.hooks.map((h) => h.events)).toEqual([["test"]]);
    expect(r.notes).toContain("web");
  });

  it("reports template errors with file and line", () => {
    const files = readDir(path.join(import.meta.dirname, "conformance-data/helm/create/mychart"));
    files.set(
      "templates/broken.yaml",
      new TextEncoder().encode("a: 1\nb: 2\nc: {{ .Values.missing.key }}\n"),
    );
    try {
      renderChart(loadChartFromFiles(files));
      throw new Error("expected failure");
    } catch (e) {
      expect(e).toBeInstanceOf(ChartRenderError);
      const err = e as ChartRenderError;
      expect(err.file).toBe("mychart/templates/broken.yaml");
      expect(err.line).toBe(3);
      expect(err.message).toContain("nil pointer evaluating interface {}.key");
    }
  });

  it("prints helm template output", () => {
    const out = helmTemplateOutput(mychart(), { noHooks: true });
    expect(out.startsWith("---\n# Source: mychart/templates/serviceaccount.yaml\n")).toBe(true);
  });
});
