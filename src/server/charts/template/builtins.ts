/**
 * text/template builtin functions: and, or, not, len, index, slice, print*,
 * html, js, urlquery, call and the comparison functions with Go's type rules.
 */
import { isPrint, sprint, sprintf, sprintln } from "./format";
import {
  GoError,
  GoObject,
  SizedInt,
  byteLength,
  byteSlice,
  goFunc,
  intOf,
  isTrue,
  typeName,
  utf8Bytes,
  type FuncMap,
  type GoFunc,
  type Value,
} from "./values";

const enum K {
  Invalid,
  Bool,
  Complex,
  Int,
  Float,
  String,
  Uint,
  Other,
}

function basicKind(v: Value): K {
  if (v === undefined || v === null) return K.Invalid;
  switch (typeof v) {
    case "boolean":
      return K.Bool;
    case "bigint":
      return K.Int;
    case "number":
      return K.Float;
    case "string":
      return K.String;
  }
  if (v instanceof SizedInt) return v.unsigned ? K.Uint : K.Int;
  return K.Other;
}

const errBadComparisonType = "invalid type for comparison";
const errBadComparison = "incompatible types for comparison";
const errNoComparison = "missing argument for comparison";

function num(v: Value): bigint {
  return intOf(v) ?? 0n;
}

function comparable(v: Value): boolean {
  return !(Array.isArray(v) || v instanceof Map || v instanceof Uint8Array);
}

function eq(arg1: Value, ...arg2: Value[]): boolean {
  const k1 = basicKind(arg1);
  if (arg2.length === 0) throw new GoError(errNoComparison);
  for (const arg of arg2) {
    const k2 = basicKind(arg);
    let truth = false;
    if (k1 !== k2) {
      if (k1 === K.Int && k2 === K.Uint) truth = num(arg1) >= 0n && num(arg1) === num(arg);
      else if (k1 === K.Uint && k2 === K.Int) truth = num(arg) >= 0n && num(arg1) === num(arg);
      else if (k1 !== K.Invalid && k2 !== K.Invalid) throw new GoError(errBadComparison);
    } else {
      switch (k1) {
        case K.Bool:
        case K.Float:
        case K.String:
          truth = arg1 === arg;
          break;
        case K.Int:
        case K.Uint:
          truth = num(arg1) === num(arg);
          break;
        case K.Invalid:
          truth = true;
          break;
        default:
          if (!comparable(arg1) || !comparable(arg)) {
            throw new GoError(
              `non-comparable types ${typeName(arg1)}: ${typeName(arg1)}, ${typeName(arg)}: ${typeName(arg)}`,
            );
          }
          truth =
            arg1 === arg ||
            (arg1 instanceof GoObject && arg instanceof GoObject && arg1.format() === arg.format());
      }
    }
    if (truth) return true;
  }
  return false;
}

function lt(arg1: Value, arg2: Value): boolean {
  const k1 = basicKind(arg1);
  if (k1 === K.Invalid || k1 === K.Other) throw new GoError(errBadComparisonType);
  const k2 = basicKind(arg2);
  if (k2 === K.Invalid || k2 === K.Other) throw new GoError(errBadComparisonType);
  if (k1 !== k2) {
    if (k1 === K.Int && k2 === K.Uint) return num(arg1) < 0n || num(arg1) < num(arg2);
    if (k1 === K.Uint && k2 === K.Int) return num(arg2) >= 0n && num(arg1) < num(arg2);
    throw new GoError(errBadComparison);
  }
  switch (k1) {
    case K.Bool:
    case K.Complex:
      throw new GoError(errBadComparisonType);
    case K.Float:
      return (arg1 as number) < (arg2 as number);
    case K.String:
      return (arg1 as string) < (arg2 as string);
    default:
      return num(arg1) < num(arg2);
  }
}

function le(a: Value, b: Value): boolean {
  return lt(a, b) || eq(a, b);
}

function indexArg(index: Value, cap: number): number {
  if (index === undefined || index === null) throw new GoError("cannot index slice/array with nil");
  const x = intOf(index);
  if (x === undefined) throw new GoError(`cannot index slice/array with type ${typeName(index)}`);
  if (x < 0n || x > BigInt(cap)) throw new GoError(`index out of range: ${x}`);
  return Number(x);
}

function index(item: Value, ...indexes: Value[]): Value {
  if (item === undefined || item === null) throw new GoError("index of untyped nil");
  let cur: Value = item;
  for (const idx of indexes) {
    if (cur === undefined || cur === null) throw new GoError("index of nil pointer");
    if (Array.isArray(cur) || typeof cur === "string" || cur instanceof Uint8Array) {
      const len: number = typeof cur === "string" ? byteLength(cur) : cur.length;
      const x = indexArg(idx, len);
      if (x === len) throw new GoError(`index out of range: ${x}`);
      if (typeof cur === "string") cur = new SizedInt("uint8", BigInt(utf8Bytes(cur)[x] ?? 0));
      else if (cur instanceof Uint8Array) cur = new SizedInt("uint8", BigInt(cur[x] ?? 0));
      else cur = cur[x];
    } else if (cur instanceof Map) {
      if (idx === undefined || idx === null) throw new GoError("value is nil; should be of type string");
      if (typeof idx !== "string") throw new GoError(`value has type ${typeName(idx)}; should be string`);
      cur = cur.has(idx) ? cur.get(idx) : null;
    } else {
      throw new GoError(`can't index item of type ${typeName(cur)}`);
    }
  }
  return cur;
}

