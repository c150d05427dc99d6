/** Sprig regex functions: Go RE2 syntax translated to JS RegExp, Go's match iteration and $-expansion. */
import { GoError, goFunc, type GoFunc, type Value } from "../template/values";

const POSIX: Record<string, string> = {
  alnum: "0-9A-Za-z",
  alpha: "A-Za-z",
  ascii: "\\x00-\\x7F",
  blank: "\\t ",
  cntrl: "\\x00-\\x1F\\x7F",
  digit: "0-9",
  graph: "!-~",
  lower: "a-z",
  print: " -~",
  punct: "!-\\/:-@\\[-`{-~",
  space: "\\t\\n\\v\\f\\r ",
  upper: "A-Z",
  word: "0-9A-Za-z_",
  xdigit: "0-9A-Fa-f",
};

const JS_SYNTAX = "^$\\.*+?()[]{}|/";

const cache = new Map<string, RegExp>();

/** Compile a Go regexp into a global JS RegExp (throws Go-style errors). */
export function compileGo(expr: string): RegExp {
  const hit = cache.get(expr);
  if (hit) return hit;
  let flags = "gu";
  let src = expr;
  const lead = /^\(\?([imsU]+)\)/.exec(src);
  if (lead) {
    for (const f of lead[1] ?? "") if (f !== "U" && !flags.includes(f)) flags += f;
    src = src.slice(lead[0].length);
  }
  let out = "";
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i] as string;
    if (c === "\\") {
      const n = src[i + 1] ?? "";
      i++;
      if (n === "Q") {
        const end = src.indexOf("\\E", i + 1);
        const lit = end < 0 ? src.slice(i + 1) : src.slice(i + 1, end);
        out += lit.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");
        i = end < 0 ? src.length : end + 1;
        continue;
      }
      if (n === "A") out += "^";
      else if (n === "z") out += "$(?![\\s\\S])";
      else if (n === "p" || n === "P") {
        if (src[i + 1] === "{") {
          const end = src.indexOf("}", i);
          out += "\\" + n + src.slice(i + 1, end + 1);
          i = end;
        } else {
          out += `\\${n}{${src[i + 1] ?? ""}}`;
          i++;
        }
      } else if (/[A-Za-z0-9]/.test(n)) out += "\\" + n;
      else if (JS_SYNTAX.includes(n) || (inClass && n === "-")) out += "\\" + n;
      else out += "\\x" + n.charCodeAt(0).toString(16).padStart(2, "0");
      continue;
    }
    if (inClass) {
      if (c === "[" && src[i + 1] === ":") {
        const end = src.indexOf(":]", i);
        const name = src.slice(i + 2, end);
        const neg = name.startsWith("^");
        const cls = POSIX[neg ? name.slice(1) : name];
        if (end > 0 && cls !== undefined && !neg) {
          out += cls;
          i = end + 1;
          continue;
        }
      }
      if (c === "]") inClass = false;
      out += c === "[" ? "\\[" : c;
      continue;
    }
    if (c === "[") {
      inClass = true;
      out += c;
      if (src[i + 1] === "^") {
        out += "^";
        i++;
      }
      if (src[i + 1] === "]") {
        out += "\\]";
        i++;
      }
      continue;
    }
    if (c === "(" && src.startsWith("(?P<", i)) {
      out += "(?<";
      i += 3;
      continue;
    }
    out += c;
  }
  let re: RegExp;
  try {
    re = new RegExp(out, flags);
  } catch (e) {
    throw new GoError(`error parsing regexp: ${(e as Error).message}: \`${expr}\``);
  }
  cache.set(expr, re);
  return re;
}

