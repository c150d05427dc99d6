/** Chart model and loader (Helm's pkg/chart + chart/loader): Chart.yaml, values, templates, files, subcharts. */
import { GoError, GoObject, GoStruct, utf8String, type GoMap, type Value } from "../template/values";
import { newVersion } from "../sprig/semver";
import type { JSONMarshaler } from "../sprig/json";
import { ArchiveBudget, CHART_ARCHIVE_LIMITS, extractChartArchiveSync, type ArchiveLimits } from "./archive";
import { IgnoreRules } from "./ignore";
import { yamlToValue } from "./yaml-reader";

export class ChartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ChartError";
  }
}

export interface ChartFile {
  name: string;
  data: Uint8Array;
}

export interface Maintainer {
  name: string;
  email: string;
  url: string;
}

export interface Dependency {
  name: string;
  version: string;
  repository: string;
  condition: string;
  tags: string[];
  enabled: boolean;
  importValues: Value[];
  alias: string;
}

export interface Metadata {
  name: string;
  home: string;
  sources: string[];
  version: string;
  description: string;
  keywords: string[];
  maintainers: Maintainer[];
  icon: string;
  apiVersion: string;
  condition: string;
  tags: string;
  appVersion: string;
  deprecated: boolean;
  annotations: Map<string, string>;
  kubeVersion: string;
  dependencies: Dependency[];
  type: string;
}

export class Chart {
  parent: Chart | null = null;
  dependencies: Chart[] = [];
  constructor(
    public metadata: Metadata,
    public values: GoMap,
    readonly templates: ChartFile[],
    readonly files: ChartFile[],
    readonly schema: Uint8Array | undefined,
  ) {}

  get name(): string {
    return this.metadata.name;
  }
  isRoot(): boolean {
    return this.parent === null;
  }
  /** "parent/charts/child" path used for template names. */
  fullPath(): string {
    return this.parent ? `${this.parent.fullPath()}/charts/${this.name}` : this.name;
  }
  isLibrary(): boolean {
    return this.metadata.type === "library";
  }
  addDependency(c: Chart): void {
    c.parent = this;
    this.dependencies.push(c);
  }
  /** A shallow copy with its own metadata (used for aliases and dependency pruning). */
  clone(): Chart {
    const md = {
      ...this.metadata,
      dependencies: this.metadata.dependencies.map((d) => ({
        ...d,
        tags: [...d.tags],
        importValues: [...d.importValues],
      })),
    };
    const c = new Chart(md, this.values, this.templates, this.files, this.schema);
    c.parent = this.parent;
    c.dependencies = [...this.dependencies];
    return c;
  }

  /** Deep copy of the chart tree (metadata and dependency lists); file contents are shared. */
  cloneTree(parent: Chart | null = null): Chart {
    const c = this.clone();
    c.parent = parent;
    c.dependencies = this.dependencies.map((d) => d.cloneTree(c));
    return c;
  }
}

// ---------------------------------------------------------------------------
// Metadata parsing

function fieldErr(field: string, got: string, want: string): never {
  throw new ChartError(
    `cannot load Chart.yaml: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${got} into Go struct field ${field} of type ${want}`,
  );
}

function jsonKind(v: Value): string {
  if (Array.isArray(v)) return "array";
  if (v instanceof Map) return "object";
  if (typeof v === "boolean") return "bool";
  return typeof v;
}

function sField(m: GoMap, key: string, owner: string): string {
  const v = m.get(key);
  if (v === undefined || v === null) return "";
  if (typeof v !== "string") fieldErr(`${owner}.${key}`, jsonKind(v), "string");
  return v;
}

function sList(m: GoMap, key: string, owner: string): string[] {
  const v = m.get(key);
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) fieldErr(`${owner}.${key}`, jsonKind(v), "[]string");
  return v.map((x) => {
    if (typeof x !== "string") fieldErr(`${owner}.${key}`, jsonKind(x), "string");
    return x;
  });
}

