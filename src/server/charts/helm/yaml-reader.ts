/**
 * Reading YAML as Helm does: sigs.k8s.io/yaml (go-yaml v2 → JSON → interface{}), so numbers
 * become float64 and YAML 1.1 booleans apply, with go-yaml's error texts. Kept apart from
 * yaml-emitter.ts: reading is about resolution rules and errors, writing about byte-exact
 * layout; the emitter only borrows `resolvePlain` to know which strings need quotes.
 */
import {
  parseAllDocuments,
  parseDocument,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  visit,
  type Document,
  type Node as YNode,
} from "yaml";
import { formatFloat } from "../template/format";
import { GoError, type GoMap, type Value } from "../template/values";
import { marshalJSON } from "../sprig/json";

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

/**
 * Limits on untrusted YAML (charts, values overrides, rendered documents, fromYaml).
 * Aliases are expanded into copies, so a few lines can stand for billions of nodes
 * ("billion laughs"); every node produced through an alias counts against the budget.
 */
export const YAML_LIMITS = {
  /** Largest YAML text accepted, in UTF-16 code units (≈ bytes for ASCII). */
  maxDocumentBytes: 16 * 1024 * 1024,
  /** Nodes produced by expanding aliases (and `<<` merges of aliases) per document. */
  maxAliasNodes: 100_000,
} as const;

interface Expansion {
  /** Each alias's anchored node, found in one pass (Alias.resolve walks the document per call). */
  targets: Map<YNode, YNode>;
  /** > 0 while converting the target of an alias. */
  aliasDepth: number;
  aliasNodes: number;
}

function checkDocumentSize(src: string): void {
  if (src.length > YAML_LIMITS.maxDocumentBytes)
    throw new GoError(
      `yaml: document of ${src.length} bytes exceeds the limit of ${YAML_LIMITS.maxDocumentBytes} bytes (maxDocumentBytes)`,
    );
}

function convertNode(node: YNode | null | undefined, ex: Expansion): Raw {
  if (node === null || node === undefined) return null;
  if (ex.aliasDepth > 0 && ++ex.aliasNodes > YAML_LIMITS.maxAliasNodes)
    throw new GoError(
      `yaml: alias expansion exceeds the limit of ${YAML_LIMITS.maxAliasNodes} nodes (maxAliasNodes)`,
    );
  if (isAlias(node)) {
    const target = ex.targets.get(node);
    if (!target) throw new GoError(`yaml: unknown anchor '${node.source}' referenced`);
    ex.aliasDepth++;
    try {
      return convertNode(target, ex);
    } finally {
      ex.aliasDepth--;
    }
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
      if (
        isScalar(keyNode) &&
        keyNode.value === "<<" &&
        (keyNode.type === "PLAIN" || keyNode.type === undefined)
      ) {
        const merged = convertNode(pair.value as YNode, ex);
        const sources = Array.isArray(merged) ? merged : [merged];
        for (const src of sources) {
          if (!(src instanceof Map))
            throw new GoError("yaml: map merge requires map or sequence of maps as the value");
          for (const [k, v] of src) if (!out.has(k)) out.set(k, v);
        }
        continue;
      }
      explicit.push([keyString(convertNode(keyNode, ex)), convertNode(pair.value as YNode, ex)]);
    }
    for (const [k, v] of explicit) out.set(k, v);
    return out;
  }
  if (isSeq(node)) return node.items.map((n) => convertNode(n as YNode, ex));
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

/** An alias refers to the closest preceding node with its anchor, as in YAML. */
function newExpansion(doc: Document): Expansion {
  const anchors = new Map<string, YNode>();
  const targets = new Map<YNode, YNode>();
  visit(doc, {
    Node(_, n) {
      if (isAlias(n)) {
        const t = anchors.get(n.source);
        if (t) targets.set(n, t);
      } else if (n.anchor) anchors.set(n.anchor, n);
    },
  });
  return { targets, aliasDepth: 0, aliasNodes: 0 };
}

/** Parse the first YAML document into exact (pre-JSON) values. */
export function parseYAMLRaw(src: string): Raw {
  checkDocumentSize(src);
  const doc = parseDocument(src, {
    schema: "failsafe",
    uniqueKeys: false,
    strict: false,
    prettyErrors: false,
  });
  if (doc.errors.length > 0) throw yamlError(src, doc);
  return convertNode(doc.contents, newExpansion(doc));
}

/** Every document of a YAML stream. */
export function parseYAMLAll(src: string): Raw[] {
  checkDocumentSize(src);
  const docs = parseAllDocuments(src, {
    schema: "failsafe",
    uniqueKeys: false,
    strict: false,
    prettyErrors: false,
  });
  const list = Array.isArray(docs) ? docs : [docs];
  return list.map((doc) => {
    if (doc.errors.length > 0) throw yamlError(src, doc);
    return convertNode(doc.contents, newExpansion(doc));
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
  if (typeof v === "number" && !Number.isFinite(v))
    throw new GoError(`json: unsupported value: ${formatFloat(v, "g", -1)}`);
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
  const kind =
    v === null
      ? "null"
      : Array.isArray(v)
        ? "array"
        : v instanceof Map
          ? "object"
          : typeof v === "boolean"
            ? "bool"
            : typeof v;
  if (want === "map" && kind !== "object" && kind !== "null") {
    throw new GoError(
      `error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${kind} into Go value of type map[string]interface {}`,
    );
  }
  if (want === "slice" && kind !== "array" && kind !== "null") {
    throw new GoError(
      `error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${kind} into Go value of type []interface {}`,
    );
  }
  if (v === null) return want === "map" ? new Map() : [];
  return v;
}
