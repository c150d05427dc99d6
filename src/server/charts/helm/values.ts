/**
 * Values handling as in Helm's chartutil: coalescing chart defaults with user values
 * (subchart scoping, globals, null deletion), dependency enablement (conditions, tags,
 * aliases), import-values, and --set parsing (strvals).
 */
import { GoError, MethodMap, deepCopy, int64, type GoMap, type Value } from "../template/values";
import { isCompatibleRange } from "../sprig/semver";
import type { Chart } from "./chart";

export type HelmVersion = 3 | 4;

const GLOBAL = "global";

function isTable(v: Value): v is GoMap {
  return v instanceof Map && !(v instanceof MethodMap);
}

function copyMap(m: GoMap): GoMap {
  return new Map(m);
}

function concatPrefix(a: string, b: string): string {
  return a === "" ? b : `${a}.${b}`;
}

function cleanNilValues(m: GoMap): void {
  for (const [k, v] of m) {
    if (v === null || v === undefined) m.delete(k);
    else if (isTable(v)) cleanNilValues(v);
  }
}

class Coalescer {
  constructor(readonly version: HelmVersion) {}

  coalesce(ch: Chart, dest: GoMap, prefix: string, merge: boolean): GoMap {
    this.coalesceValues(ch, dest, prefix, merge);
    return this.coalesceDeps(ch, dest, prefix, merge);
  }

  coalesceDeps(ch: Chart, dest: GoMap, prefix: string, merge: boolean): GoMap {
    for (const sub of ch.dependencies) {
      const name = sub.name;
      if (!dest.has(name)) dest.set(name, new Map());
      else if (!isTable(dest.get(name) ?? null))
        throw new GoError(`type mismatch on ${name}: %!t(${String(dest.get(name))})`);
      const dvmap = dest.get(name) as GoMap;
      const subPrefix = concatPrefix(prefix, ch.name);
      this.coalesceGlobals(dvmap, dest, subPrefix);
      dest.set(name, this.coalesce(sub, dvmap, subPrefix, merge));
    }
    return dest;
  }

  coalesceGlobals(dest: GoMap, src: GoMap, prefix: string): void {
    let dg: GoMap;
    let sg: GoMap;
    const destglob = dest.get(GLOBAL);
    if (!dest.has(GLOBAL)) dg = new Map();
    else if (isTable(destglob ?? null)) dg = destglob as GoMap;
    else return;
    const srcglob = src.get(GLOBAL);
    if (!src.has(GLOBAL)) sg = new Map();
    else if (isTable(srcglob ?? null)) sg = srcglob as GoMap;
    else return;
    for (const [key, val] of sg) {
      if (isTable(val)) {
        const vv = copyMap(val);
        const destv = dg.get(key);
        if (!dg.has(key)) dg.set(key, vv);
        else if (isTable(destv ?? null)) {
          this.coalesceTablesFullKey(vv, destv as GoMap, concatPrefix(prefix, key), true);
          dg.set(key, vv);
        }
      } else if (dg.has(key) && isTable(dg.get(key) ?? null)) {
        // key is a table in the destination; skip
      } else dg.set(key, val);
    }
    dest.set(GLOBAL, dg);
  }

  coalesceValues(c: Chart, v: GoMap, prefix: string, merge: boolean): void {
    const vc = deepCopy(c.values) as GoMap;
    const clean = this.version === 4 && !merge;
    for (const [key, val] of vc) {
      if (v.has(key)) {
        const value = v.get(key);
        if ((value === null || value === undefined) && !merge) v.delete(key);
        else if (isTable(value ?? null)) {
          if (isTable(val)) {
            const m = this.childChartMergeTrue(c, key, merge);
            if (this.version === 4 && !m) cleanNilValues(val);
            this.coalesceTablesFullKey(
              value as GoMap,
              val,
              concatPrefix(concatPrefix(prefix, c.name), key),
              m,
            );
          }
        }
      } else {
        if (clean) {
          if (val === null || val === undefined) continue;
          if (isTable(val)) cleanNilValues(val);
        }
        v.set(key, val);
      }
    }
  }

