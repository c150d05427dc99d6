/**
 * Runs the conformance vectors in ../conformance-data against the engine.
 * Shared by the vitest suite and ad-hoc scripts; each runner returns per-case results.
 */
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ExecError, TemplateSet, type MissingKey } from "../template/exec";
import { formatV, sprintln } from "../template/format";
import { setTextFormatQuoted } from "../template/node";
import { ParseError, parse } from "../template/parser";
import {
  GoError,
  goFunc,
  typeName,
  utf8Bytes,
  type FuncMap,
  type GoMap,
  type Value,
} from "../template/values";
import { parseGoJSON } from "./gojson";
import { sprigFuncs } from "../sprig";
import { GoTime } from "../sprig/go-time";
import { helmFuncs } from "../helm/funcs";
import { Chart, loadChartFiles, type ChartFile, type Metadata } from "../helm/chart";
import {
  RenderError,
  allTemplates,
  capabilitiesObject,
  renderTemplates,
  type Renderable,
} from "../helm/engine";
import { helmTemplateOutput } from "../helm/render";
import { coalesceValues } from "../helm/values";

export const DATA_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "conformance-data");

export interface CaseResult {
  id: string;
  pass: boolean;
  detail?: string;
}

export interface FileResult {
  file: string;
  total: number;
  passed: number;
  results: CaseResult[];
}

function summarize(file: string, results: CaseResult[]): FileResult {
  return { file, total: results.length, passed: results.filter((r) => r.pass).length, results };
}

function str(m: GoMap, k: string): string | undefined {
  const v = m.get(k);
  return typeof v === "string" ? v : undefined;
}

export function loadJSON(rel: string): GoMap {
  return parseGoJSON(readFileSync(path.join(DATA_DIR, rel), "utf8")) as GoMap;
}

// ---------------------------------------------------------------------------
// gotemplate/exec.json

function helperFuncs(): FuncMap {
  return new Map([
    ["add", goFunc([], (...a) => a.reduce<bigint>((s, x) => s + (x as bigint), 0n), "int")],
    ["echo", goFunc(["any"], (x) => x)],
    [
      "makemap",
      goFunc(
        [],
        (...kv) => {
          const m: GoMap = new Map();
          for (let i = 0; i + 1 < kv.length; i += 2) m.set(kv[i] as string, kv[i + 1]);
          return m;
        },
        "string",
      ),
    ],
    ["typeOf", goFunc(["any"], (x) => typeName(x))],
    ["oneArg", goFunc(["string"], (a) => "oneArg=" + String(a))],
    ["twoArgs", goFunc(["string", "string"], (a, b) => "twoArgs=" + String(a) + String(b))],
    ["dddArg", goFunc(["int"], (a, ...b) => sprintln([a, b]), "string")],
    ["zeroArgs", goFunc([], () => "zeroArgs")],
    ["returnInt", goFunc([], () => 7n)],
    ["mapOfThree", goFunc([], () => new Map<string, Value>([["three", 3n]]))],
    ["valueString", goFunc(["string"], () => "value is ignored")],
    [
      "die",
      goFunc([], () => {
        throw new GoError("die");
      }),
    ],
    [
      "join",
      goFunc(["slice", "string"], (e, sep) => (e as Value[]).map((x) => formatV(x)).join(sep as string)),
    ],
  ]);
}

