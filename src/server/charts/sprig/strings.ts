/** Sprig string, encoding and path functions. */
import { createHash } from "node:crypto";
import { quote, sprintf } from "../template/format";
import { checkStringBytes } from "../template/limits";
import {
  GoError,
  byteLength,
  byteSlice,
  goFunc,
  utf8Bytes,
  utf8String,
  type GoFunc,
  type GoMap,
  type Value,
} from "../template/values";
import { strslice, strval } from "./conv";

const isSpaceRe = /\s/u;

function trunc(c: bigint, s: string): string {
  const n = Number(c);
  const len = byteLength(s);
  if (n < 0 && len + n > 0) return byteSlice(s, len + n);
  if (n >= 0 && len > n) return byteSlice(s, 0, n);
  return s;
}

function substr(start: bigint, end: bigint, s: string): string {
  const st = Number(start);
  const en = Number(end);
  const len = byteLength(s);
  if (st < 0) {
    if (en > len) throw new GoError(`runtime error: slice bounds out of range [:${en}] with length ${len}`);
    return byteSlice(s, 0, en);
  }
  if (en < 0 || en > len) {
    if (st > len) throw new GoError(`runtime error: slice bounds out of range [${st}:${len}]`);
    return byteSlice(s, st);
  }
  if (st > en) throw new GoError(`runtime error: slice bounds out of range [${st}:${en}]`);
  return byteSlice(s, st, en);
}

/** goutils.AbbreviateFull. */
export function abbreviateFull(str: string, offsetIn: number, maxWidth: number): string {
  if (str === "") return "";
  if (maxWidth < 4) return "";
  const len = str.length;
  if (len <= maxWidth) return str;
  let offset = offsetIn;
  if (offset > len) offset = len;
  if (len - offset < maxWidth - 3) offset = len - (maxWidth - 3);
  if (offset <= 4) return str.slice(0, maxWidth - 3) + "...";
  if (maxWidth < 7) return "";
  if (offset + maxWidth - 3 < len) return "..." + abbreviateFull(str.slice(offset), 0, maxWidth - 3);
  return "..." + str.slice(len - (maxWidth - 3));
}

function isSeparator(ch: string): boolean {
  const c = ch.codePointAt(0) ?? 0;
  if (c <= 0x7f) {
    if (/[0-9a-zA-Z_]/.test(ch)) return false;
    return true;
  }
  if (/[\p{L}\p{Nd}]/u.test(ch)) return false;
  return isSpaceRe.test(ch);
}

/** strings.Title. */
export function title(s: string): string {
  let prev = " ";
  let out = "";
  for (const ch of s) {
    out += isSeparator(prev) ? ch.toUpperCase() : ch;
    prev = ch;
  }
  return out;
}

function untitle(s: string): string {
  let prevSpace = true;
  let out = "";
  for (const ch of s) {
    out += prevSpace ? ch.toLowerCase() : ch;
    prevSpace = isSpaceRe.test(ch);
  }
  return out;
}

function swapcase(s: string): string {
  let out = "";
  let ws = true;
  for (const ch of s) {
    const up = ch.toUpperCase();
    const lo = ch.toLowerCase();
    if (ch === up && ch !== lo) out += lo;
    else if (ch === lo && ch !== up) out += ws ? up : up;
    else out += ch;
    ws = isSpaceRe.test(ch);
  }
  return out;
}

function initials(s: string): string {
  let out = "";
  let prevSpace = true;
  for (const ch of s) {
    const sp = isSpaceRe.test(ch);
    if (prevSpace && !sp) out += ch;
    prevSpace = sp;
  }
  return out;
}

