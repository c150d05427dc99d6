/**
 * YAML as Helm sees it: sigs.k8s.io/yaml (go-yaml v2 → JSON → interface{}) for reading,
 * so numbers become float64 and YAML 1.1 booleans apply; and a go-yaml v2/v3 compatible
 * emitter for toYaml / toYamlPretty (key order, quoting, folding at 80 columns).
 */
import { parseAllDocuments, parseDocument, isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node as YNode } from "yaml";
import { formatFloat } from "../template/format";
import { GoError, GoObject, SizedInt, type GoMap, type Value } from "../template/values";
import { marshalJSON, unmarshalJSON } from "../sprig/json";

// ---------------------------------------------------------------------------
// Decoding

const BOOL_TRUE = new Set(["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"]);
const BOOL_FALSE = new Set(["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"]);
const NULLS = new Set(["", "~", "null", "Null", "NULL"]);
const yamlStyleFloat = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

/** go-yaml v2 resolution of a plain scalar. Integers are returned as bigint. */
export function resolvePlain(s: string): Value {
  if (NULLS.has(s)) return null;
  if (BOOL_TRUE.has(s)) return true;
  if (BOOL_FALSE.has(s)) return false;
  const c = s[0] ?? "";
  if ("+-0123456789.".includes(c)) {
    const plain = s.replace(/_/g, "");
    const int = parseIntYAML(plain);
    if (int !== undefined) return int;
    if (yamlStyleFloat.test(plain)) return Number(plain);
    if (/^[-+]?\.(inf|Inf|INF)$/.test(s)) return s.startsWith("-") ? -Infinity : Infinity;
  }
  if (s === ".nan" || s === ".NaN" || s === ".NAN") return NaN;
  if (s === ".inf" || s === ".Inf" || s === ".INF") return Infinity;
  return s;
}

function parseIntYAML(s: string): bigint | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return undefined;
  let body = m[2] ?? "";
  if (/^0[0-7]+$/.test(body)) body = "0o" + body.slice(1);
  let v = BigInt(body);
  if (m[1] === "-") v = -v;
  if (v > 18446744073709551615n || v < -9223372036854775808n) return undefined;
  return v;
}

/** A parsed YAML value before JSON conversion (ints still exact). */
type Raw = Value;

function keyString(k: Raw): string {
  if (typeof k === "string") return k;
  if (k === null || k === undefined) return "null";
  if (typeof k === "boolean") return k ? "true" : "false";
  if (typeof k === "bigint") return k.toString();
  if (typeof k === "number") return formatFloat(Math.fround(k), "g", -1);
  return marshalJSON(k);
}

function convertNode(node: YNode | null | undefined, doc: Document, anchors: Map<YNode, Raw>): Raw {
  if (node === null || node === undefined) return null;
  if (isAlias(node)) {
    const target = node.resolve(doc);
    if (!target) throw new GoError(`yaml: unknown anchor '${node.source}' referenced`);
    return convertNode(target as YNode, doc, anchors);
  }
  if (isScalar(node)) {
    const raw = node.value;
    const s = raw === null || raw === undefined ? "" : String(raw);
    const tag = node.tag;
    if (tag && tag !== "tag:yaml.org,2002:str" && tag !== "!") {
      if (tag.endsWith(":int") || tag.endsWith(":float")) {
        const r = resolvePlain(s);
        if (typeof r === "bigint" || typeof r === "number") return tag.endsWith(":float") ? Number(r) : r;
        throw new GoError(`yaml: cannot decode !!${tag.split(":").pop()} \`${s}\``);
      }
      if (tag.endsWith(":bool")) return resolvePlain(s);
      if (tag.endsWith(":null")) return null;
      if (tag.endsWith(":binary")) return Buffer.from(s.replace(/\s/g, ""), "base64").toString("utf8");
      if (tag.endsWith(":str")) return s;
    }
    if (tag === "tag:yaml.org,2002:str") return s;
    if (node.type === "PLAIN" || node.type === undefined) return resolvePlain(s);
    return s;
  }
  if (isMap(node)) {
    const out: GoMap = new Map();
    const explicit: [string, Raw][] = [];
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const keyNode = pair.key as YNode | null;
      if (isScalar(keyNode) && keyNode.value === "<<" && (keyNode.type === "PLAIN" || keyNode.type === undefined)) {
        const merged = convertNode(pair.value as YNode, doc, anchors);
        const sources = Array.isArray(merged) ? merged : [merged];
        for (const src of sources) {
          if (!(src instanceof Map)) throw new GoError("yaml: map merge requires map or sequence of maps as the value");
          for (const [k, v] of src) if (!out.has(k)) out.set(k, v);
        }
        continue;
      }
      explicit.push([keyString(convertNode(keyNode, doc, anchors)), convertNode(pair.value as YNode, doc, anchors)]);
    }
    for (const [k, v] of explicit) out.set(k, v);
    return out;
  }
  if (isSeq(node)) return node.items.map((n) => convertNode(n as YNode, doc, anchors));
  return null;
}