export function parseMetadata(data: Uint8Array): Metadata {
  let doc: Value;
  try {
    doc = yamlToValue(utf8String(data));
  } catch (e) {
    throw new ChartError(`cannot load Chart.yaml: ${(e as Error).message}`);
  }
  const m = doc instanceof Map ? doc : new Map<string, Value>();
  const deps = m.get("dependencies");
  const maint = m.get("maintainers");
  const ann = m.get("annotations");
  const annotations = new Map<string, string>();
  if (ann instanceof Map)
    for (const [k, v] of ann)
      annotations.set(k, typeof v === "string" ? v : fieldErr("Metadata.annotations", jsonKind(v), "string"));
  return {
    name: sField(m, "name", "Metadata"),
    home: sField(m, "home", "Metadata"),
    sources: sList(m, "sources", "Metadata"),
    version: sField(m, "version", "Metadata"),
    description: sField(m, "description", "Metadata"),
    keywords: sList(m, "keywords", "Metadata"),
    maintainers: Array.isArray(maint)
      ? maint.map((x) => {
          const mm = x instanceof Map ? x : new Map<string, Value>();
          return {
            name: sField(mm, "name", "Maintainer"),
            email: sField(mm, "email", "Maintainer"),
            url: sField(mm, "url", "Maintainer"),
          };
        })
      : [],
    icon: sField(m, "icon", "Metadata"),
    apiVersion: sField(m, "apiVersion", "Metadata"),
    condition: sField(m, "condition", "Metadata"),
    tags: sField(m, "tags", "Metadata"),
    appVersion: sField(m, "appVersion", "Metadata"),
    deprecated: m.get("deprecated") === true,
    annotations,
    kubeVersion: sField(m, "kubeVersion", "Metadata"),
    dependencies: Array.isArray(deps) ? deps.map(parseDependency) : [],
    type: sField(m, "type", "Metadata"),
  };
}

function parseDependency(v: Value): Dependency {
  const m = v instanceof Map ? v : new Map<string, Value>();
  const iv = m.get("import-values");
  return {
    name: sField(m, "name", "Dependency"),
    version: sField(m, "version", "Dependency"),
    repository: sField(m, "repository", "Dependency"),
    condition: sField(m, "condition", "Dependency"),
    tags: sList(m, "tags", "Dependency"),
    enabled: m.get("enabled") === true,
    importValues: Array.isArray(iv) ? iv : [],
    alias: sField(m, "alias", "Dependency"),
  };
}

/** Helm's Metadata.Validate. */
export function validateMetadata(md: Metadata): void {
  const fail = (msg: string): never => {
    throw new ChartError(`validation: ${msg}`);
  };
  if (md.apiVersion === "") fail("chart.metadata.apiVersion is required");
  if (md.name === "") fail("chart.metadata.name is required");
  if (md.name.includes("/") || md.name === "." || md.name === "..")
    fail(`chart.metadata.name ${JSON.stringify(md.name)} is invalid`);
  if (md.version === "") fail("chart.metadata.version is required");
  try {
    newVersion(md.version);
  } catch {
    fail(`chart.metadata.version ${JSON.stringify(md.version)} is invalid`);
  }
  if (md.type !== "" && md.type !== "application" && md.type !== "library")
    fail("chart.metadata.type must be application or library");
  const seen = new Set<string>();
  for (const d of md.dependencies) {
    if (d.name === "") fail("dependency name is required");
    const key = d.alias || d.name;
    if (d.alias && !/^[a-zA-Z0-9_-]+$/.test(d.alias))
      fail(`dependency ${JSON.stringify(d.name)} has disallowed characters in the alias`);
    if (seen.has(key)) fail(`more than one dependency with name or alias ${JSON.stringify(key)}`);
    seen.add(key);
  }
}

// ---------------------------------------------------------------------------
// Loading

export interface LoadOptions {
  /** Apply .helmignore (directory loads); archives are already filtered when packaged. */
  helmignore?: boolean;
}

/**
 * Build a chart from files keyed by path relative to the chart root. The
 * files count against the archive limits, and so does every subchart
 * archive inside them (throws ChartArchiveError when they do not fit).
 */
