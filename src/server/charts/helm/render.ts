/**
 * Chart rendering as `helm template` / `helm install --dry-run` do it: values
 * assembly, dependency processing, template rendering, manifest sorting, hooks,
 * CRDs and the exact text `helm template` prints.
 */
import { TemplateSet } from "../template/exec";
import { deepCopy, int64, utf8String, type GoMap, type Value } from "../template/values";
import { sprigFuncs } from "../sprig";
import { isCompatibleRange } from "../sprig/semver";
import { globMatch } from "./ignore";
import { type Chart } from "./chart";
import {
  RenderError,
  allTemplates,
  capabilitiesObject,
  clearTemplateCache,
  parseKubeVersion,
  renderTemplates,
} from "./engine";
import { clearHeadCache, sortManifests, splitManifests, type Hook, type Manifest } from "./manifests";
import { coalesceValues, mergeMaps, parseSet, processDependencies, type HelmVersion } from "./values";
import { yamlToValue } from "./yaml-reader";

export interface RenderOptions {
  /** Release name (default "release-name", as `helm template`). */
  releaseName?: string;
  /** --name-template: a template producing the release name. */
  nameTemplate?: string;
  namespace?: string;
  /** User values as YAML text, applied in order (like -f files). */
  values?: string | string[];
  /** --set / --set-string expressions. */
  set?: string[];
  setString?: string[];
  includeCrds?: boolean;
  isUpgrade?: boolean;
  /** Exclude hooks (--no-hooks). */
  noHooks?: boolean;
  skipTests?: boolean;
  /** --show-only template paths (globs allowed), relative to the chart, e.g. "templates/x.yaml". */
  showOnly?: string[];
  /** Kubernetes version reported in .Capabilities (default v1.31.0). */
  kubeVersion?: string;
  apiVersions?: string[];
  /** 3 (default): Helm 3 output and null semantics; 4: Helm 4.2. */
  helmVersion?: HelmVersion;
  strict?: boolean;
  revision?: number;
  /** Render NOTES.txt of subcharts too (--render-subchart-notes). */
  subNotes?: boolean;
}

export interface RenderedManifest {
  source: string;
  kind: string;
  name: string;
  content: string;
}

export interface RenderedHook extends RenderedManifest {
  events: string[];
  weight: number;
  deletePolicies: string[];
}

export interface RenderResult {
  releaseName: string;
  manifests: RenderedManifest[];
  hooks: RenderedHook[];
  crds: RenderedManifest[];
  notes?: string;
  /** The release manifest text (CRDs when requested, then manifests), as Helm stores it. */
  manifestText: string;
}

export class ChartRenderError extends RenderError {
  constructor(
    message: string,
    file?: string,
    line?: number,
    /** For YAML errors after rendering: the raw rendered files (what --debug prints). */
    readonly renderedDump?: string,
  ) {
    super(message, file, line);
    this.name = "ChartRenderError";
  }
}

const DEFAULT_KUBE_VERSION = "v1.31.0";

function manifestExt(name: string): boolean {
  return /\.(ya?ml|json)$/.test(name);
}

function crdObjects(chart: Chart): RenderedManifest[] {
  const out: RenderedManifest[] = [];
  for (const f of chart.files) {
    if (f.name.startsWith("crds/") && manifestExt(f.name)) {
      out.push({
        source: `${chart.fullPath()}/${f.name}`,
        kind: "CustomResourceDefinition",
        name: "",
        content: utf8String(f.data),
      });
    }
  }
  for (const d of chart.dependencies) out.push(...crdObjects(d));
  return out;
}

const valuesCache = new Map<string, Value>();

/** Drop every memoised parse (templates, manifest heads, values texts). */
export function clearRenderCaches(): void {
  clearTemplateCache();
  clearHeadCache();
  valuesCache.clear();
}

function parseValuesText(text: string): Value {
  const hit = valuesCache.get(text);
  if (hit !== undefined) return deepCopy(hit);
  const v = yamlToValue(text);
  if (valuesCache.size > 200) valuesCache.clear();
  valuesCache.set(text, v);
  return deepCopy(v);
}

function userValues(opts: RenderOptions): GoMap {
  let base: GoMap = new Map();
  const list = opts.values === undefined ? [] : Array.isArray(opts.values) ? opts.values : [opts.values];
  for (const text of list) {
    let v: Value;
    try {
      v = parseValuesText(text);
    } catch (e) {
      throw new ChartRenderError(`failed to parse values: ${(e as Error).message}`);
    }
    if (v === null) continue;
    if (!(v instanceof Map)) throw new ChartRenderError("failed to parse values: values must be a map");
    base = mergeMaps(base, v);
  }
  try {
    for (const s of opts.set ?? []) parseSet(s, base);
    for (const s of opts.setString ?? []) parseSet(s, base, true);
  } catch (e) {
    throw new ChartRenderError(`failed parsing --set data: ${(e as Error).message}`);
  }
  return base;
}

function releaseName(opts: RenderOptions): string {
  if (opts.nameTemplate) {
    const set = new TemplateSet("name-template", sprigFuncs());
    set.parse("name-template", opts.nameTemplate);
    return set.execute("name-template", null);
  }
  return opts.releaseName ?? "release-name";
}

function toRendered(m: Manifest): RenderedManifest {
  return { source: m.name, kind: m.kind, name: m.resourceName, content: m.content };
}