/** goutils.WrapCustom (byte offsets; ASCII-oriented like the original). */
export function wrapCustom(
  str: string,
  wrapLength: number,
  newLineStr: string,
  wrapLongWords: boolean,
): string {
  if (str === "") return "";
  const nl = newLineStr === "" ? "\n" : newLineStr;
  const wl = wrapLength < 1 ? 1 : wrapLength;
  const len = str.length;
  let offset = 0;
  let out = "";
  while (len - offset > wl) {
    if (str[offset] === " ") {
      offset++;
      continue;
    }
    const end = wl + offset + 1;
    const spaceToWrapAt = str.slice(offset, end).lastIndexOf(" ") + offset;
    if (spaceToWrapAt >= offset) {
      out += str.slice(offset, spaceToWrapAt) + nl;
      offset = spaceToWrapAt + 1;
    } else if (wrapLongWords) {
      out += str.slice(offset, wl + offset) + nl;
      offset += wl;
    } else {
      const e = wl + offset;
      const index = str.slice(e).indexOf(" ");
      if (index === -1) {
        out += str.slice(offset);
        offset = len;
      } else {
        const at = index + e;
        out += str.slice(offset, at) + nl;
        offset = at + 1;
      }
    }
  }
  return out + str.slice(offset);
}

/** xstrings-style snake/kebab case. */
function toDelimited(s: string, sep: string): string {
  const words: string[] = [];
  let cur = "";
  const chars = [...s];
  const isUpper = (c: string): boolean => c !== c.toLowerCase() && c === c.toUpperCase();
  const isLower = (c: string): boolean => c !== c.toUpperCase() && c === c.toLowerCase();
  const isDigit = (c: string): boolean => /\p{Nd}/u.test(c);
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    if (!(isUpper(c) || isLower(c) || isDigit(c))) {
      if (cur) words.push(cur);
      cur = "";
      continue;
    }
    const prev = chars[i - 1] ?? "";
    const next = chars[i + 1] ?? "";
    if (cur && isUpper(c) && (isLower(prev) || (isUpper(prev) && isLower(next)))) {
      words.push(cur);
      cur = "";
    }
    cur += c;
  }
  if (cur) words.push(cur);
  return words.map((w) => w.toLowerCase()).join(sep);
}

function camelcase(s: string): string {
  const chars = [...s];
  let i = 0;
  let out = "";
  while (i < chars.length && chars[i] === "_") out += chars[i++];
  if (i >= chars.length) return out;
  let r0 = (chars[i++] as string).toUpperCase();
  for (; i < chars.length; i++) {
    const r1 = r0;
    r0 = chars[i] as string;
    if (r1 === "_" && r0 === "_") {
      out += r1;
      continue;
    }
    if (r1 === "_") r0 = r0.toUpperCase();
    else out += r1;
  }
  return out + r0;
}

function hexDigest(alg: string, s: string): string {
  return createHash(alg).update(utf8Bytes(s)).digest("hex");
}

function adler32(s: string): number {
  let a = 1;
  let b = 0;
  for (const byte of utf8Bytes(s)) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

const B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

export function base32Encode(b: Uint8Array): string {
  let out = "";
  let bits = 0;
  let value = 0;
  for (const byte of b) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += B32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += B32[(value << (5 - bits)) & 31];
  while (out.length % 8 !== 0) out += "=";
  return out;
}

export function base32Decode(s: string): Uint8Array {
  const clean = s.replace(/=+$/, "");
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of clean) {
    const idx = B32.indexOf(ch);
    if (idx < 0) throw new GoError(`illegal base32 data at input byte ${clean.indexOf(ch)}`);
    value = (value << 5) | idx;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Uint8Array.from(out);
}

/** Go's base64.StdEncoding.DecodeString error for malformed input. */
export function base64DecodeStrict(s: string): Uint8Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) {
    const bad = s.search(/[^A-Za-z0-9+/=]/);
    throw new GoError(`illegal base64 data at input byte ${bad >= 0 ? bad : s.length - (s.length % 4)}`);
  }
  return Uint8Array.from(Buffer.from(s, "base64"));
}

// --- path package (Unix semantics)

export function pathClean(p: string): string {
  if (p === "") return ".";
  const rooted = p.startsWith("/");
  const parts = p.split("/");
  const out: string[] = [];
  for (const part of parts) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (!rooted) out.push("..");
      continue;
    }
    out.push(part);
  }
  const s = (rooted ? "/" : "") + out.join("/");
  return s === "" ? "." : s;
}

export function pathBase(p: string): string {
  if (p === "") return ".";
  const s = p.replace(/\/+$/, "");
  if (s === "") return "/";
  const i = s.lastIndexOf("/");
  return i >= 0 ? s.slice(i + 1) : s;
}

export function pathDir(p: string): string {
  const i = p.lastIndexOf("/");
  return pathClean(p.slice(0, i + 1));
}

