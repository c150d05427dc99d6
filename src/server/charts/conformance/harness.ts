/**
 * Runs the conformance vectors in ../conformance-data against the engine.
 * Shared by the vitest suite and ad-hoc scripts; each runner returns per-case results.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ExecError, TemplateSet, type MissingKey } from "../template/exec";
import { formatV, sprintln } from "../template/format";
import { ParseError, parse, setTextFormatQuoted } from "../template/parser";
import { GoError, goFunc, typeName, type FuncMap, type GoMap, type Value } from "../template/values";
import { parseGoJSON } from "./gojson";
import { sprigFuncs } from "../sprig";
import { GoTime } from "../sprig/dates";

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
    [
      "add",
      goFunc(
        [],
        (...a) => a.reduce<bigint>((s, x) => s + (x as bigint), 0n),
        "int",
      ),
    ],
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
    ["join", goFunc(["slice", "string"], (e, sep) => (e as Value[]).map((x) => formatV(x)).join(sep as string))],
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
    else for (const t of c.get("templates") as GoMap[]) templates.push({ name: str(t, "name") ?? "", text: str(t, "text") ?? "" });
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
      if (!(e instanceof ExecError || e instanceof ParseError)) err = `INTERNAL ${(e as Error).stack ?? String(e)}`;
      else err = (e as Error).message;
    }
    let pass: boolean;
    if (wantErr) pass = err !== undefined && !err.startsWith("INTERNAL") && (contains === undefined || err.includes(contains));
    else pass = err === undefined && got === want;
    results.push({ id, pass, detail: pass ? undefined : `want ${JSON.stringify(wantErr ? `error ${contains ?? ""}` : want)} got ${JSON.stringify(err ?? got)}` });
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
      if (wantErr) pass = err !== undefined && !err.startsWith("INTERNAL") && (contains === undefined || err.includes(contains));
      else pass = err === undefined && (treeString === undefined || tree === treeString);
      results.push({ id, pass, detail: pass ? undefined : `want ${wantErr ? "error " + (contains ?? "") : (treeString ?? "ok")} got ${err ?? tree}` });
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
      return new GoTime(Math.floor(ms / 1000), (ms % 1000) * 1e6, off, typeof zone === "string" ? zone : "UTC");
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
      err = e instanceof ExecError || e instanceof ParseError ? e.message : `INTERNAL ${(e as Error).stack ?? String(e)}`;
    }
    let pass: boolean;
    if (notInHelm) pass = err !== undefined && / not defined/.test(err);
    else if (wantErr) pass = err !== undefined && !err.startsWith("INTERNAL");
    else pass = err === undefined && got === want;
    results.push({ id, pass, detail: pass ? undefined : `want ${JSON.stringify(wantErr ? "error" : want)} got ${JSON.stringify(err ?? got)}` });
  }
  return summarize(file, results);
}

export function runSprig(): FileResult {
  return runFuncCases("sprig/functions.json", { funcs: sprigFuncs(), defaultData: new Map() });
}
