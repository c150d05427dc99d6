/**
 * NEMO's in-process Helm chart renderer.
 *
 *   const chart = loadChartArchive(tgzBytes);            // or loadChartFromFiles(map)
 *   const { manifests, hooks, notes } = renderChart(chart, { releaseName: "web", namespace: "apps" });
 *   const text = helmTemplateOutput(chart, { ... });     // exactly what `helm template` prints
 *
 * Go text/template semantics live in ./template, the Sprig library in ./sprig and
 * Helm's chart model, values and rendering in ./helm.
 */
import {
  type Chart,
  ChartError,
  loadChartArchive as loadArchive,
  loadChartFiles,
  type LoadOptions,
} from "./helm/chart";

export { Chart, ChartError, type ChartFile, type Metadata, type Dependency } from "./helm/chart";
export {
  CHART_ARCHIVE_LIMITS,
  ChartArchiveError,
  extractChartArchive,
  MiB,
  SIZE_REJECTIONS,
  type ArchiveLimits,
  type ArchiveRejection,
  type ExtractedChart,
} from "./helm/archive";
export { RenderError } from "./helm/engine";
export {
  ChartRenderError,
  clearRenderCaches,
  formatTemplateOutput,
  helmTemplateOutput,
  renderChart,
  type RenderOptions,
  type RenderResult,
  type RenderedHook,
  type RenderedManifest,
} from "./helm/render";
export type { HelmVersion } from "./helm/values";
export { ExecError, TemplateSet } from "./template/exec";
export { ParseError } from "./template/parser";

/**
 * Load a packaged chart (.tgz bytes) within CHART_ARCHIVE_LIMITS: links,
 * devices, absolute and ".." paths are refused (ChartArchiveError).
 */
export function loadChartArchive(buf: Uint8Array): Chart {
  return loadArchive(buf);
}

/**
 * Load a chart from files keyed by path relative to the chart directory
 * (e.g. "Chart.yaml", "templates/deployment.yaml", "charts/sub-1.0.0.tgz").
 * `.helmignore` is applied like `helm template <dir>` does, unless disabled.
 * The files and the subchart archives among them count against
 * CHART_ARCHIVE_LIMITS (ChartArchiveError when they do not fit).
 */
export function loadChartFromFiles(
  files: Map<string, Uint8Array>,
  opts: LoadOptions = { helmignore: true },
): Chart {
  return loadChartFiles(files, opts);
}

export { ChartError as ChartLoadError };