/** Go's allMatches: empty matches adjacent to the previous match are skipped. */
export function findAll(re: RegExp, s: string, n: number): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  if (n === 0) return out;
  let pos = 0;
  let prevEnd = -1;
  while ((n < 0 || out.length < n) && pos <= s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) break;
    const start = m.index;
    const end = start + m[0].length;
    let accept = true;
    if (end === pos) {
      // An empty match; skip it if it abuts the previous match, then advance one rune.
      if (start === prevEnd) accept = false;
      const cp = s.codePointAt(pos);
      pos += cp === undefined ? 1 : cp > 0xffff ? 2 : 1;
    } else pos = end;
    prevEnd = end;
    if (accept) out.push(m);
  }
  return out;
}

/** regexp.Expand with Go's $name / ${name} template syntax. */
function expand(template: string, m: RegExpExecArray): string {
  let out = "";
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c !== "$") {
      out += c;
      continue;
    }
    const rest = template.slice(i + 1);
    if (rest.startsWith("$")) {
      out += "$";
      i++;
      continue;
    }
    let name: string | undefined;
    let len = 0;
    const braced = /^\{([A-Za-z0-9_]+)\}/.exec(rest);
    if (braced) {
      name = braced[1];
      len = braced[0].length;
    } else {
      const plain = /^[A-Za-z0-9_]+/.exec(rest);
      if (plain) {
        name = plain[0];
        len = plain[0].length;
      }
    }
    if (name === undefined) {
      out += "$";
      continue;
    }
    i += len;
    if (/^\d+$/.test(name)) out += m[Number(name)] ?? "";
    else out += m.groups?.[name] ?? "";
  }
  return out;
}

function replaceAll(re: RegExp, s: string, repl: (m: RegExpExecArray) => string): string {
  let out = "";
  let last = 0;
  for (const m of findAll(re, s, -1)) {
    out += s.slice(last, m.index) + repl(m);
    last = m.index + m[0].length;
  }
  return out + s.slice(last);
}

function split(re: RegExp, s: string, n: number): string[] {
  if (n === 0) return [];
  if (re.source !== "(?:)" && s.length === 0) return [""];
  const matches = findAll(re, s, n);
  const out: string[] = [];
  let beg = 0;
  let end = 0;
  for (const m of matches) {
    if (n > 0 && out.length === n - 1) break;
    end = m.index;
    if (m.index + m[0].length !== 0) out.push(s.slice(beg, end));
    beg = m.index + m[0].length;
  }
  if (end !== s.length) out.push(s.slice(beg));
  return out;
}

export function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, "\\$&");
}

function str(v: Value): string {
  return v as string;
}

function pair(name: string, params: ("string" | "int")[], fn: (...a: Value[]) => Value): [string, GoFunc][] {
  // The plain form panics on a bad pattern; both surface as template errors.
  const must = "must" + (name[0] ?? "").toUpperCase() + name.slice(1);
  return [
    [name, goFunc(params, fn)],
    [must, goFunc(params, fn)],
  ];
}

export function regexFuncs(): [string, GoFunc][] {
  return [
    ...pair("regexMatch", ["string", "string"], (r, s) => {
      const re = compileGo(str(r));
      re.lastIndex = 0;
      return re.test(str(s));
    }),
    ...pair("regexFindAll", ["string", "string", "int"], (r, s, n) =>
      findAll(compileGo(str(r)), str(s), Number(n)).map((m) => m[0]),
    ),
    ...pair("regexFind", ["string", "string"], (r, s) => findAll(compileGo(str(r)), str(s), 1)[0]?.[0] ?? ""),
    ...pair("regexReplaceAll", ["string", "string", "string"], (r, s, t) =>
      replaceAll(compileGo(str(r)), str(s), (m) => expand(str(t), m)),
    ),
    ...pair("regexReplaceAllLiteral", ["string", "string", "string"], (r, s, t) =>
      replaceAll(compileGo(str(r)), str(s), () => str(t)),
    ),
    ...pair("regexSplit", ["string", "string", "int"], (r, s, n) =>
      split(compileGo(str(r)), str(s), Number(n)),
    ),
    ["regexQuoteMeta", goFunc(["string"], (s) => quoteMeta(str(s)))],
  ];
}