/** Render a chart like `helm install --dry-run --client-only`. Throws ChartRenderError. */
export function renderChart(loaded: Chart, opts: RenderOptions = {}): RenderResult {
  const version = opts.helmVersion ?? 3;
  const chart = loaded.cloneTree();
  if (chart.metadata.type !== "" && chart.metadata.type !== "application") {
    throw new ChartRenderError(`${chart.metadata.type} charts are not installable`);
  }
  const name = releaseName(opts);
  const kube = parseKubeVersion(opts.kubeVersion ?? DEFAULT_KUBE_VERSION);
  if (chart.metadata.kubeVersion && !isCompatibleRange(chart.metadata.kubeVersion, kube.version)) {
    throw new ChartRenderError(
      `chart requires kubeVersion: ${chart.metadata.kubeVersion} which is incompatible with Kubernetes ${kube.version}`,
    );
  }
  const vals = userValues(opts);
  const values = (() => {
    try {
      processDependencies(chart, deepCopy(vals) as GoMap, version);
      return coalesceValues(chart, vals, version);
    } catch (e) {
      throw new ChartRenderError((e as Error).message);
    }
  })();
  const release: GoMap = new Map<string, Value>([
    ["Name", name],
    ["Namespace", opts.namespace ?? "default"],
    ["IsUpgrade", !!opts.isUpgrade],
    ["IsInstall", !opts.isUpgrade],
    ["Revision", BigInt(opts.revision ?? 1)],
    ["Service", "Helm"],
  ]);
  const caps = capabilitiesObject({ kubeVersion: kube.version, apiVersions: opts.apiVersions });
  const top: GoMap = new Map<string, Value>([
    ["Values", values],
    ["Release", release],
    ["Capabilities", caps],
  ]);
  const tpls = allTemplates(chart, top);
  let files: Map<string, string>;
  try {
    files = renderTemplates(tpls, { strict: opts.strict, helmVersion: version });
  } catch (e) {
    if (e instanceof RenderError) throw new ChartRenderError(e.message, e.file, e.line);
    throw e;
  }
  let notes: string | undefined;
  const notesPath = `${chart.name}/templates/NOTES.txt`;
  for (const k of Array.from(files.keys()).sort()) {
    if (!k.endsWith("NOTES.txt")) continue;
    if (opts.subNotes || k === notesPath)
      notes = notes === undefined ? (files.get(k) ?? "") : `${notes}\n${files.get(k) ?? ""}`;
    files.delete(k);
  }
  let sorted: { hooks: Hook[]; manifests: Manifest[] };
  try {
    sorted = sortManifests(files, version);
  } catch (e) {
    let dump = "";
    for (const k of Array.from(files.keys()).sort()) {
      const content = files.get(k) ?? "";
      if (content.trim() === "") continue;
      dump += `---\n# Source: ${k}\n${content}\n`;
    }
    const re = e as RenderError;
    throw new ChartRenderError(re.message, re.file, re.line, dump);
  }
  const crds = opts.includeCrds ? crdObjects(chart) : [];
  let manifestText = "";
  for (const c of crds) manifestText += `---\n# Source: ${c.source}\n${c.content}\n`;
  for (const m of sorted.manifests) manifestText += `---\n# Source: ${m.name}\n${m.content}\n`;
  const hooks = opts.noHooks
    ? []
    : sorted.hooks.map((h) => ({
        ...toRendered(h),
        events: h.events,
        weight: h.weight,
        deletePolicies: h.deletePolicies,
      }));
  return {
    releaseName: name,
    manifests: sorted.manifests.map(toRendered),
    hooks,
    crds,
    notes,
    manifestText,
  };
}

/** The text `helm template` prints for the result (manifests, then hooks; --show-only filtering). */
export function formatTemplateOutput(r: RenderResult, opts: RenderOptions = {}): string {
  const version = opts.helmVersion ?? 3;
  let out = r.manifestText.trim() + "\n";
  for (const h of r.hooks) {
    if (opts.skipTests && h.events.includes("test")) continue;
    out += `---\n# Source: ${h.source}\n${h.content}\n`;
  }
  if (!opts.showOnly || opts.showOnly.length === 0) return out;
  const docs = splitManifests(out, version);
  let result = "";
  for (const f of opts.showOnly) {
    let missing = true;
    for (const doc of docs) {
      const m = /# Source: [^/]+\/(.+)/.exec(doc);
      if (!m) continue;
      const path = m[1] ?? "";
      if (!globMatch(f.replace(/\\/g, "/"), path)) continue;
      result += `---\n${doc}\n`;
      missing = false;
    }
    if (missing) throw new ChartRenderError(`could not find template ${f} in chart`);
  }
  return result;
}

/**
 * Exactly what `helm template` prints (stdout and stderr) for a chart and options;
 * errors appear as "Error: ..." lines like the CLI.
 */
export function helmTemplateOutput(
  chart: Chart | (() => Chart),
  opts: RenderOptions & { debug?: boolean } = {},
): string {
  let c: Chart;
  try {
    c = typeof chart === "function" ? chart() : chart;
  } catch (e) {
    return `Error: ${(e as Error).message}\n`;
  }
  try {
    const r = renderChart(c, opts);
    return formatTemplateOutput(r, opts);
  } catch (e) {
    const err = e as ChartRenderError;
    if (err.renderedDump !== undefined) {
      if (!opts.debug) return `Error: ${err.message}\n\nUse --debug flag to render out invalid YAML\n`;
      return err.renderedDump.trim() + "\n" + `Error: ${err.message}\n`;
    }
    return `Error: ${err.message}\n`;
  }
}

export { int64 };
