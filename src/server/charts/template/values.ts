/**
 * Go-like value model for the template engine.
 *
 * Go's text/template distinguishes types that JavaScript merges, so values use:
 *  - `undefined`  an invalid reflect.Value (missing key, untyped nil)
 *  - `null`       a nil interface{} value (YAML null, a func returning nil)
 *  - `bigint`     Go `int` (64-bit); other integer types use {@link SizedInt}
 *  - `number`     Go `float64`
 *  - `string`, `boolean`
 *  - `Value[]`    `[]interface {}`
 *  - `Map`        `map[string]interface {}` (iteration is always by sorted key)
 *  - `Uint8Array` `[]byte`
 *  - {@link GoObject} subclasses: structs, sized ints, times, ...
 */

export type GoMap = Map<string, Value>;

export type Value =
  undefined | null | string | boolean | bigint | number | Value[] | GoMap | Uint8Array | GoObject;

/** An error raised by a template function; exec wraps it as "error calling NAME: ...". */
export class GoError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GoError";
  }
}

/** Parameter types a function declares, so exec can apply Go's argument conversion rules. */
export type ParamType =
  | "any" // interface{}
  | "value" // reflect.Value (builtins): receives undefined for invalid values
  | "string"
  | "int"
  | "int64"
  | "uint32"
  | "float64"
  | "bool"
  | "map" // map[string]interface{}
  | "slice"; // []interface{}

export interface GoFunc {
  params: ParamType[];
  /** Element type of a trailing variadic parameter. */
  variadic?: ParamType;
  fn: (...args: Value[]) => Value;
}

export type FuncMap = Map<string, GoFunc>;

export function goFunc(params: ParamType[], fn: (...args: Value[]) => Value, variadic?: ParamType): GoFunc {
  return variadic === undefined ? { params, fn } : { params, fn, variadic };
}

/** Base class for values that are neither maps, slices nor scalars. */
export abstract class GoObject {
  /** Go type name as printed by %T, e.g. "*semver.Version". */
  abstract readonly goType: string;
  /** reflect.Kind name, e.g. "struct", "ptr", "int64". */
  abstract readonly kind: string;
  /** Field lookup; undefined when the type has no such field. */
  field(_name: string): { value: Value } | undefined {
    return undefined;
  }
  method(_name: string): GoFunc | undefined {
    return undefined;
  }
  /** %v formatting (also used by print and string conversion). */
  abstract format(): string;
  /** Truthiness as text/template's isTrue sees it. */
  truth(): boolean {
    return true;
  }
}

export type IntType =
  "int8" | "int16" | "int32" | "int64" | "uint" | "uint8" | "uint16" | "uint32" | "uint64";

/** Integer of a Go type other than `int` (e.g. sprig's int64 results, bytes from string indexing). */
export class SizedInt extends GoObject {
  constructor(
    readonly type: IntType,
    readonly v: bigint,
  ) {
    super();
  }
  get goType(): string {
    return this.type;
  }
  get kind(): string {
    return this.type;
  }
  get unsigned(): boolean {
    return this.type.startsWith("u");
  }
  format(): string {
    return this.v.toString();
  }
  override truth(): boolean {
    return this.v !== 0n;
  }
}

export function int64(v: bigint): SizedInt {
  return new SizedInt("int64", BigInt.asIntN(64, v));
}

/** A Go struct (or pointer to struct) with ordered fields and optional methods. */
export class GoStruct extends GoObject {
  readonly kind: string;
  constructor(
    readonly goType: string,
    readonly fields: Map<string, Value>,
    readonly methods: Map<string, GoFunc> = new Map(),
    private readonly stringer?: () => string,
  ) {
    super();
    this.kind = goType.startsWith("*") ? "ptr" : "struct";
  }
  override field(name: string): { value: Value } | undefined {
    return this.fields.has(name) ? { value: this.fields.get(name) } : undefined;
  }
  override method(name: string): GoFunc | undefined {
    return this.methods.get(name);
  }
  format(): string {
    if (this.stringer) return this.stringer();
    const parts: string[] = [];
    for (const v of this.fields.values()) parts.push(formatV(v, 1));
    return `${this.kind === "ptr" ? "&" : ""}{${parts.join(" ")}}`;
  }
}

/** A map type with methods (Helm's .Files): field access falls back to the map. */
export class MethodMap extends Map<string, Value> {
  constructor(
    readonly goType: string,
    readonly methods: Map<string, GoFunc>,
    entries?: Iterable<readonly [string, Value]>,
  ) {
    super(entries);
  }
}