/** Go-yaml style error text for a yaml-lib error. */
function yamlError(src: string, doc: Document): GoError {
  const e = doc.errors[0];
  const pos = e?.pos?.[1] ?? e?.pos?.[0] ?? 0;
  if (e?.code === "MISSING_CHAR" && /Implicit map keys/.test(e.message)) {
    let p = pos;
    while (p < src.length && /\s/.test(src[p] ?? "")) p++;
    let line = src.slice(0, p).split("\n").length;
    // At end of stream go-yaml forces a new line when the last line is unterminated.
    if (p >= src.length && src.length > 0 && !src.endsWith("\n")) line++;
    return new GoError(`yaml: line ${line}: could not find expected ':'`);
  }
  const line = src.slice(0, e?.pos?.[0] ?? 0).split("\n").length;
  return new GoError(`yaml: line ${line}: ${e?.message ?? "invalid YAML"}`);
}

/** Parse the first YAML document into exact (pre-JSON) values. */
export function parseYAMLRaw(src: string): Raw {
  const doc = parseDocument(src, { schema: "failsafe", uniqueKeys: false, strict: false, prettyErrors: false });
  if (doc.errors.length > 0) throw yamlError(src, doc);
  return convertNode(doc.contents as YNode | null, doc, new Map());
}

/** Every document of a YAML stream. */
export function parseYAMLAll(src: string): Raw[] {
  const docs = parseAllDocuments(src, { schema: "failsafe", uniqueKeys: false, strict: false, prettyErrors: false });
  const list = Array.isArray(docs) ? docs : [docs];
  return list.map((doc) => {
    if (doc.errors.length > 0) throw yamlError(src, doc as Document);
    return convertNode(doc.contents as YNode | null, doc as Document, new Map());
  });
}

/** JSON round trip: ints become float64 as in sigs.k8s.io/yaml → encoding/json. */
function toJSONSemantics(v: Raw): Value {
  if (typeof v === "bigint") return Number(v);
  if (Array.isArray(v)) return v.map(toJSONSemantics);
  if (v instanceof Map) {
    const m: GoMap = new Map();
    for (const [k, x] of v) m.set(k, toJSONSemantics(x));
    return m;
  }
  if (typeof v === "number" && !Number.isFinite(v)) throw new GoError(`json: unsupported value: ${formatFloat(v, "g", -1)}`);
  return v;
}

/** sigs.k8s.io/yaml.Unmarshal into interface{}. */
export function yamlToValue(src: string): Value {
  let raw: Raw;
  try {
    raw = parseYAMLRaw(src);
  } catch (e) {
    throw new GoError(`error converting YAML to JSON: ${(e as Error).message}`);
  }
  try {
    return toJSONSemantics(raw);
  } catch (e) {
    throw new GoError(`error converting YAML to JSON: ${(e as Error).message}`);
  }
}

