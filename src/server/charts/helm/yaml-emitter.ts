/**
 * Writing YAML as Helm does: a go-yaml v2/v3 compatible emitter for toYaml / toYamlPretty
 * (key order, quoting, folding at 80 columns). Hand-written because Helm's output must match
 * byte for byte; kept apart from yaml-reader.ts, whose plain-scalar resolution it uses to
 * decide which strings must be quoted.
 */
import { formatFloat } from "../template/format";
import { GoObject, SizedInt, type GoMap, type Value } from "../template/values";
import { marshalJSON, unmarshalJSON } from "../sprig/json";
import { resolvePlain } from "./yaml-reader";

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
    for (; ai < ar.length && isDigit(ar[ai]); ai++)
      an = an * 10n + BigInt((ar[ai]?.codePointAt(0) ?? 48) - 48);
    for (; bi < br.length && isDigit(br[bi]); bi++)
      bn = bn * 10n + BigInt((br[bi]?.codePointAt(0) ?? 48) - 48);
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
  return (
    c === 0x0a ||
    (c >= 0x20 && c <= 0x7e) ||
    (c >= 0xa0 && c <= 0xd7ff) ||
    (c >= 0xe000 && c <= 0xfffd && c !== 0xfeff)
  );
}

function isBreakCP(c: number): boolean {
  return c === 0x0a || c === 0x0d || c === 0x85 || c === 0x2028 || c === 0x2029;
}

function analyzeScalar(value: string): ScalarInfo {
  if (value.length === 0)
    return { multiline: false, flowPlain: false, blockPlain: true, singleAllowed: true, blockAllowed: false };
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
  const info: ScalarInfo = {
    multiline: lineBreaks,
    flowPlain: true,
    blockPlain: true,
    singleAllowed: true,
    blockAllowed: true,
  };
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
            if (
              allowBreaks &&
              !spaces &&
              this.column > this.bestWidth &&
              i > 0 &&
              i < cps.length - 1 &&
              cps[i + 1] !== " "
            ) {
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
                this.put(
                  (w === 2 ? "x" : w === 4 ? "u" : "U") + cp.toString(16).toUpperCase().padStart(w, "0"),
                );
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
