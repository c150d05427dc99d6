/**
 * One render of a chart with the in-process Helm engine, as plain data in and out, so it
 * can run on a worker thread (render-worker.ts) or, with the pool disabled, in the caller.
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
import type { ChartFiles, RenderedManifest, RenderOptions, RenderResult } from "./chart-validation";

/** A render's outcome; `unexpected` is a renderer bug the caller logs. */
export type CoreResult = RenderResult | { ok: false; errors: Problem[]; unexpected: string };

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

export function renderInProcess(files: ChartFiles, options: RenderOptions): CoreResult {
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
    return { ok: true, manifests };
  } catch (error) {
    const problem = problemFrom(error);
    if (problem) return { ok: false, errors: [problem] };
    // Anything else is a renderer bug, not the chart's fault: still refuse the chart.
    const message = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      errors: [{ message: `The chart could not be rendered: ${message}` }],
      unexpected: error instanceof Error ? (error.stack ?? message) : message,
    };
  }
}