/** sigs.k8s.io/yaml.Unmarshal into map[string]interface{} / []interface{} with Go's errors. */
export function yamlToTyped(src: string, want: "map" | "slice"): Value {
  let raw: Raw;
  try {
    raw = parseYAMLRaw(src);
  } catch (e) {
    throw new GoError(`error converting YAML to JSON: ${(e as Error).message}`);
  }
  const v = toJSONSemantics(raw);
  const kind = v === null ? "null" : Array.isArray(v) ? "array" : v instanceof Map ? "object" : typeof v === "boolean" ? "bool" : typeof v;
  if (want === "map" && kind !== "object" && kind !== "null") {
    throw new GoError(`error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${kind} into Go value of type map[string]interface {}`);
  }
  if (want === "slice" && kind !== "array" && kind !== "null") {
    throw new GoError(`error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${kind} into Go value of type []interface {}`);
  }
  if (v === null) return want === "map" ? new Map() : [];
  return v;
}

// ---------------------------------------------------------------------------
// Encoding

/** go-yaml's natural key order (keyList.Less) for string keys. */
export function yamlKeyLess(a: string, b: string): boolean {
  const ar = [...a];
  const br = [...b];
  const isLetter = (c: string): boolean => /\p{L}/u.test(c);
  const isDigit = (c: string | undefined): boolean => c !== undefined && /\p{Nd}/u.test(c);
  for (let i = 0; i < ar.length && i < br.length; i++) {
    const x = ar[i] as string;
    const y = br[i] as string;
    if (x === y) continue;
    const al = isLetter(x);
    const bl = isLetter(y);
    if (al && bl) return (x.codePointAt(0) ?? 0) < (y.codePointAt(0) ?? 0);
    if (al || bl) return bl;
    let an = 0n;
    let bn = 0n;
    if (x === "0" || y === "0") {
      for (let j = i - 1; j >= 0 && isDigit(ar[j]); j--) {
        if (ar[j] !== "0") {
          an = 1n;
          bn = 1n;
          break;
        }
      }
    }
    let ai = i;
    let bi = i;
    for (; ai < ar.length && isDigit(ar[ai]); ai++) an = an * 10n + BigInt((ar[ai]?.codePointAt(0) ?? 48) - 48);
    for (; bi < br.length && isDigit(br[bi]); bi++) bn = bn * 10n + BigInt((br[bi]?.codePointAt(0) ?? 48) - 48);
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return (x.codePointAt(0) ?? 0) < (y.codePointAt(0) ?? 0);
  }
  return ar.length < br.length;
}

export function yamlSortedKeys(m: GoMap): string[] {
  return Array.from(m.keys()).sort((a, b) => (yamlKeyLess(a, b) ? -1 : yamlKeyLess(b, a) ? 1 : 0));
}

interface ScalarInfo {
  multiline: boolean;
  blockPlain: boolean;
  flowPlain: boolean;
  singleAllowed: boolean;
  blockAllowed: boolean;
}

function isPrintableCP(c: number): boolean {
  return c === 0x0a || (c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd && c !== 0xfeff);
}

function isBreakCP(c: number): boolean {
  return c === 0x0a || c === 0x0d || c === 0x85 || c === 0x2028 || c === 0x2029;
}

