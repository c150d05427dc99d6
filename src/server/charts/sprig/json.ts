/** Go encoding/json emulation: Marshal (sorted keys, HTML escaping, Go float format) and Unmarshal into interface{}. */
import { formatFloat } from "../template/format";
import { GoError, GoObject, SizedInt, fromJS, sortedKeys, type GoMap, type Value } from "../template/values";

/** Objects that marshal to JSON in a custom shape (Go json tags / MarshalJSON). */
export interface JSONMarshaler {
  toJSONValue(): Value;
}

function hasJSON(v: object): v is JSONMarshaler {
  return typeof (v as Partial<JSONMarshaler>).toJSONValue === "function";
}

export function jsonString(s: string, escapeHTML: boolean): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] as string;
    const c = s.charCodeAt(i);
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (c < 0x20) {
      if (ch === "\n") out += "\\n";
      else if (ch === "\r") out += "\\r";
      else if (ch === "\t") out += "\\t";
      else out += "\\u00" + c.toString(16).padStart(2, "0");
    } else if (escapeHTML && (ch === "<" || ch === ">" || ch === "&")) out += "\\u00" + c.toString(16);
    else if (c === 0x2028 || c === 0x2029) out += "\\u" + c.toString(16);
    else if (c >= 0xd800 && c <= 0xdfff) {
      const next = s.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        out += ch + s[i + 1];
        i++;
      } else out += "\\ufffd";
    } else out += ch;
  }
  return out + '"';
}

export function jsonFloat(f: number): string {
  if (!Number.isFinite(f)) throw new GoError(`json: unsupported value: ${formatFloat(f, "g", -1)}`);
  const abs = Math.abs(f);
  let fmt: "f" | "e" = "f";
  if (abs !== 0 && (abs < 1e-6 || abs >= 1e21)) fmt = "e";
  let s = formatFloat(f, fmt, -1);
  if (fmt === "e") s = s.replace(/e-0(\d)$/, "e-$1");
  return s;
}

export interface MarshalOptions {
  escapeHTML?: boolean;
  indent?: string;
}

/** json.Marshal / MarshalIndent. Throws GoError for unsupported values. */
export function marshalJSON(v: Value, opts: MarshalOptions = {}): string {
  const escapeHTML = opts.escapeHTML ?? true;
  const indent = opts.indent ?? "";
  const enc = (x: Value, depth: number): string => {
    if (x === undefined || x === null) return "null";
    switch (typeof x) {
      case "string":
        return jsonString(x, escapeHTML);
      case "boolean":
        return x ? "true" : "false";
      case "bigint":
        return x.toString();
      case "number":
        return jsonFloat(x);
    }
    const nl = indent ? "\n" + indent.repeat(depth + 1) : "";
    const end = indent ? "\n" + indent.repeat(depth) : "";
    if (Array.isArray(x)) {
      if (x.length === 0) return "[]";
      return "[" + x.map((e) => nl + enc(e, depth + 1)).join(",") + end + "]";
    }
    if (x instanceof Uint8Array) return '"' + Buffer.from(x).toString("base64") + '"';
    if (x instanceof Map) {
      if (x.size === 0) return "{}";
      const parts = sortedKeys(x).map(
        (k) => nl + jsonString(k, escapeHTML) + (indent ? ": " : ":") + enc(x.get(k), depth + 1),
      );
      return "{" + parts.join(",") + end + "}";
    }
    if (x instanceof SizedInt) return x.v.toString();
    if (x instanceof GoObject && hasJSON(x)) return enc(x.toJSONValue(), depth);
    throw new GoError(`json: unsupported type: ${x.goType}`);
  };
  return enc(v, 0);
}

function jsonTypeName(v: unknown): string {
  if (Array.isArray(v)) return "array";
  if (v === null) return "null";
  if (typeof v === "object") return "object";
  return typeof v;
}

/** json.Unmarshal into interface{} (numbers become float64). */
export function unmarshalJSON(text: string): Value {
  try {
    return fromJS(JSON.parse(text));
  } catch (e) {
    throw new GoError(goJSONSyntaxError(text, e));
  }
}

/** json.Unmarshal into map[string]interface{} or []interface{} with Go's type error. */
export function unmarshalJSONAs(text: string, want: "map" | "slice"): Value {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new GoError(goJSONSyntaxError(text, e));
  }
  const t = jsonTypeName(raw);
  if (want === "map" && t !== "object" && t !== "null") {
    throw new GoError(
      `json: cannot unmarshal ${t === "boolean" ? "bool" : t} into Go value of type map[string]interface {}`,
    );
  }
  if (want === "slice" && t !== "array" && t !== "null") {
    throw new GoError(
      `json: cannot unmarshal ${t === "boolean" ? "bool" : t} into Go value of type []interface {}`,
    );
  }
  const v = fromJS(raw);
  if (v === null) return want === "map" ? (new Map() as GoMap) : [];
  return v;
}

function goJSONSyntaxError(text: string, e: unknown): string {
  const trimmed = text.trim();
  if (trimmed === "") return "unexpected end of JSON input";
  const m = /position (\d+)/.exec(String((e as Error).message));
  const pos = m ? Number(m[1]) : 0;
  const c = text[pos];
  if (c === undefined) return "unexpected end of JSON input";
  return `invalid character '${c}' looking for beginning of value`;
}