export function pathExt(p: string): string {
  for (let i = p.length - 1; i >= 0 && p[i] !== "/"; i--) if (p[i] === ".") return p.slice(i);
  return "";
}

function str(v: Value): string {
  return v as string;
}

export function stringFuncs(): [string, GoFunc][] {
  return [
    ["abbrev", goFunc(["int", "string"], (w, s) => abbreviateFull(str(s), 0, Number(w)))],
    [
      "abbrevboth",
      goFunc(["int", "int", "string"], (l, r, s) => abbreviateFull(str(s), Number(l), Number(r))),
    ],
    ["trunc", goFunc(["int", "string"], (c, s) => trunc(c as bigint, str(s)))],
    ["trim", goFunc(["string"], (s) => str(s).trim())],
    ["upper", goFunc(["string"], (s) => str(s).toUpperCase())],
    ["lower", goFunc(["string"], (s) => str(s).toLowerCase())],
    ["title", goFunc(["string"], (s) => title(str(s)))],
    ["untitle", goFunc(["string"], (s) => untitle(str(s)))],
    ["substr", goFunc(["int", "int", "string"], (a, b, s) => substr(a as bigint, b as bigint, str(s)))],
    [
      "repeat",
      goFunc(["int", "string"], (c, s) => {
        if ((c as bigint) < 0n) throw new GoError("strings: negative Repeat count");
        checkStringBytes(str(s).length * Number(c), "repeat result");
        return str(s).repeat(Number(c));
      }),
    ],
    ["trimAll", goFunc(["string", "string"], (a, b) => trimCutset(str(b), str(a)))],
    ["trimall", goFunc(["string", "string"], (a, b) => trimCutset(str(b), str(a)))],
    [
      "trimSuffix",
      goFunc(["string", "string"], (a, b) =>
        str(b).endsWith(str(a)) ? str(b).slice(0, str(b).length - str(a).length) : str(b),
      ),
    ],
    [
      "trimPrefix",
      goFunc(["string", "string"], (a, b) =>
        str(b).startsWith(str(a)) ? str(b).slice(str(a).length) : str(b),
      ),
    ],
    ["nospace", goFunc(["string"], (s) => str(s).replace(/\s/gu, ""))],
    ["initials", goFunc(["string"], (s) => initials(str(s)))],
    ["swapcase", goFunc(["string"], (s) => swapcase(str(s)))],
    ["snakecase", goFunc(["string"], (s) => toDelimited(str(s), "_"))],
    ["camelcase", goFunc(["string"], (s) => camelcase(str(s)))],
    ["kebabcase", goFunc(["string"], (s) => toDelimited(str(s), "-"))],
    ["wrap", goFunc(["int", "string"], (l, s) => wrapCustom(str(s), Number(l), "", false))],
    [
      "wrapWith",
      goFunc(["int", "string", "string"], (l, sep, s) => wrapCustom(str(s), Number(l), str(sep), true)),
    ],
    ["contains", goFunc(["string", "string"], (a, b) => str(b).includes(str(a)))],
    ["hasPrefix", goFunc(["string", "string"], (a, b) => str(b).startsWith(str(a)))],
    ["hasSuffix", goFunc(["string", "string"], (a, b) => str(b).endsWith(str(a)))],
    [
      "quote",
      goFunc(
        [],
        (...a) =>
          a
            .filter((x) => x !== null && x !== undefined)
            .map((x) => quote(strval(x)))
            .join(" "),
        "any",
      ),
    ],
    [
      "squote",
      goFunc(
        [],
        (...a) =>
          a
            .filter((x) => x !== null && x !== undefined)
            .map((x) => `'${strval(x)}'`)
            .join(" "),
        "any",
      ),
    ],
    [
      "cat",
      goFunc(
        [],
        (...a) => {
          const v = a.filter((x) => x !== null && x !== undefined);
          return sprintf(v.map(() => "%v").join(" "), v);
        },
        "any",
      ),
    ],
    ["indent", goFunc(["int", "string"], (n, s) => indent(Number(n), str(s)))],
    ["nindent", goFunc(["int", "string"], (n, s) => "\n" + indent(Number(n), str(s)))],
    ["replace", goFunc(["string", "string", "string"], (o, n, s) => str(s).split(str(o)).join(str(n)))],
    ["plural", goFunc(["string", "string", "int"], (one, many, c) => ((c as bigint) === 1n ? one : many))],
    ["sha1sum", goFunc(["string"], (s) => hexDigest("sha1", str(s)))],
    ["sha256sum", goFunc(["string"], (s) => hexDigest("sha256", str(s)))],
    ["sha512sum", goFunc(["string"], (s) => hexDigest("sha512", str(s)))],
    ["adler32sum", goFunc(["string"], (s) => String(adler32(str(s))))],
    ["toString", goFunc(["any"], (v) => strval(v))],
    ["toStrings", goFunc(["any"], (v) => strslice(v))],
    ["join", goFunc(["string", "any"], (sep, v) => strslice(v).join(str(sep)))],
    [
      "sortAlpha",
      goFunc(["any"], (v) => {
        if (Array.isArray(v)) return strslice(v).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        return [strval(v)];
      }),
    ],
    ["split", goFunc(["string", "string"], (sep, s) => splitMap(goSplit(str(s), str(sep), -1)))],
    ["splitList", goFunc(["string", "string"], (sep, s) => goSplit(str(s), str(sep), -1))],
    [
      "splitn",
      goFunc(["string", "int", "string"], (sep, n, s) => splitMap(goSplit(str(s), str(sep), Number(n)))),
    ],
    ["b64enc", goFunc(["string"], (s) => Buffer.from(utf8Bytes(str(s))).toString("base64"))],
    [
      "b64dec",
      goFunc(["string"], (s) => {
        try {
          return utf8String(base64DecodeStrict(str(s)));
        } catch (e) {
          return (e as Error).message;
        }
      }),
    ],
    ["b32enc", goFunc(["string"], (s) => base32Encode(utf8Bytes(str(s))))],
    [
      "b32dec",
      goFunc(["string"], (s) => {
        try {
          return utf8String(base32Decode(str(s)));
        } catch (e) {
          return (e as Error).message;
        }
      }),
    ],
    ["base", goFunc(["string"], (s) => pathBase(str(s)))],
    ["dir", goFunc(["string"], (s) => pathDir(str(s)))],
    ["clean", goFunc(["string"], (s) => pathClean(str(s)))],
    ["ext", goFunc(["string"], (s) => pathExt(str(s)))],
    ["isAbs", goFunc(["string"], (s) => str(s).startsWith("/"))],
    ["osBase", goFunc(["string"], (s) => pathBase(str(s)))],
    ["osDir", goFunc(["string"], (s) => pathDir(str(s)))],
    ["osClean", goFunc(["string"], (s) => pathClean(str(s)))],
    ["osExt", goFunc(["string"], (s) => pathExt(str(s)))],
    ["osIsAbs", goFunc(["string"], (s) => str(s).startsWith("/"))],
  ];
}