  childChartMergeTrue(c: Chart, key: string, merge: boolean): boolean {
    return c.dependencies.some((d) => d.name === key) || merge;
  }

  coalesceTablesFullKey(dst: GoMap, src: GoMap, prefix: string, merge: boolean): GoMap {
    const srcNonNil = new Set<string>();
    for (const [k, v] of src) if (v !== null && v !== undefined) srcNonNil.add(k);
    for (const [k, v] of dst) if (v === null || v === undefined) src.set(k, null);
    for (const [key, val] of src) {
      const fullkey = concatPrefix(prefix, key);
      const has = dst.has(key);
      const dv = dst.get(key);
      if (has && !merge && (dv === null || dv === undefined) && (this.version === 3 || srcNonNil.has(key)))
        dst.delete(key);
      else if (!has) dst.set(key, val);
      else if (isTable(val)) {
        if (isTable(dv ?? null)) this.coalesceTablesFullKey(dv as GoMap, val, fullkey, merge);
      }
    }
    return dst;
  }
}

/** chartutil.CoalesceValues (merge=false) / MergeValues (merge=true). */
export function coalesceValues(chart: Chart, vals: GoMap, version: HelmVersion, merge = false): GoMap {
  const copy = deepCopy(vals) as GoMap;
  return new Coalescer(version).coalesce(chart, copy, "", merge);
}

/** chartutil.CoalesceTables / MergeTables on plain maps. */
export function coalesceTables(dst: GoMap, src: GoMap, version: HelmVersion, merge: boolean): GoMap {
  return new Coalescer(version).coalesceTablesFullKey(dst, src, "", merge);
}