function analyzeScalar(value: string): ScalarInfo {
  if (value.length === 0) return { multiline: false, flowPlain: false, blockPlain: true, singleAllowed: true, blockAllowed: false };
  let blockInd = false;
  let flowInd = false;
  let lineBreaks = false;
  let special = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;
  if (value.startsWith("---") || value.startsWith("...")) {
    blockInd = true;
    flowInd = true;
  }
  const cps = [...value].map((c) => c.codePointAt(0) ?? 0);
  let precededByWS = true;
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i] as number;
    const next = cps[i + 1];
    const followedByWS = next === undefined || next === 0x20 || next === 0x09 || isBreakCP(next);
    const ch = String.fromCodePoint(c);
    if (i === 0) {
      if ("#,[]{}&*!|>'\"%@`".includes(ch)) {
        flowInd = true;
        blockInd = true;
      } else if (ch === "?" || ch === ":") {
        flowInd = true;
        if (followedByWS) blockInd = true;
      } else if (ch === "-" && followedByWS) {
        flowInd = true;
        blockInd = true;
      }
    } else {
      if (",?[]{}".includes(ch)) flowInd = true;
      else if (ch === ":") {
        flowInd = true;
        if (followedByWS) blockInd = true;
      } else if (ch === "#" && precededByWS) {
        flowInd = true;
        blockInd = true;
      }
    }
    if (!isPrintableCP(c)) special = true;
    if (c === 0x20) {
      if (i === 0) leadingSpace = true;
      if (i === cps.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreakCP(c)) {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (i === cps.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWS = c === 0x20 || c === 0x09 || isBreakCP(c);
  }
  const info: ScalarInfo = { multiline: lineBreaks, flowPlain: true, blockPlain: true, singleAllowed: true, blockAllowed: true };
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) {
    info.flowPlain = false;
    info.blockPlain = false;
  }
  if (trailingSpace) info.blockAllowed = false;
  if (breakSpace) {
    info.flowPlain = false;
    info.blockPlain = false;
    info.singleAllowed = false;
  }
  if (spaceBreak || special) {
    info.flowPlain = false;
    info.blockPlain = false;
    info.singleAllowed = false;
    info.blockAllowed = false;
  }
  if (lineBreaks) {
    info.flowPlain = false;
    info.blockPlain = false;
  }
  if (flowInd) info.flowPlain = false;
  if (blockInd) info.blockPlain = false;
  return info;
}

const isBase60Float = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;

type Style = "plain" | "single" | "double" | "literal";

export interface EmitOptions {
  /** yaml.v3 behaviour (toYamlPretty): sequences indented inside mappings, no line folding. */
  v3?: boolean;
}

class Emitter {
  out = "";
  column = 0;
  readonly bestWidth: number;
  constructor(readonly opts: EmitOptions) {
    this.bestWidth = opts.v3 ? Infinity : 80;
  }

  private put(s: string): void {
    this.out += s;
    this.column += [...s].length;
  }
  private newline(indent: number): void {
    this.out += "\n" + " ".repeat(indent);
    this.column = indent;
  }

  private wouldResolveNonString(s: string): boolean {
    const r = resolvePlain(s);
    if (typeof r !== "string") return true;
    if (this.opts.v3) return false;
    return isBase60Float.test(s);
  }

  private chooseStyle(s: string, simpleKey: boolean): Style {
    let style: Style;
    if (s.includes("\n")) style = "literal";
    else if (this.wouldResolveNonString(s)) style = "double";
    else style = "plain";
    const info = analyzeScalar(s);
    if (simpleKey && info.multiline) style = "double";
    if (style === "plain") {
      if (!info.blockPlain) style = "single";
      if (s.length === 0 && simpleKey) style = "single";
    }
    if (style === "single" && !info.singleAllowed) style = "double";
    if (style === "literal" && (!info.blockAllowed || simpleKey)) style = "double";
    return style;
  }

