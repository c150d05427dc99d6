/**
 * Go `fmt` formatting for the value model: %v printing, Sprint/Sprintln/Sprintf,
 * strconv-style float formatting and quoting.
 */
import { checkStringBytes } from "./limits";
import {
  GoObject,
  SizedInt,
  byteLength,
  isInt,
  intOf,
  setFormatHook,
  sortedKeys,
  typeName,
  utf8Bytes,
  utf8String,
  type Value,
} from "./values";

// ---------------------------------------------------------------------------
// Floats (strconv.FormatFloat)

interface Digits {
  d: string; // significant digits, no leading zeros ("" for zero)
  dp: number; // decimal point position
}

function shortestDigits(abs: number): Digits {
  if (abs === 0) return { d: "", dp: 0 };
  const e = abs.toExponential();
  return parseExp(e);
}

function parseExp(e: string): Digits {
  const [mant = "", exp = "0"] = e.split("e");
  let d = mant.replace(".", "");
  d = d.replace(/0+$/, "");
  if (d === "") return { d: "", dp: 0 };
  return { d, dp: Number(exp) + 1 };
}

function sigDigits(abs: number, n: number): Digits {
  if (abs === 0) return { d: "", dp: 0 };
  return parseExp(abs.toExponential(Math.min(Math.max(n - 1, 0), 100)));
}

function fixedDigits(abs: number, prec: number): Digits {
  if (abs === 0) return { d: "", dp: 0 };
  if (abs >= 1e21 || prec > 100) {
    // toFixed falls back to exponent notation; shortest digits are exact enough here.
    return shortestDigits(abs);
  }
  const s = abs.toFixed(prec);
  const [ip = "", fp = ""] = s.split(".");
  const all = (ip + fp).replace(/^0+/, "");
  const lead = ip.replace(/^0+/, "").length;
  let dp = lead;
  if (lead === 0) {
    const m = /^0*/.exec(fp);
    dp = -(m ? m[0].length : 0);
  }
  return { d: all.replace(/0+$/, ""), dp };
}

function fmtE(neg: boolean, dg: Digits, prec: number, e: string): string {
  let s = neg ? "-" : "";
  s += dg.d.length ? dg.d[0] : "0";
  if (prec > 0) {
    s += ".";
    for (let i = 1; i <= prec; i++) s += i < dg.d.length ? dg.d[i] : "0";
  }
  let exp = dg.d.length === 0 ? 0 : dg.dp - 1;
  s += e;
  if (exp < 0) {
    s += "-";
    exp = -exp;
  } else s += "+";
  s += exp < 10 ? "0" + exp : String(exp);
  return s;
}

function fmtF(neg: boolean, dg: Digits, prec: number): string {
  let s = neg ? "-" : "";
  if (dg.dp > 0) {
    let ip = dg.d.slice(0, dg.dp);
    if (ip.length < dg.dp) ip += "0".repeat(dg.dp - ip.length);
    s += ip;
  } else s += "0";
  if (prec > 0) {
    s += ".";
    for (let i = 0; i < prec; i++) {
      const j = dg.dp + i;
      s += j >= 0 && j < dg.d.length ? dg.d[j] : "0";
    }
  }
  return s;
}

/** strconv.FormatFloat(f, fmt, prec, 64). */
export function formatFloat(f: number, fmt: "e" | "E" | "f" | "g" | "G", prec: number): string {
  if (Number.isNaN(f)) return "NaN";
  if (f === Infinity) return "+Inf";
  if (f === -Infinity) return "-Inf";
  const neg = f < 0 || Object.is(f, -0);
  const abs = Math.abs(f);
  const shortest = prec < 0;
  if (fmt === "e" || fmt === "E") {
    const dg = shortest ? shortestDigits(abs) : sigDigits(abs, prec + 1);
    return fmtE(neg, dg, shortest ? Math.max(dg.d.length - 1, 0) : prec, fmt);
  }
  if (fmt === "f") {
    if (shortest) {
      const dg = shortestDigits(abs);
      return fmtF(neg, dg, Math.max(dg.d.length - dg.dp, 0));
    }
    return fmtF(neg, fixedDigits(abs, prec), prec);
  }
  // %g
  let p = prec;
  let dg: Digits;
  if (shortest) {
    dg = shortestDigits(abs);
    p = dg.d.length;
  } else {
    if (p === 0) p = 1;
    dg = sigDigits(abs, p);
  }
  let eprec = p;
  if (eprec > dg.d.length && dg.d.length >= dg.dp) eprec = dg.d.length;
  if (shortest) eprec = 6;
  const exp = dg.dp - 1;
  if (dg.d.length !== 0 && (exp < -4 || exp >= eprec)) {
    if (p > dg.d.length) p = dg.d.length;
    return fmtE(neg, dg, p - 1, fmt === "g" ? "e" : "E");
  }
  if (p > dg.dp) p = dg.d.length;
  return fmtF(neg, dg, Math.max(p - dg.dp, 0));
}

