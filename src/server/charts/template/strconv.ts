/**
 * The parts of Go's strconv the template parser uses: number literals (ParseInt / ParseUint
 * with base 0, ParseFloat) and unquoting of string and character literals. Apart from
 * parser.ts because these are strconv's rules, not the grammar's. Errors carry strconv's
 * "invalid syntax"; every caller in parser.ts catches them and reports the message with the
 * template's name and line.
 */

function stripUnderscores(s: string): string {
  return s.includes("_") ? s.replace(/_/g, "") : s;
}

/** strconv.ParseInt/ParseUint with base 0 (sign, 0x/0o/0b/0 prefixes, underscores). */
export function parseGoInt(text: string): bigint | undefined {
  let s = text;
  let neg = false;
  if (s.startsWith("+") || s.startsWith("-")) {
    neg = s[0] === "-";
    s = s.slice(1);
  }
  let digits: string;
  let re: RegExp;
  let prefix: string;
  if (/^0[xX]/.test(s)) {
    prefix = "0x";
    digits = s.slice(2);
    re = /^_?[0-9a-fA-F]+(_[0-9a-fA-F]+)*$/;
  } else if (/^0[oO]/.test(s)) {
    prefix = "0o";
    digits = s.slice(2);
    re = /^_?[0-7]+(_[0-7]+)*$/;
  } else if (/^0[bB]/.test(s)) {
    prefix = "0b";
    digits = s.slice(2);
    re = /^_?[01]+(_[01]+)*$/;
  } else if (/^0[0-7_]/.test(s)) {
    prefix = "0o";
    digits = s.slice(1);
    re = /^_?[0-7]+(_[0-7]+)*$/;
  } else {
    prefix = "";
    digits = s;
    re = /^[0-9]+(_[0-9]+)*$/;
  }
  if (!re.test(digits)) return undefined;
  const v = BigInt(prefix + stripUnderscores(digits));
  return neg ? -v : v;
}

/** strconv.ParseFloat (decimal and hex floats, underscores). */
export function parseGoFloat(text: string): number | undefined {
  let s = text;
  let neg = false;
  if (s.startsWith("+") || s.startsWith("-")) {
    neg = s[0] === "-";
    s = s.slice(1);
  }
  let v: number;
  if (/^0[xX]/.test(s)) {
    const m = /^0[xX]([0-9a-fA-F_]*)(?:\.([0-9a-fA-F_]*))?[pP]([+-]?[0-9_]+)$/.exec(s);
    if (!m) return undefined;
    const ip = stripUnderscores(m[1] ?? "");
    const fp = stripUnderscores(m[2] ?? "");
    if (ip === "" && fp === "") return undefined;
    const mant = parseInt(ip || "0", 16) + (fp ? parseInt(fp, 16) / Math.pow(16, fp.length) : 0);
    v = mant * Math.pow(2, Number(stripUnderscores(m[3] ?? "0")));
  } else {
    if (!/^([0-9][0-9_]*)?(\.[0-9_]*)?([eE][+-]?[0-9_]+)?$/.test(s) || s === "" || s === ".") {
      if (/^(inf|infinity)$/i.test(s)) return neg ? -Infinity : Infinity;
      if (/^nan$/i.test(s)) return NaN;
      return undefined;
    }
    if (/^\.?[eE]/.test(s)) return undefined;
    v = Number(stripUnderscores(s));
    if (Number.isNaN(v)) return undefined;
  }
  return neg ? -v : v;
}

/** strconv.UnquoteChar-style decoding of a Go char/string literal body. */
export function unquoteGo(lit: string): string {
  const q = lit[0];
  if (lit.length < 2 || lit[lit.length - 1] !== q) throw new Error("invalid syntax");
  const body = lit.slice(1, -1);
  if (q === "`") {
    if (body.includes("`")) throw new Error("invalid syntax");
    return body.replace(/\r/g, "");
  }
  if (q !== '"' && q !== "'") throw new Error("invalid syntax");
  let out = "";
  for (let i = 0; i < body.length;) {
    const c = body[i];
    if (c === q) throw new Error("invalid syntax");
    if (c === "\n") throw new Error("invalid syntax");
    if (c !== "\\") {
      const cp = body.codePointAt(i) ?? 0;
      out += String.fromCodePoint(cp);
      i += cp > 0xffff ? 2 : 1;
      continue;
    }
    const e = body[i + 1];
    i += 2;
    switch (e) {
      case "a":
        out += "\x07";
        break;
      case "b":
        out += "\b";
        break;
      case "f":
        out += "\f";
        break;
      case "n":
        out += "\n";
        break;
      case "r":
        out += "\r";
        break;
      case "t":
        out += "\t";
        break;
      case "v":
        out += "\v";
        break;
      case "\\":
        out += "\\";
        break;
      case "'":
      case '"':
        if (e !== q) throw new Error("invalid syntax");
        out += e;
        break;
      case "x":
      case "u":
      case "U": {
        const n = e === "x" ? 2 : e === "u" ? 4 : 8;
        const h = body.slice(i, i + n);
        if (!/^[0-9a-fA-F]+$/.test(h) || h.length !== n) throw new Error("invalid syntax");
        const cp = parseInt(h, 16);
        if (e === "x") {
          // A \x escape is a raw byte; bytes >= 0x80 cannot form valid text here.
          out += String.fromCharCode(cp);
        } else {
          if (cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000)) throw new Error("invalid syntax");
          out += String.fromCodePoint(cp);
        }
        i += n;
        break;
      }
      default:
        if (e !== undefined && e >= "0" && e <= "7") {
          const o = body.slice(i - 1, i + 2);
          if (!/^[0-7]{3}$/.test(o)) throw new Error("invalid syntax");
          const v = parseInt(o, 8);
          if (v > 255) throw new Error("invalid syntax");
          out += String.fromCharCode(v);
          i += 2;
          break;
        }
        throw new Error("invalid syntax");
    }
  }
  return out;
}
