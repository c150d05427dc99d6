/** Conversions shared by the sprig functions (sprig's strval/strslice, spf13/cast semantics). */
import { formatV, sprintf } from "../template/format";
import {
  GoError,
  GoObject,
  SizedInt,
  int64,
  intOf,
  utf8String,
  type GoMap,
  type Value,
} from "../template/values";

/** sprig strval: strings as is, []byte as text, everything else via %v. */
export function strval(v: Value): string {
  if (typeof v === "string") return v;
  if (v instanceof Uint8Array) return utf8String(v);
  if (v === undefined) return "<nil>";
  return formatV(v);
}

/** sprig strslice: nil elements are dropped. */
export function strslice(v: Value): string[] {
  if (Array.isArray(v)) {
    const out: string[] = [];
    for (const x of v) if (x !== null && x !== undefined) out.push(strval(x));
    return out;
  }
  if (v === null || v === undefined) return [];
  return [strval(v)];
}

function trimZeroDecimal(s: string): string {
  let foundZero = false;
  for (let i = s.length - 1; i >= 0; i--) {
    const c = s[i];
    if (c === ".") return foundZero ? s.slice(0, i) : s;
    if (c === "0") foundZero = true;
    else return s;
  }
  return s;
}

/** strconv.ParseInt(s, 0, 64). */
export function parseIntBase0(s: string): bigint | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|0[0-7_]*|[1-9][0-9_]*)$/.exec(s);
  if (!m) return undefined;
  let body = (m[2] ?? "").replace(/_/g, "");
  if (/^0[0-7]+$/.test(body)) body = "0o" + body.slice(1);
  try {
    let v = BigInt(body);
    if (m[1] === "-") v = -v;
    if (v > 9223372036854775807n || v < -9223372036854775808n) return undefined;
    return v;
  } catch {
    return undefined;
  }
}

function floatToInt(f: number): bigint {
  if (!Number.isFinite(f)) return -9223372036854775808n;
  const t = Math.trunc(f);
  if (t >= 9223372036854775807) return -9223372036854775808n;
  if (t <= -9223372036854775808) return -9223372036854775808n;
  return BigInt(t);
}

/** cast.ToInt64 (errors become 0). */
export function toInt64(v: Value): bigint {
  if (v === undefined || v === null) return 0n;
  const i = intOf(v);
  if (i !== undefined) return v instanceof SizedInt && v.type === "uint64" ? BigInt.asIntN(64, i) : i;
  if (typeof v === "number") return floatToInt(v);
  if (typeof v === "boolean") return v ? 1n : 0n;
  if (typeof v === "string") return parseIntBase0(trimZeroDecimal(v)) ?? 0n;
  return 0n;
}

/** cast.ToFloat64 (errors become 0). */
export function toFloat64(v: Value): number {
  if (v === undefined || v === null) return 0;
  const i = intOf(v);
  if (i !== undefined) return Number(i);
  if (typeof v === "number") return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "string") {
    const s = v.trim() === v ? v : "";
    if (/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(s)) return Number(s);
    if (/^[+-]?(inf|infinity)$/i.test(s)) return s.startsWith("-") ? -Infinity : Infinity;
    if (/^nan$/i.test(s)) return NaN;
    return 0;
  }
  return 0;
}

export function toInt(v: Value): bigint {
  return toInt64(v);
}

export function i64(v: bigint): SizedInt {
  return int64(v);
}

/** sprig's empty(): the zero value of its type. */
export function empty(v: Value): boolean {
  if (v === undefined || v === null) return true;
  switch (typeof v) {
    case "string":
      return v.length === 0;
    case "boolean":
      return !v;
    case "bigint":
      return v === 0n;
    case "number":
      return v === 0;
  }
  if (Array.isArray(v)) return v.length === 0;
  if (v instanceof Map) return v.size === 0;
  if (v instanceof Uint8Array) return v.length === 0;
  if (v instanceof SizedInt) return v.v === 0n;
  return false;
}

export function asMap(v: Value, fn: string): GoMap {
  if (v instanceof Map) return v;
  throw new GoError(`${fn}: expected a map, got ${v === null || v === undefined ? "nil" : formatV(v)}`);
}

export function isObject(v: Value): v is GoObject {
  return v instanceof GoObject;
}

export { sprintf };