// ---------------------------------------------------------------------------
// Quoting (strconv.Quote)

const printable = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

export function isPrint(cp: number): boolean {
  if (cp === 0x20) return true;
  if (cp < 0x20 || cp === 0x7f) return false;
  if (cp < 0x7f) return true;
  return printable.test(String.fromCodePoint(cp));
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, "0");
}

export function quoteRune(cp: number, quote: string, out: string[]): void {
  const ch = String.fromCodePoint(cp);
  if (ch === quote || ch === "\\") {
    out.push("\\" + ch);
    return;
  }
  if (isPrint(cp)) {
    out.push(ch);
    return;
  }
  switch (cp) {
    case 7:
      out.push("\\a");
      return;
    case 8:
      out.push("\\b");
      return;
    case 12:
      out.push("\\f");
      return;
    case 10:
      out.push("\\n");
      return;
    case 13:
      out.push("\\r");
      return;
    case 9:
      out.push("\\t");
      return;
    case 11:
      out.push("\\v");
      return;
  }
  if (cp < 0x20 || cp === 0x7f) out.push("\\x" + hex(cp, 2));
  else if (cp === 0xfffd) out.push("\\ufffd");
  else if (cp < 0x10000) out.push("\\u" + hex(cp, 4));
  else out.push("\\U" + hex(cp, 8));
}

/** strconv.Quote. */
export function quote(s: string): string {
  const out: string[] = ['"'];
  for (const ch of s) quoteRune(ch.codePointAt(0) ?? 0, '"', out);
  out.push('"');
  return out.join("");
}

function canBackquote(s: string): boolean {
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === "`" || cp === 0xfeff) return false;
    if ((cp < 0x20 && cp !== 9) || cp === 0x7f) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------
// %v

/** fmt's %v for a value at the given nesting depth (depth>0 inside containers). */
export function formatV(v: Value, depth = 0): string {
  if (v === undefined || v === null) return "<nil>";
  switch (typeof v) {
    case "string":
      return v;
    case "boolean":
      return v ? "true" : "false";
    case "bigint":
      return v.toString();
    case "number":
      return formatFloat(v, "g", -1);
  }
  if (Array.isArray(v)) {
    let s = "[";
    for (let i = 0; i < v.length; i++) {
      if (i > 0) s += " ";
      s += formatV(v[i], depth + 1);
    }
    return s + "]";
  }
  if (v instanceof Map) {
    let s = "map[";
    let first = true;
    for (const k of sortedKeys(v)) {
      if (!first) s += " ";
      first = false;
      s += k + ":" + formatV(v.get(k), depth + 1);
    }
    return s + "]";
  }
  if (v instanceof Uint8Array) return "[" + Array.from(v).join(" ") + "]";
  return v.format();
}

setFormatHook(formatV);

/** fmt.Sprint: spaces between operands when neither side is a string. */
export function sprint(args: Value[]): string {
  let s = "";
  let prevString = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const isString = typeof a === "string";
    if (i > 0 && !isString && !prevString) s += " ";
    s += formatV(a);
    prevString = isString;
  }
  return s;
}

export function sprintln(args: Value[]): string {
  return args.map((a) => formatV(a)).join(" ") + "\n";
}

// ---------------------------------------------------------------------------
// Sprintf

interface Spec {
  plus: boolean;
  minus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width: number | undefined;
  prec: number | undefined;
}

function pad(s: string, sp: Spec, numeric = false): string {
  if (sp.width === undefined) return s;
  const n = [...s].length;
  if (n >= sp.width) return s;
  const fill = sp.width - n;
  checkStringBytes(fill, "printf padding");
  if (sp.minus) return s + " ".repeat(fill);
  if (sp.zero && numeric) {
    const sign = /^[+\- ]/.test(s) ? (s[0] ?? "") : "";
    return sign + "0".repeat(fill) + s.slice(sign.length);
  }
  if (sp.zero && !numeric) return "0".repeat(fill) + s;
  return " ".repeat(fill) + s;
}

function badVerb(verb: string, v: Value): string {
  if (v === undefined || v === null) return `%!${verb}(<nil>)`;
  return `%!${verb}(${typeName(v)}=${formatV(v)})`;
}

