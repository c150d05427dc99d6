/**
 * Helm's rendering engine: one template set per render holding every chart and
 * subchart template, include/tpl/required/fail bound to it, per-chart values scoping,
 * `<no value>` removal, and Helm's parse/exec error formats.
 */
import { ExecError, TemplateSet } from "../template/exec";
import { RENDER_LIMITS, RenderLimitError } from "../template/limits";
import { ParseError, parse, type Tree } from "../template/parser";
import {
  GoError,
  GoObject,
  GoStruct,
  MethodMap,
  goFunc,
  utf8String,
  type FuncMap,
  type GoFunc,
  type GoMap,
  type Value,
} from "../template/values";
import { pathBase } from "../sprig/strings";
import { ChartObject, type Chart, type ChartFile } from "./chart";
import { helmFuncs, toYAML } from "./funcs";
import { tableAt, type HelmVersion } from "./values";

export class RenderError extends Error {
  constructor(
    message: string,
    /** Template path the error points at, when known. */
    readonly file?: string,
    readonly line?: number,
  ) {
    super(message);
    this.name = "RenderError";
  }
}

export interface EngineOptions {
  strict?: boolean;
  lintMode?: boolean;
  helmVersion?: HelmVersion;
}

export interface Renderable {
  tpl: string;
  vals: GoMap;
  basePath: string;
}

const WARN_START = "HELM_ERR_START";
const WARN_END = "HELM_ERR_END";
const warnRe = /HELM_ERR_START([\s\S]*)HELM_ERR_END/;
const RECURSION_MAX = 1000;

// Parsed trees are immutable; cache them by template name and text.
const treeCache = new Map<string, Map<string, Tree>>();
const TREE_CACHE_MAX = 5000;

function parseCached(name: string, text: string, funcNames: Set<string>): Map<string, Tree> {
  const key = name + "\u0000" + text;
  const hit = treeCache.get(key);
  if (hit) return hit;
  const trees = parse(name, text, { funcs: funcNames });
  if (treeCache.size >= TREE_CACHE_MAX) treeCache.clear();
  treeCache.set(key, trees);
  return trees;
}

/** Drop cached parse trees (benchmarks use it to measure cold renders). */
export function clearTemplateCache(): void {
  treeCache.clear();
}

/** Sort: deeper paths first, then reverse lexical (Helm's sortTemplates). */
export function sortTemplates(names: string[]): string[] {
  const depth = (s: string): number => s.split("/").length - 1;
  return [...names].sort((a, b) => {
    const ca = depth(a);
    const cb = depth(b);
    if (ca !== cb) return cb - ca;
    return a < b ? 1 : a > b ? -1 : 0;
  });
}

function cleanupParseError(filename: string, err: Error): RenderError {
  const tokens = err.message.split(": ");
  if (tokens.length === 1) return new RenderError(`parse error in (${filename}): ${err.message}`, filename);
  const location = tokens[1] ?? "";
  const msg = tokens[tokens.length - 1] ?? "";
  const m = /^(.*):(\d+)$/.exec(location);
  return new RenderError(
    `parse error at (${location}): ${msg}`,
    m?.[1] ?? filename,
    m ? Number(m[2]) : undefined,
  );
}

/** Helm 4's multi-line rendering of a chain of text/template errors. */
function traceFormat(msg: string): string {
  let rest = msg;
  let out = "";
  for (;;) {
    const m = /^template: ([^\s:]+(?::\d+){1,2}): executing ("(?:[^"\\]|\\.)*") at <(.*?)>: ([\s\S]*)$/.exec(
      rest,
    );
    if (!m) {
      out += rest;
      return out;
    }
    out += `${m[1]}\n  executing ${m[2]} at <${m[3]}>:\n    `;
    rest = m[4] ?? "";
    const call = /^error calling (\w+): (template: [\s\S]*)$/.exec(rest);
    if (call) {
      out += `error calling ${call[1]}:\n`;
      rest = call[2] ?? "";
      continue;
    }
    out += rest;
    return out;
  }
}