export function isInt(v: Value): v is bigint | SizedInt {
  return typeof v === "bigint" || v instanceof SizedInt;
}

/** The integer value of an int-kind value, or undefined. */
export function intOf(v: Value): bigint | undefined {
  if (typeof v === "bigint") return v;
  if (v instanceof SizedInt) return v.v;
  return undefined;
}

export function isMap(v: Value): v is GoMap {
  return v instanceof Map;
}

export function isList(v: Value): v is Value[] {
  return Array.isArray(v);
}

/** Go type name (%T). */
export function typeName(v: Value): string {
  if (v === undefined || v === null) return "<nil>";
  switch (typeof v) {
    case "string":
      return "string";
    case "boolean":
      return "bool";
    case "bigint":
      return "int";
    case "number":
      return "float64";
  }
  if (Array.isArray(v)) return "[]interface {}";
  if (v instanceof MethodMap) return v.goType;
  if (v instanceof Map) return "map[string]interface {}";
  if (v instanceof Uint8Array) return "[]uint8";
  return v.goType;
}

/** reflect.Kind name. */
export function kindName(v: Value): string {
  if (v === undefined || v === null) return "invalid";
  switch (typeof v) {
    case "string":
      return "string";
    case "boolean":
      return "bool";
    case "bigint":
      return "int";
    case "number":
      return "float64";
  }
  if (Array.isArray(v) || v instanceof Uint8Array) return "slice";
  if (v instanceof Map) return "map";
  return v.kind;
}

/** Byte length of a string as Go counts it (UTF-8). */
export function byteLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function utf8Bytes(s: string): Uint8Array {
  return encoder.encode(s);
}

export function utf8String(b: Uint8Array): string {
  return decoder.decode(b);
}

/** Go's s[start:end] on byte offsets. */
export function byteSlice(s: string, start: number, end?: number): string {
  if (isAscii(s)) return s.slice(start, end);
  const b = utf8Bytes(s);
  return utf8String(b.subarray(start, end));
}

/** text/template's isTrue; ok=false is never produced for our value kinds. */
export function isTrue(v: Value): boolean {
  if (v === undefined || v === null) return false;
  switch (typeof v) {
    case "string":
      return v.length > 0;
    case "boolean":
      return v;
    case "bigint":
      return v !== 0n;
    case "number":
      return v !== 0;
  }
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Map) return v.size > 0;
  if (v instanceof Uint8Array) return v.length > 0;
  return v.truth();
}

/** Sorted keys of a map (Go prints and ranges maps in key order). */
export function sortedKeys(m: GoMap): string[] {
  const keys = Array.from(m.keys());
  keys.sort(compareStrings);
  return keys;
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// formatV is defined in format.ts; a late-bound hook avoids an import cycle.
let formatHook: (v: Value, depth: number) => string = () => "";
export function setFormatHook(fn: (v: Value, depth: number) => string): void {
  formatHook = fn;
}
function formatV(v: Value, depth: number): string {
  return formatHook(v, depth);
}

/** Deep copy of maps and slices (sprig deepCopy, Helm values copies). */
export function deepCopy(v: Value): Value {
  if (Array.isArray(v)) return v.map(deepCopy);
  if (v instanceof Map && !(v instanceof MethodMap)) {
    const m: GoMap = new Map();
    for (const [k, x] of v) m.set(k, deepCopy(x));
    return m;
  }
  return v;
}

/** Convert plain JS data (from JSON.parse or tests) into the value model; integers become float64. */
export function fromJS(v: unknown): Value {
  if (v === null || v === undefined) return null;
  if (typeof v === "string" || typeof v === "boolean" || typeof v === "number" || typeof v === "bigint")
    return v;
  if (Array.isArray(v)) return v.map(fromJS);
  if (v instanceof Map) {
    const m: GoMap = new Map();
    for (const [k, x] of v) m.set(String(k), fromJS(x));
    return m;
  }
  if (v instanceof Uint8Array || v instanceof GoObject) return v;
  if (typeof v === "object") {
    const m: GoMap = new Map();
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) m.set(k, fromJS(x));
    return m;
  }
  return null;
}

/** Convert to plain JS (for callers outside the engine). */
export function toJS(v: Value): unknown {
  if (v === undefined || v === null) return null;
  if (typeof v === "bigint") return Number(v);
  if (v instanceof SizedInt) return Number(v.v);
  if (Array.isArray(v)) return v.map(toJS);
  if (v instanceof Map) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of v) o[k] = toJS(x);
    return o;
  }
  if (v instanceof GoObject) return v.format();
  return v;
}