  /** Writes a scalar string; `indent` is the continuation indent for folded lines. */
  writeString(s: string, indent: number, simpleKey: boolean, needSpace: boolean): void {
    const style = this.chooseStyle(s, simpleKey);
    if (needSpace) this.put(" ");
    const allowBreaks = !simpleKey;
    const cps = [...s];
    switch (style) {
      case "plain": {
        let spaces = false;
        for (let i = 0; i < cps.length; i++) {
          const c = cps[i] as string;
          if (c === " ") {
            if (allowBreaks && !spaces && this.column > this.bestWidth && cps[i + 1] !== " ") {
              this.newline(indent);
            } else this.put(c);
            spaces = true;
          } else {
            this.put(c);
            spaces = false;
          }
        }
        return;
      }
      case "single": {
        this.put("'");
        let spaces = false;
        for (let i = 0; i < cps.length; i++) {
          const c = cps[i] as string;
          if (c === " ") {
            if (allowBreaks && !spaces && this.column > this.bestWidth && i > 0 && i < cps.length - 1 && cps[i + 1] !== " ") {
              this.newline(indent);
            } else this.put(c);
            spaces = true;
          } else {
            if (c === "'") this.put("'");
            this.put(c);
            spaces = false;
          }
        }
        this.put("'");
        return;
      }
      case "double": {
        this.put('"');
        let spaces = false;
        for (let i = 0; i < cps.length; i++) {
          const c = cps[i] as string;
          const cp = c.codePointAt(0) ?? 0;
          if (!isPrintableCP(cp) || cp === 0xfeff || isBreakCP(cp) || c === '"' || c === "\\") {
            this.put("\\");
            switch (cp) {
              case 0x00:
                this.put("0");
                break;
              case 0x07:
                this.put("a");
                break;
              case 0x08:
                this.put("b");
                break;
              case 0x09:
                this.put("t");
                break;
              case 0x0a:
                this.put("n");
                break;
              case 0x0b:
                this.put("v");
                break;
              case 0x0c:
                this.put("f");
                break;
              case 0x0d:
                this.put("r");
                break;
              case 0x1b:
                this.put("e");
                break;
              case 0x22:
                this.put('"');
                break;
              case 0x5c:
                this.put("\\");
                break;
              case 0x85:
                this.put("N");
                break;
              case 0xa0:
                this.put("_");
                break;
              case 0x2028:
                this.put("L");
                break;
              case 0x2029:
                this.put("P");
                break;
              default: {
                const w = cp <= 0xff ? 2 : cp <= 0xffff ? 4 : 8;
                this.put((w === 2 ? "x" : w === 4 ? "u" : "U") + cp.toString(16).toUpperCase().padStart(w, "0"));
              }
            }
            spaces = false;
          } else if (c === " ") {
            if (allowBreaks && !spaces && this.column > this.bestWidth && i !== 0 && i !== cps.length - 1) {
              this.newline(indent);
              if (cps[i + 1] === " ") this.put("\\");
            } else this.put(c);
            spaces = true;
          } else {
            this.put(c);
            spaces = false;
          }
        }
        this.put('"');
        return;
      }
      case "literal": {
        let hint = "";
        if (s.startsWith(" ") || s.startsWith("\n")) hint += "2";
        if (!s.endsWith("\n")) hint += "-";
        else if (s === "\n" || s.endsWith("\n\n")) hint += "+";
        this.put("|" + hint);
        const lines = s.split("\n");
        if (s.endsWith("\n")) lines.pop();
        for (const line of lines) {
          if (line === "") {
            this.out += "\n";
            this.column = 0;
          } else {
            this.newline(indent);
            this.put(line);
          }
        }
        return;
      }
    }
  }

  writeScalar(v: Value, indent: number, simpleKey: boolean, needSpace: boolean): void {
    const pre = needSpace ? " " : "";
    if (v === null || v === undefined) return this.put(pre + "null");
    if (typeof v === "boolean") return this.put(pre + (v ? "true" : "false"));
    if (typeof v === "bigint") return this.put(pre + v.toString());
    if (v instanceof SizedInt) return this.put(pre + v.v.toString());
    if (typeof v === "number") {
      let s: string;
      if (Number.isNaN(v)) s = ".nan";
      else if (v === Infinity) s = ".inf";
      else if (v === -Infinity) s = "-.inf";
      else s = formatFloat(v, "g", -1);
      return this.put(pre + s);
    }
    if (typeof v === "string") return this.writeString(v, indent, simpleKey, needSpace);
    return this.writeString(String(v), indent, simpleKey, needSpace);
  }

