/** Sprig list and dict functions. */
import {
  GoError,
  GoObject,
  MethodMap,
  SizedInt,
  deepCopy,
  goFunc,
  kindName,
  sortedKeys,
  type GoFunc,
  type GoMap,
  type Value,
} from "../template/values";
import { empty, strval, toInt } from "./conv";

/** reflect.DeepEqual for the value model. */
export function deepEqual(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (a === undefined || a === null || b === undefined || b === null) return (a ?? null) === (b ?? null);
  if (typeof a !== typeof b) return false;
  if (typeof a !== "object") return a === b;
  if (Array.isArray(a))
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (a instanceof Map) {
    if (!(b instanceof Map) || a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !deepEqual(v, b.get(k))) return false;
    return true;
  }
  if (a instanceof Uint8Array)
    return b instanceof Uint8Array && a.length === b.length && a.every((x, i) => x === b[i]);
  if (a instanceof SizedInt) return b instanceof SizedInt && a.type === b.type && a.v === b.v;
  if (a instanceof GoObject)
    return b instanceof GoObject && a.goType === b.goType && a.format() === b.format();
  return false;
}

function kindOfNonList(v: Value): string {
  if (v === undefined || v === null)
    throw new GoError("runtime error: invalid memory address or nil pointer dereference");
  return kindName(v);
}

/** Returns the elements of a slice/array, or throws Go's "Cannot ... on type K" error. */
function listOf(v: Value, what: string): Value[] {
  if (Array.isArray(v)) return v;
  if (v instanceof Uint8Array) return Array.from(v, (b) => new SizedInt("uint8", BigInt(b)));
  throw new GoError(`Cannot ${what} on type ${kindOfNonList(v)}`);
}

function inList(list: Value[], needle: Value): boolean {
  return list.some((x) => deepEqual(x, needle));
}

function mustSlice(list: Value, indices: Value[]): Value {
  if (!Array.isArray(list))
    throw new GoError(`list should be type of slice or array but ${kindOfNonList(list)}`);
  const l = list.length;
  if (l === 0) return null;
  const start = indices.length > 0 ? Number(toInt(indices[0])) : 0;
  const end = indices.length < 2 ? l : Number(toInt(indices[1]));
  if (start < 0 || end > l || start > end) throw new GoError(`reflect: slice index out of range`);
  return list.slice(start, end);
}

function chunk(size: bigint, list: Value): Value {
  const l = listOf(list, "chunk");
  const n = Number(size);
  const out: Value[] = [];
  const cs = Math.floor((l.length + n - 1) / n);
  for (let i = 0; i < cs; i++) out.push(l.slice(i * n, Math.min((i + 1) * n, l.length)));
  return out;
}

/** Both the panicking and the must* form, keyed by name. */
function listPair(
  name: string,
  what: string,
  fn: (l: Value[], ...rest: Value[]) => Value,
  params: ("any" | "int")[] = ["any"],
  variadic?: "any",
): [string, GoFunc][] {
  const f = (...args: Value[]): Value => fn(listOf(args[0], what), ...args.slice(1));
  const must = "must" + name[0]?.toUpperCase() + name.slice(1);
  return [
    [name, goFunc(params, f, variadic)],
    [must, goFunc(params, f, variadic)],
  ];
}

// --- dicts

function dict(...v: Value[]): GoMap {
  const m: GoMap = new Map();
  for (let i = 0; i < v.length; i += 2) {
    const key = strval(v[i] ?? null);
    m.set(key, i + 1 >= v.length ? "" : (v[i + 1] ?? null));
  }
  return m;
}

function asDict(v: Value): GoMap {
  if (v === null || v === undefined) return new Map();
  return v as GoMap;
}

function setOnNil(d: Value): GoMap {
  if (d === null || d === undefined) throw new GoError("assignment to entry in nil map");
  return d as GoMap;
}

/** mergo.Merge semantics (with or without WithOverride) for map values. */
export function mergeInto(dst: GoMap, src: GoMap, overwrite: boolean): void {
  for (const [k, sv] of src) {
    const has = dst.has(k);
    const dv = dst.get(k);
    if (sv === null || sv === undefined) {
      if (overwrite) dst.set(k, null);
      continue;
    }
    if (sv instanceof Map && !(sv instanceof MethodMap)) {
      if (dv instanceof Map) {
        mergeInto(dv, sv, overwrite);
        continue;
      }
      if (!has || empty(dv ?? null)) dst.set(k, sv);
      else if (overwrite) dst.set(k, sv);
      continue;
    }
    if (Array.isArray(sv) && has && !empty(dv ?? null) && !overwrite) continue;
    if (overwrite || !has || empty(dv ?? null)) dst.set(k, sv);
  }
}

function dig(...ps: Value[]): Value {
  if (ps.length < 3) throw new GoError("dig needs at least three arguments");
  let d = ps[ps.length - 1];
  if (!(d instanceof Map))
    throw new GoError(`interface conversion: interface {} is ${kindName(d)}, not map[string]interface {}`);
  const def = ps[ps.length - 2] ?? null;
  const ks = ps.slice(0, ps.length - 2);
  for (let i = 0; i < ks.length; i++) {
    const k = ks[i];
    if (typeof k !== "string")
      throw new GoError(`interface conversion: interface {} is ${kindName(k)}, not string`);
    if (!(d instanceof Map) || !d.has(k)) return def;
    const step: Value = d.get(k);
    if (i === ks.length - 1) return step;
    if (!(step instanceof Map))
      throw new GoError(
        `interface conversion: interface {} is ${kindName(step)}, not map[string]interface {}`,
      );
    d = step;
  }
  return def;
}