function cleanupExecError(filename: string, err: ExecError, version: HelmVersion): RenderError {
  const locM = /^template: ([^:]+):(\d+)(?::(\d+))?: /.exec(err.message);
  const file = locM?.[1] ?? filename;
  const line = locM ? Number(locM[2]) : undefined;
  if (!err.isExecError) return new RenderError(err.message, file, line);
  const tokens = err.message.split(": ");
  if (tokens.length < 3)
    return new RenderError(`execution error in (${filename}): ${err.message}`, file, line);
  const location = tokens[1] ?? "";
  const rest = tokens.slice(2).join(": ");
  const parts = warnRe.exec(rest);
  if (parts) return new RenderError(`execution error at (${location}): ${parts[1] ?? ""}`, file, line);
  if (version === 4) return new RenderError(traceFormat(err.message), file, line);
  return new RenderError(err.message, file, line);
}

// ---------------------------------------------------------------------------
// .Files

function globToRegExp(pattern: string): RegExp {
  let re = "^";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === "*") {
      if (pattern[i + 1] === "*") {
        re += ".*";
        i++;
      } else re += "[^/]*";
    } else if (c === "?") re += "[^/]";
    else if (c === "{") {
      const end = pattern.indexOf("}", i);
      if (end < 0) re += "\\{";
      else {
        re +=
          "(?:" +
          pattern
            .slice(i + 1, end)
            .split(",")
            .map((p) => p.replace(/[.+^$()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*"))
            .join("|") +
          ")";
        i = end;
      }
    } else if (c === "[") {
      const end = pattern.indexOf("]", i);
      if (end < 0) re += "\\[";
      else {
        re += "[" + pattern.slice(i + 1, end).replace(/^!/, "^") + "]";
        i = end;
      }
    } else if (c === "\\") re += "\\" + (pattern[++i] ?? "");
    else re += c.replace(/[.+^$()|{}\]\\/]/g, "\\$&");
  }
  return new RegExp(re + "$");
}

export function newFiles(files: Iterable<ChartFile>): MethodMap {
  const m = new MethodMap("engine.files", new Map());
  for (const f of files) m.set(f.name, f.data);
  const str = (v: Value): string => (v instanceof Uint8Array ? utf8String(v) : "");
  const methods = new Map<string, GoFunc>([
    ["Get", goFunc(["string"], (n) => str(m.get(n as string)))],
    ["GetBytes", goFunc(["string"], (n) => m.get(n as string) ?? new Uint8Array(0))],
    [
      "Glob",
      goFunc(["string"], (p) => {
        const re = globToRegExp(p as string);
        return newFiles(
          Array.from(m.entries(), ([name, data]) => ({ name, data: data as Uint8Array })).filter((f) =>
            re.test(f.name),
          ),
        );
      }),
    ],
    [
      "Lines",
      goFunc(["string"], (p) => {
        const v = m.get(p as string);
        if (!(v instanceof Uint8Array)) return [];
        let s = utf8String(v);
        if (s.endsWith("\n")) s = s.slice(0, -1);
        return s.split("\n");
      }),
    ],
    [
      "AsConfig",
      goFunc([], () => {
        const out: GoMap = new Map();
        for (const [k, v] of m) out.set(pathBase(k), str(v));
        return toYAML(out);
      }),
    ],
    [
      "AsSecrets",
      goFunc([], () => {
        const out: GoMap = new Map();
        for (const [k, v] of m) out.set(pathBase(k), Buffer.from(v as Uint8Array).toString("base64"));
        return toYAML(out);
      }),
    ],
  ]);
  for (const [k, v] of methods) m.methods.set(k, v);
  return m;
}

// ---------------------------------------------------------------------------
// Capabilities

export const DEFAULT_API_VERSIONS = [
  "v1",
  "admissionregistration.k8s.io/v1",
  "admissionregistration.k8s.io/v1beta1",
  "apiextensions.k8s.io/v1",
  "apiextensions.k8s.io/v1beta1",
  "apiregistration.k8s.io/v1",
  "apps/v1",
  "authentication.k8s.io/v1",
  "authorization.k8s.io/v1",
  "autoscaling/v1",
  "autoscaling/v2",
  "batch/v1",
  "certificates.k8s.io/v1",
  "coordination.k8s.io/v1",
  "discovery.k8s.io/v1",
  "events.k8s.io/v1",
  "flowcontrol.apiserver.k8s.io/v1",
  "networking.k8s.io/v1",
  "node.k8s.io/v1",
  "policy/v1",
  "rbac.authorization.k8s.io/v1",
  "scheduling.k8s.io/v1",
  "storage.k8s.io/v1",
];