/** Helm's MergeMaps for combining several values files: later maps win, tables merge. */
export function mergeMaps(a: GoMap, b: GoMap): GoMap {
  const out: GoMap = new Map(a);
  for (const [k, v] of b) {
    if (isTable(v)) {
      const bv = out.get(k);
      if (isTable(bv ?? null)) {
        out.set(k, mergeMaps(bv as GoMap, v));
        continue;
      }
    }
    out.set(k, v);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Values paths

/** Values.PathValue: walk dotted path to a non-table value. */
function pathValue(vals: GoMap, path: string): { ok: true; value: Value } | { ok: false } {
  const parts = path.split(".");
  let cur: Value = vals;
  for (let i = 0; i < parts.length; i++) {
    if (!isTable(cur ?? null)) return { ok: false };
    const m = cur as GoMap;
    const k = parts[i] as string;
    if (!m.has(k)) return { ok: false };
    cur = m.get(k);
  }
  return { ok: true, value: cur ?? null };
}

/** Values.Table: a nested table by dotted path. */
export function tableAt(vals: GoMap, path: string): GoMap | undefined {
  let cur: Value = vals;
  for (const k of path.split(".")) {
    if (!isTable(cur ?? null)) return undefined;
    cur = (cur as GoMap).get(k);
  }
  return isTable(cur ?? null) ? (cur as GoMap) : undefined;
}

// ---------------------------------------------------------------------------
// Dependencies

function processDependencyTags(chart: Chart, cvals: GoMap): void {
  const vt = tableAt(cvals, "tags");
  if (!vt) return;
  for (const r of chart.metadata.dependencies) {
    let hasTrue = false;
    let hasFalse = false;
    for (const k of r.tags) {
      const b = vt.get(k);
      if (b === true) hasTrue = true;
      else if (b === false) hasFalse = true;
    }
    if (!hasTrue && hasFalse) r.enabled = false;
    else if (hasTrue || !hasFalse) r.enabled = true;
  }
}

function processDependencyConditions(chart: Chart, cvals: GoMap, cpath: string): void {
  for (const r of chart.metadata.dependencies) {
    for (const c of r.condition.trim().split(",")) {
      if (c.length === 0) continue;
      const pv = pathValue(cvals, cpath + c);
      if (pv.ok && typeof pv.value === "boolean") {
        r.enabled = pv.value;
        break;
      }
    }
  }
}

function processDependencyEnabled(c: Chart, v: GoMap, path: string, version: HelmVersion): void {
  if (c.metadata.dependencies.length === 0 && !c.metadata.dependencies) return;
  if (c.metadata.dependencies.length === 0) return;
  const chartDependencies: Chart[] = [];
  for (const existing of c.dependencies) {
    const listed = c.metadata.dependencies.some(
      (req) => existing.name === req.name && isCompatibleRange(req.version, existing.metadata.version),
    );
    if (!listed) chartDependencies.push(existing);
  }
  for (const req of c.metadata.dependencies) {
    const dep = c.dependencies.find(
      (ch) => ch.name === req.name && isCompatibleRange(req.version, ch.metadata.version),
    );
    if (dep) {
      const copy = dep.clone();
      if (req.alias !== "") copy.metadata.name = req.alias;
      chartDependencies.push(copy);
    }
    if (req.alias !== "") req.name = req.alias;
  }
  c.dependencies = [];
  for (const d of chartDependencies) c.addDependency(d);
  for (const lr of c.metadata.dependencies) lr.enabled = true;
  const cvals = coalesceValues(c, v, version);
  processDependencyTags(c, cvals);
  processDependencyConditions(c, cvals, path);
  const rm = new Set(c.metadata.dependencies.filter((r) => !r.enabled).map((r) => r.name));
  const cd = c.dependencies.filter((n) => !rm.has(n.name));
  c.metadata.dependencies = c.metadata.dependencies.filter((n) => !rm.has(n.name));
  for (const t of cd) processDependencyEnabled(t, cvals, path + t.name + ".", version);
  c.dependencies = [];
  for (const d of cd) c.addDependency(d);
}

function pathToMap(path: string, data: GoMap): GoMap {
  if (path === ".") return data;
  const parts = path.split(".").filter((p) => p !== "");
  let out: GoMap = data;
  for (let i = parts.length - 1; i >= 0; i--) out = new Map([[parts[i] as string, out]]);
  return out;
}

function trimNilValues(v: GoMap): GoMap {
  const out: GoMap = new Map();
  for (const [k, x] of v) {
    if (x === null || x === undefined) continue;
    out.set(k, isTable(x) ? trimNilValues(x) : x);
  }
  return out;
}

function processImportValues(c: Chart, merge: boolean, version: HelmVersion): void {
  if (c.metadata.dependencies.length === 0) return;
  const cvals = coalesceValues(c, new Map(), version, merge);
  let b: GoMap = new Map();
  for (const r of c.metadata.dependencies) {
    const outiv: Value[] = [];
    for (const riv of r.importValues) {
      let child: string;
      let parent: string;
      if (riv instanceof Map) {
        child = String(riv.get("child") ?? "");
        parent = String(riv.get("parent") ?? "");
      } else if (typeof riv === "string") {
        child = "exports." + riv;
        parent = ".";
      } else continue;
      outiv.push(
        new Map<string, Value>([
          ["child", child],
          ["parent", parent],
        ]),
      );
      const vv = tableAt(cvals, r.name + "." + child);
      if (!vv) continue;
      const add = typeof riv === "string" ? deepCopy(vv) : pathToMap(parent, deepCopy(vv) as GoMap);
      b = coalesceTables(b, add as GoMap, version, merge);
    }
    r.importValues = outiv;
  }
  if (merge) c.values = coalesceTables(deepCopy(cvals) as GoMap, b, version, true);
  else c.values = coalesceTables(trimNilValues(cvals), b, version, true);
}

function processDependencyImportValues(c: Chart, merge: boolean, version: HelmVersion): void {
  for (const d of c.dependencies) processDependencyImportValues(d, merge, version);
  processImportValues(c, merge, version);
}

/** chartutil.ProcessDependenciesWithMerge: prunes disabled subcharts and applies import-values. */
export function processDependencies(c: Chart, v: GoMap, version: HelmVersion): void {
  processDependencyEnabled(c, v, "", version);
  processDependencyImportValues(c, true, version);
}

// ---------------------------------------------------------------------------
// strvals (--set)

function typedVal(v: string, st: boolean): Value {
  if (st) return v;
  const lower = v.toLowerCase();
  if (lower === "true") return true;
  if (lower === "false") return false;
  if (lower === "null") return null;
  if (lower === "0") return int64(0n);
  if (v.length > 0 && v[0] !== "0" && /^[+-]?\d+$/.test(v)) {
    const n = BigInt(v);
    if (n >= -(1n << 63n) && n < 1n << 63n) return int64(n);
  }
  return v;
}

class StrvalsParser {
  i = 0;
  constructor(
    readonly s: string,
    readonly stringsOnly: boolean,
  ) {}

  /** Read until one of the stop runes; backslash escapes. */
  runesUntil(stops: string): { text: string; stop: string } {
    let text = "";
    while (this.i < this.s.length) {
      const c = this.s[this.i] as string;
      if (c === "\\" && this.i + 1 < this.s.length) {
        text += this.s[this.i + 1];
        this.i += 2;
        continue;
      }
      if (stops.includes(c)) {
        this.i++;
        return { text, stop: c };
      }
      text += c;
      this.i++;
    }
    return { text, stop: "" };
  }

  parse(data: GoMap): void {
    while (this.i < this.s.length) this.key(data);
  }

  key(data: GoMap): void {
    const { text: k, stop } = this.runesUntil("=[,.");
    switch (stop) {
      case "":
        if (k === "") return;
        throw new GoError(`key "${k}" has no value`);
      case ",":
        if (k === "") return;
        throw new GoError(`key "${k}" has no value (cannot end with ,)`);
      case "=": {
        if (this.s[this.i] === "{") {
          this.i++;
          const list = this.listValues();
          data.set(k, list);
          this.runesUntil(",");
          return;
        }
        const { text } = this.runesUntil(",");
        data.set(k, typedVal(text, this.stringsOnly));
        return;
      }
      case ".": {
        let inner = data.get(k);
        if (!isTable(inner ?? null)) inner = new Map();
        this.key(inner as GoMap);
        data.set(k, inner);
        return;
      }
      case "[": {
        const { text: idxText } = this.runesUntil("]");
        const idx = Number(idxText);
        if (!Number.isInteger(idx) || idx < 0) throw new GoError(`failed to parse index: ${idxText}`);
        const existing = data.get(k);
        const list: Value[] = Array.isArray(existing) ? [...existing] : [];
        this.listItem(list, idx);
        data.set(k, list);
        return;
      }
    }
  }

  listItem(list: Value[], idx: number): void {
    while (list.length <= idx) list.push(null);
    const c = this.s[this.i];
    if (c === "=") {
      this.i++;
      const { text } = this.runesUntil(",");
      list[idx] = typedVal(text, this.stringsOnly);
    } else if (c === ".") {
      this.i++;
      const cur = list[idx];
      const inner = isTable(cur ?? null) ? (cur as GoMap) : new Map<string, Value>();
      this.key(inner);
      list[idx] = inner;
    } else if (c === "[") {
      this.i++;
      const { text } = this.runesUntil("]");
      const cur = list[idx];
      const inner: Value[] = Array.isArray(cur) ? [...cur] : [];
      this.listItem(inner, Number(text));
      list[idx] = inner;
    } else throw new GoError(`parse error: unexpected data at end of array index`);
  }

  listValues(): Value[] {
    const out: Value[] = [];
    for (;;) {
      const { text, stop } = this.runesUntil(",}");
      if (stop === "") throw new GoError("list must terminate with '}'");
      out.push(typedVal(text, this.stringsOnly));
      if (stop === "}") return out;
    }
  }
}

/** strvals.ParseInto / ParseIntoString. */
export function parseSet(s: string, into: GoMap, stringsOnly = false): void {
  new StrvalsParser(s, stringsOnly).parse(into);
}