export function loadChartFiles(files: Map<string, Uint8Array>, opts: LoadOptions = {}): Chart {
  return loadFiles(files, opts, ArchiveBudget.forFiles(files));
}

/** `budget` is shared by the chart and all its subcharts; its depth is this chart's. */
function loadFiles(files: Map<string, Uint8Array>, opts: LoadOptions, budget: ArchiveBudget): Chart {
  let entries = Array.from(files, ([name, data]) => ({
    name: name.replace(/\\/g, "/").replace(/^\.\//, ""),
    data,
  }));
  if (opts.helmignore) {
    const ig = entries.find((f) => f.name === ".helmignore");
    const rules = ig ? IgnoreRules.parse(utf8String(ig.data)) : IgnoreRules.defaults();
    entries = entries.filter((f) => !rules.ignores(f.name));
  }
  let metadata: Metadata | undefined;
  let values: GoMap = new Map();
  let schema: Uint8Array | undefined;
  let requirements: Dependency[] | undefined;
  const templates: ChartFile[] = [];
  const other: ChartFile[] = [];
  const subcharts = new Map<string, ChartFile[]>();
  for (const f of entries) {
    if (f.name === "Chart.yaml") metadata = parseMetadata(f.data);
    else if (f.name === "values.yaml") {
      let v: Value;
      try {
        v = yamlToValue(utf8String(f.data));
      } catch (e) {
        throw new ChartError(`cannot load values.yaml: ${(e as Error).message}`);
      }
      if (v !== null && !(v instanceof Map)) {
        throw new ChartError(
          `cannot load values.yaml: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${jsonKind(v)} into Go value of type map[string]interface {}`,
        );
      }
      values = v ?? new Map<string, Value>();
    } else if (f.name === "values.schema.json") schema = f.data;
    else if (f.name === "requirements.yaml") {
      const r = yamlToValue(utf8String(f.data));
      const deps = r instanceof Map ? r.get("dependencies") : undefined;
      requirements = Array.isArray(deps) ? deps.map(parseDependency) : [];
    } else if (f.name === "Chart.lock" || f.name === "requirements.lock") {
      // Lock files only matter to dependency resolution, which happens before upload.
    } else if (f.name.startsWith("templates/")) templates.push(f);
    else if (f.name.startsWith("charts/")) {
      const rest = f.name.slice("charts/".length);
      const cname = rest.split("/")[0] ?? "";
      const list = subcharts.get(cname) ?? [];
      list.push({ name: rest, data: f.data });
      subcharts.set(cname, list);
    } else other.push(f);
  }
  if (!metadata) throw new ChartError("Chart.yaml file is missing");
  if (metadata.apiVersion === "v1" && requirements && metadata.dependencies.length === 0)
    metadata.dependencies = requirements;
  if (metadata.apiVersion === "") metadata.apiVersion = "v1";
  validateMetadata(metadata);
  const chart = new Chart(metadata, values, templates, other, schema);
  for (const name of Array.from(subcharts.keys()).sort()) {
    if (name.startsWith("_") || name.startsWith(".")) continue;
    const list = subcharts.get(name) ?? [];
    let sub: Chart;
    try {
      const subBudget = budget.subchart();
      if (name.endsWith(".tgz")) {
        const file = list[0];
        if (!file || file.name !== name)
          throw new ChartError(
            `error unpacking subchart tar in ${metadata.name}: expected ${name}, got ${file?.name}`,
          );
        // Through the same limited reader as an upload; its files count against this chart's budget.
        sub = loadFiles(extractChartArchiveSync(file.data, subBudget).files, {}, subBudget);
      } else {
        const inner = new Map<string, Uint8Array>();
        for (const f of list) {
          const slash = f.name.indexOf("/");
          if (slash < 0) continue;
          inner.set(f.name.slice(slash + 1), f.data);
        }
        sub = loadFiles(inner, opts, subBudget);
      }
    } catch (e) {
      throw new ChartError(`error unpacking subchart ${name} in ${metadata.name}: ${(e as Error).message}`);
    }
    chart.addDependency(sub);
  }
  return chart;
}

/** Load a packaged chart (.tgz) within the archive limits: every entry must sit under one top-level directory. */
export function loadChartArchive(buf: Uint8Array, limits: ArchiveLimits = CHART_ARCHIVE_LIMITS): Chart {
  const budget = ArchiveBudget.forChart(limits);
  return loadFiles(extractChartArchiveSync(buf, budget).files, {}, budget);
}

// ---------------------------------------------------------------------------
// Template-facing objects

function strList(a: string[]): Value[] {
  return [...a];
}

function maintainerStruct(m: Maintainer): GoStruct {
  return new GoStruct(
    "*chart.Maintainer",
    new Map<string, Value>([
      ["Name", m.name],
      ["Email", m.email],
      ["URL", m.url],
    ]),
  );
}

function dependencyStruct(d: Dependency): GoStruct {
  return new GoStruct(
    "*chart.Dependency",
    new Map<string, Value>([
      ["Name", d.name],
      ["Version", d.version],
      ["Repository", d.repository],
      ["Condition", d.condition],
      ["Tags", strList(d.tags)],
      ["Enabled", d.enabled],
      ["ImportValues", d.importValues],
      ["Alias", d.alias],
    ]),
  );
}

/** `.Chart`: chart.Metadata fields plus IsRoot, as Helm passes it to templates. */
export class ChartObject extends GoStruct implements JSONMarshaler {
  constructor(
    readonly md: Metadata,
    isRoot: boolean,
  ) {
    const annotations: GoMap = new Map();
    for (const [k, v] of md.annotations) annotations.set(k, v);
    super(
      "struct { chart.Metadata; IsRoot bool }",
      new Map<string, Value>([
        ["Name", md.name],
        ["Home", md.home],
        ["Sources", strList(md.sources)],
        ["Version", md.version],
        ["Description", md.description],
        ["Keywords", strList(md.keywords)],
        ["Maintainers", md.maintainers.map(maintainerStruct)],
        ["Icon", md.icon],
        ["APIVersion", md.apiVersion],
        ["Condition", md.condition],
        ["Tags", md.tags],
        ["AppVersion", md.appVersion],
        ["Deprecated", md.deprecated],
        ["Annotations", annotations],
        ["KubeVersion", md.kubeVersion],
        ["Dependencies", md.dependencies.map(dependencyStruct)],
        ["Type", md.type],
        ["IsRoot", isRoot],
      ]),
    );
  }
  toJSONValue(): Value {
    const md = this.md;
    const m: GoMap = new Map();
    const put = (k: string, v: Value, omit: boolean): void => {
      if (!omit) m.set(k, v);
    };
    put("name", md.name, md.name === "");
    put("home", md.home, md.home === "");
    put("sources", strList(md.sources), md.sources.length === 0);
    put("version", md.version, md.version === "");
    put("description", md.description, md.description === "");
    put("keywords", strList(md.keywords), md.keywords.length === 0);
    put(
      "maintainers",
      md.maintainers.map((x) => {
        const mm: GoMap = new Map();
        if (x.name) mm.set("name", x.name);
        if (x.email) mm.set("email", x.email);
        if (x.url) mm.set("url", x.url);
        return mm;
      }),
      md.maintainers.length === 0,
    );
    put("icon", md.icon, md.icon === "");
    put("apiVersion", md.apiVersion, md.apiVersion === "");
    put("condition", md.condition, md.condition === "");
    put("tags", md.tags, md.tags === "");
    put("appVersion", md.appVersion, md.appVersion === "");
    put("deprecated", md.deprecated, !md.deprecated);
    const ann: GoMap = new Map();
    for (const [k, v] of md.annotations) ann.set(k, v);
    put("annotations", ann, md.annotations.size === 0);
    put("kubeVersion", md.kubeVersion, md.kubeVersion === "");
    put("type", md.type, md.type === "");
    m.set("IsRoot", this.fields.get("IsRoot") ?? false);
    return m;
  }
}

export function isGoObject(v: Value): v is GoObject {
  return v instanceof GoObject;
}

export { GoError };