class VersionSet extends GoObject {
  readonly goType = "chartutil.VersionSet";
  readonly kind = "slice";
  constructor(readonly versions: string[]) {
    super();
  }
  format(): string {
    return "[" + this.versions.join(" ") + "]";
  }
  override method(name: string): GoFunc | undefined {
    if (name === "Has") return goFunc(["string"], (v) => this.versions.includes(v as string));
    return undefined;
  }
}

export interface CapabilitiesInput {
  kubeVersion: string;
  apiVersions?: string[];
  helmVersion?: string;
}

export function parseKubeVersion(v: string): { version: string; major: string; minor: string } {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?(.*)$/.exec(v.trim());
  if (!m) throw new RenderError(`invalid kube version ${JSON.stringify(v)}`);
  return { version: `v${m[1]}.${m[2]}.${m[3] ?? "0"}${m[4] ?? ""}`, major: m[1] ?? "", minor: m[2] ?? "" };
}

export function capabilitiesObject(c: CapabilitiesInput): GoStruct {
  const kv = parseKubeVersion(c.kubeVersion);
  const kube = new GoStruct(
    "chartutil.KubeVersion",
    new Map<string, Value>([
      ["Version", kv.version],
      ["Major", kv.major],
      ["Minor", kv.minor],
    ]),
    new Map([
      ["String", goFunc([], () => kv.version)],
      ["GitVersion", goFunc([], () => kv.version)],
    ]),
    () => kv.version,
  );
  const helm = new GoStruct(
    "version.BuildInfo",
    new Map<string, Value>([
      ["Version", c.helmVersion ?? "v3.21.4"],
      ["GitCommit", ""],
      ["GitTreeState", ""],
      ["GoVersion", ""],
    ]),
  );
  return new GoStruct(
    "*chartutil.Capabilities",
    new Map<string, Value>([
      ["APIVersions", new VersionSet([...DEFAULT_API_VERSIONS, ...(c.apiVersions ?? [])])],
      ["KubeVersion", kube],
      ["HelmVersion", helm],
    ]),
  );
}

// ---------------------------------------------------------------------------
// Rendering

interface RenderContext {
  includedNames: Map<string, number>;
  strict: boolean;
  lintMode: boolean;
}

function bindFuncs(set: TemplateSet, ctx: RenderContext): FuncMap {
  const local: FuncMap = new Map();
  local.set(
    "include",
    goFunc(["string", "any"], (name, data) => {
      const n = name as string;
      const nested = (why: string): RenderLimitError =>
        new RenderLimitError(
          "maxTemplateDepth",
          "",
          `${why} (maxTemplateDepth): rendering template has a nested reference name: ${n}: unable to execute template`,
        );
      // Refused here, with Helm's words, rather than as a generic nesting error inside execute.
      if (set.budget.depth >= RENDER_LIMITS.maxTemplateDepth)
        throw nested(`nesting exceeds the limit of ${RENDER_LIMITS.maxTemplateDepth}`);
      const count = ctx.includedNames.get(n);
      if (count !== undefined) {
        if (count > RECURSION_MAX)
          throw new GoError(
            `rendering template has a nested reference name: ${n}: unable to execute template`,
          );
        ctx.includedNames.set(n, count + 1);
      } else ctx.includedNames.set(n, 1);
      try {
        return set.execute(n, data ?? null);
      } catch (e) {
        // JS may run out of stack before the 1000-level limit; report it the same way, once.
        if (e instanceof RangeError)
          throw nested(`out of stack below the limit of ${RENDER_LIMITS.maxTemplateDepth}`);
        throw e;
      } finally {
        ctx.includedNames.set(n, (ctx.includedNames.get(n) ?? 1) - 1);
      }
    }),
  );
  local.set(
    "tpl",
    goFunc(["string", "any"], (text, vals) => {
      const clone = set.clone();
      clone.localFuncs = bindFuncs(clone, ctx);
      try {
        clone.addTrees(parse(set.name, text as string, { funcs: set.funcNames }));
      } catch (e) {
        throw new GoError(`cannot parse template ${JSON.stringify(text)}: ${(e as Error).message}`);
      }
      try {
        return clone.execute(set.name, vals ?? null).replaceAll("<no value>", "");
      } catch (e) {
        // Limits stop the whole render with their own place and name, not per tpl level.
        if ((e instanceof ExecError && e.limit) || e instanceof RenderLimitError) throw e;
        throw new GoError(
          `error during tpl function execution for ${JSON.stringify(text)}: ${(e as Error).message}`,
        );
      }
    }),
  );
  local.set(
    "required",
    goFunc(["string", "any"], (warn, val) => {
      if (val === null || val === undefined || val === "") {
        if (ctx.lintMode) return "";
        throw new GoError(WARN_START + String(warn) + WARN_END);
      }
      return val;
    }),
  );
  local.set(
    "fail",
    goFunc(["string"], (msg) => {
      if (ctx.lintMode) return "";
      throw new GoError(WARN_START + String(msg) + WARN_END);
    }),
  );
  return local;
}