function fmtInteger(n: bigint, verb: string, sp: Spec, unsigned: boolean): string {
  const neg = n < 0n;
  let abs = neg ? -n : n;
  if (unsigned && neg) abs = BigInt.asUintN(64, n);
  let digits: string;
  let prefix = "";
  switch (verb) {
    case "d":
    case "v":
      digits = abs.toString(10);
      break;
    case "b":
      digits = abs.toString(2);
      if (sp.sharp) prefix = "0b";
      break;
    case "o":
      digits = abs.toString(8);
      if (sp.sharp) prefix = "0";
      break;
    case "O":
      digits = abs.toString(8);
      prefix = "0o";
      break;
    case "x":
      digits = abs.toString(16);
      if (sp.sharp) prefix = "0x";
      break;
    case "X":
      digits = abs.toString(16).toUpperCase();
      if (sp.sharp) prefix = "0X";
      break;
    case "c":
      return pad(String.fromCodePoint(Number(abs)), sp);
    case "q": {
      const out: string[] = ["'"];
      quoteRune(Number(abs), "'", out);
      out.push("'");
      return pad(out.join(""), sp);
    }
    case "U": {
      let u = "U+" + abs.toString(16).toUpperCase().padStart(4, "0");
      if (sp.sharp) u += " '" + String.fromCodePoint(Number(abs)) + "'";
      return pad(u, sp);
    }
    default:
      return "";
  }
  if (sp.prec !== undefined) {
    if (sp.prec === 0 && abs === 0n) digits = "";
    else if (digits.length < sp.prec) digits = "0".repeat(sp.prec - digits.length) + digits;
  }
  const sign = neg && !unsigned ? "-" : sp.plus ? "+" : sp.space ? " " : "";
  if (sp.zero && !sp.minus && sp.width !== undefined && sp.prec === undefined) {
    const w = sp.width - sign.length - prefix.length;
    if (digits.length < w) digits = "0".repeat(w - digits.length) + digits;
    return sign + prefix + digits;
  }
  return pad(sign + prefix + digits, sp);
}

function fmtFloatVerb(f: number, verb: string, sp: Spec): string {
  let s: string;
  switch (verb) {
    case "v":
    case "g":
    case "G":
      s = formatFloat(f, verb === "G" ? "G" : "g", sp.prec ?? -1);
      break;
    case "e":
    case "E":
      s = formatFloat(f, verb, sp.prec ?? 6);
      break;
    case "f":
    case "F":
      s = formatFloat(f, "f", sp.prec ?? 6);
      break;
    default:
      return "";
  }
  if (sp.sharp && (verb === "v" || verb === "g" || verb === "G") && !s.includes(".") && !/[eE]/.test(s))
    s += ".";
  if (!s.startsWith("-") && !s.startsWith("+")) {
    if (sp.plus) s = "+" + s;
    else if (sp.space) s = " " + s;
  }
  if (s === "+Inf" && !sp.plus) s = sp.space ? " Inf" : "+Inf";
  return pad(s, sp, true);
}

function fmtString(s: string, verb: string, sp: Spec): string {
  switch (verb) {
    case "v":
    case "s": {
      if (sp.prec !== undefined) s = [...s].slice(0, sp.prec).join("");
      return pad(s, sp);
    }
    case "q":
      if (sp.sharp && canBackquote(s)) return pad("`" + s + "`", sp);
      return pad(quote(s), sp);
    case "x":
    case "X": {
      const bytes = Array.from(utf8Bytes(s));
      let out = bytes
        .map((b) => (sp.sharp ? (verb === "x" ? "0x" : "0X") : "") + b.toString(16).padStart(2, "0"))
        .join(sp.space ? " " : "");
      if (verb === "X") out = out.toUpperCase();
      return pad(out, sp);
    }
    default:
      return "";
  }
}