export function runGoExec(): FileResult {
  const doc = loadJSON("gotemplate/exec.json");
  const tval = loadJSON("gotemplate/tval.json");
  const results: CaseResult[] = [];
  for (const c of doc.get("cases") as GoMap[]) {
    const id = str(c, "id") ?? "?";
    let data = c.get("data");
    if (data === "$tVal") data = tval;
    const delims = c.get("delims") as string[] | undefined;
    const options = (c.get("options") as string[] | undefined) ?? [];
    let missingKey: MissingKey = "default";
    for (const o of options) if (o.startsWith("missingkey=")) missingKey = o.slice(11) as MissingKey;
    const templates: { name: string; text: string }[] = [];
    const tmpl = str(c, "template");
    if (tmpl !== undefined) templates.push({ name: "test", text: tmpl });
    else
      for (const t of c.get("templates") as GoMap[])
        templates.push({ name: str(t, "name") ?? "", text: str(t, "text") ?? "" });
    const execName = str(c, "execute") ?? templates[templates.length - 1]?.name ?? "test";
    const wantErr = c.get("error") === true;
    const want = str(c, "output");
    const contains = str(c, "errorContains");
    let got: string | undefined;
    let err: string | undefined;
    try {
      const set = new TemplateSet(templates[0]?.name ?? "test", helperFuncs(), {
        leftDelim: delims?.[0],
        rightDelim: delims?.[1],
        missingKey,
      });
      for (const t of templates) set.parse(t.name, t.text);
      got = set.execute(execName, data);
    } catch (e) {
      if (!(e instanceof ExecError || e instanceof ParseError))
        err = `INTERNAL ${(e as Error).stack ?? String(e)}`;
      else err = e.message;
    }
    let pass: boolean;
    if (wantErr)
      pass =
        err !== undefined &&
        !err.startsWith("INTERNAL") &&
        (contains === undefined || err.includes(contains));
    else pass = err === undefined && got === want;
    results.push({
      id,
      pass,
      detail: pass
        ? undefined
        : `want ${JSON.stringify(wantErr ? `error ${contains ?? ""}` : want)} got ${JSON.stringify(err ?? got)}`,
    });
  }
  return summarize("gotemplate/exec.json", results);
}

// ---------------------------------------------------------------------------
// gotemplate/parse.json

export function runGoParse(): FileResult {
  const doc = loadJSON("gotemplate/parse.json");
  const results: CaseResult[] = [];
  const funcs = new Set(["printf", "contains"]);
  setTextFormatQuoted(true);
  try {
    for (const c of doc.get("cases") as GoMap[]) {
      const id = str(c, "id") ?? "?";
      const name = str(c, "name") ?? "";
      const text = str(c, "template") ?? "";
      const wantErr = c.get("error") === true;
      const contains = str(c, "errorContains");
      const treeString = str(c, "treeString");
      let err: string | undefined;
      let tree: string | undefined;
      try {
        const trees = parse(name, text, { funcs });
        tree = trees.get(name)?.root?.toString();
      } catch (e) {
        err = e instanceof ParseError ? e.message : `INTERNAL ${(e as Error).stack ?? String(e)}`;
      }
      let pass: boolean;
      if (wantErr)
        pass =
          err !== undefined &&
          !err.startsWith("INTERNAL") &&
          (contains === undefined || err.includes(contains));
      else pass = err === undefined && (treeString === undefined || tree === treeString);
      results.push({
        id,
        pass,
        detail: pass
          ? undefined
          : `want ${wantErr ? "error " + (contains ?? "") : (treeString ?? "ok")} got ${err ?? tree}`,
      });
    }
  } finally {
    setTextFormatQuoted(false);
  }
  return summarize("gotemplate/parse.json", results);
}

// ---------------------------------------------------------------------------
// sprig/functions.json

/** Replace {"$time": RFC3339, "$zone": name} markers with Go time values. */
export function convertTimes(v: Value): Value {
  if (Array.isArray(v)) return v.map(convertTimes);
  if (v instanceof Map) {
    const t = v.get("$time");
    if (typeof t === "string") {
      const ms = Date.parse(t);
      const m = /([+-])(\d\d):(\d\d)$/.exec(t);
      const off = m ? (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3]) * 60) : 0;
      const zone = v.get("$zone");
      return new GoTime(
        Math.floor(ms / 1000),
        (ms % 1000) * 1e6,
        off,
        typeof zone === "string" ? zone : "UTC",
      );
    }
    const out: GoMap = new Map();
    for (const [k, x] of v) out.set(k, convertTimes(x));
    return out;
  }
  return v;
}

interface FuncCaseOptions {
  funcs: FuncMap;
  defaultData: Value;
  missingKey?: MissingKey;
  /** Post-process output like Helm does (<no value> → ""). */
  post?: (s: string) => string;
}