  isEmptyCollection(v: Value): boolean {
    return (Array.isArray(v) && v.length === 0) || (v instanceof Map && v.size === 0);
  }

  /** Emit a mapping whose first key starts at the current position. */
  emitMap(m: GoMap, indent: number, first: boolean): void {
    let i = 0;
    for (const k of yamlSortedKeys(m)) {
      if (i > 0 || !first) this.newline(indent);
      i++;
      this.writeScalar(k, indent, true, false);
      this.put(":");
      this.emitValue(m.get(k), indent, "map");
    }
  }

  emitSeq(a: Value[], indent: number, first: boolean): void {
    a.forEach((item, i) => {
      if (i > 0 || !first) this.newline(indent);
      this.put("-");
      this.emitValue(item, indent, "seq");
    });
  }

  /** Emit a value after "key:" or "-". */
  emitValue(v: Value, indent: number, parent: "map" | "seq"): void {
    if (v instanceof Map && v.size > 0) {
      if (parent === "seq") {
        this.put(" ");
        this.emitMap(v, indent + 2, true);
      } else this.emitMap(v, indent + 2, false);
      return;
    }
    if (Array.isArray(v) && v.length > 0) {
      if (parent === "seq") {
        this.put(" ");
        this.emitSeq(v, indent + 2, true);
      } else this.emitSeq(v, this.opts.v3 ? indent + 2 : indent, false);
      return;
    }
    if (v instanceof Map) return this.put(" {}");
    if (Array.isArray(v)) return this.put(" []");
    this.writeScalar(v, indent + 2, false, true);
  }

  emitTop(v: Value): void {
    if (v instanceof Map && v.size > 0) this.emitMap(v, 0, true);
    else if (Array.isArray(v) && v.length > 0) this.emitSeq(v, 0, true);
    else if (v instanceof Map) this.put("{}");
    else if (Array.isArray(v)) this.put("[]");
    else this.writeScalar(v, 2, false, false);
    this.out += "\n";
  }
}

/** Normalise through JSON as sigs.k8s.io/yaml.Marshal does (structs → maps, integral floats → ints). */
function viaJSON(v: Value): Value {
  const text = marshalJSON(v);
  return reparseJSONNumbers(unmarshalJSON(text), text);
}

// After the JSON step go-yaml re-reads numbers: integral ones become ints.
function reparseJSONNumbers(v: Value, _text: string): Value {
  if (typeof v === "number") return Number.isInteger(v) && Math.abs(v) < 18446744073709551616 ? BigInt(v) : v;
  if (Array.isArray(v)) return v.map((x) => reparseJSONNumbers(x, _text));
  if (v instanceof Map) {
    const m: GoMap = new Map();
    for (const [k, x] of v) m.set(k, reparseJSONNumbers(x, _text));
    return m;
  }
  return v;
}

/** sigs.k8s.io/yaml.Marshal (go-yaml v2 emitter). */
export function marshalYAML(v: Value): string {
  const e = new Emitter({});
  e.emitTop(viaJSON(v));
  return e.out;
}

/** yaml.v3 Encoder with indent 2 (Helm's toYamlPretty). */
export function marshalYAMLPretty(v: Value): string {
  const e = new Emitter({ v3: true });
  e.emitTop(plainForV3(v));
  return e.out;
}

function plainForV3(v: Value): Value {
  if (v instanceof GoObject && !(v instanceof SizedInt)) return viaJSON(v);
  if (Array.isArray(v)) return v.map(plainForV3);
  if (v instanceof Map) {
    const m: GoMap = new Map();
    for (const [k, x] of v) m.set(k, plainForV3(x));
    return m;
  }
  return v;
}