function indent(n: number, s: string): string {
  // Checked before building: the result holds the pad once per line.
  checkStringBytes(Math.max(n, 0) * (1 + (s.match(/\n/g)?.length ?? 0)) + s.length, "indent result");
  const pad = " ".repeat(Math.max(n, 0));
  return pad + s.split("\n").join("\n" + pad);
}

function trimCutset(s: string, cutset: string): string {
  const set = new Set([...cutset]);
  const chars = [...s];
  let a = 0;
  let b = chars.length;
  while (a < b && set.has(chars[a] as string)) a++;
  while (b > a && set.has(chars[b - 1] as string)) b--;
  return chars.slice(a, b).join("");
}

/** strings.SplitN (n<0: all). */
export function goSplit(s: string, sep: string, n: number): string[] {
  if (n === 0) return [];
  if (sep === "") {
    const chars = [...s];
    if (n < 0 || n >= chars.length) return chars;
    return [...chars.slice(0, n - 1), chars.slice(n - 1).join("")];
  }
  const parts = s.split(sep);
  if (n < 0 || parts.length <= n) return parts;
  return [...parts.slice(0, n - 1), parts.slice(n - 1).join(sep)];
}

function splitMap(parts: string[]): GoMap {
  const m: GoMap = new Map();
  parts.forEach((p, i) => m.set(`_${i}`, p));
  return m;
}