/** Format one operand with a verb; returns "" when the verb does not apply. */
function formatArg(v: Value, verb: string, sp: Spec, depth: number): string {
  if (verb === "T") return pad(typeName(v), sp);
  if (v === undefined || v === null) {
    if (verb === "v") return pad("<nil>", sp);
    return badVerb(verb, v);
  }
  if (typeof v === "boolean") {
    if (verb === "v" || verb === "t") return pad(v ? "true" : "false", sp);
    return badVerb(verb, v);
  }
  if (isInt(v)) {
    const n = intOf(v) ?? 0n;
    const unsigned = v instanceof SizedInt && v.unsigned;
    if ("vdboOxXcqU".includes(verb)) {
      if (verb === "v" && sp.sharp) return pad(n.toString(), sp);
      return fmtInteger(n, verb, sp, unsigned);
    }
    return badVerb(verb, v);
  }
  if (typeof v === "number") {
    if ("vgGeEfF".includes(verb)) return fmtFloatVerb(v, verb, sp);
    return badVerb(verb, v);
  }
  if (typeof v === "string") {
    if ("vsqxX".includes(verb)) {
      if (verb === "v" && sp.sharp) return pad(quote(v), sp);
      return fmtString(v, verb, sp);
    }
    return badVerb(verb, v);
  }
  if (v instanceof Uint8Array) {
    if (verb === "s" || verb === "q" || verb === "x" || verb === "X")
      return fmtString(utf8String(v), verb, sp);
    const inner = Array.from(v).map((b) =>
      formatArg(BigInt(b), verb === "v" ? "d" : verb, { ...sp, width: undefined }, depth + 1),
    );
    return pad("[" + inner.join(" ") + "]", sp);
  }
  if (Array.isArray(v)) {
    const inner = v.map((x) => formatArg(x, verb, { ...sp, width: undefined }, depth + 1));
    return pad("[" + inner.join(" ") + "]", sp);
  }
  if (v instanceof Map) {
    const inner = sortedKeys(v).map(
      (k) =>
        formatArg(k, verb, { ...sp, width: undefined }, depth + 1) +
        ":" +
        formatArg(v.get(k), verb, { ...sp, width: undefined }, depth + 1),
    );
    return pad("map[" + inner.join(" ") + "]", sp);
  }
  if (v instanceof GoObject) {
    if (verb === "v" || verb === "s") return pad(v.format(), sp);
    return badVerb(verb, v);
  }
  return badVerb(verb, v);
}

/** fmt.Sprintf. */
export function sprintf(format: string, args: Value[]): string {
  let out = "";
  let argNum = 0;
  let reordered = false;
  const n = format.length;
  let i = 0;
  while (i < n) {
    const pct = format.indexOf("%", i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    i = pct + 1;
    const sp: Spec = {
      plus: false,
      minus: false,
      sharp: false,
      space: false,
      zero: false,
      width: undefined,
      prec: undefined,
    };
    // flags
    for (; i < n; i++) {
      const c = format[i];
      if (c === "+") sp.plus = true;
      else if (c === "-") sp.minus = true;
      else if (c === "#") sp.sharp = true;
      else if (c === " ") sp.space = true;
      else if (c === "0") sp.zero = !sp.minus;
      else break;
    }
    // argument index [n]
    const argIndex = (): void => {
      if (format[i] === "[") {
        const close = format.indexOf("]", i);
        if (close > i) {
          const idx = Number(format.slice(i + 1, close));
          if (Number.isInteger(idx) && idx >= 1) {
            argNum = idx - 1;
            reordered = true;
          }
          i = close + 1;
        }
      }
    };
    argIndex();
    // width
    if (format[i] === "*") {
      i++;
      const a = args[argNum++];
      const w = intOf(a ?? null);
      if (w !== undefined) {
        sp.width = Number(w);
        if (sp.width < 0) {
          sp.minus = true;
          sp.width = -sp.width;
        }
      } else out += "%!(BADWIDTH)";
    } else {
      let w = "";
      while (i < n && /[0-9]/.test(format[i] ?? "")) w += format[i++] ?? "";
      if (w) sp.width = Number(w);
    }
    // precision
    if (format[i] === ".") {
      i++;
      argIndex();
      if (format[i] === "*") {
        i++;
        const p = intOf(args[argNum++] ?? null);
        if (p !== undefined && p >= 0n) sp.prec = Number(p);
        else out += "%!(BADPREC)";
      } else {
        let p = "";
        while (i < n && /[0-9]/.test(format[i] ?? "")) p += format[i++] ?? "";
        sp.prec = p ? Number(p) : 0;
      }
      if (sp.prec !== undefined) checkStringBytes(sp.prec, "printf precision");
    }
    argIndex();
    if (i >= n) {
      out += "%!(NOVERB)";
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i) ?? 0);
    i += verb.length;
    if (verb === "%") {
      out += "%";
      continue;
    }
    if (argNum >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    const arg = args[argNum++];
    out += formatArg(arg, verb, sp, 0);
  }
  if (!reordered && argNum < args.length) {
    out +=
      "%!(EXTRA " +
      args
        .slice(argNum)
        .map((a) => `${typeName(a)}=${formatV(a)}`)
        .join(", ") +
      ")";
  }
  return out;
}

export { byteLength };