function runFuncCases(file: string, opts: FuncCaseOptions): FileResult {
  const doc = loadJSON(file);
  const results: CaseResult[] = [];
  for (const c of doc.get("cases") as GoMap[]) {
    const id = str(c, "id") ?? "?";
    const data = c.has("data") ? convertTimes(c.get("data")) : opts.defaultData;
    const wantErr = c.get("error") === true;
    const notInHelm = c.get("notInHelm") === true;
    const want = str(c, "output");
    let got: string | undefined;
    let err: string | undefined;
    try {
      const set = new TemplateSet("test", opts.funcs, { missingKey: opts.missingKey });
      set.parse("test", str(c, "template") ?? "");
      got = set.execute("test", data);
      if (opts.post) got = opts.post(got);
    } catch (e) {
      err =
        e instanceof ExecError || e instanceof ParseError
          ? e.message
          : `INTERNAL ${(e as Error).stack ?? String(e)}`;
    }
    let pass: boolean;
    if (notInHelm) pass = err !== undefined && / not defined/.test(err);
    else if (wantErr) pass = err !== undefined && !err.startsWith("INTERNAL");
    else pass = err === undefined && got === want;
    results.push({
      id,
      pass,
      detail: pass
        ? undefined
        : `want ${JSON.stringify(wantErr ? "error" : want)} got ${JSON.stringify(err ?? got)}`,
    });
  }
  return summarize(file, results);
}

export function runSprig(): FileResult {
  return runFuncCases("sprig/functions.json", { funcs: sprigFuncs(), defaultData: new Map() });
}

export function runHelmFunctions(): FileResult {
  return runFuncCases("helm/functions.json", {
    funcs: helmFuncs(),
    defaultData: null,
    missingKey: "zero",
    post: (s) => s.replaceAll("<no value>", ""),
  });
}

// ---------------------------------------------------------------------------
// helm/engine.json

function buildChart(spec: GoMap): Chart {
  const files = (k: string): ChartFile[] =>
    ((spec.get(k) as GoMap[] | undefined) ?? []).map((f) => ({
      name: str(f, "name") ?? "",
      data: utf8Bytes(str(f, "data") ?? ""),
    }));
  const md: Metadata = {
    name: str(spec, "name") ?? "",
    home: "",
    sources: [],
    version: str(spec, "version") ?? "",
    description: "",
    keywords: [],
    maintainers: [],
    icon: "",
    apiVersion: str(spec, "apiVersion") ?? "",
    condition: "",
    tags: "",
    appVersion: "",
    deprecated: false,
    annotations: new Map(),
    kubeVersion: "",
    dependencies: [],
    type: "",
  };
  const values = fromGoJSONFloats(spec.get("values") ?? new Map()) as GoMap;
  const c = new Chart(md, values, files("templates"), files("files"), undefined);
  for (const d of (spec.get("dependencies") as GoMap[] | undefined) ?? []) c.addDependency(buildChart(d));
  return c;
}

/** Helm values come from YAML/JSON as float64: convert the vectors' ints. */
function fromGoJSONFloats(v: Value): Value {
  if (typeof v === "bigint") return Number(v);
  if (Array.isArray(v)) return v.map(fromGoJSONFloats);
  if (v instanceof Map) {
    const m: GoMap = new Map();
    for (const [k, x] of v) m.set(k, fromGoJSONFloats(x));
    return m;
  }
  return v;
}