/** Engine.render: parse all renderables into one set and execute the non-partials. */
export function renderTemplates(
  tpls: Map<string, Renderable>,
  opts: EngineOptions = {},
): Map<string, string> {
  const version = opts.helmVersion ?? 3;
  const funcs = helmFuncs();
  const set = new TemplateSet("gotpl", funcs, { missingKey: opts.strict ? "error" : "zero" });
  const ctx: RenderContext = { includedNames: new Map(), strict: !!opts.strict, lintMode: !!opts.lintMode };
  set.localFuncs = bindFuncs(set, ctx);
  const keys = sortTemplates(Array.from(tpls.keys()));
  for (const name of keys) {
    const r = tpls.get(name) as Renderable;
    try {
      set.addTrees(parseCached(name, r.tpl, set.funcNames));
    } catch (e) {
      if (e instanceof ParseError) throw cleanupParseError(name, e);
      throw e;
    }
  }
  const rendered = new Map<string, string>();
  for (const name of keys) {
    if (pathBase(name).startsWith("_")) continue;
    const r = tpls.get(name) as Renderable;
    r.vals.set(
      "Template",
      new Map<string, Value>([
        ["Name", name],
        ["BasePath", r.basePath],
      ]),
    );
    let out: string;
    try {
      out = set.execute(name, r.vals);
    } catch (e) {
      if (e instanceof ExecError) throw cleanupExecError(name, e, version);
      if (e instanceof RangeError) throw new RenderError(`rendering template failed: ${e.message}`, name);
      throw e;
    }
    rendered.set(name, out.replaceAll("<no value>", ""));
  }
  return rendered;
}

/**
 * recAllTpls: every template with its chart-scoped values object. `top` is the map
 * passed to Engine.Render (Values, Release, Capabilities).
 */
export function allTemplates(chart: Chart, top: GoMap): Map<string, Renderable> {
  const templates = new Map<string, Renderable>();
  const rec = (c: Chart, parent: GoMap): GoMap => {
    const subcharts: GoMap = new Map();
    let values: Value;
    if (c.isRoot()) values = parent.get("Values") ?? null;
    else values = tableAt(parent, "Values." + c.name) ?? new Map();
    const next: GoMap = new Map<string, Value>([
      ["Chart", new ChartObject(c.metadata, c.isRoot())],
      ["Files", newFiles(c.files)],
      ["Release", parent.get("Release") ?? null],
      ["Capabilities", parent.get("Capabilities") ?? null],
      ["Values", values],
      ["Subcharts", subcharts],
    ]);
    for (const child of c.dependencies) subcharts.set(child.name, rec(child, next));
    const base = c.fullPath();
    for (const t of c.templates) {
      if (c.isLibrary() && !pathBase(t.name).startsWith("_")) continue;
      templates.set(`${base}/${t.name}`, {
        tpl: utf8String(t.data),
        vals: next,
        basePath: `${base}/templates`,
      });
    }
    return next;
  };
  rec(chart, top);
  return templates;
}

export { MethodMap };
