/**
 * The ChartRenderer the application uses: the in-process Helm template
 * engine of src/server/charts (Go text/template + Sprig + Helm semantics),
 * behind the small interface the workload domain needs.
 */
import {
  ChartArchiveError,
  ChartError,
  ChartRenderError,
  loadChartFromFiles,
  renderChart,
  type RenderedManifest as HelmManifest,
} from "@/server/charts";
import type { Problem } from "@/server/errors";
import { logger } from "@/server/logger";
import type { ChartRenderer, RenderedManifest, RenderResult } from "./chart-validation";

const log = logger.child({ module: "chart-renderer" });

const toManifest = (m: HelmManifest): RenderedManifest => ({
  source: m.source,
  kind: m.kind,
  name: m.name,
  content: m.content,
});

function problemFrom(error: unknown): Problem | undefined {
  if (error instanceof ChartRenderError) {
    return {
      message: error.message,
      ...(error.file ? { file: error.file } : {}),
      ...(error.line ? { line: error.line } : {}),
    };
  }
  // Loading errors are about Chart.yaml, values.yaml or a subchart; Helm's message names which.
  if (error instanceof ChartError) return { message: error.message };
  // The chart's files together are over the archive limits (subchart archives are wrapped in a ChartError).
  if (error instanceof ChartArchiveError) {
    return { message: error.message, ...(error.entry ? { file: error.entry } : {}) };
  }
  return undefined;
}

export const helmRenderer: ChartRenderer = {
  name: "helm",
  render(files, options): Promise<RenderResult> {
    try {
      const chart = loadChartFromFiles(new Map(files));
      const result = renderChart(chart, {
        releaseName: options.releaseName,
        namespace: options.namespace,
        ...(options.values.trim() ? { values: options.values } : {}),
        includeCrds: options.includeCrds,
        isUpgrade: options.isUpgrade,
        noHooks: options.noHooks,
      });
      // `helm template` prints CRDs (when asked), then the manifests, then the hooks.
      const manifests = [...result.crds, ...result.manifests, ...result.hooks].map(toManifest);
      return Promise.resolve({ ok: true, manifests });
    } catch (error) {
      const problem = problemFrom(error);
      if (problem) return Promise.resolve({ ok: false, errors: [problem] });
      // Anything else is a renderer bug, not the chart's fault: log it, still refuse the chart.
      log.error({ err: error }, "chart renderer failed unexpectedly");
      const message = error instanceof Error ? error.message : String(error);
      return Promise.resolve({
        ok: false,
        errors: [{ message: `The chart could not be rendered: ${message}` }],
      });
    }
  },
};

export function chartRenderer(): ChartRenderer {
  return helmRenderer;
}