export function runHelmEngine(): FileResult {
  const doc = loadJSON("helm/engine.json");
  const results: CaseResult[] = [];
  for (const c of doc.get("cases") as GoMap[]) {
    const id = str(c, "name") ?? "?";
    const opts = (c.get("options") as GoMap | undefined) ?? new Map();
    const engineOpts = {
      strict: opts.get("strict") === true,
      lintMode: opts.get("lintMode") === true,
      helmVersion: 4 as const,
    };
    const expect = (c.get("expect") as GoMap | undefined) ?? new Map<string, Value>();
    let got: Map<string, string> | undefined;
    let err: string | undefined;
    try {
      const chartSpec = c.get("chart") as GoMap | undefined;
      if (chartSpec) {
        const chart = buildChart(chartSpec);
        const rv = fromGoJSONFloats(c.get("renderValues") ?? new Map()) as GoMap;
        if (rv.get("Values") === "$coalesced") {
          rv.set(
            "Values",
            coalesceValues(chart, fromGoJSONFloats(c.get("coalesceUserValues") ?? new Map()) as GoMap, 4),
          );
        }
        const caps = capabilitiesObject({ kubeVersion: "v1.20.0" });
        if (!rv.has("Capabilities")) rv.set("Capabilities", caps);
        got = renderTemplates(allTemplates(chart, rv), engineOpts);
      } else {
        const tpls = new Map<string, Renderable>();
        for (const [name, r] of c.get("renderables") as GoMap) {
          const rm = r as GoMap;
          tpls.set(name, {
            tpl: str(rm, "tpl") ?? "",
            vals: fromGoJSONFloats(rm.get("vals") ?? new Map()) as GoMap,
            basePath: "",
          });
        }
        got = renderTemplates(tpls, engineOpts);
      }
    } catch (e) {
      err = e instanceof RenderError ? e.message : `INTERNAL ${(e as Error).stack ?? String(e)}`;
    }
    let pass: boolean;
    let detail = "";
    if (c.get("error") === true) {
      const eq = str(c, "errorEquals");
      const contains = str(c, "errorContains");
      const suffix = str(c, "errorSuffix");
      pass =
        err !== undefined &&
        !err.startsWith("INTERNAL") &&
        (eq === undefined || err === eq) &&
        (contains === undefined || err.includes(contains)) &&
        (suffix === undefined || err.endsWith(suffix));
      detail = `want error ${JSON.stringify(eq ?? contains ?? suffix ?? "")} got ${JSON.stringify(err ?? got)}`;
    } else {
      pass = err === undefined;
      detail = `error ${err}`;
      if (got) {
        for (const [path, want] of expect) {
          if (got.get(path) !== want) {
            pass = false;
            detail = `${path}: want ${JSON.stringify(want)} got ${JSON.stringify(got.get(path))}`;
          }
        }
      }
    }
    results.push({ id, pass, detail: pass ? undefined : detail });
  }
  return summarize("helm/engine.json", results);
}

// ---------------------------------------------------------------------------
// helm/cases, helm/cases-v3 (golden `helm template` output)

export function readDirFiles(dir: string): Map<string, Uint8Array> {
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

export function runGolden(folder: "helm/cases" | "helm/cases-v3"): FileResult {
  const base = path.join(DATA_DIR, folder);
  const results: CaseResult[] = [];
  for (const name of readdirSync(base).sort()) {
    const dir = path.join(base, name);
    const args = parseGoJSON(readFileSync(path.join(dir, "args.json"), "utf8")) as GoMap;
    const list = (k: string): string[] => (args.get(k) as string[] | undefined) ?? [];
    const expected = readFileSync(path.join(dir, "expected.txt"), "utf8");
    const opts = {
      releaseName: str(args, "releaseName"),
      nameTemplate: str(args, "nameTemplate"),
      namespace: str(args, "namespace") ?? "default",
      values: list("valuesFiles").map((f) => readFileSync(path.join(dir, f), "utf8")),
      set: list("set"),
      setString: list("setString"),
      includeCrds: args.get("includeCrds") === true,
      skipTests: args.get("skipTests") === true,
      showOnly: list("showOnly"),
      apiVersions: list("apiVersions"),
      kubeVersion: str(args, "kubeVersion") ?? str(args, "defaultKubeVersion") ?? "v1.20.0",
      helmVersion: folder === "helm/cases" ? (4 as const) : (3 as const),
      debug: args.get("debug") === true,
    };
    let got: string;
    try {
      got = helmTemplateOutput(
        () => loadChartFiles(readDirFiles(path.join(dir, "chart")), { helmignore: true }),
        opts,
      );
    } catch (e) {
      got = `INTERNAL ${(e as Error).stack ?? String(e)}`;
    }
    const pass = got === expected;
    results.push({ id: name, pass, detail: pass ? undefined : diffText(expected, got) });
  }
  return summarize(folder, results);
}

function diffText(want: string, got: string): string {
  const a = want.split("\n");
  const b = got.split("\n");
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `line ${i + 1}: want ${JSON.stringify(a[i])} got ${JSON.stringify(b[i])}`;
  }
  return "differs";
}