export function listFuncs(): [string, GoFunc][] {
  const prependFn = (l: Value[], v: Value): Value => [v, ...l];
  const appendFn = (l: Value[], v: Value): Value => [...l, v];
  return [
    ["list", goFunc([], (...v) => v.map((x) => x ?? null), "any")],
    ["tuple", goFunc([], (...v) => v.map((x) => x ?? null), "any")],
    ...listPair("push", "push", appendFn, ["any", "any"]),
    ...listPair("append", "push", appendFn, ["any", "any"]),
    ...listPair("prepend", "prepend", prependFn, ["any", "any"]),
    ...listPair("first", "find first", (l) => (l.length === 0 ? null : (l[0] ?? null))),
    ...listPair("last", "find last", (l) => (l.length === 0 ? null : (l[l.length - 1] ?? null))),
    ...listPair("rest", "find rest", (l) => l.slice(1)),
    ...listPair("initial", "find initial", (l) => l.slice(0, -1)),
    ...listPair("reverse", "find reverse", (l) => [...l].reverse()),
    ...listPair("compact", "compact", (l) => l.filter((x) => !empty(x ?? null))),
    ...listPair("uniq", "find uniq", (l) => {
      const out: Value[] = [];
      for (const x of l) if (!inList(out, x)) out.push(x);
      return out;
    }),
    ...listPair("without", "find without", (l, ...omit) => l.filter((x) => !inList(omit, x)), ["any"], "any"),
    [
      "has",
      goFunc(["any", "any"], (needle, hay) => {
        if (hay === null || hay === undefined) return false;
        return inList(listOf(hay, "find has"), needle);
      }),
    ],
    [
      "mustHas",
      goFunc(["any", "any"], (needle, hay) => {
        if (hay === null || hay === undefined) return false;
        return inList(listOf(hay, "find has"), needle);
      }),
    ],
    ["slice", goFunc(["any"], (l, ...ix) => mustSlice(l, ix), "any")],
    ["mustSlice", goFunc(["any"], (l, ...ix) => mustSlice(l, ix), "any")],
    [
      "concat",
      goFunc(
        [],
        (...lists) => {
          const out: Value[] = [];
          for (const l of lists) {
            if (!Array.isArray(l))
              throw new GoError(`Cannot concat type ${kindOfNonList(l ?? null)} as list`);
            out.push(...l);
          }
          return out;
        },
        "any",
      ),
    ],
    ["chunk", goFunc(["int", "any"], (n, l) => chunk(n as bigint, l))],
    ["mustChunk", goFunc(["int", "any"], (n, l) => chunk(n as bigint, l))],
    // dicts
    ["dict", goFunc([], (...v) => dict(...v), "any")],
    [
      "get",
      goFunc(["map", "string"], (d, k) =>
        asDict(d).has(k as string) ? (asDict(d).get(k as string) ?? null) : "",
      ),
    ],
    [
      "set",
      goFunc(["map", "string", "any"], (d, k, v) => {
        setOnNil(d).set(k as string, v ?? null);
        return d;
      }),
    ],
    [
      "unset",
      goFunc(["map", "string"], (d, k) => {
        asDict(d).delete(k as string);
        return d;
      }),
    ],
    ["hasKey", goFunc(["map", "string"], (d, k) => asDict(d).has(k as string))],
    [
      "pluck",
      goFunc(
        ["string"],
        (name, ...ds) => {
          const out: Value[] = [];
          for (const d of ds) {
            const m = asDict(d);
            if (m.has(name as string)) out.push(m.get(name as string) ?? null);
          }
          return out;
        },
        "map",
      ),
    ],
    [
      "keys",
      goFunc(
        [],
        (...ds) => {
          const out: Value[] = [];
          for (const d of ds) out.push(...sortedKeys(asDict(d)));
          return out;
        },
        "map",
      ),
    ],
    [
      "pick",
      goFunc(
        ["map"],
        (d, ...keys) => {
          const m = asDict(d);
          const out: GoMap = new Map();
          for (const k of keys) if (m.has(k as string)) out.set(k as string, m.get(k as string) ?? null);
          return out;
        },
        "string",
      ),
    ],
    [
      "omit",
      goFunc(
        ["map"],
        (d, ...keys) => {
          const m = asDict(d);
          const drop = new Set(keys as string[]);
          const out: GoMap = new Map();
          for (const [k, v] of m) if (!drop.has(k)) out.set(k, v);
          return out;
        },
        "string",
      ),
    ],
    ["values", goFunc(["map"], (d) => sortedKeys(asDict(d)).map((k) => asDict(d).get(k) ?? null))],
    ["dig", goFunc([], (...ps) => dig(...ps), "any")],
    ...(["merge", "mustMerge", "mergeOverwrite", "mustMergeOverwrite"] as const).map(
      (name): [string, GoFunc] => [
        name,
        goFunc(
          ["map"],
          (dst, ...srcs) => {
            const d = setOnNil(dst);
            for (const s of srcs) if (s instanceof Map) mergeInto(d, s, name.includes("Overwrite"));
            return d;
          },
          "map",
        ),
      ],
    ),
    ["deepCopy", goFunc(["any"], (v) => deepCopy(v))],
    ["mustDeepCopy", goFunc(["any"], (v) => deepCopy(v))],
  ];
}