function slice(item: Value, ...indexes: Value[]): Value {
  if (item === undefined || item === null) throw new GoError("slice of untyped nil");
  if (indexes.length > 3) throw new GoError(`too many slice indexes: ${indexes.length}`);
  let cap: number;
  let len: number;
  if (typeof item === "string") {
    if (indexes.length === 3) throw new GoError("cannot 3-index slice a string");
    cap = len = byteLength(item);
  } else if (Array.isArray(item) || item instanceof Uint8Array) {
    cap = len = item.length;
  } else {
    throw new GoError(`can't slice item of type ${typeName(item)}`);
  }
  const idx = [0, len, 0];
  indexes.forEach((ix, i) => {
    idx[i] = indexArg(ix, cap);
  });
  const [i0 = 0, i1 = 0, i2 = 0] = idx;
  if (i0 > i1) throw new GoError(`invalid slice index: ${i0} > ${i1}`);
  if (indexes.length === 3 && i1 > i2) throw new GoError(`invalid slice index: ${i1} > ${i2}`);
  if (typeof item === "string") return byteSlice(item, i0, i1);
  return item.slice(i0, i1);
}

function length(item: Value): bigint {
  if (item === undefined || item === null) throw new GoError("len of nil pointer");
  if (typeof item === "string") return BigInt(byteLength(item));
  if (Array.isArray(item) || item instanceof Uint8Array) return BigInt(item.length);
  if (item instanceof Map) return BigInt(item.size);
  throw new GoError(`len of type ${typeName(item)}`);
}

/** evalArgs: like fmt.Sprint, but nil prints as "<no value>". */
function evalArgs(args: Value[]): string {
  if (args.length === 1 && typeof args[0] === "string") return args[0];
  return sprint(args.map((a) => (a === undefined || a === null ? "<no value>" : a)));
}

export function htmlEscapeString(s: string): string {
  return s.replace(/[\0"'&<>]/g, (c) => {
    switch (c) {
      case "\0":
        return "\uFFFD";
      case '"':
        return "&#34;";
      case "'":
        return "&#39;";
      case "&":
        return "&amp;";
      case "<":
        return "&lt;";
      default:
        return "&gt;";
    }
  });
}

export function jsEscapeString(s: string): string {
  let out = "";
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (c < 0x80) {
      switch (ch) {
        case "\\":
          out += "\\\\";
          continue;
        case "'":
          out += "\\'";
          continue;
        case '"':
          out += '\\"';
          continue;
        case "<":
          out += "\\u003C";
          continue;
        case ">":
          out += "\\u003E";
          continue;
        case "&":
          out += "\\u0026";
          continue;
        case "=":
          out += "\\u003D";
          continue;
      }
      if (c < 0x20) out += "\\u00" + c.toString(16).toUpperCase().padStart(2, "0");
      else out += ch;
    } else if (isPrint(c)) {
      out += ch;
    } else {
      out += "\\u" + c.toString(16).toUpperCase().padStart(4, "0");
    }
  }
  return out;
}

/** url.QueryEscape. */
export function queryEscape(s: string): string {
  let out = "";
  for (const b of utf8Bytes(s)) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === " ") out += "+";
    else out += "%" + b.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

const andFn = goFunc(["value"], () => undefined, "value");
const orFn = goFunc(["value"], () => undefined, "value");

/** and/or are evaluated by exec (short-circuit); these entries only carry the signature. */
export const AND_OR: Map<string, GoFunc> = new Map([
  ["and", andFn],
  ["or", orFn],
]);

export const builtinFuncs: FuncMap = new Map<string, GoFunc>([
  ["and", andFn],
  ["or", orFn],
  ["not", goFunc(["value"], (a) => !isTrue(a))],
  ["len", goFunc(["value"], (a) => length(a))],
  ["index", goFunc(["value"], (item, ...ix) => index(item, ...ix), "value")],
  ["slice", goFunc(["value"], (item, ...ix) => slice(item, ...ix), "value")],
  ["print", goFunc([], (...a) => sprint(a.map((x) => (x === undefined ? null : x))), "any")],
  ["println", goFunc([], (...a) => sprintln(a.map((x) => (x === undefined ? null : x))), "any")],
  [
    "printf",
    goFunc(
      ["string"],
      (f, ...a) =>
        sprintf(
          f as string,
          a.map((x) => (x === undefined ? null : x)),
        ),
      "any",
    ),
  ],
  ["html", goFunc([], (...a) => htmlEscapeString(evalArgs(a)), "any")],
  ["js", goFunc([], (...a) => jsEscapeString(evalArgs(a)), "any")],
  ["urlquery", goFunc([], (...a) => queryEscape(evalArgs(a)), "any")],
  [
    "call",
    goFunc(
      ["value"],
      (_name, fn) => {
        if (fn === undefined || fn === null) throw new GoError("call of nil");
        throw new GoError(`non-function ${String(_name)} of type ${typeName(fn)}`);
      },
      "value",
    ),
  ],
  ["eq", goFunc(["value"], (a, ...b) => eq(a, ...b), "value")],
  ["ne", goFunc(["value", "value"], (a, b) => !eq(a, b))],
  ["lt", goFunc(["value", "value"], (a, b) => lt(a, b))],
  ["le", goFunc(["value", "value"], (a, b) => le(a, b))],
  ["gt", goFunc(["value", "value"], (a, b) => !le(a, b))],
  ["ge", goFunc(["value", "value"], (a, b) => !lt(a, b))],
]);
